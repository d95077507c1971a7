"""The planners (the scenario and roadshow planners, their controls and charts) and the app
that serves them (`workbook app`).

Importing this package keeps jsonschema's optional format checkers from being imported in the
process (the app's server and every planner kernel import it first): Jupyter installs them, and
jsonschema imports them all at its own import (under Altair in a kernel, under jupyter_server in
the app), for IRI, date and colour formats that neither Altair's spec validation nor Jupyter's
schemas check. `rfc3987_syntax` alone builds ~35 Lark grammars at import: ~20 MB of every
kernel and seconds of its start (15 s of wall time here at load 12). The review does the same
for its kernels (`workbook.review.skip_slow_optional_imports`, whose list this is).
"""

from __future__ import annotations

import sys

FORMAT_CHECKERS = (
    "rfc3987_syntax",
    "rfc3987",
    "rfc3986_validator",
    "rfc3339_validator",
    "isoduration",
    "uri_template",
    "webcolors",
    "fqdn",
)

if "jsonschema" not in sys.modules:  # too late once jsonschema has imported them
    for _name in FORMAT_CHECKERS:
        # None in sys.modules makes `import x` fail at once (typeshed wants a module).
        sys.modules.setdefault(_name, None)  # type: ignore[arg-type]  # None: import fails

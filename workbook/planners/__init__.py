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

from workbook.files.jsonschema_extras import keep_format_checkers_out

keep_format_checkers_out()  # before jupyter_server or Altair import jsonschema

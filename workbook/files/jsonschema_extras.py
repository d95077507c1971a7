"""jsonschema's optional format checkers, kept out of the processes that read notebooks and
validate chart specs.

Jupyter installs jsonschema's format extras, and jsonschema imports them all at its own import
(under Altair in a kernel, under nbformat in the review's runner, under jupyter_server in the
app) for IRI, date and colour formats that neither Altair's spec validation nor Jupyter's
schemas check. `rfc3987_syntax` alone builds ~35 Lark grammars at import: ~20 MB and about 1 s
of CPU in every process that imports jsonschema. The review's kernels and runner
(`workbook.review.skip_slow_optional_imports`) and the planners' kernels and app
(`workbook.planners`) keep them out with `keep_format_checkers_out`: here, below both, and
importing nothing (importing `workbook.charts` would import Altair and with it jsonschema).
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


def keep_format_checkers_out() -> None:
    """Make every later `import` of a format checker fail at once, so jsonschema leaves it out;
    too late (and nothing done) once jsonschema is imported."""
    if "jsonschema" in sys.modules:
        return
    for name in FORMAT_CHECKERS:
        # None in sys.modules makes `import x` fail at once (typeshed wants a module).
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: import fails


__all__ = ["FORMAT_CHECKERS", "keep_format_checkers_out"]

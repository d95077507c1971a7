"""The quarterly review (季度评估): sections, report, runner and batch.

The notebook `notebooks/quarterly_review.ipynb` calls `open_review(...)` and shows each
section; `workbook review` / `workbook batch` run that notebook with papermill
(`workbook.review.runner`, `workbook.review.batch`). Importing this package imports neither
papermill nor Altair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbook.review.params import (
    Quarter,
    ReviewParams,
    parse_quarter,
    parse_quarters,
    review_params,
)

if TYPE_CHECKING:
    from workbook.review.report import Review


def open_review(params_path: Any, quarter: Any, **raw: Any) -> Review:
    """Check the parameters (as papermill injected them) and compute the whole review."""
    skip_slow_optional_imports()
    from workbook.review.params import read_review_params
    from workbook.review.report import build_review

    rp, zone_params = read_review_params(params_path, quarter, **raw)
    return build_review(rp, zone_params)  # the params file read once


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing rfc3987_syntax in a review kernel or runner.

    Jupyter installs jsonschema's format extras; jsonschema then imports rfc3987_syntax,
    which compiles a Lark grammar at import (about 1 s of every kernel start and of every
    `workbook review`) for an IRI format check that neither Altair's spec validation nor
    nbformat's notebook validation uses. Only done before jsonschema is first imported.
    """
    import sys

    if "jsonschema" not in sys.modules:
        # None in sys.modules makes `import rfc3987_syntax` fail at once (typeshed wants a module).
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


__all__ = [
    "Quarter",
    "ReviewParams",
    "open_review",
    "parse_quarter",
    "parse_quarters",
    "review_params",
    "skip_slow_optional_imports",
]

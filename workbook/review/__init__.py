"""The quarterly review (季度评估): sections, report, runner and batch.

The notebook `notebooks/quarterly_review.ipynb` calls `open_review(...)` and shows each
section; `workbook review` / `workbook batch` run that notebook with papermill
(`workbook.review.runner`, `workbook.review.batch`). Importing this package imports neither
papermill nor Altair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbook.review.environment import BATCH_KERNEL, in_batch_kernel
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
    """Keep jsonschema's format-checker extras (and, in a kernel the review runner started,
    Altair's widget) from being imported in a review kernel or runner.

    Jupyter installs jsonschema's format extras; jsonschema then imports them all at its own
    import (rfc3987_syntax alone compiles a Lark grammar, about 1 s of every kernel start and
    of every `workbook review`) for IRI, date and colour format checks that neither Altair's
    spec validation nor nbformat's notebook validation uses. Altair imports anywidget (and
    with it ipywidgets) for `JupyterChart`, which a batch kernel never shows: without
    anywidget Altair puts a stand-in in its place. Only done before jsonschema (and Altair)
    are first imported; never in a notebook a person runs.
    """
    import sys

    from workbook.files.jsonschema_extras import keep_format_checkers_out

    keep_format_checkers_out()
    if in_batch_kernel() and "altair" not in sys.modules:
        sys.modules.setdefault("anywidget", None)  # type: ignore[arg-type]  # None: import fails


# What a review kernel imports as it starts (`warm_up`), in the order the review needs them:
# the sections (pandas, the zone, the forecast engine), the roadshow plan (scipy's solver), the
# charts (Altair) and the writers (openpyxl, python-docx).
WARM_MODULES = (
    "workbook.review.report",
    "workbook.forecast.goalseek",
    "workbook.roadshow.service",
    "workbook.roadshow.saa",
    "scipy.optimize",
    "workbook.charts.review",
    "workbook.charts.roadshow",
    "workbook.review.output",
    "workbook.files.xlsx_safe",
    "workbook.text.formats",
    "openpyxl",
    "workbook.review.word",
    "docx",
    "IPython.display",
)


def warm_up() -> None:
    """Import what a review computes with (`WARM_MODULES`, and numba for the forecast's
    compiled kernels). The review runner has each kernel it starts run this first, while the
    runner is still checking the inputs (workbook.review.ahead); the notebook then finds them
    imported. Never raises: an import that fails here fails again in the notebook's cell, where
    the run reports it."""
    import importlib

    skip_slow_optional_imports()
    try:
        for name in WARM_MODULES:
            importlib.import_module(name)
        from workbook.forecast import compiled, fused

        compiled.load(fused.__name__)  # numba imported, the kernels made dispatchers
    except Exception:  # noqa: S110 - the notebook meets it again and says so
        pass


__all__ = [
    "BATCH_KERNEL",
    "WARM_MODULES",
    "Quarter",
    "ReviewParams",
    "open_review",
    "parse_quarter",
    "parse_quarters",
    "review_params",
    "skip_slow_optional_imports",
    "warm_up",
]

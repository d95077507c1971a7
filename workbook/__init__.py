"""Investment-promotion planning workbook (招商引资规划工作簿): targets, pipeline, roadshows, review.

The names a notebook needs; `import workbook` does not import Jupyter, ipywidgets or papermill.
"""

from workbook.errors import WorkbookError
from workbook.ledger import Ledger, load_ledger
from workbook.pacing import format_status, status
from workbook.params import ZoneParams, load_params
from workbook.zone import Zone, load_zone

__all__ = [
    "Ledger",
    "WorkbookError",
    "Zone",
    "ZoneParams",
    "format_status",
    "load_ledger",
    "load_params",
    "load_zone",
    "status",
]

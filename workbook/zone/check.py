"""Everything a zone's later commands would refuse, refused at once (the zone's part).

`check_zone` loads the params file and every data file it names, so a bad cell or key is the
same file/sheet/row/column message that `status` prints. The later layers add their own parts:
`workbook.forecast.check` (event plans against the catalogue, scenarios' drivers) and
`workbook.roadshow.check` (restrictions against the catalogue, and `check_inputs`, which runs
all of them). `validate` runs `check_inputs`; `review`/`batch` load the zone and check the
restrictions before any kernel starts (`workbook.review.runner.check_review_inputs`, without a
forecast engine), so a planner never sees a notebook's traceback for bad data.
"""

from __future__ import annotations

from pathlib import Path

from workbook.zone.loader import Zone, load_zone


def check_zone(params_path: str | Path) -> Zone:
    """The loaded zone; raises the WorkbookError that loading it anywhere later would raise."""
    return load_zone(params_path)

"""The zones `workbook app` serves and the names the app and its kernels share (the
environment a planner kernel is started with, the planners' notebooks and URL names)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

APP_NOTEBOOKS = ("scenario_planner.ipynb", "roadshow_planner.ipynb")
ENV_PARAMS = "WORKBOOK_PARAMS"  # the params file a planner kernel opens
ENV_ROLE = "WORKBOOK_ROLE"  # the page's user may only look (view): no save, no export
# URL name of each planner under /z/<zone>/, and its notebook.
PLANNERS = {"scenario": "scenario_planner.ipynb", "roadshow": "roadshow_planner.ipynb"}


@dataclass(frozen=True)
class Zone:
    """One zone the app serves: its id (the params file's name, as in reports/<id>/ and the
    URL /z/<id>/), its name in the app's language, its params file."""

    id: str
    name: str
    params: Path

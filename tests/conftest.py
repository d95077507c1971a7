"""Fixtures built in code: small ledgers, arrivals and params written the way planners keep them."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

REPO = Path(__file__).resolve().parent.parent
SAMPLE_PARAMS = REPO / "params" / "jining-2020.yaml"

# Every command a test starts runs in its own process: no warm server is left behind a test
# (tests/cli/test_served.py starts its own, in a directory of its own, and stops them).
os.environ["WORKBOOK_SERVER"] = "0"


# The modules whose tests drive Chromium against a `workbook app` of their own: under
# pytest-xdist they run on one worker, one after the other (one such app and browser at a time).
BROWSER_MODULES = ("tests/planners/test_app_browser.py", "tests/planners/test_app_load.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` as `make test` and `make test-fast` run it (`-n 2`): each test file
    goes whole to one worker, so a module-scoped fixture (an app server with preheated kernels,
    a review built once) is built once; the browser modules count as one file; files are handed
    out in the order of the collection (see `pytest_collection_modifyitems`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class OneBrowser(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "browser" if scope in BROWSER_MODULES else scope

        def _reschedule(self, node: Any) -> None:
            """The next file goes to a worker when it starts the last test it holds (a worker
            runs a test once it knows the one after it), not two tests before the end as
            xdist's own rule does: a file is not kept waiting behind a long last test (the load
            test's bureau, a wheel or a batch run) while the other worker runs out of work."""
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            if self._pending_of(self.assigned_work[node]) > 1:
                return
            self._assign_work_unit(node)

    config.option.loadscopereorder = False
    return OneBrowser(config, log)


# The files that take longest besides the browser modules (`--durations` of `make test`),
# longest first: handed out right after the browser modules, so the two workers end together.
LONGEST_FILES = (
    "tests/forecast/test_calibration_synthetic.py",
    "tests/forecast/test_forecast_cache.py",
    "tests/planners/test_app_login.py",
    "tests/review/test_interrupts.py",
    "tests/forecast/test_forecast_fused.py",
    "tests/planners/test_live_parts.py",
    "tests/planners/test_widgets.py",
    "tests/forecast/test_calibrate.py",
    "tests/review/test_review_run.py",
    "tests/test_wheel.py",
    "tests/review/test_review_batch.py",
    "tests/planners/test_planner_notebooks.py",
    "tests/review/test_review_abstract.py",
    "tests/files/test_out_safety.py",
    "tests/text/test_hostile_text.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every browser test of the app (tests/planners/) is in BROWSER_MODULES. In a pytest-xdist
    worker the longest chains come first: the browser modules, then LONGEST_FILES in their
    order, then the other files holding a slow test, then the rest (the order within a file
    kept), so no long file starts last."""
    for item in items:
        path = item.nodeid.split("::")[0]
        if (
            item.get_closest_marker("browser")
            and path.startswith("tests/planners/")
            and path not in BROWSER_MODULES
        ):
            raise pytest.UsageError(
                f"{item.nodeid} drives a browser: add its file to BROWSER_MODULES"
            )
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank: dict[str, tuple[int, int]] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        if path in BROWSER_MODULES:
            rank[path] = (0, 0)
        elif path in LONGEST_FILES:
            rank[path] = (1, LONGEST_FILES.index(path))
        elif item.get_closest_marker("slow"):
            rank[path] = min(rank.get(path, (2, 0)), (2, 0))
        else:
            rank.setdefault(path, (3, 0))
    items.sort(key=lambda item: rank[item.nodeid.split("::")[0]])


LEDGER_HEADER = [
    "项目编号",
    "项目名称",
    "投资方",
    "内外资",
    "500强类别",
    "阶段",
    "总投资(亿元)",
    "年度计划到位（万元）",
    "签约日期",
    "开工日期",
    "投产日期",
    "新签500强",
    "四新",
]


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "项目台账") -> Path:
    """Write rows (row 1 first) to one sheet of a new workbook."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        csv.writer(f).writerows([["" if c is None else c for c in r] for r in rows])
    return path


def small_ledger_rows() -> list[list[Any]]:
    """Four projects with hand-checkable figures (amounts in 亿元 / 万元 as the headers say)."""
    return [
        LEDGER_HEADER,
        [
            "P1",
            "甲项目",
            "甲公司",
            "内资",
            "世界500强",
            "签约",
            40,
            50000,
            dt.date(2020, 2, 10),
            None,
            None,
            "是",
            "否",
        ],
        [
            "P2",
            "乙项目",
            "乙公司",
            "外资",
            "无",
            "开工",
            5,
            20000,
            dt.date(2019, 11, 1),
            dt.date(2020, 3, 1),
            None,
            "否",
            "是",
        ],
        [
            "P3",
            "丙项目",
            "丙公司",
            "港澳台",
            "中国500强",
            "投产",
            120,
            0,
            dt.date(2019, 5, 1),
            dt.date(2019, 9, 1),
            dt.date(2020, 5, 20),
            "否",
            "否",
        ],
        ["P4", "丁项目", "丁公司", "内资", "无", "在谈", 2, None, None, None, None, "否", "否"],
    ]


def small_arrival_rows() -> list[list[Any]]:
    return [
        ["项目编号", "月份", "到位金额(万)", "币种"],
        ["P1", "2020-01", 10000, "人民币"],  # 1 亿元
        ["P1", "2020年4月", 20000, "人民币"],  # 2 亿元, after a 2020-03-31 as-of
        ["P2", "2020-02", 1000, "美元"],  # 0.1 亿美元
        ["P3", "2019-12", 5000, "美元"],  # last year: never counts
    ]


def write_params(path: Path, ledger: Path, arrivals: Path | None = None, **overrides: Any) -> Path:
    data: dict[str, Any] = {
        "zone": "测试园区",
        "zone_en": "Test Zone",
        "year": 2020,
        "fx_cny_per_usd": 7.0,
        "targets": {
            "domestic_capital": {"annual": 10, "currency": "CNY"},
            "foreign_capital": {"annual": 1, "currency": "USD", "phasing": [0.2, 0.4, 0.7, 1.0]},
            "global500_signings": {"annual": 1},
            "bonus_500": {"annual": 2},
            "big_projects_30": {"annual": 1, "stretch": 2},
            "projects_100": {"annual": 1},
            "new_starts": {"annual": 4},
            "new_production": {"annual": 2},
            "four_new": {"annual": 2},
        },
        "offices": [
            {
                "id": "yrd",
                "name": "驻长三角招商机构",
                "name_en": "YRD office",
                "region": "长三角",
                "leads_per_quarter": 10,
            }
        ],
        "data": {"ledger": str(ledger), **({"arrivals": str(arrivals)} if arrivals else {})},
    }
    data.update(overrides)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def small_zone(tmp_path: Path) -> Path:
    """A params file over a four-project ledger and five arrivals; returns the params path."""
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    arrivals = write_xlsx(tmp_path / "arrivals.xlsx", small_arrival_rows(), sheet="到位资金")
    return write_params(tmp_path / "zone.yaml", ledger, arrivals)

"""Hypothesis fuzzing of the two kinds of input a planner edits: no ledger cell and no params
value may produce a traceback; every error names its file and its row and column (ledger) or
is located in its file (params).

Short by default; WORKBOOK_FUZZ_EXAMPLES=2000 (say) runs a longer search.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tests.conftest import SAMPLE_PARAMS, small_arrival_rows, small_ledger_rows, write_csv
from workbook.roadshow.check import check_inputs
from workbook.text.errors import CellProblem, DataFileError, ParamsError, WorkbookError
from workbook.zone.ledger import load_ledger
from workbook.zone.params import load_params

EXAMPLES = int(os.environ.get("WORKBOOK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# what a planner (or a damaged export) can put into a cell
xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30
)  # openpyxl refuses control characters
PAYLOADS = ["=1+1", "合计", "Total", "inf", "nan", "-", "1e999", "１２３", "2020-02-30", "是"]
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(PAYLOADS),
    xml_text,
)


def write_rows(path: Path, rows: list[list[Any]], sheet: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def assert_located(exc: DataFileError, files: set[str]) -> None:
    assert exc.problems
    for p in exc.problems:
        assert isinstance(p, CellProblem)
        assert p.file in files
        line_zh, line_en = p.render("zh"), p.render("en")
        assert line_zh.startswith(p.file) and line_en.startswith(p.file)
        if p.row is not None and p.message.key != "header.none":
            assert f"第{p.row}行" in line_zh and f"row {p.row}" in line_en


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 12), cell_values), min_size=1, max_size=8
    ),
    arrival_edits=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 3), cell_values), max_size=4
    ),
)
def test_no_ledger_cell_gives_a_traceback(tmp_path_factory, edits, arrival_edits):
    folder = tmp_path_factory.mktemp("fuzz")
    rows = copy.deepcopy(small_ledger_rows())  # the header row is a shared list
    for r, c, v in edits:
        rows[r][c] = v
    arrivals = copy.deepcopy(small_arrival_rows())
    for r, c, v in arrival_edits:
        if r < len(arrivals):
            arrivals[r][c] = v
    ledger = write_rows(folder / "ledger.xlsx", rows, "项目台账")
    arr = write_rows(folder / "arrivals.xlsx", arrivals, "到位资金")
    try:
        led = load_ledger(ledger, arr)
    except DataFileError as exc:
        assert_located(exc, {str(ledger), str(arr)})
        return
    for col in ("total_investment", "planned_inflow"):
        assert all(math.isfinite(v) for v in led.projects[col].dropna())
    assert all(math.isfinite(v) for v in led.arrivals["amount"].dropna())


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 4),
            st.integers(0, 12),
            st.one_of(st.text(max_size=20), st.sampled_from(PAYLOADS)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_no_csv_text_gives_a_traceback(tmp_path_factory, edits):
    """CSV text may hold any character at all, control characters included."""
    folder = tmp_path_factory.mktemp("fuzzcsv")
    rows = copy.deepcopy(small_ledger_rows())  # the header row is a shared list
    for r, c, v in edits:
        rows[r][c] = v
    ledger = write_csv(folder / "ledger.csv", rows)
    try:
        load_ledger(ledger)
    except DataFileError as exc:
        assert_located(exc, {str(ledger)})


# ---- params ------------------------------------------------------------------------------------

SAMPLE = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))


def leaf_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaf_paths(v, (*prefix, k))] or [prefix]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaf_paths(v, (*prefix, i))] or [prefix]
    return [prefix]


PATHS = [p for p in leaf_paths(SAMPLE) if p and p[0] != "data"]  # data paths: files elsewhere
yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=15),
        st.sampled_from(["2020-01-01", "1e999", ".inf", "EV99", "全年", "-1"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def set_path(doc: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


DECLARED = [p for p in leaf_paths(SAMPLE) if p[0] in ("metrics", "campaigns")]
DECLARED_KEYS = [
    ("metrics", m, k)
    for m in SAMPLE["metrics"]
    for k in ("label", "count", "money", "where", "unit", "x")
] + [("campaigns", 0, k) for k in ("start", "end", "days", "goals", "name", "x")]


def test_the_params_fuzz_reaches_declared_metrics_and_campaigns():
    """The sample zone declares metrics (count and money, with where filters) and a campaign,
    so the params fuzz edits their values too."""
    assert {p[:2] for p in DECLARED} >= {
        ("metrics", "ten_strong_10"),
        ("metrics", "yrd_domestic"),
        ("campaigns", 0),
    }
    assert ("metrics", "ten_strong_10", "where", "total_investment") in PATHS


def _check_params(params: Path, doc: dict[str, Any]) -> None:
    try:
        load_params(params)
    except ParamsError as exc:
        for lang, sep in (("zh", "："), ("en", ": ")):
            for line in exc.lines(lang):
                assert line.startswith(f"{params}{sep}"), line
        return
    try:  # what simulate and review would refuse later is refused here, located
        check_inputs(params)
    except WorkbookError as exc:
        files = (str(params), *doc["data"].values())
        for lang in ("zh", "en"):
            for line in exc.lines(lang):
                assert line.startswith(files), line


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(DECLARED + DECLARED_KEYS), yaml_values), min_size=1, max_size=4
    )
)
def test_no_declared_metric_or_campaign_value_gives_a_traceback(tmp_path_factory, edits):
    """Values and keys of the declared metrics (count/money, where filters on ledger columns)
    and campaigns (window, goals): each is one located line or loads."""
    folder = tmp_path_factory.mktemp("fuzzdeclared")
    doc = copy.deepcopy(SAMPLE)
    doc["data"] = {k: str(SAMPLE_PARAMS.parent / v) for k, v in SAMPLE["data"].items()}
    for path, value in edits:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            set_path(doc, path, value)
    params = folder / "zone.yaml"
    params.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    _check_params(params, doc)


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), yaml_values), min_size=1, max_size=4))
def test_no_params_value_gives_a_traceback(tmp_path_factory, edits):
    folder = tmp_path_factory.mktemp("fuzzparams")
    doc = copy.deepcopy(SAMPLE)
    doc["data"] = {k: str(SAMPLE_PARAMS.parent / v) for k, v in SAMPLE["data"].items()}
    for path, value in edits:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            set_path(doc, path, value)  # fails when an earlier edit replaced the container
    params = folder / "zone.yaml"
    params.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    _check_params(params, doc)

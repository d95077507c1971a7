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


# ---- xlsx containers ---------------------------------------------------------------------------
# A damaged, truncated or hand-made workbook: its zip structure, its sheet XML and the cells and
# dimension the sheet declares. Each ends as a Ledger or as problems naming the file; never a
# traceback, never an abort of the Excel reader (the check before reading bounds the grid).

SHEET = "xl/worksheets/sheet1.xml"


def _good_parts(folder: Path) -> dict[str, bytes]:
    import zipfile

    path = write_rows(folder / "good.xlsx", small_ledger_rows(), "项目台账")
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(path: Path, parts: dict[str, bytes], method: int) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _load_or_located(path: Path) -> None:
    from workbook.zone.ledger import Ledger

    try:
        led = load_ledger(path)
    except DataFileError as exc:
        assert_located(exc, {str(path)})
        for lang in ("zh", "en"):
            for line in exc.lines(lang):
                assert "\n" not in line and "\x1b" not in line
        return
    assert isinstance(led, Ledger)


column_refs = st.one_of(
    st.sampled_from(["A", "M", "Z", "AA", "ZZ", "AAA", "XFD", "XFE", "ZZZ", "a", ""]),
    st.text(alphabet="ABCXYZ", min_size=1, max_size=4),
)
row_refs = st.one_of(
    st.sampled_from(["1", "2", "1048576", "1048577", "0", "99999999", ""]),
    st.integers(0, 2_000_000).map(str),
)
cell_refs = st.tuples(column_refs, row_refs).map("".join)
xml_bits = st.one_of(
    st.builds(
        lambda ref, text: f'<row><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>',
        cell_refs,
        st.sampled_from(["x", "合计", "=1+1", "&amp;", "1e999"]),
    ),
    st.builds(lambda r: f'<row r="{r}"><c t="n"><v>1</v></c></row>', row_refs),
    st.builds(lambda n: "<row>" + '<c t="n"><v>1</v></c>' * n + "</row>", st.integers(0, 3000)),
    st.builds(lambda n: "<row/>" * n, st.integers(0, 5000)),
    st.sampled_from(
        ["<row>", "</row>", "<c>", "<x:c r='A1'/>", '<c r = "XFD1"/>', "<!--", "]]>", "&bogus;"]
    ),
)


@FUZZ
@given(
    bits=st.lists(st.tuples(st.sampled_from(["before", "after", "replace"]), xml_bits), max_size=4),
    dimension=st.one_of(st.none(), st.tuples(cell_refs, cell_refs).map(":".join)),
    drop=st.sets(st.sampled_from(["xl/workbook.xml", "xl/_rels/workbook.xml.rels", SHEET])),
    stored=st.booleans(),
)
def test_no_sheet_xml_or_zip_part_gives_a_traceback(
    tmp_path_factory, bits, dimension, drop, stored
):
    import re
    import zipfile

    folder = tmp_path_factory.mktemp("fuzzxml")
    parts = _good_parts(folder)
    sheet = parts[SHEET].decode("utf-8")
    for where, bit in bits:
        if where == "before":
            sheet = sheet.replace("<sheetData>", "<sheetData>" + bit, 1)
        elif where == "after":
            sheet = sheet.replace("</sheetData>", bit + "</sheetData>", 1)
        else:
            sheet = re.sub(r"<row r=\"3\".*?</row>", lambda _m, bit=bit: bit, sheet, count=1)
    if dimension is not None:
        sheet = re.sub(r"<dimension ref=\"[^\"]*\"", f'<dimension ref="{dimension}"', sheet)
        if "<dimension" not in sheet:
            sheet = sheet.replace("<sheetData>", f'<dimension ref="{dimension}"/><sheetData>', 1)
    parts[SHEET] = sheet.encode("utf-8")
    for name in drop:
        parts.pop(name, None)
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    _load_or_located(_zip(folder / "ledger.xlsx", parts, method))


@FUZZ
@given(
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=6),
    cut=st.one_of(st.none(), st.floats(0, 1)),
    prefix=st.sampled_from(
        [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]
    ),
)
def test_no_damaged_zip_gives_a_traceback(tmp_path_factory, flips, cut, prefix):
    """Bytes of a good workbook flipped, cut short or prefixed: damaged central directory,
    local headers, deflate streams and CRCs."""
    folder = tmp_path_factory.mktemp("fuzzzip")
    good = write_rows(folder / "good.xlsx", small_ledger_rows(), "项目台账").read_bytes()
    data = bytearray(good)
    for at, mask in flips:
        data[int(at * len(data))] ^= mask
    if cut is not None:
        data = data[: int(cut * len(data))]
    path = folder / "ledger.xlsx"
    path.write_bytes(prefix + bytes(data))
    _load_or_located(path)


# ---- declarations: bounded, refused with their key path ---------------------------------------

label_text = st.one_of(
    st.text(max_size=20),
    st.integers(95, 105).map(lambda n: "十" * n),
    st.sampled_from(["\x1b]0;x\x07", "a\u202eb", "a\nb", "a\x9bb", "十强产业"]),
)


@FUZZ
@given(
    n_metrics=st.integers(0, 215),
    n_values=st.integers(0, 1_010),
    label=label_text,
    count=st.one_of(st.sampled_from(["signed", "started"]), st.booleans(), st.integers(-1, 2)),
    annual=st.one_of(st.booleans(), st.integers(-1, 5), st.floats(allow_nan=True)),
    days=st.one_of(st.booleans(), st.integers(-1, 400)),
    start=st.one_of(
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
        st.sampled_from(["三月", "2020-13-01", ""]),
    ),
)
def test_declarations_are_bounded_or_refused_with_their_key_path(
    n_metrics, n_values, label, count, annual, days, start
):
    from workbook.zone.declarations import MAX_ONE_OF
    from workbook.zone.frozen import MAX_LABEL
    from workbook.zone.params import MAX_METRICS, parse_params

    doc = copy.deepcopy(SAMPLE)
    doc["data"] = {k: str(SAMPLE_PARAMS.parent / v) for k, v in SAMPLE["data"].items()}
    doc["metrics"]["ten_strong_10"]["label"] = label
    doc["metrics"]["ten_strong_10"]["count"] = count
    doc["metrics"]["ten_strong_10"]["where"]["sector"] = [f"行业{i}" for i in range(n_values)]
    for i in range(n_metrics):
        doc["metrics"][f"m{i}"] = {"label": f"指标{i}", "count": "signed"}
    doc["targets"]["new_starts"]["annual"] = annual
    doc["campaigns"][0]["days"] = days
    doc["campaigns"][0]["start"] = start
    try:
        params = parse_params(doc, source="zone.yaml")
    except ParamsError as exc:
        for lang, sep in (("zh", "："), ("en", ": ")):
            for line in exc.lines(lang):
                assert line.startswith(f"zone.yaml{sep}"), line
                assert "\x1b" not in line and "\u202e" not in line and "\n" not in line
        return
    assert len(params.metrics) <= MAX_METRICS
    decl = params.metrics["ten_strong_10"]
    assert decl.label is not None and len(decl.label) <= MAX_LABEL and decl.label.isprintable()
    assert all(len(c.value) <= MAX_ONE_OF for c in decl.where if c.op == "in")
    assert not isinstance(annual, bool) and not isinstance(days, bool)
    assert params.campaigns[0].start.year == params.year

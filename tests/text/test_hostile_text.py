"""Text from inputs never executes: formula payloads (= + - @, tab, CR, =HYPERLINK) in ledger,
event and zone text reach review.xlsx, plan.xlsx and rollup.xlsx as text cells, never as
formulas; HTML in them is escaped in review.html and index.html; line breaks cannot add
events to plan.ics."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import Workbook, load_workbook

from tests.hostile import FORMULAS, HTML, HYPERLINK, ICS, formula_cells, hostile_zone, texts
from workbook.cli import main
from workbook.files.xlsx_safe import inert_workbook


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


def assert_inert_html(page: str) -> None:
    t = parse(page)
    assert [tag for tag, _ in t.tags if tag in ("img", "iframe", "object", "embed")] == []
    assert [a for _, a in t.tags if any(k.startswith("on") for k in a)] == []
    assert [a for tag, a in t.tags if tag == "script" and "src" in a] == []
    charts = sum(1 for tag, a in t.tags if tag == "div" and "wb-chart" in (a.get("class") or ""))
    scripts = sum(1 for tag, _ in t.tags if tag == "script")
    assert scripts == charts + (2 if charts else 0)  # Vega bundle + embed call + one spec each
    assert HTML in "".join(t.text)  # the text itself is shown, escaped


def assert_xlsx_inert(path: Path) -> list[str]:
    assert formula_cells(path) == []
    found = texts(path)
    wb = load_workbook(path)
    flagged = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@", "\t", "\n")
    ]
    assert flagged and all(c.quotePrefix for c in flagged)  # stays text when edited in Excel
    return found


def test_inert_workbook_turns_every_payload_into_a_text_cell(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append([*FORMULAS, "＝1+1", "plain", 3.5, None, dt.date(2020, 1, 1)])
    assert any(c.data_type == "f" for c in ws[1])  # openpyxl alone makes formulas of them
    inert_workbook(wb)
    wb.save(tmp_path / "x.xlsx")
    row = next(load_workbook(tmp_path / "x.xlsx").active.iter_rows())
    assert [c.data_type for c in row[:9]] == ["s"] * 9
    assert [c.quotePrefix for c in row[:10]] == [True] * 9 + [False]
    assert row[0].value == "=1+1" and row[1].value == HYPERLINK
    assert row[10].value == 3.5 and row[10].data_type == "n"


def test_plan_xlsx_and_ics_keep_hostile_event_text_inert(tmp_path, capsys):
    params = hostile_zone(tmp_path)
    out = tmp_path / "plan"
    assert main(["plan", str(params), "--no-simulate", "--out", str(out)]) == 0
    capsys.readouterr()
    found = assert_xlsx_inert(out / "plan.xlsx")
    assert HYPERLINK in found  # the zone name in the title, as text
    assert any(s.startswith(HYPERLINK) for s in found)
    wb = load_workbook(out / "plan.xlsx")
    planned = [r for r in wb.worksheets[0].iter_rows(min_row=3, values_only=True) if r[1]]
    wb.close()
    cal = Calendar.from_ical((out / "plan.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(planned) > 0  # no line break added an event
    raw = (out / "plan.ics").read_bytes().decode("utf-8").split("\r\n")
    assert not any(line.startswith("SUMMARY:injected") for line in raw)
    texts_in_ics = {str(e.get("location", "")) for e in events} | {
        str(e["summary"]) for e in events
    }
    # the text is kept whole, as text, its line breaks read as one space each
    kept = ICS.replace("\r\n", " ")
    assert any(kept in t for t in texts_in_ics)


@pytest.mark.slow
@pytest.mark.notebook
def test_review_and_batch_keep_hostile_text_inert(tmp_path, capsys):
    params = hostile_zone(tmp_path)
    out = tmp_path / "review"
    args = ["review", str(params), "--quarter", "2020Q2", "--trials", "1000", "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    found = assert_xlsx_inert(out / "review.xlsx")
    for payload in (HYPERLINK, "=1+1", "+1+1", "-1+1", "@SUM(1,1)"):
        assert any(s.startswith(payload) for s in found), payload
    # declared targets' labels and the campaign's name, as text
    for text in ("=1+1十强产业10亿元以上项目", HYPERLINK + "长三角内资到位", "@SUM(1,1)百日攻坚"):
        assert any(s.startswith(text) for s in found), text
    assert_inert_html((out / "review.html").read_text(encoding="utf-8"))

    root = tmp_path / "batch"
    batch = ["batch", str(params), "--quarters", "2020Q2", "--out", str(root), "--no-progress"]
    assert main([*batch, "--trials", "1000", "--jobs", "1", "--lang", "en"]) == 0
    capsys.readouterr()
    rollup = assert_xlsx_inert(root / "rollup.xlsx")
    assert any(s.startswith("=1+1 <script>") for s in rollup)  # zone_en, as text
    assert formula_cells(root / "jining-2020" / "2020Q2-en" / "review.xlsx") == []
    en = (root / "jining-2020" / "2020Q2-en" / "review.html").read_text(encoding="utf-8")
    assert_inert_html(en)  # HTML in the English zone, metric and campaign names: escaped
    index = parse((root / "index.html").read_text(encoding="utf-8"))
    assert [tag for tag, _ in index.tags if tag in ("script", "img")] == []
    assert any(HTML in x for x in index.text)

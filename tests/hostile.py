"""A copy of the sample zone whose every free-text cell holds an attack: spreadsheet formulas
(OWASP's formula-injection starts = + - @, tab and CR), HTML and iCalendar line breaks."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from openpyxl import load_workbook

from tests.review_helpers import REPO

HYPERLINK = '=HYPERLINK("http://evil.example","click")'
FORMULAS = [
    "=1+1",
    HYPERLINK,
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ICS = "说明会\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected"
PAYLOADS = [*FORMULAS, HTML]
# Names and labels in the params refuse control characters (tab, CR): their formula payloads
# are the printable ones; the ledger's and the catalogue's cells get all of them.
NAME_FORMULAS = [f for f in FORMULAS if f.isprintable()]

# free-text columns of the sample's ledger and event catalogue
LEDGER_TEXT = ("项目名称", "投资方", "来源地", "产业链", "专班", "责任人", "下一节点", "备注")
EVENT_TEXT = ("活动名称", "城市")


def _poison(path: Path, header_row: int, columns: tuple[str, ...], extra: list[str]) -> None:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[header_row]]
    cols = [header.index(c) + 1 for c in columns]
    payloads = [*PAYLOADS, *extra]
    k = 0
    for r in range(header_row + 1, ws.max_row + 1):
        if ws.cell(r, 1).value is None:
            continue
        for c in cols:
            value = ws.cell(r, c).value
            ws.cell(r, c).value = payloads[k % len(payloads)] + (str(value) if value else "")
            ws.cell(r, c).data_type = "s"  # the planner typed it as text
            k += 1
    wb.save(path)


def hostile_zone(tmp_path: Path) -> Path:
    """params/jining-2020.yaml and its data copied under tmp_path, every free text poisoned
    (zone and office names, declared metrics' labels and campaign names too); returns the
    params path."""
    zone = tmp_path / "hostile"
    shutil.copytree(REPO / "params", zone / "params")
    shutil.copytree(REPO / "data", zone / "data")
    data = zone / "data" / "jining-2020"
    _poison(data / "ledger.xlsx", 3, LEDGER_TEXT, [])
    _poison(data / "events.xlsx", 2, EVENT_TEXT, [ICS])
    params = zone / "params" / "jining-2020.yaml"
    p = yaml.safe_load(params.read_text(encoding="utf-8"))
    p["zone"] = HYPERLINK
    p["zone_en"] = "=1+1 " + HTML
    for i, office in enumerate(p["offices"]):
        office["name"] = NAME_FORMULAS[i % len(NAME_FORMULAS)] + office["name"]
        office["name_en"] = NAME_FORMULAS[(i + 1) % len(NAME_FORMULAS)] + office["name_en"]
    for i, metric in enumerate(p["metrics"].values()):  # declared targets' labels
        metric["label"] = NAME_FORMULAS[i % len(NAME_FORMULAS)] + metric["label"]
        metric["label_en"] = HTML + metric["label_en"]
    for campaign in p["campaigns"]:
        campaign["name"] = "@SUM(1,1)" + campaign["name"]
        campaign["name_en"] = HTML + campaign["name_en"]
    params.write_text(yaml.safe_dump(p, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return params


def formula_cells(path: Path) -> list[str]:
    """sheet!cell of every formula cell in an .xlsx (none is the goal)."""
    wb = load_workbook(path)
    out = [
        f"{ws.title}!{c.coordinate}={c.value!r}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    wb.close()
    return out


def texts(path: Path) -> list[str]:
    """Every string cell value of an .xlsx."""
    wb = load_workbook(path)
    out = [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    wb.close()
    return out

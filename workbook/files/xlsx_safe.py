"""Text from a planner's files stays text in every Excel workbook the tool writes.

openpyxl stores a string that starts with "=" as a formula, so a ledger cell holding
`=HYPERLINK("http://evil.example","click")` would become a live link in review.xlsx.
Following the OWASP guidance on formula (CSV) injection, `inert_workbook` makes every cell
a plain value: a formula cell becomes a text cell, and text that starts with a character a
spreadsheet may read as the start of a formula (= + - @, tab, CR, LF and their full-width
forms) is marked quote-prefixed, so it stays text even when someone edits the cell in Excel,
WPS or LibreOffice. The tool writes no formulas of its own: after this pass none is left.

Every writer calls it once on the finished workbook, just before saving.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def inert_cell(cell: Any) -> None:
    """One openpyxl cell: a formula becomes text; formula-like text is quote-prefixed."""
    if cell.data_type == "f":
        cell.data_type = "s"
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def inert_workbook(wb: Any) -> Any:
    """Every cell of every worksheet of an openpyxl workbook made inert; returns the workbook."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                inert_cell(cell)
    return wb

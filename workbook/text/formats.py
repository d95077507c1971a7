"""How the workbook's Excel sheets look in Excel, WPS and LibreOffice: number formats, widths,
bold frozen header. Values are written elsewhere (each writer has one place for that); this
module only styles cells already written.

A table carries its number formats in ``df.attrs["formats"]``: header -> one format for the
column, or a list with one format per row (a column holding money on some rows and counts
on others, as the targets table does). `with_formats` sets them; `style_sheet` applies them,
fits the column widths to the content (CJK characters count double) and freezes the header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

MONEY = "#,##0.00"
COUNT = "#,##0"
ONE_DECIMAL = "#,##0.0"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
MONTH = "yyyy-mm"
MONTH_NUMBER = {"zh": '0"月"', "en": "0"}
TEXT = "@"

Format = str | Sequence[str | None] | None


def with_formats(df: pd.DataFrame, formats: Mapping[str, Format]) -> pd.DataFrame:
    """`df` with number formats (header -> format or per-row formats) kept in its attrs."""
    known = dict(df.attrs.get("formats", {}))
    known.update({k: v for k, v in formats.items() if k in df.columns})
    df.attrs["formats"] = known
    return df


def formats_of(df: pd.DataFrame) -> dict[str, Format]:
    """The number formats a table carries, and for the rest of its columns one inferred from
    the values: dates as dates, whole-number columns as counts, other floats as money."""
    out: dict[str, Format] = dict(df.attrs.get("formats", {}))
    for col in df.columns:
        if col in out:
            continue
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s) or (
            s.dtype == object
            and len(s.dropna())
            and all(hasattr(v, "isoformat") for v in s.dropna())
        ):
            out[col] = DATE
        elif pd.api.types.is_bool_dtype(s):
            out[col] = None
        elif pd.api.types.is_integer_dtype(s):
            out[col] = COUNT
        elif pd.api.types.is_float_dtype(s):
            out[col] = MONEY
    return out


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _shown(value: Any, fmt: str | None) -> str:
    """Roughly the text Excel shows for a value under a format (for column widths)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and fmt:
        if "%" in fmt:
            return f"{float(value):.1%}"
        if fmt in (MONEY,):
            return f"{float(value):,.2f}"
        if fmt == ONE_DECIMAL:
            return f"{float(value):,.1f}"
        if fmt == COUNT:
            return f"{float(value):,.0f}"
    if hasattr(value, "isoformat"):
        return "2020-01-01"
    return str(value)


def style_sheet(
    ws: Any,
    headers: Sequence[str],
    formats: Mapping[str, Format],
    header_row: int = 1,
    rows: int | None = None,
    min_width: int = 8,
    max_width: int = 48,
) -> None:
    """Style a written table: header bold and frozen, each column's number format (one for
    the column or one per row), widths fitted to header and content."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    last = ws.max_row if rows is None else header_row + rows
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    for j, header in enumerate(headers, start=1):
        letter = get_column_letter(j)
        fmt = formats.get(header)
        width = display_width(str(header))
        for i, r in enumerate(range(header_row + 1, last + 1)):
            cell = ws.cell(row=r, column=j)
            f = fmt[i] if isinstance(fmt, list | tuple) else fmt
            if isinstance(fmt, list | tuple) and i >= len(fmt):
                f = None
            if f and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = f
            if i < 500:
                width = max(
                    width, display_width(_shown(cell.value, f if isinstance(f, str) else None))
                )
        ws.column_dimensions[letter].width = min(max(width + 2, min_width), max_width)


def filter_and_print(ws: Any, columns: int, rows: int, header_row: int = 1) -> None:
    """A table sheet as a reader sorts and prints it: an autofilter over the header and the
    `rows` below it, landscape A4 one page wide (as many pages down as it takes), the header row
    repeated at the top of each page."""
    from openpyxl.utils import get_column_letter

    if columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{header_row + rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True


__all__ = [
    "COUNT",
    "DATE",
    "MONEY",
    "MONTH",
    "MONTH_NUMBER",
    "ONE_DECIMAL",
    "PERCENT",
    "display_width",
    "filter_and_print",
    "formats_of",
    "style_sheet",
    "with_formats",
]

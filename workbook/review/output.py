"""Writing the review's files: Excel (one sheet per table) and JSON, each to a temporary file
first and then moved into place, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.files.jsonsafe import dumps

_BAD_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def readable(path: Path, directory: bool = False) -> Path:
    """Give a file made by mkstemp/mkdtemp (0600/0700) the usual permissions under the umask,
    so reports are readable by colleagues like any file the user writes."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())
    return path


def _replace(tmp: Path, path: Path) -> Path:
    readable(tmp)
    os.replace(tmp, path)
    return path


def temp_beside(path: Path) -> Path:
    """A new empty file beside `path` (same folder, hidden name), to be moved onto it."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def write_json(path: Path, obj: Any) -> Path:
    tmp = temp_beside(path)
    tmp.write_text(dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return _replace(tmp, path)


def sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(_BAD_SHEET)[:31] or "Sheet"
    out, i = base, 2
    while out.lower() in taken:
        out = f"{base[: 31 - len(str(i)) - 1]}_{i}"
        i += 1
    taken.add(out.lower())
    return out


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """One sheet per table, header row bold and frozen, columns sized to their content, each
    column's number format from the table's attrs (`workbook.text.formats`) or its values; an
    autofilter on every table, printing landscape one page wide."""
    from workbook.files.xlsx_safe import inert_workbook
    from workbook.text.formats import filter_and_print, formats_of, style_sheet

    tmp = temp_beside(path).with_suffix(".xlsx")
    taken: set[str] = set()
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, df in tables.items():
            sheet = sheet_name(name, taken)
            clean = _cell_values(df)
            clean.to_excel(writer, sheet_name=sheet, index=False)  # the one place values are set
            style_sheet(writer.sheets[sheet], [str(c) for c in clean.columns], formats_of(clean))
            filter_and_print(writer.sheets[sheet], len(clean.columns), len(clean))
        inert_workbook(writer.book)  # text from input never becomes a formula
    readable(tmp)
    os.replace(tmp, path)
    # mkstemp left an empty placeholder under the .tmp name
    leftover = tmp.with_suffix(".tmp")
    if leftover.exists():
        leftover.unlink()
    return path


def _cell_values(df: pd.DataFrame) -> pd.DataFrame:
    """The values as Excel cells take them: dates without time zones or times, missing
    nullable integers as empty cells. Number formats stay in the attrs."""
    from workbook.text.formats import formats_of

    clean = df.copy()
    formats = formats_of(df)
    for col in clean.columns:
        s = clean[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
            clean[col] = s.dt.date
        elif str(s.dtype) == "Int64":
            clean[col] = s.astype(object).where(s.notna(), None)
    clean.attrs["formats"] = formats
    return clean

"""Writing the review's files: Excel (one sheet per table) and JSON, each to a temporary file
first and then moved into place, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.files.jsonsafe import dumps
from workbook.review.sections import _plain

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


def _tmp_beside(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def write_json(path: Path, obj: Any) -> Path:
    tmp = _tmp_beside(path)
    tmp.write_text(
        dumps(obj, ensure_ascii=False, indent=2, default=_plain) + "\n", encoding="utf-8"
    )
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
    """One sheet per table, header row bold and frozen, columns sized to their content,
    percentages and dates formatted as Excel/WPS show them."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from workbook.files.xlsx_safe import inert_workbook

    tmp = _tmp_beside(path).with_suffix(".xlsx")
    taken: set[str] = set()
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, df in tables.items():
            sheet = sheet_name(name, taken)
            clean = df.copy()
            for col in clean.columns:
                if isinstance(
                    clean[col].dtype, pd.DatetimeTZDtype
                ) or pd.api.types.is_datetime64_any_dtype(clean[col]):
                    clean[col] = clean[col].dt.date
                elif str(clean[col].dtype) == "Int64":
                    clean[col] = clean[col].astype(object).where(clean[col].notna(), None)
            clean.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for j, col in enumerate(clean.columns, start=1):
                letter = get_column_letter(j)
                values = [str(col), *(str(v) for v in clean[col].head(200))]
                width = max(_display_width(v) for v in values)
                ws.column_dimensions[letter].width = min(max(width + 2, 8), 48)
                fmt = _number_format(str(col), clean[col])
                if fmt:
                    for cell in ws[letter][1:]:
                        cell.number_format = fmt
        inert_workbook(writer.book)  # text from input never becomes a formula
    readable(tmp)
    os.replace(tmp, path)
    # mkstemp left an empty placeholder under the .tmp name
    leftover = tmp.with_suffix(".tmp")
    if leftover.exists():
        leftover.unlink()
    return path


_PERCENT_WORDS = (
    "率",
    "概率",
    "进度",
    "应完成",
    "差距",
    "P(",
    "Completion",
    "elapsed",
    "Due",
    "Gap",
    "rate",
)


def _number_format(header: str, s: pd.Series) -> str | None:
    if s.dtype == object and len(s) and all(hasattr(v, "isoformat") for v in s.dropna()):
        return "yyyy-mm-dd"
    if not pd.api.types.is_float_dtype(s):
        return None
    if any(w in header for w in _PERCENT_WORDS):
        return "0.0%"
    return "#,##0.00"


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

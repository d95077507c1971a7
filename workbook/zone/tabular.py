"""Reading planners' tables (xlsx or csv) as they really keep them in Excel or WPS.

This module knows nothing of projects: it finds the header row under any title rows, matches
headers to a column schema (trimming spaces, reading a unit in half- or full-width
parentheses), skips blank and total rows, and parses cells (amounts with thousands
separators, dates and months in the formats planners type). Every bad cell becomes a
`CellProblem` naming file, sheet, Excel row and the header as written, with a `Message` that
renders in Chinese or English (workbook.text.messages); nothing is guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook.text.clean import one_line, strip_controls
from workbook.text.errors import CellProblem, DataFileError
from workbook.text.messages import BadValue, Message

HEADER_SCAN_ROWS = 15
TOTAL_WORDS = {"合计", "总计", "小计", "total", "sum", "subtotal"}
_UNIT = re.compile(r"^(?P<base>.*?)\s*[(（]\s*(?P<unit>[^()（）]*?)\s*[)）]\s*$")


def clean_text(value: Any) -> str:
    """A cell as trimmed text: NFKC-normalised (full-width digits/letters), control characters
    and bidi overrides removed (line breaks as a space), spaces removed at the ends."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    if not text.isprintable():  # control characters and bidi overrides never reach a page
        text = strip_controls(text)
    return text.strip().strip("\u3000\u00a0\ufeff").strip()


@dataclass(frozen=True)
class Column:
    """One column of a schema: canonical name, the headers that mean it, and how to parse a cell."""

    name: str
    aliases: tuple[str, ...]
    parse: Callable[
        [Any, str | None], Any
    ]  # (raw cell, unit from header) -> value; ValueError if bad
    required: bool = False  # the column must be present in the file
    units: tuple[str, ...] = ()  # units allowed in the header; empty: no unit expected


@dataclass(frozen=True)
class Header:
    index: int  # 0-based column index in the sheet
    text: str  # the header as written (trimmed)
    unit: str | None


@dataclass
class Table:
    """Parsed rows of one sheet: canonical values, the raw extra columns, and the Excel row numbers."""

    file: str
    sheet: str | None
    header_row: int  # Excel row number of the header
    headers: dict[str, Header]  # canonical name -> header found
    extra_headers: list[Header]
    rows: list[dict[str, Any]] = field(default_factory=list)  # canonical values
    extras: list[dict[str, Any]] = field(default_factory=list)  # header text -> raw cleaned value
    row_numbers: list[int] = field(default_factory=list)  # Excel row of each parsed row
    problems: list[CellProblem] = field(default_factory=list)
    skipped: list[CellProblem] = field(default_factory=list)  # total rows, with the reason
    _flagged: set[tuple[int | None, str | None]] = field(default_factory=set, repr=False)
    _indexed: int = field(default=0, repr=False)

    def has_problem(self, row: int | None, column: str | None) -> bool:
        """A problem is already recorded for this Excel row and header (as written): O(1)
        per call, so checking every row of a ledger with a problem on every row stays O(N)."""
        if self._indexed > len(self.problems):  # the list was replaced: index it anew
            self._flagged, self._indexed = set(), 0
        for p in self.problems[self._indexed :]:
            self._flagged.add((p.row, p.column))
        self._indexed = len(self.problems)
        return (row, column) in self._flagged

    def sorted_problems(self) -> list[CellProblem]:
        """Problems in reading order: header first, then by Excel row, then left to right."""
        position = {h.text: h.index for h in (*self.headers.values(), *self.extra_headers)}
        return sorted(self.problems, key=lambda p: (p.row or 0, position.get(p.column or "", -1)))

    def problem(self, row: int | None, column: str | None, message: Message) -> None:
        header = self.headers.get(column) if column else None
        self.problems.append(
            CellProblem(self.file, self.sheet, row, header.text if header else column, message)
        )


# ---- raw reading ---------------------------------------------------------------------------


def read_raw(path: Path, sheet_names: Sequence[str] = ()) -> tuple[str | None, list[list[Any]]]:
    """All cells of one sheet from Excel row 1 on, and the sheet's name (None for csv).

    For a workbook, the first sheet whose name is in `sheet_names` is used, else the first sheet.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        found = Message("file.is_folder" if path.is_dir() else "file.not_found")
        raise DataFileError([CellProblem(str(path), None, None, None, found)])
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_workbook(path, sheet_names)
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves csv as GBK
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise DataFileError(
                [CellProblem(str(path), None, None, None, Message("file.encoding"))]
            )
        return None, [list(r) for r in csv.reader(text.splitlines())]
    found = Message("file.type", suffix=suffix) if suffix else Message("file.no_suffix")
    raise DataFileError([CellProblem(str(path), None, None, None, found)])


def _unreadable(path: Path, message: Message) -> DataFileError:
    return DataFileError([CellProblem(str(path), None, None, None, message)])


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".ods":
        return False  # a zip of another kind: the reader's own checks
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"PK"
    except OSError:
        return False


def _read_workbook(path: Path, sheet_names: Sequence[str]) -> tuple[str | None, list[list[Any]]]:
    """One sheet of a workbook, read only after the file passed `check_workbook` (container,
    sizes, grid) and in one guarded call: whatever the reader raises is one line naming the
    file, never a traceback."""
    from workbook.files.xlsx_read import check_workbook

    if path.suffix.lower() in (".xlsx", ".xlsm") or _is_zip(path):  # an .xlsx named .xls too
        problem = check_workbook(path)
        if problem is not None:
            raise _unreadable(path, problem)
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        try:
            names = wb.sheet_names
            if not names:
                raise _unreadable(path, Message("xlsx.no_sheets"))
            chosen = next((n for n in names if n.strip() in sheet_names), names[0])
            rows = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
        finally:
            wb.close()
    except DataFileError:
        raise
    except MemoryError:
        raise _unreadable(path, Message("file.unreadable", error="out of memory")) from None
    except Exception as exc:  # the reader raises several kinds for a damaged file
        raise _unreadable(path, Message("file.unreadable", error=one_line(exc))) from None
    return chosen, rows


def split_header(text: Any) -> tuple[str, str | None]:
    """'总投资（亿元）' -> ('总投资', '亿元'); spaces trimmed; no unit -> None."""
    t = clean_text(text)
    m = _UNIT.match(t)
    if m and m.group("base"):
        return m.group("base").strip(), m.group("unit").strip() or None
    return t, None


def _alias_key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def read_table(path: Path, schema: Sequence[Column], sheet_names: Sequence[str] = ()) -> Table:
    """Read a sheet against a schema. Problems are collected in `Table.problems`, never raised
    for single cells; a file with no recognisable header raises DataFileError at once."""
    sheet, raw = read_raw(path, sheet_names)
    lookup = {_alias_key(a): col for col in schema for a in (col.name, *col.aliases)}
    required = [c for c in schema if c.required]

    # The header is the row (among the first few) that matches the most schema columns.
    best, best_hits = None, 0
    for i, row in enumerate(raw[:HEADER_SCAN_ROWS]):
        hits = len(
            {
                lookup[_alias_key(split_header(c)[0])].name
                for c in row
                if _alias_key(split_header(c)[0]) in lookup
            }
        )
        if hits > best_hits:
            best, best_hits = i, hits
    expected = ", ".join(f"{c.aliases[0]}/{c.name}" for c in required)
    if best is None or best_hits < 2:
        raise DataFileError(
            [
                CellProblem(
                    str(path),
                    sheet,
                    None,
                    None,
                    Message("header.none", rows=HEADER_SCAN_ROWS, expected=expected),
                )
            ]
        )

    table = Table(str(path), sheet, best + 1, {}, [])
    for j, cell in enumerate(raw[best]):
        base, unit = split_header(cell)
        if not base:
            continue
        col = lookup.get(_alias_key(base))
        header = Header(j, clean_text(cell), unit)
        if col is None:
            table.extra_headers.append(header)
        elif col.name in table.headers:
            table.problem(
                table.header_row,
                clean_text(cell),
                Message("header.twice", column=col.aliases[0], other=table.headers[col.name].text),
            )
        else:
            if unit is not None and col.units and unit not in col.units:
                table.problem(
                    table.header_row,
                    clean_text(cell),
                    Message("header.unit", unit=unit, valid=", ".join(col.units)),
                )
            elif unit is not None and not col.units:
                pass  # a unit on a non-amount column (e.g. 阶段(当前)) is just a note
            table.headers[col.name] = header
    missing = [c for c in required if c.name not in table.headers]
    for c in missing:
        table.problems.append(
            CellProblem(
                str(path),
                sheet,
                table.header_row,
                None,
                Message("header.missing", column=c.aliases[0], name=c.name),
            )
        )
    if missing:
        raise DataFileError(table.problems)

    by_name = {c.name: c for c in schema}
    for i in range(best + 1, len(raw)):
        row = raw[i]
        excel_row = i + 1
        cells = {
            name: (row[h.index] if h.index < len(row) else None)
            for name, h in table.headers.items()
        }
        texts = [clean_text(c) for c in row]
        if not any(texts):
            continue  # blank row
        total = _total_row(table, row, texts, key=schema[0].name, excel_row=excel_row)
        if total is not None:
            table.skipped.append(total)  # 合计 / 总计 row: a sum, not a record
            continue
        values: dict[str, Any] = {}
        for name, raw_value in cells.items():
            header = table.headers[name]
            try:
                values[name] = by_name[name].parse(raw_value, header.unit)
            except ValueError as exc:
                message = exc.message if isinstance(exc, BadValue) else Message.text(str(exc))
                table.problems.append(
                    CellProblem(str(path), sheet, excel_row, header.text, message)
                )
                values[name] = None
        for name in by_name:
            values.setdefault(name, None)
        table.rows.append(values)
        table.extras.append(
            {
                h.text: clean_text(row[h.index]) if h.index < len(row) else ""
                for h in table.extra_headers
            }
        )
        table.row_numbers.append(excel_row)
    return table


def _total_row(
    table: Table, row: Sequence[Any], texts: list[str], key: str, excel_row: int
) -> CellProblem | None:
    """Why this row is a total row (a sum, not a record), or None. Only a row without an id,
    or whose id cell itself says 合计/总计/小计, may be one: a project named Total or an
    investor called 合计 with an id is a record like any other."""
    id_header = table.headers.get(key)
    id_text = texts[id_header.index] if id_header and id_header.index < len(texts) else ""
    if id_text and id_text.lower() not in TOTAL_WORDS:
        return None
    if id_text:
        return CellProblem(
            table.file,
            table.sheet,
            excel_row,
            id_header.text if id_header else None,
            Message("row.total_id", word=id_text),
        )
    names = {h.index: h.text for h in (*table.headers.values(), *table.extra_headers)}
    for j, t in enumerate(texts):
        if t.lower() in TOTAL_WORDS:
            return CellProblem(
                table.file,
                table.sheet,
                excel_row,
                names.get(j),
                Message("row.total", word=t, id=id_header.text if id_header else key),
            )
    return None


# ---- cell parsers --------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
)


def parse_text(value: Any, unit: str | None = None) -> str | None:
    t = clean_text(value)
    return t or None


def parse_date(value: Any, unit: str | None = None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    t = clean_text(value)
    if not t:
        return None
    t = re.sub(r"\s*00:00(:00)?$", "", t)  # a date typed into a datetime cell
    for pat in _DATE_PATTERNS:
        m = pat.match(t)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d)
            except ValueError:
                raise BadValue(Message("cell.not_a_date", found=t)) from None
    raise BadValue(Message("cell.date", found=t))


def parse_month(value: Any, unit: str | None = None) -> dt.date | None:
    """A month as the date of its first day."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    t = clean_text(value)
    if not t:
        return None
    for pat in _MONTH_PATTERNS:
        m = pat.match(t)
        if m:
            y, mo = (int(g) for g in m.groups())
            if not 1 <= mo <= 12:
                raise BadValue(Message("cell.not_a_month", found=t))
            return dt.date(y, mo, 1)
    try:
        d = parse_date(t)
    except ValueError:
        raise BadValue(Message("cell.month", found=t)) from None
    return dt.date(d.year, d.month, 1) if d else None


def parse_number(value: Any) -> float | None:
    """A finite number (inf, nan and numbers too large for a float are errors)."""
    if isinstance(value, bool):
        raise BadValue(Message("cell.number", found=value))
    if isinstance(value, int | float):
        try:
            n = float(value)
        except OverflowError:
            raise BadValue(Message("cell.not_finite", found=clean_text(value))) from None
    else:
        t = clean_text(value).replace(",", "").replace("，", "").replace(" ", "")
        if not t or t in {"-", "—", "/"}:
            return None
        try:
            n = float(t)
        except ValueError:
            raise BadValue(Message("cell.number", found=clean_text(value))) from None
    if not math.isfinite(n):
        raise BadValue(Message("cell.not_finite", found=clean_text(value)))
    return n


# Money: a header unit gives a scale to 亿 (100 million) and a currency.
MONEY_UNITS: dict[str, tuple[float, str | None]] = {
    "元": (1e-8, "CNY"),
    "万元": (1e-4, "CNY"),
    "亿元": (1.0, "CNY"),
    "亿": (1.0, None),  # currency from the row's 币种 column (CNY when there is none)
    "万": (1e-4, None),
    "美元": (1e-8, "USD"),
    "万美元": (1e-4, "USD"),
    "亿美元": (1.0, "USD"),
}
CNY_UNITS = tuple(u for u, (_, c) in MONEY_UNITS.items() if c != "USD")


def money_unit(unit: str | None) -> tuple[float, str | None]:
    """(scale to 亿, currency or None when the header gives no unit)."""
    if unit is None:
        return 1.0, None
    return MONEY_UNITS[unit]


def parse_amount(value: Any, unit: str | None = None) -> float | None:
    """A non-negative amount, converted to 亿 of its currency using the header's unit."""
    n = parse_number(value)
    if n is None:
        return None
    if n < 0:
        raise BadValue(Message("cell.amount", found=clean_text(value)))
    scale, _ = money_unit(unit)
    return n * scale


def parse_count(value: Any, unit: str | None = None) -> float | None:
    n = parse_number(value)
    if n is not None and n < 0:
        raise BadValue(Message("cell.count", found=clean_text(value)))
    return n


def parse_share(value: Any, unit: str | None = None) -> float | None:
    """A share as 0.15, 15% or (with unit %) 15."""
    t = clean_text(value)
    pct = t.endswith("%") or unit == "%"
    n = parse_number(t.rstrip("%"))
    if n is None:
        return None
    share = n / 100 if pct else n
    if not 0 <= share <= 1:
        raise BadValue(Message("cell.share", found=t))
    return share


def choice_parser(
    mapping: dict[str, str], what: Message, empty: str | None = None
) -> Callable[[Any, str | None], str | None]:
    """A parser that maps words (any case) to canonical keys, naming the valid words on a miss;
    `what` names the column's kind of value (e.g. Message("what.stage"))."""
    lowered = {clean_text(k).lower(): v for k, v in mapping.items()}
    shown = ", ".join(dict.fromkeys(mapping))

    def parse(value: Any, unit: str | None = None) -> str | None:
        t = clean_text(value)
        if not t:
            return empty
        key = lowered.get(t.lower())
        if key is None:
            raise BadValue(Message("cell.choice", what=what, found=t, valid=shown))
        return key

    return parse


YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无", "-"}


def parse_bool(value: Any, unit: str | None = None) -> bool:
    t = clean_text(value).lower()
    if not t:
        return False
    if t in YES:
        return True
    if t in NO:
        return False
    raise BadValue(Message("cell.bool", found=clean_text(value)))

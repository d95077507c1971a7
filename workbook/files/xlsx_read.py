"""An Excel workbook a planner gives the tool is checked as a container before any cell is read.

The Excel reader (python-calamine, Rust) trusts the file: a sheet whose cells span the whole
grid makes it allocate rows x columns cells and abort the process, a zip bomb fills the
memory, a damaged deflate stream or a workbook without sheets raises deep inside it. So
`check_workbook(path)` looks at the file first, in bounded time and memory, and returns the
one thing wrong with it (a `Message`) or None:

- the first bytes: an OLE (CFB) container is a password-protected workbook or an old .xls,
  text is a csv renamed, anything else that is not a zip is not a workbook;
- the zip: readable central directory, at most MAX_ENTRIES parts, each part unpacking to at
  most MAX_PART_BYTES (as declared, and as really unpacked: every part is inflated in chunks
  with its CRC checked), at most MAX_TOTAL_BYTES together;
- the sheets: xl/workbook.xml lists at least one; each sheet's declared <dimension> and the
  cells it really holds (explicit references and cells placed one after another) span at most
  MAX_CELLS cells from A1.

A file that passes is then read in one guarded call (workbook.zone.tabular.read_raw).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from workbook.text.clean import one_line
from workbook.text.messages import Message

MAX_ENTRIES = 10_000  # parts in the zip
MAX_PART_BYTES = 256 * 2**20  # one part (a sheet, the shared strings) unpacked
MAX_TOTAL_BYTES = 512 * 2**20  # every part together unpacked
MAX_CELLS = 10_000_000  # rows x columns of one sheet, counted from A1
MAX_SMALL_PART = 16 * 2**20  # workbook.xml and its relationships, parsed whole
CHUNK = 8 * 2**20

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ENCRYPTED_MARKS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))

_TAG = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW_TAG = re.compile(_TAG + rb"row[\s/>]")
_CELL_TAG = re.compile(_TAG + rb"c[\s/>]")
_ROW_REF = re.compile(_TAG + rb"row\b[^>]*?\sr\s*=\s*[\"'](\d{1,10})[\"']")
_CELL_ANY_REF = re.compile(_TAG + rb"c\b[^>]*?\sr\s*=")
_CELL_COL = re.compile(_TAG + rb"c\b[^>]*?\sr\s*=\s*[\"']([A-Z]{1,3})\d{1,7}[\"']")
_CELL_ROW = re.compile(_TAG + rb"c\b[^>]*?\sr\s*=\s*[\"'][A-Z]{1,3}(\d{1,7})[\"']")
_PLAIN_COL = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"')
_PLAIN_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"']{0,64})[\"']"
)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def column_number(letters: str | bytes) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    n = 0
    for ch in text.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _ref_corner(ref: str) -> tuple[int, int] | None:
    """'XFD1048576' -> (1048576, 16384); None when it is not a cell reference."""
    m = _REF.match(ref.strip())
    return (int(m.group(2)), column_number(m.group(1))) if m else None


def check_workbook(path: Path) -> Message | None:
    """What is wrong with the workbook at `path` as a container (a Message), or None."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if head.startswith(OLE_MAGIC):
                f.seek(0)
                sample = f.read(4 * 2**20)  # the directory sits in the first sectors
                if any(mark in sample for mark in _ENCRYPTED_MARKS):
                    return Message("xlsx.encrypted")
                return Message("xlsx.ole", suffix=path.suffix)
    except OSError as exc:
        return Message("file.unreadable", error=one_line(exc.strerror or str(exc)))
    if not head.startswith(ZIP_MAGICS):
        if not head:
            return Message("xlsx.empty")
        if _looks_like_text(path):
            return Message("xlsx.text", suffix=path.suffix)
        return Message("xlsx.not_zip", suffix=path.suffix)
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_zip(zf)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        return Message("xlsx.bad_zip", error=one_line(str(exc)))
    except NotImplementedError as exc:  # an unknown compression method
        return Message("xlsx.bad_zip", error=one_line(str(exc)))


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as f:
        sample = f.read(4096)
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text[:-1])
    return False


def _check_zip(zf: zipfile.ZipFile) -> Message | None:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        return Message("xlsx.entries", count=len(infos), limit=MAX_ENTRIES)
    total = 0
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            return Message("xlsx.part_size", part=one_line(info.filename), limit=MAX_PART_BYTES)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        return Message("xlsx.total_size", limit=MAX_TOTAL_BYTES)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        return Message("xlsx.no_workbook")
    sheets = _sheet_parts(zf)
    if isinstance(sheets, Message):
        return sheets
    if not sheets:
        return Message("xlsx.no_sheets")
    for name, part in sheets:
        if part not in names:
            return Message("xlsx.missing_sheet", sheet=name, part=one_line(part))
    by_part = {part: name for name, part in sheets}
    for info in infos:
        problem = _inflate(zf, info, by_part.get(info.filename))
        if problem is not None:
            return problem
    return None


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]] | Message:
    """(sheet name, part path) of every sheet xl/workbook.xml lists, in order."""
    import xml.etree.ElementTree as ET

    def parse(name: str) -> Any:
        info = zf.getinfo(name)
        if info.file_size > MAX_SMALL_PART:
            raise ValueError(f"{name} is too large")
        return ET.fromstring(zf.read(info))

    try:
        book = parse("xl/workbook.xml")
        rels = (
            parse("xl/_rels/workbook.xml.rels") if _has(zf, "xl/_rels/workbook.xml.rels") else None
        )
    except (ET.ParseError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        return Message("xlsx.bad_part", part="xl/workbook.xml", error=one_line(str(exc)))
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels:
            target = rel.get("Target") or ""
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id") or ""] = _normpath(target)
    out = []
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
        name = el.get("name") or ""
        part = targets.get(rid, "")
        out.append((one_line(name), part))
    return out


def _has(zf: zipfile.ZipFile, name: str) -> bool:
    try:
        zf.getinfo(name)
    except KeyError:
        return False
    return True


def _normpath(target: str) -> str:
    parts: list[str] = []
    for p in target.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str | None) -> Message | None:
    """Unpack one part in chunks (CRC checked, size capped); for a sheet, bound its grid."""
    grid = _Grid() if sheet is not None else None
    seen = 0
    carry = b""
    try:
        with zf.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                if seen > MAX_PART_BYTES:
                    return Message(
                        "xlsx.part_size", part=one_line(info.filename), limit=MAX_PART_BYTES
                    )
                if grid is not None:
                    buf = carry + chunk
                    cut = max(buf.rfind(b"<row"), buf.rfind(b":row"))
                    if cut <= 0 and len(buf) <= 4 * CHUNK:
                        carry = buf
                        continue
                    cut = cut if cut > 0 else len(buf)  # no row starts here: feed it whole
                    grid.feed(buf[:cut])
                    carry = buf[cut:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        return Message("xlsx.bad_part", part=one_line(info.filename), error=one_line(str(exc)))
    except NotImplementedError as exc:
        return Message("xlsx.bad_part", part=one_line(info.filename), error=one_line(str(exc)))
    if grid is None:
        return None
    grid.feed(carry)
    if grid.odd_refs:
        return Message("xlsx.odd_refs", sheet=sheet)
    for rows, cols, ref in ((*grid.declared, grid.declared_ref), (*grid.span(), None)):
        if rows * cols > MAX_CELLS:
            shown = ref or f"A1:{_letters(cols)}{rows}"
            return Message(
                "xlsx.grid", sheet=sheet, ref=shown, rows=rows, cols=cols, limit=MAX_CELLS
            )
    return None


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out or "A"


class _Grid:
    """Bounds of a sheet's cells as the reader will place them, from its XML in pieces."""

    def __init__(self) -> None:
        self.declared: tuple[int, int] = (0, 0)
        self.declared_ref: str | None = None
        self.max_row = 0  # the largest row number written in a reference
        self.max_col = 0
        self.implicit_rows = 0  # rows without a number: each may be the next one
        self.implicit_cols = 0  # the most cells without a reference in one row
        self.odd_refs = False
        self.started = False

    def feed(self, xml: bytes) -> None:
        if not xml:
            return
        if not self.started:  # <dimension> comes before <sheetData>
            self.started = True
            m = _DIMENSION.search(xml, 0, max(xml.find(b"sheetData"), 0) or 65536)
            if m:
                ref = m.group(1).decode("ascii", "replace")
                corner = _ref_corner(ref.split(":")[-1])
                if corner is not None:
                    self.declared, self.declared_ref = corner, ref
        # Fast and exact when every cell is written as Excel, WPS and openpyxl write it,
        # <c r="A1" ...>: the bounds are the largest column and row referenced.
        cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
        cols = _PLAIN_COL.findall(xml)
        prefixed = xml.count(b":c ") + xml.count(b":c>") + xml.count(b":c/>")  # <x:c ...>
        if cells == len(cols) and not prefixed:
            if cols:
                self.max_col = max(self.max_col, max(column_number(c) for c in set(cols)))
                rows = {int(r) for r in set(_PLAIN_ROW.findall(xml))}
                self.max_row = max(self.max_row, max(rows))
            return
        self._feed_careful(xml)

    def _feed_careful(self, xml: bytes) -> None:
        """Any other way of writing cells: namespace prefixes, attributes in another order,
        rows and cells without a reference (placed after the one before)."""
        rows = _ROW_REF.findall(xml)
        self.implicit_rows += len(_ROW_TAG.findall(xml)) - len(rows)
        if rows:
            self.max_row = max(self.max_row, max(int(r) for r in set(rows)))
        cols = _CELL_COL.findall(xml)
        cell_rows = _CELL_ROW.findall(xml)
        if len(_CELL_ANY_REF.findall(xml)) != len(cols):
            self.odd_refs = True  # a reference written some other way: refuse, never guess
        if cols:
            self.max_col = max(self.max_col, max(column_number(c) for c in set(cols)))
        if cell_rows:
            self.max_row = max(self.max_row, max(int(r) for r in set(cell_rows)))
        if len(_CELL_TAG.findall(xml)) != len(cols):  # cells placed one after another
            for piece in _ROW_TAG.split(xml):
                bare = len(_CELL_TAG.findall(piece)) - len(_CELL_COL.findall(piece))
                self.implicit_cols = max(self.implicit_cols, bare)

    def span(self) -> tuple[int, int]:
        """At most this many rows and columns from A1 (exact when every cell has a reference)."""
        return self.max_row + max(self.implicit_rows, 0), self.max_col + self.implicit_cols

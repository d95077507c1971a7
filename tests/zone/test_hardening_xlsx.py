"""A malformed workbook ends in one line naming the file and what is wrong, exit 2.

Each file is built here (zipfile, bytes) from a small good ledger, then given to the real
command in a child process whose address space is capped, so an unbounded allocation in the
Excel reader would fail the test (abort, exit 134) instead of passing or filling the machine.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import (
    REPO,
    small_arrival_rows,
    small_ledger_rows,
    write_params,
    write_xlsx,
)
from workbook.files.xlsx_read import MAX_CELLS, MAX_PART_BYTES, check_workbook

SHEET = "xl/worksheets/sheet1.xml"
MEMORY_CAP = 3 * 2**30  # bytes of address space for the command under test


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbook", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=_cap_memory,
        timeout=600,
    )


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def good_ledger(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "good.xlsx", small_ledger_rows())


def corrupt_deflate(tmp_path: Path) -> Path:
    parts = parts_of(good_ledger(tmp_path))
    parts[SHEET] = parts[SHEET] * 20  # long enough that the damage lands inside the stream
    path = write_parts(tmp_path / "ledger.xlsx", parts)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 40, start + min(400, info.compress_size - 8)):
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    return path


def truncated_zip(tmp_path: Path) -> Path:
    data = good_ledger(tmp_path).read_bytes()
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def no_sheets(tmp_path: Path) -> Path:
    parts = parts_of(good_ledger(tmp_path))
    del parts[SHEET]
    parts["xl/workbook.xml"] = re.sub(
        rb"<sheets>.*</sheets>", b"<sheets/>", parts["xl/workbook.xml"], flags=re.S
    )
    return write_parts(tmp_path / "ledger.xlsx", parts)


def whole_grid_dimension(tmp_path: Path) -> Path:
    parts = parts_of(good_ledger(tmp_path))
    parts[SHEET] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', parts[SHEET]
    )
    assert b"A1:XFD1048576" in parts[SHEET]
    return write_parts(tmp_path / "ledger.xlsx", parts)


def far_cell(tmp_path: Path) -> Path:
    """A small declared dimension, but one cell in the grid's last corner."""
    parts = parts_of(good_ledger(tmp_path))
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", far + b"</sheetData>")
    return write_parts(tmp_path / "ledger.xlsx", parts)


def wide_unreferenced(tmp_path: Path) -> Path:
    """Rows and cells without references: one row 16,384 cells wide, then 1,000 rows."""
    parts = parts_of(good_ledger(tmp_path))
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
    extra = b"<row>" + cell * 16384 + b"</row>" + (b"<row>" + cell + b"</row>") * 1000
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", extra + b"</sheetData>")
    return write_parts(tmp_path / "ledger.xlsx", parts)


def password_protected(tmp_path: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE (CFB) container holding
    the streams EncryptionInfo and EncryptedPackage."""
    body = bytearray(4096)
    for offset, name in ((1024, "EncryptionInfo"), (1152, "EncryptedPackage")):
        mark = name.encode("utf-16-le")
        body[offset : offset + len(mark)] = mark
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(body))
    return path


def xls_renamed(tmp_path: Path) -> Path:
    body = bytearray(4096)
    mark = "Workbook".encode("utf-16-le")
    body[1024 : 1024 + len(mark)] = mark
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(body))
    return path


def csv_renamed(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.xlsx"
    text = "\n".join(",".join("" if c is None else str(c) for c in r) for r in small_ledger_rows())
    path.write_bytes(text.encode("utf-8"))
    return path


def zip_bomb(tmp_path: Path) -> Path:
    """A sheet that unpacks past the limit: a few hundred kB on disk."""
    parts = parts_of(good_ledger(tmp_path))
    padding = b" " * (MAX_PART_BYTES + 1)
    parts[SHEET] = parts[SHEET].replace(b"</worksheet>", padding + b"</worksheet>")
    path = write_parts(tmp_path / "ledger.xlsx", parts)
    assert path.stat().st_size < 2 * 2**20
    return path


def random_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(bytes(range(256)) * 16)
    return path


# (builder, words of the English message that say what is wrong)
CASES = {
    "corrupt_deflate": (
        corrupt_deflate,
        "is damaged: part xl/worksheets/sheet1.xml cannot be unpacked",
    ),
    "truncated_zip": (truncated_zip, "is damaged: its zip container cannot be read"),
    "no_sheets": (no_sheets, "holds no worksheet"),
    "whole_grid_dimension": (
        whole_grid_dimension,
        "spans A1:XFD1048576 (1,048,576 rows x 16,384 columns)",
    ),
    "far_cell": (far_cell, "spans A1:XFD1048576"),
    "wide_unreferenced": (
        wide_unreferenced,
        f"more than the {MAX_CELLS:,} cells the workbook reads",
    ),
    "password_protected": (password_protected, "is a password-protected workbook"),
    "xls_renamed": (
        xls_renamed,
        "is an old Excel 97-2003 workbook (.xls, an OLE container) named .xlsx",
    ),
    "csv_renamed": (csv_renamed, "is a text file (csv?) named .xlsx"),
    "zip_bomb": (zip_bomb, f"unpacks to more than {MAX_PART_BYTES:,} bytes"),
    "random_bytes": (random_bytes, "is not an Excel workbook"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_ledger_of_a_malformed_workbook_is_one_line_naming_file_and_fault(tmp_path, case):
    build, fault = CASES[case]
    path = build(tmp_path)
    r = run("validate", "--ledger", str(path), "--lang", "en")
    assert r.returncode == 2, r.stderr[-2000:]
    lines = r.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}: ") and fault in lines[0], lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""


@pytest.mark.parametrize("case", ["corrupt_deflate", "whole_grid_dimension", "password_protected"])
def test_validate_and_status_of_a_zone_with_a_malformed_ledger_say_it_in_chinese(tmp_path, case):
    """The same through a params file, by default in Chinese: one line, the file named."""
    build, _ = CASES[case]
    ledger = build(tmp_path)
    arrivals = write_xlsx(tmp_path / "arrivals.xlsx", small_arrival_rows(), sheet="到位资金")
    params = write_params(tmp_path / "zone.yaml", ledger, arrivals)
    expected = check_workbook(ledger)
    assert expected is not None
    for command in ("validate", "status"):
        args = [command, str(params)] + (["--as-of", "2020-06-30"] if command == "status" else [])
        r = run(*args)
        assert r.returncode == 2, (command, r.stderr[-2000:])
        assert r.stderr.splitlines() == [f"error: {ledger}：{expected.render('zh')}"], command


def test_malformed_arrivals_file_is_named_too(tmp_path):
    ledger = write_xlsx(tmp_path / "good.xlsx", small_ledger_rows())
    arrivals = tmp_path / "arrivals.xlsx"
    arrivals.write_bytes(b"")
    r = run("validate", "--ledger", str(ledger), "--arrivals", str(arrivals), "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"error: {arrivals}: is empty (0 bytes), not a workbook"]


def test_the_grid_limit_counts_cells_from_a1_and_lets_a_real_table_through(tmp_path):
    """A sheet exactly at the limit passes the check; one column more does not."""
    parts = parts_of(good_ledger(tmp_path))
    rows = MAX_CELLS // 1000

    def with_corner(ref: bytes) -> Path:
        p = dict(parts)
        corner = b'<row r="%d"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>' % (
            rows,
            ref,
        )
        p[SHEET] = p[SHEET].replace(b"</sheetData>", corner + b"</sheetData>")
        return write_parts(tmp_path / f"{ref.decode()}.xlsx", p)

    assert check_workbook(with_corner(b"ALL%d" % rows)) is None  # ALL is column 1,000
    too_wide = check_workbook(with_corner(b"ALM%d" % rows))
    assert too_wide is not None and too_wide.key == "xlsx.grid"
    assert dict(too_wide.args)["rows"] == rows and dict(too_wide.args)["cols"] == 1001


def test_a_good_workbook_passes_the_check_and_reads_as_before(tmp_path):
    from workbook.zone.ledger import load_ledger

    path = good_ledger(tmp_path)
    assert check_workbook(path) is None
    assert list(load_ledger(path).projects["project_id"]) == ["P1", "P2", "P3", "P4"]


def test_an_xlsx_named_xls_is_checked_as_the_workbook_it_is(tmp_path):
    path = far_cell(tmp_path).rename(tmp_path / "ledger.xls")
    r = run("validate", "--ledger", str(path), "--lang", "en")
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.splitlines() == [
        f"error: {path}: sheet 项目台账 spans A1:XFD1048576 (1,048,576 rows x 16,384 columns), "
        f"more than the {MAX_CELLS:,} cells the workbook reads: delete the empty rows and "
        "columns past the table"
    ]

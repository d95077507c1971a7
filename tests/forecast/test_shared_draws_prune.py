"""The shared draws' folder stays bounded (workbook.forecast.shared.prune): the most recently
used engines' folders are kept, older ones go, nothing used within the grace time goes, nothing
the module did not write is touched, a mapped file removed under a reader stays readable, and
mapping a file again counts as a use."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from workbook.forecast import shared

NOW = 1_800_000_000.0  # a fixed clock: every time below is relative to it
DAY = 86400.0


def _engine(root: Path, n: int, used: float, files: int = 2) -> Path:
    """An engine's folder (named like a digest) whose files were last used at `used`."""
    folder = root / f"{n:032x}"
    folder.mkdir()
    for k in range(files):
        path = shared.key_file(folder, (n, k))
        np.save(path, np.full(100, k, dtype=np.float64))
        os.utime(path, (used, used))
    os.utime(folder, (used, used))
    return folder


def test_keeps_the_most_recently_used_engines_and_removes_the_rest(tmp_path):
    folders = [_engine(tmp_path, n, NOW - (n + 2) * 3600) for n in range(6)]  # 2 h, 3 h, ... ago
    done = shared.prune(tmp_path, keep=3, max_age_days=14, grace_s=3600, now=NOW)
    assert [f.exists() for f in folders] == [True, True, True, False, False, False]
    assert (done.folders, done.files, done.kept) == (3, 6, 3)
    assert (
        done.freed_bytes == sum(p.stat().st_size for p in folders[0].iterdir()) * 3
    )  # every engine's files have the same size


def test_an_engine_unused_for_too_long_goes_even_among_the_kept(tmp_path):
    fresh = _engine(tmp_path, 1, NOW - 2 * DAY)
    stale = _engine(tmp_path, 2, NOW - 20 * DAY)
    done = shared.prune(tmp_path, keep=8, max_age_days=14, grace_s=3600, now=NOW)
    assert fresh.exists() and not stale.exists()
    assert (done.folders, done.kept) == (1, 1)


def test_nothing_used_within_the_grace_time_goes(tmp_path):
    folders = [_engine(tmp_path, n, NOW - 60 * (n + 1)) for n in range(4)]  # minutes ago
    done = shared.prune(tmp_path, keep=1, max_age_days=0, grace_s=3600, now=NOW)
    assert all(f.exists() for f in folders)
    assert (done.folders, done.kept) == (0, 4)


def test_one_recent_file_keeps_its_engine(tmp_path):
    folder = _engine(tmp_path, 1, NOW - 30 * DAY)
    os.utime(next(folder.iterdir()), (NOW - 10, NOW - 10))  # one draw mapped 10 s ago
    shared.prune(tmp_path, keep=0, max_age_days=1, grace_s=3600, now=NOW)
    assert folder.exists() and len(list(folder.iterdir())) == 2


def test_only_what_the_module_writes_is_removed(tmp_path):
    mine = _engine(tmp_path, 1, NOW - 30 * DAY)
    (mine / "notes.txt").write_text("a planner's file")  # not ours: kept, and its folder
    other = tmp_path / "not-a-digest"
    other.mkdir()
    np.save(other / f"{7:032x}.npy", np.zeros(3))
    loose = tmp_path / "readme.npy"
    np.save(loose, np.zeros(3))
    for p in (other, other / f"{7:032x}.npy", loose):
        os.utime(p, (NOW - 30 * DAY, NOW - 30 * DAY))
    done = shared.prune(tmp_path, keep=0, max_age_days=1, grace_s=3600, now=NOW)
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (other / f"{7:032x}.npy").exists() and loose.exists()
    assert done.files == 2


def test_old_remap_tables_and_left_temporary_files_go(tmp_path):
    table = shared.key_file(tmp_path, ("climate_remap", "code", 0.3))
    np.save(table, np.zeros(5))
    os.utime(table, (NOW - 20 * DAY, NOW - 20 * DAY))
    new_table = shared.key_file(tmp_path, ("climate_remap", "code", 0.4))
    np.save(new_table, np.zeros(5))
    os.utime(new_table, (NOW - DAY, NOW - DAY))
    left = tmp_path / ".draw-abc.tmp"
    left.write_bytes(b"half")
    os.utime(left, (NOW - 2 * 3600, NOW - 2 * 3600))
    writing = tmp_path / ".draw-def.tmp"  # another process is writing it now
    writing.write_bytes(b"half")
    os.utime(writing, (NOW - 5, NOW - 5))
    done = shared.prune(tmp_path, keep=8, max_age_days=14, grace_s=3600, now=NOW)
    assert not table.exists() and not left.exists()
    assert new_table.exists() and writing.exists()
    assert (done.folders, done.files) == (0, 2)


def test_a_mapped_file_removed_under_its_reader_stays_readable(tmp_path):
    folder = _engine(tmp_path, 1, NOW - 30 * DAY, files=1)
    path = next(folder.iterdir())
    arr = shared.load_or_make(path, lambda: np.zeros(100))
    os.utime(path, (NOW - 30 * DAY, NOW - 30 * DAY))  # as if last used a month ago
    shared.prune(tmp_path, keep=0, max_age_days=1, grace_s=3600, now=NOW)
    assert not path.exists() and not folder.exists()
    assert arr.sum() == 0.0 and arr.shape == (100,)  # the mapping outlives the name
    again = shared.load_or_make(path, lambda: np.ones(100))  # the next reader makes it again
    assert again.sum() == 100.0 and path.exists()


def test_mapping_a_file_again_counts_as_a_use(tmp_path):
    month_ago = time.time() - 30 * DAY
    folder = _engine(tmp_path, 1, month_ago, files=1)
    path = next(folder.iterdir())
    arr = shared.load_or_make(path, lambda: np.ones(100))  # found and mapped: used now
    assert arr.sum() == 0.0  # the file's array, not a new one
    assert path.stat().st_mtime > month_ago + 29 * DAY
    done = shared.prune(tmp_path, keep=0, max_age_days=1, grace_s=3600)  # the real clock
    assert path.exists() and done.kept == 1


def test_no_folder_nothing_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv(shared.ENV_DRAWS_DIR, raising=False)
    assert shared.prune() == shared.Pruned()
    assert shared.prune(tmp_path / "missing") == shared.Pruned()

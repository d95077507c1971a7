"""Draws shared between processes through files: each of an engine's draws (and each climate
remap table) is written once to a `.npy` file and memory-mapped by every process that needs
it, so the kernels of `workbook app` serving one zone hold one copy of their draws in the page
cache instead of one each.

The folder is `WORKBOOK_DRAWS_DIR` (set by `workbook app` to ~/.cache/workbook/draws unless
given), or the engine's `draws_dir`; without either nothing is written and every draw stays in
the process, as before. Under it, one folder per engine identity: a digest of everything that
determines the draws (the zone's params, ledger, arrivals and event catalogue, the as-of date,
the seed, the number of trials, the forecast code and numpy's version), one file per draw key
inside. A file is written to a temporary name and renamed into place (two processes making
the same draw at once both write the same bytes; a reader sees a whole file or none), and
mapped copy-on-write: to numpy (and the compiled kernels) it is an ordinary writable array,
the pages are the page cache's, shared by every process, and a write (nothing writes a draw)
would touch a private copy of the page, never the file. Any failure to write (a full or
read-only disk) leaves the draw in memory. The folder may be deleted at any time: what is
missing is made again, identically.

Nothing else removes old engines' folders (a scenario engine of 20,000 trials holds ~85 MB, a
roadshow engine ~45 MB), so `prune` keeps the folder bounded: `workbook app` calls it when it
starts. A file that is mapped again has its modification time set to now, so an engine's
last use is the newest time among its files. `prune` removes only what this module writes
(engine folders named by a digest, remap tables, temporary files) and only what was not used
within `grace`: a process that maps a file keeps its pages after the file is removed (Linux
unlinks the name, not the mapping), and one that finds a file gone makes it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from workbook.zone.loader import Zone

ENV_DRAWS_DIR = "WORKBOOK_DRAWS_DIR"
FORMAT = 1  # the layout of the folder and its files
KEEP_ENGINES = 8  # engines' folders `prune` keeps at least (the most recently used)
MAX_AGE_DAYS = 14.0  # a folder unused for longer goes even among the kept
GRACE_S = 3600.0  # nothing used within the last hour is removed
_DIGEST = re.compile(r"[0-9a-f]{32}")  # engine folders and draw files are named by a digest


def default_dir() -> Path:
    """~/.cache/workbook/draws (or under $XDG_CACHE_HOME)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "workbook" / "draws"


def draws_root(given: str | Path | None = None) -> Path | None:
    """The folder of shared draws: `given`, else $WORKBOOK_DRAWS_DIR, else None (not shared)."""
    root = given if given is not None else os.environ.get(ENV_DRAWS_DIR)
    return Path(root) if root else None


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the forecast package's source: another version makes other files."""
    h = hashlib.sha256(f"{FORMAT} numpy {np.__version__}".encode())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _frame_digest(h: Any, frame: Any) -> None:
    import pandas as pd

    if frame is None:
        h.update(b"none")
        return
    h.update(repr(list(frame.columns)).encode())
    h.update(repr([str(t) for t in frame.dtypes]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())


def engine_digest(zone: Zone, as_of: dt.date, seed: int, trials: int) -> str:
    """Everything that determines an engine's draws, as one hex digest."""
    h = hashlib.sha256(code_digest().encode())
    h.update(f"{as_of.isoformat()} {int(seed)} {int(trials)}".encode())
    h.update(zone.params.model_dump_json().encode())
    _frame_digest(h, zone.ledger.projects)
    _frame_digest(h, zone.ledger.arrivals)
    _frame_digest(h, zone.events)
    return h.hexdigest()[:32]


def key_file(folder: Path, key: Any) -> Path:
    """The file of one draw key (a tuple of ints, strings and floats: its repr is exact)."""
    return folder / (hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".npy")


def _mapped(path: Path) -> np.ndarray:
    """The file's array, mapped copy-on-write, as a plain ndarray over the mapping."""
    arr: np.ndarray = np.load(path, mmap_mode="c", allow_pickle=False).view(np.ndarray)
    return arr


def load_or_make(path: Path, make: Callable[[], np.ndarray]) -> np.ndarray:
    """The array in `path` (mapped, its modification time set to now: used), or `make()`
    written there atomically and then mapped; on any failure to write, `make()`'s array
    itself."""
    try:
        arr = _mapped(path)
    except (OSError, ValueError):
        pass  # not there yet (or not a whole .npy file): make it
    else:
        with contextlib.suppress(OSError):  # a read-only folder: `prune` sees an older use
            os.utime(path)
        return arr
    arr = make()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".draw-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, np.ascontiguousarray(arr), allow_pickle=False)
        os.replace(tmp, path)
        tmp = None
        return _mapped(path)
    except (OSError, ValueError):
        return arr
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@dataclass(frozen=True)
class Pruned:
    """What `prune` removed and kept: engine folders, loose files, bytes freed."""

    folders: int = 0
    files: int = 0
    freed_bytes: int = 0
    kept: int = 0


def _ours(path: Path) -> bool:
    """A file this module writes: a draw or remap table, or a temporary one."""
    name = path.name
    stem = name.removesuffix(".npy")
    return bool(_DIGEST.fullmatch(stem)) or (name.startswith(".draw-") and name.endswith(".tmp"))


def _last_use(folder: Path) -> float:
    """The newest modification time of the folder and the files in it."""
    times = [folder.stat().st_mtime]
    for entry in os.scandir(folder):
        with contextlib.suppress(OSError):
            times.append(entry.stat(follow_symlinks=False).st_mtime)
    return max(times)


def _remove_folder(folder: Path) -> tuple[int, int]:
    """Remove an engine's files (only ours) and then the folder if that empties it:
    (files removed, bytes freed)."""
    files = freed = 0
    for entry in os.scandir(folder):
        path = Path(entry.path)
        if entry.is_file(follow_symlinks=False) and _ours(path):
            with contextlib.suppress(OSError):
                size = entry.stat(follow_symlinks=False).st_size
                path.unlink()
                files, freed = files + 1, freed + size
    with contextlib.suppress(OSError):
        folder.rmdir()  # left in place if something not ours is inside
    return files, freed


def prune(
    root: str | Path | None = None,
    keep: int = KEEP_ENGINES,
    max_age_days: float = MAX_AGE_DAYS,
    grace_s: float = GRACE_S,
    now: float | None = None,
) -> Pruned:
    """Bound the shared draws' folder (`root`, else $WORKBOOK_DRAWS_DIR; nothing when neither):
    keep the `keep` most recently used engines' folders unless unused for `max_age_days`,
    remove the other engines' folders, remap tables unused for `max_age_days` and temporary
    files left by a stopped process; never anything used within `grace_s` seconds, nor a file
    or folder this module does not write. Removing a file another process has mapped is safe:
    its mapping stays valid. Errors (a file gone meanwhile, no permission) skip that item."""
    folder = draws_root(root)
    if folder is None or not folder.is_dir():
        return Pruned()
    now = time.time() if now is None else now
    old = now - max_age_days * 86400
    recent = now - grace_s
    engines: list[tuple[float, Path]] = []
    files = freed = 0
    for entry in os.scandir(folder):
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False) and _DIGEST.fullmatch(entry.name):
                engines.append((_last_use(path), path))
            elif entry.is_file(follow_symlinks=False) and _ours(path):
                st = entry.stat(follow_symlinks=False)
                limit = recent if entry.name.startswith(".draw-") else min(old, recent)
                if st.st_mtime < limit:
                    path.unlink()
                    files, freed = files + 1, freed + st.st_size
        except OSError:
            continue
    engines.sort(reverse=True)  # most recently used first
    removed = kept = 0
    for rank, (used, path) in enumerate(engines):
        if used >= recent or (rank < keep and used >= old):
            kept += 1
            continue
        n, size = _remove_folder(path)
        removed, files, freed = removed + 1, files + n, freed + size
    return Pruned(folders=removed, files=files, freed_bytes=freed, kept=kept)

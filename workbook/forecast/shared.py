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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from workbook.zone.loader import Zone

ENV_DRAWS_DIR = "WORKBOOK_DRAWS_DIR"
FORMAT = 1  # the layout of the folder and its files


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
    """The array in `path` (mapped), or `make()` written there atomically and then mapped; on
    any failure to write, `make()`'s array itself."""
    try:
        return _mapped(path)
    except (OSError, ValueError):
        pass  # not there yet (or not a whole .npy file): make it
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

"""The draws of one engine (a seed, a number of trials, an as-of date): every draw is a stream
of 15-bit codes named by its key (workbook.forecast.draws), made once and kept up to a memory
limit; a draw not kept is made again, identically, when it is read again.

Trials run in chunks of `CHUNK` (part of the draws' identity), chunks in spans of `DEAL_SPAN`
(the ledger's codes are kept and the new deals simulated span by span).

With a `shared` folder (workbook.forecast.shared) every draw is a file there, written once and
memory-mapped: processes with the same engine identity share one copy of their draws."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from workbook.forecast import draws, shared
from workbook.forecast.cachekeys import Key
from workbook.forecast.setup import (
    BLOCK,
    CHUNK,
    DEAL_MARKS,
    DEAL_SPAN,
    EXTRA_SLOTS,
    STREAM_EXTRA,
    Source,
)

_REMAPS: dict[Path, np.ndarray] = {}  # whole climate remap tables, mapped from their files


def _by_kind(raw: np.ndarray) -> np.ndarray:
    """(trials, kinds, …) codes as (kinds, trials, …), each kind contiguous. Drawn trial by
    trial, so the first trials of a chunk do not depend on how many trials it holds."""
    return np.ascontiguousarray(np.moveaxis(raw, 1, 0))


class DrawStore:
    """Draws by key for `trials` trials of `seed`, kept up to `cache_mb` megabytes; in files
    under `shared` (this engine's folder of shared draws) when given. `streams`, if given: only
    the draws of these streams (a key's first part) are kept, the others made when read (an
    engine for one forecast keeps its climate, read by every pass, and nothing else)."""

    def __init__(
        self,
        seed: int,
        trials: int,
        cache_mb: float,
        shared_dir: Path | None = None,
        streams: frozenset[int] | None = None,
    ):
        self.seed = seed
        self.shared = shared_dir
        self.trials = trials
        self.limit = cache_mb * 2**20
        self.streams = streams
        self._cache: dict[Key, np.ndarray] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Key, threading.Lock] = {}

    def chunks(self) -> list[tuple[int, int]]:
        """(chunk index, trials in it) of every chunk."""
        return [
            (c, min(CHUNK, self.trials - c * CHUNK)) for c in range(math.ceil(self.trials / CHUNK))
        ]

    def spans(self) -> list[list[tuple[int, int]]]:
        """Chunks grouped into spans of DEAL_SPAN chunks."""
        chunks = self.chunks()
        return [chunks[i : i + DEAL_SPAN] for i in range(0, len(chunks), DEAL_SPAN)]

    def span_trials(self, span: int) -> tuple[int, int]:
        """The first trial of a span of chunks and how many it holds."""
        chunks = self.spans()[span]
        return chunks[0][0] * CHUNK, sum(n for _, n in chunks)

    def draw(self, key: Key, make: Callable[[], np.ndarray]) -> np.ndarray:
        """The draw named `key`: kept, or made by `make` (and kept if it fits)."""
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        with self._lock:  # chunks of trials run on threads: one of them makes a draw
            building = self._building.setdefault(key, threading.Lock())
        with building:
            hit = self._cache.get(key)
            if hit is not None:
                return hit
            arr = make() if self.shared is None else self._from_file(key, make)
            kept = self.streams is None or key[0] in self.streams
            with self._lock:
                if kept and self._bytes + arr.nbytes <= self.limit:
                    self._cache[key] = arr
                    self._bytes += arr.nbytes
                self._building.pop(key, None)
        return arr

    def _from_file(self, key: Key, make: Callable[[], np.ndarray]) -> np.ndarray:
        assert self.shared is not None
        return shared.load_or_make(shared.key_file(self.shared, key), make)

    def remap(self, scale: float, levels: np.ndarray) -> np.ndarray:
        """`draws.climate_remap(scale, levels)`; with shared draws, the whole table (every
        level) from a file beside the engines' folders (it depends on `scale` only)."""
        if self.shared is None:
            return draws.climate_remap(scale, levels)
        path = shared.key_file(self.shared.parent, ("climate_remap", shared.code_digest(), scale))
        table = _REMAPS.get(path)
        if table is None:

            def whole() -> np.ndarray:
                made = draws.climate_remap(scale, None)
                draws.forget_remap(scale)  # the file's copy is the one kept
                return made

            with self._lock:
                table = _REMAPS.get(path)
                if table is None:
                    while len(_REMAPS) >= 4:  # a few shock values at once, as draws keeps
                        _REMAPS.pop(next(iter(_REMAPS)))
                    table = _REMAPS[path] = shared.load_or_make(path, whole)
        return table

    def source_u(self, c: int, n: int, key: tuple[int, ...]) -> np.ndarray:
        """One uniform per trial of a chunk: a source's count of new deals."""
        full = (*key, c, 0)
        return self.draw(full, lambda: draws.stream(self.seed, *full).random(n))

    def source_pool(self, c: int, s: Source, room: np.ndarray) -> np.ndarray:
        """(sum of room, marks) codes: trial after trial, `room[t]` deals each."""
        full = (*s.key, c, 1)
        shape = (int(room.sum()), len(DEAL_MARKS))
        return self.draw(full, lambda: draws.codes(draws.stream(self.seed, *full), shape))

    def overflow_block(self, c: int, n: int, key: tuple[int, ...], b: int) -> np.ndarray:
        """(trials, marks, BLOCK) codes of a source's deals beyond its pool, block b."""
        full = (*key, c, b + 2)
        shape = (n, len(DEAL_MARKS), BLOCK)
        return self.draw(full, lambda: draws.codes(draws.stream(self.seed, *full), shape))

    def extra_codes(self, c: int, n: int) -> np.ndarray:
        """Codes of the goal seek's extra signed projects: (2 [start, share], n, EXTRA_SLOTS)."""
        key = (STREAM_EXTRA, c)
        shape = (n, 2, EXTRA_SLOTS)
        return self.draw(key, lambda: _by_kind(draws.codes(draws.stream(self.seed, *key), shape)))

    @property
    def cached_mb(self) -> float:
        return self._bytes / 2**20

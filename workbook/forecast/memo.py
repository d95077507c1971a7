"""Derived arrays kept between forecasts of one engine: what a driver change does not touch
(the ledger projects' milestones in a chunk of trials when only money drivers move, the new
deals' marks in a span when only the drivers of starting or paying move) is computed once
and read again.

Entries are keyed by what they depend on; the memory they hold is bounded (oldest dropped
first), and a dropped entry is simply recomputed, identically."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from workbook.forecast.cachekeys import Key


def nbytes(value: Any) -> int:
    """Bytes held by the arrays in a (nested) tuple, list or dict value."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple | list):
        return sum(nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    return 0


class Memo:
    """One value per slot (a chunk, a span), kept with the key it was computed for."""

    def __init__(self, limit_bytes: float):
        self.limit = limit_bytes
        self.used = 0
        self._slots: dict[Key, tuple[Key, Any, int]] = {}
        self._lock = threading.Lock()  # chunks of trials run on threads

    def get(self, slot: Key, key: Key) -> Any:
        hit = self._slots.get(slot)
        if hit is None or hit[0] != key:
            return None
        return hit[1]

    def put(self, slot: Key, key: Key, value: Any) -> None:
        with self._lock:
            self._put(slot, key, value)

    def _put(self, slot: Key, key: Key, value: Any) -> None:
        size = nbytes(value)
        old = self._slots.pop(slot, None)
        if old is not None:
            self.used -= old[2]
        if size > self.limit:
            return
        while self._slots and self.used + size > self.limit:
            self.used -= self._slots.pop(next(iter(self._slots)))[2]
        self._slots[slot] = (key, value, size)
        self.used += size

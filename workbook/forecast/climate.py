"""Draws that carry what the forecast knows about time and about its own uncertainty: each
group's codes under a trial's climate (`shared_shock`, `driver_spread`), and the month tables
of projects that have already waited in their stage.

A mixin of `workbook.forecast.engine.Engine`: the methods read the engine's draws and groups.

Climate: every code's normal score x becomes a·x + shift in its trial, a = 1/sqrt(1 + shock²),
shift = a·shock·z·sign + spread·ζ, z the trial's climate (one for every family of draws: a
good year moves milestones sooner, shares and new deals up), ζ the trial's own shift of one
family (signing, starting, producing, arrival ratio, new deals' counts). With spread 0 the
codes stay uniform (each project's own probabilities are unchanged) and correlate by
shock²/(1 + shock²); the moved codes are kept in place of the plain ones.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from workbook.forecast import draws
from workbook.forecast.setup import _CLIMATE, _PROJECTS, CLIMATE_KINDS, _Group, _Setup
from workbook.zone.drivers import Drivers


class ClimateDraws:
    """Climate-moved codes and time-in-stage tables (mixed into Engine)."""

    def _group_codes(
        self, c: int, n: int, g: _Group, climate: tuple[float, float] | None = None
    ) -> list[np.ndarray]:
        """A group's codes in one chunk, one array per kind; under a climate, each trial's
        codes moved by its shifts (kept instead of the plain codes)."""
        out = []
        for i, kind in enumerate(g.kinds):
            key = (_PROJECTS, *g.key, c, i)
            shape = (n, len(g.cols))

            def plain(k: tuple = key, s: tuple = shape) -> np.ndarray:
                hit = self._cache.get(k)
                return hit if hit is not None else draws.codes(draws.stream(self.seed, *k), s)

            if climate is None:
                out.append(self._draw(key, plain))
                continue

            def moved(kind: str = kind, plain=plain) -> np.ndarray:  # type: ignore[no-untyped-def]
                offset = draws.climate_level(self._climate_shift(c, n, kind, climate))
                scale = 1 / math.sqrt(1 + climate[0] ** 2)
                remap = draws.climate_remap(scale, offset // draws.Q)
                # Trials in order of their level, so each level's row of the remap stays in
                # cache while its trials are read; then back in trial order.
                order = np.argsort(offset, kind="stable")
                codes = np.take(remap, plain()[order] + offset[order, None], mode="clip")
                out = np.empty_like(codes)
                out[order] = codes
                return out

            out.append(self._draw((*key, "climate", climate), moved))
        return out

    def _sparse_moved(
        self, c: int, n: int, g: _Group, climate: tuple[float, float], table: np.ndarray
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """For a stage where few sign: the flat positions of the (trial, project) pairs whose
        moved signing code signs by December, and every kind's moved codes at those pairs
        only; what `_group_codes` gives, read at those pairs, without moving every code. A
        month table's codes that land by December are a prefix [0, c12), and a trial's remap
        is monotone, so a pair signs iff its plain code is below its trial's threshold. Kept
        per (chunk, group) for the climate and the table's December prefix."""
        c12 = int(np.count_nonzero(table <= 12))
        slot, memo_key = ("sparse", c, g.key), (n, climate, c12)
        hit = self._memo.get(slot, memo_key)
        if hit is not None:
            return hit
        plain = {}
        for i, kind in enumerate(g.kinds):
            key = (_PROJECTS, *g.key, c, i)
            shape = (n, len(g.cols))
            plain[kind] = self._draw(
                key, lambda k=key, s=shape: draws.codes(draws.stream(self.seed, *k), s)
            )
        scale = 1 / math.sqrt(1 + climate[0] ** 2)
        offsets = {
            kind: draws.climate_level(self._climate_shift(c, n, kind, climate)) for kind in g.kinds
        }
        remap = draws.climate_remap(scale, np.concatenate(list(offsets.values())) // draws.Q)
        levels, which = np.unique(offsets["S"], return_inverse=True)
        below = np.array([np.searchsorted(remap[o : o + draws.Q], c12) for o in levels])
        nz = np.flatnonzero(plain["S"] < below[which].astype(np.int32)[:, None])
        rows = nz // len(g.cols)
        moved = {
            kind: np.take(remap, offsets[kind][rows] + plain[kind].ravel()[nz], mode="clip")
            for kind in g.kinds
        }
        self._memo.put(slot, memo_key, (nz, moved))
        return nz, moved

    def _climate_shift(self, c: int, n: int, kind: str, climate: tuple[float, float]) -> np.ndarray:
        """Per trial of a chunk: the shift of a family's normal scores, a·shock·z + spread·ζ
        (z the trial's climate, shared by every family; ζ the family's own)."""
        key = (_CLIMATE, c)
        z = self._draw(
            key,
            lambda: special.ndtri(
                draws.stream(self.seed, *key).random((n, 1 + len(CLIMATE_KINDS)))
            ),
        )
        shock, spread = climate
        a = 1 / math.sqrt(1 + shock * shock)
        j = 1 + list(CLIMATE_KINDS).index(kind)
        return a * shock * CLIMATE_KINDS[kind] * z[:, 0] + spread * z[:, j]

    def climate_u(self, c: int, n: int, u: np.ndarray, setup: _Setup) -> np.ndarray:
        """Uniforms of new deals' counts (one per trial) moved by each trial's climate."""
        if setup.climate is None:
            return u
        shock = setup.climate[0]
        shift = self._climate_shift(c, n, "N", setup.climate)
        x = special.ndtri(np.clip(u, 1e-12, 1 - 1e-12))
        return special.ndtr(x / math.sqrt(1 + shock * shock) + shift)

    def _stuck_tables(self, d: Drivers, base: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Per group of signed (started) projects that have waited: the month tables of their
        start (production) given the months waited, stacked, and each project's offset."""
        out = {}
        for gi, g in enumerate(self.groups):
            if g.stage == "signed":
                p, mean = d.start_probability, d.months_to_start
            elif g.stage == "started":
                p, mean = d.production_probability, d.months_to_production
            else:
                continue
            key = (gi, p, mean, d.lag_sigma, base)
            if key not in self._stuck:  # the same object for the same drivers (memo keys)
                if len(self._stuck) > 256:
                    self._stuck.clear()
                self._stuck[key] = self._stuck_group(g, p, mean, d.lag_sigma, base)
            if self._stuck[key] is not None:
                out[gi] = self._stuck[key]
        return out

    def _stuck_group(
        self, g: _Group, p: float, mean: float, sigma: float, base: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        waited, row = np.unique(self.waited[g.cols], return_inverse=True)
        if not waited.any():
            return None  # none has waited: the first-milestone table as it is
        tables = [draws.stuck_table(p, mean, sigma, base, 1, float(e)) for e in waited]
        return np.concatenate(tables), (row * draws.Q).astype(np.int32)

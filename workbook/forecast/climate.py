"""Draws that carry what the forecast knows about time and about its own uncertainty: each
trial's climate (`shared_shock`, `driver_spread`) as shifts of its codes, and the month tables
of projects that have already waited in their stage.

`Climate` reads its normal scores from the engine's draws (`DrawStore`); `StuckTables` keeps
the time-in-stage tables of the ledger's groups. `workbook.forecast.engine.Engine` composes both.

Climate: every code's normal score x becomes a·x + shift in its trial, with shift =
a·(shock·z·sign + spread·ζ) and a = 1/sqrt(1 + shock² + spread²): z the trial's climate (a
good year moves milestones sooner, paces and new deals up), ζ the trial's own shift of one
family (signing, starting, producing, arrival pace, new deals' counts). The shock moves one
draw of each ledger project only, its first milestone ahead, and each source's count of new
deals; every other draw of a project has no shock term (a = 1/sqrt(1 + spread²)). So every
moved code is still uniform and a project's draws stay independent of each other: each
project's own chances, lags and paces are exactly the drivers', every target keeps its mean,
and only the joint spread widens (projects and sources move together through z and ζ). The
compiled pass (workbook.forecast.fused) reads each plain code through its trial's row of
`draws.climate_remap`; moved codes are never stored.
"""

from __future__ import annotations

import math

import numpy as np

from workbook.forecast import draws, fused, plain, special
from workbook.forecast.cachekeys import Key
from workbook.forecast.setup import CLIMATE_KINDS, PRE_SIGN, STREAM_CLIMATE, ProjectGroup, Setup
from workbook.forecast.store import DrawStore
from workbook.zone.drivers import Drivers

# A moved uniform this close to a step of its counts' table is counted again with numpy's Φ
# (`Climate.counts`): the compiled count's moved uniform is within 4e-9 of numpy's
# (workbook.forecast.fused.climate_counts), so each count is numpy's to the last deal.
MARGIN = 1e-7


class Climate:
    """Each trial's climate as shifts of its codes, from the climate draws of `store`."""

    def __init__(self, store: DrawStore):
        self.store = store
        # (first chunk, chunks, climate) -> new deals' counts' shift: read by every source
        self._count_shifts: dict[tuple[int, int, tuple[float, float]], tuple[float, np.ndarray]]
        self._count_shifts = {}

    def shift(
        self, c: int, n: int, kind: str, climate: tuple[float, float], shocked: bool = True
    ) -> tuple[float, np.ndarray]:
        """Per trial of a chunk, how a family's normal scores x move: x -> a·x + shift, with
        shift = a·(shock·z + spread·ζ) (z the trial's climate, shared by every family, only on
        the `shocked` draws; ζ the family's own) and a = 1/sqrt(1 + shock² + spread²) (the
        shock's term only when shocked), so a moved code is still uniform: (scale a, shift)."""
        key = (STREAM_CLIMATE, c)
        seed = self.store.seed
        z = self.store.draw(
            key,
            lambda: special.ndtri(draws.stream(seed, *key).random((n, 1 + len(CLIMATE_KINDS)))),
        )
        shock, spread = climate
        if not shocked:
            shock = 0.0
        a = 1 / math.sqrt(1 + shock * shock + spread * spread)
        j = 1 + list(CLIMATE_KINDS).index(kind)
        return a, a * (shock * CLIMATE_KINDS[kind] * z[:, 0] + spread * z[:, j])

    def codes(
        self,
        c: int,
        n: int,
        codes: np.ndarray,
        kind: str,
        with_shock: bool,
        climate: tuple[float, float],
    ) -> np.ndarray:
        """(trials, …) codes of a chunk moved by each trial's climate (`shift`), read through
        the same remap as the ledger's codes. `with_shock`: whether the code is a first
        milestone ahead, the one draw of a project the shared shock moves."""
        scale, shift = self.shift(c, n, kind, climate, with_shock)
        level = draws.climate_level(shift).astype(np.int64)
        remap = self.store.remap(scale, level // draws.Q)
        moved: np.ndarray = remap[level.reshape((n,) + (1,) * (codes.ndim - 1)) + codes]
        return moved

    def counts(
        self, chunks: list[tuple[int, int]], u: np.ndarray, setup: Setup, lam: float
    ) -> np.ndarray:
        """Poisson(lam) counts of a source's new deals, one per trial of some chunks (`u`: their
        uniforms, chunk after chunk), by inversion of each uniform moved by its trial's
        climate: u -> Φ(a·Φ⁻¹(u) + shift), still uniform, so a source's expected number of
        deals does not move."""
        if lam <= 0:
            return np.zeros(len(u), np.int64)
        cdf = draws.poisson_table(lam)
        if setup.climate is None:
            return np.searchsorted(cdf, u, side="right")
        memo = (chunks[0][0], len(chunks), setup.climate)
        hit = self._count_shifts.get(memo)
        if hit is None:
            if len(self._count_shifts) >= 32:  # a few climates' worth (32 KB a chunk)
                self._count_shifts.clear()
            moved = [self.shift(c, n, "N", setup.climate) for c, n in chunks]
            hit = moved[0][0], np.concatenate([shift for _, shift in moved])
            self._count_shifts[memo] = hit
        a, shift = hit
        k: np.ndarray = fused.climate_counts(u, a, shift, cdf, MARGIN)
        unsure = np.flatnonzero(k < 0)  # near a step of the table: counted with numpy's Φ
        if len(unsure):
            k[unsure] = plain.climate_counts(u[unsure], a, shift[unsure], cdf, MARGIN)
        return k


class StuckTables:
    """Per group of ledger projects that have waited in their stage, the month tables of
    their first milestone ahead given the months waited (kept per group and drivers)."""

    def __init__(self, groups: list[ProjectGroup], waited: np.ndarray):
        self.groups = groups
        self.waited = waited  # months each ledger project has waited, in quarters of a month
        self._kept: dict[Key, tuple[np.ndarray, np.ndarray] | None] = {}

    def tables(self, d: Drivers, base: int) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Group index -> (the stacked month tables of its signing (start, production) given
        the months waited, each project's offset into them)."""
        out = {}
        for gi, g in enumerate(self.groups):
            if g.stage in PRE_SIGN:
                p = getattr(d.stage_probability, g.stage)
                mean = getattr(d.months_to_sign, g.stage)
            elif g.stage == "signed":
                p, mean = d.start_probability, d.months_to_start
            elif g.stage == "started":
                p, mean = d.production_probability, d.months_to_production
            else:
                continue
            key = (gi, p, mean, d.lag_sigma, base)  # every argument of `_group`
            if key not in self._kept:
                if len(self._kept) > 256:
                    self._kept.clear()
                self._kept[key] = self._group(g, p, mean, d.lag_sigma, base)
            hit = self._kept[key]
            if hit is not None:
                out[gi] = hit
        return out

    def _group(
        self, g: ProjectGroup, p: float, mean: float, sigma: float, base: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        waited, row = np.unique(self.waited[g.cols], return_inverse=True)
        if not waited.any():
            return None  # none has waited: the first-milestone table as it is
        tables = draws.stuck_tables(p, mean, sigma, base, 1, waited)
        return tables.ravel(), (row * draws.Q).astype(np.int32)

"""Draws that carry what the forecast knows about time and about its own uncertainty: each
trial's climate (`shared_shock`, `driver_spread`) as shifts of its codes, and the month tables
of projects that have already waited in their stage.

A mixin of `workbook.forecast.engine.Engine`: the methods read the engine's draws and groups.

Climate: every code's normal score x becomes a·x + shift in its trial, a = 1/sqrt(1 + shock²),
shift = a·shock·z·sign + spread·ζ, z the trial's climate (one for every family of draws: a
good year moves milestones sooner, shares and new deals up), ζ the trial's own shift of one
family (signing, starting, producing, arrival ratio, new deals' counts). With spread 0 the
codes stay uniform (each project's own probabilities are unchanged) and correlate by
shock²/(1 + shock²). The compiled pass (workbook.forecast.fused) reads each plain code through
its trial's row of `draws.climate_remap`; moved codes are never stored.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from workbook.forecast import draws
from workbook.forecast.setup import _CLIMATE, CLIMATE_KINDS, _Group, _Setup
from workbook.zone.drivers import Drivers


class ClimateDraws:
    """Climate shifts and time-in-stage tables (mixed into Engine)."""

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
        tables = draws.stuck_tables(p, mean, sigma, base, 1, waited)
        return tables.ravel(), (row * draws.Q).astype(np.int32)

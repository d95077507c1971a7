"""New deals in the simulation: offices, platforms and planned events bring leads that sign
after a lag as deals with a size, a foreign share, a 500强 share and a 四新 share, then start
and pay like a project without a plan.

`DealPass` is built with what it reads (the engine's draws and climate, the metrics laid out
and the ledger's shares of deal attributes) and composed by `workbook.forecast.engine.Engine`."""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Sequence
from dataclasses import replace
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np

from workbook.forecast import cachekeys, declared, draws, fused
from workbook.forecast.cachekeys import Key
from workbook.forecast.climate import Climate
from workbook.forecast.setup import (
    BLOCK,
    CHUNK,
    DEAL_MARKS,
    DEAL_PARTS,
    MARK_INDEX,
    Setup,
    Source,
)
from workbook.forecast.store import DrawStore

# Deal drivers whose deals and marks are kept per source (a slider's last two values: a move
# back, or a sensitivity step and the forecast it varies, reuse them); older ones are dropped.
KEPT_DRIVERS = 2

# A unit's (or span's) new deals in trial order: (trial within it, source, codes[marks, deal],
# marks)
SpanDeals: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]


def _take(table: np.ndarray, code: np.ndarray) -> np.ndarray:
    """table[code] (codes are always in range; 'clip' skips numpy's bounds checks)."""
    return np.take(table, code, mode="clip")


class DealPass:
    """The new deals' part of a forecast, on the draws of `store`. Keeps, between forecasts,
    each unit's deals and each source's marks and counts (keyed by `cachekeys.DEALS`), and the
    result per (months, metrics) (keyed by `Setup.deal_key`)."""

    def __init__(
        self,
        store: DrawStore,
        climate: Climate,
        layout: declared.Layout,
        deal_shares: dict[str, Any],
        keep: bool = True,
    ):
        self.store = store
        # whether a forecast's deals and marks are kept for the next (an engine for one
        # forecast keeps only its results)
        self.keep = keep
        self.climate = climate
        self.layout = layout  # the metrics simulated (workbook.forecast.declared)
        self.keys, self.defs = layout.keys, layout.defs
        self.deal_shares = deal_shares  # metric -> the ledger's share for a column deals lack
        self._last: dict[int, tuple[Key, SpanDeals]] = {}  # unit -> (signature, its deals)
        self._active: dict[Key, tuple[np.ndarray, np.ndarray]] = {}  # a source's counts
        # (source, first chunk of its unit, drivers) -> its deals' marks
        self._marks: dict[Key, tuple[np.ndarray, ...]] = {}
        # (months, keys) -> (deal_key, result, split)
        self._result: dict[Key, tuple[Key, np.ndarray, np.ndarray]] = {}
        self._drivers: list[Hashable] = []  # deal drivers kept in _active and _marks, oldest first
        self._lock = threading.Lock()  # units run on threads

    def _keep(self, cache: dict[Key, Any], key: Key, value: Any) -> None:
        """`cache[key] = value` (key: (source, first chunk, deal drivers)), keeping the entries
        of the KEPT_DRIVERS most recent deal drivers only: what a planner moved away from is
        dropped rather than kept for as long as the page is open (it is made again, identically,
        if it comes back)."""
        if not self.keep:
            return
        with self._lock:
            drivers = key[-1]
            if drivers not in self._drivers:
                self._drivers.append(drivers)
                while len(self._drivers) > KEPT_DRIVERS:
                    old = self._drivers.pop(0)
                    for kept in (self._active, self._marks):
                        for k in [k for k in kept if k[-1] == old]:
                            del kept[k]
            cache[key] = value

    def forget(self) -> None:
        """Drop the arrays kept for earlier forecasts' new deals (each source's deals and marks,
        each unit's deals in trial order: ~100 MB at 20,000 trials); the last results (a few
        MB) stay. For a caller that has just made a run of one-off forecasts (a planner's
        sensitivity: two per driver) whose arrays would otherwise stay for as long as its page
        is open. What is needed again is made again, identically."""
        with self._lock:
            self._last.clear()
            self._active.clear()
            self._marks.clear()
            self._drivers.clear()

    def units(self) -> list[tuple[int, list[tuple[int, int]]]]:
        """The pass's units of work, (span, its chunks), in trial order: the two halves of each
        span of whole chunks in an even number, any other span whole. Half spans keep both
        threads busy to the end (100,000 trials are three full spans and a short one), and a
        span's halves are the halves its kernel would run apart, so every sum is the same."""
        out = []
        for span, chunks in enumerate(self.store.spans()):
            half = len(chunks) // 2
            if len(chunks) % 2 == 0 and all(n == CHUNK for _, n in chunks):
                out += [(span, chunks[:half]), (span, chunks[half:])]
            else:
                out.append((span, chunks))
        return out

    def deals(self, setup: Setup, span: int) -> SpanDeals:
        """The new deals of one span of trials, in trial order: (trial within the span, source,
        codes[marks, deal], marks) with marks = (signing month, size, foreign, 500强,
        hit[deal, metric]) as `_marks_of` gives them: its units' (`unit_deals`) one after
        the other."""
        mine = [(u, chunks) for u, (sp, chunks) in enumerate(self.units()) if sp == span]
        made = [self.unit_deals(setup, u) for u, _ in mine]
        if len(made) == 1:
            return made[0]
        first = mine[0][1][0][0]  # the span's first chunk: trials count from it
        at = [(chunks[0][0] - first) * CHUNK for _, chunks in mine]
        return (
            np.concatenate([d[0] + a for d, a in zip(made, at, strict=True)]),
            np.concatenate([d[1] for d in made]),
            np.concatenate([d[2] for d in made], axis=1),
            [np.concatenate([d[3][i] for d in made]) for i in range(len(made[0][3]))],
        )

    def unit_deals(self, setup: Setup, unit: int) -> SpanDeals:
        """The new deals of one unit of trials (`units`), in trial order, as `deals` gives a
        span's. Which slots hold a deal depends only on each source's expected number of deals,
        and a source's marks only on its own drivers, so both are kept per source: another
        event plan or a driver change that keeps a source's drivers reuses its deals and their
        marks."""
        shared = self._drivers_key(setup)
        signature = (tuple(setup.sources), shared)
        last = self._last.get(unit)
        if last is not None and last[0] == signature:
            return last[1]
        chunks = self.units()[unit][1]
        made = [self._source_deals(chunks, s, setup) for s in setup.sources]
        codes = [m for _, m in made]
        n_marks = len(DEAL_MARKS)
        t_all = np.concatenate([t for t, _ in made]) if made else np.zeros(0, np.intp)
        s_all = np.repeat(np.arange(len(made), dtype=np.intp), [len(t) for t, _ in made])
        # codes[marks, deal], source after source: what the marks are made from
        by_mark = np.ascontiguousarray(
            (np.concatenate(codes) if codes else np.zeros((0, n_marks), np.uint16)).T
        )
        marks = self._marks_for(setup, chunks, range(len(setup.sources)), codes, by_mark)
        # Trial by trial (then source by source): the compiled pass sums each trial's deals
        # into one small histogram before it moves to the next trial.
        unit_trials = sum(n for _, n in chunks)
        order = fused.trial_order(t_all.astype(np.int64, copy=False), unit_trials)
        per_deal = [x[order] for x in marks]
        out = (t_all[order], s_all[order], by_mark[:, order], per_deal)
        if self.keep:
            self._last[unit] = (signature, out)
        return out

    def _marks_for(
        self,
        setup: Setup,
        chunks: list[tuple[int, int]],
        sources: Sequence[int],
        codes: Sequence[np.ndarray],
        by_mark: np.ndarray | None = None,
    ) -> list[np.ndarray]:
        """The marks (`_marks_of`) of the deals of the sources at positions `sources` in one
        unit (`codes[i]`: codes[deal, marks] of `sources[i]`; `by_mark`, if given, all of them
        as codes[marks, deal]), source after source, mark by mark. Kept per source: those not
        kept yet made in one go."""
        shared = self._drivers_key(setup)
        keys = [(setup.sources[si], chunks[0][0], shared) for si in sources]
        kept = {i: own for i, k in enumerate(keys) if (own := self._marks.get(k)) is not None}
        new = [i for i in range(len(keys)) if i not in kept]
        if not keys:
            return []
        if new:
            if by_mark is not None and len(new) == len(keys):
                code = by_mark  # every source's deals are new: their codes as given
            else:
                code = np.ascontiguousarray(np.concatenate([codes[i] for i in new]).T)
            made = self._marks_of(
                setup,
                code,
                np.repeat(np.asarray(sources, np.intp)[new], [len(codes[i]) for i in new]),
            )
            ends = np.cumsum([len(codes[i]) for i in new])[:-1]
            pieces = [np.split(x, ends) for x in made]  # each mark, source by source
            for j, i in enumerate(new):
                own = tuple(piece[j] for piece in pieces)
                kept[i] = own
                self._keep(self._marks, keys[i], own)
            if len(new) == len(keys):
                return list(made)  # the sources' marks, one after the other, as made
        return [np.concatenate([kept[i][x] for i in range(len(keys))]) for x in range(5)]

    def _drivers_key(self, setup: Setup) -> Key:
        """The drivers a unit's new deals and their marks depend on, by exclusion
        (workbook.forecast.cachekeys): the months a deal starts and produces only when a
        metric judges them."""
        if self.window_families - {"sign"}:
            return setup.driver_keys.without(cachekeys.DEALS)
        return setup.driver_keys.without(cachekeys.DEALS_SIGN_ONLY)

    def _source_deals(
        self, chunks: list[tuple[int, int]], s: Source, setup: Setup
    ) -> tuple[np.ndarray, np.ndarray]:
        """One source's deals in one unit of chunks: (trial of each deal within the unit,
        codes[deal, marks]). Trial t has `k[t]` deals; the first `room[t]` come from its
        chunk's pool, any more from the chunk's overflow blocks, so a larger mean only ever
        adds deals to a trial. The month plays no part (an event's draws are the same in
        every month): the slots of one event share them."""
        key = (replace(s, month=0), chunks[0][0], self._drivers_key(setup))
        hit = self._active.get(key)
        if hit is not None:
            return hit
        lo = chunks[0][0] * CHUNK
        u = np.concatenate([self.store.source_u(c, n, s.key) for c, n in chunks])
        # The pool's room follows the plain draws (so the pool never changes); the count of
        # deals follows the trial's climate, any beyond the room from overflow blocks.
        k = self.climate.counts(chunks, u, setup, s.expected_signings)
        room = draws.poisson_counts(u, s.cap)
        starts = [c * CHUNK - lo for c, _ in chunks]  # each chunk's first trial in the unit
        pool = np.concatenate(
            [
                self.store.source_pool(c, s, room[a : a + n])
                for (c, n), a in zip(chunks, starts, strict=True)
            ]
        )
        take = np.minimum(k, room)
        first_trial, first_codes = fused.pool_deals(room, take, pool)
        trial, marks = [first_trial], [first_codes]
        over = k - take
        for (c, n), a in zip(chunks, starts, strict=True):
            mine = over[a : a + n]
            for b in range(math.ceil(int(mine.max(initial=0)) / BLOCK)):
                block = self.store.overflow_block(c, n, s.key, b)
                slot = np.arange(b * BLOCK, (b + 1) * BLOCK)
                t_idx, j_idx = np.nonzero(slot[None, :] < mine[:, None])
                trial.append(t_idx + a)
                marks.append(block[t_idx, :, j_idx])
        hit = np.concatenate(trial), np.concatenate(marks)
        self._keep(self._active, key, hit)
        return hit

    def part(
        self,
        setup: Setup,
        months: tuple[int, ...],
        sources: dict[str, np.ndarray] | None,
        keys: tuple[int, ...],
        parts: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """What new deals add to the metrics at positions `keys` of the engine's keys: (trials,
        len(months), len(keys)). Kept for the last deal drivers of each (`months`, `keys`): a
        change to ledger-only drivers does not redo it. Fills `parts` with the sum over trials
        at the last month from each kind of source (DEAL_PARTS): the total, split in the shares
        the deals themselves give (so the parts add up to the total)."""
        last = self._result.get((months, keys))
        if sources is None and last is not None and last[0] == setup.deal_key:
            out, split = last[1], last[2]
        else:
            out = np.zeros((self.store.trials, len(months), len(keys)))
            split = np.zeros((len(DEAL_PARTS), len(keys)))

            if sources is None:  # units on threads (each writes its own trials)
                units = self.units()

                def one(u: int, _: int) -> np.ndarray:
                    span, chunks = units[u]
                    lo = chunks[0][0] * CHUNK
                    hi = lo + sum(n for _, n in chunks)
                    own = np.zeros_like(split)
                    whole = len(chunks) == len(self.store.spans()[span])
                    deals = self.unit_deals(setup, u)
                    cut = None if whole else len(deals[0])  # a half span: in one run
                    self._kernel(setup, months, out[lo:hi], None, keys, deals, own, cut)
                    return own

                owns = fused.in_parallel(one, [(u, 0) for u in range(len(units))])
                # each span's sum: its halves' added in order, as its kernel adds its halves
                per_span: list[np.ndarray] = []
                for (span, _), own in zip(units, owns, strict=True):
                    if span == len(per_span):
                        per_span.append(0 + own)
                    else:
                        per_span[span] = per_span[span] + own
            else:  # per-source sums are shared: one span after another
                per_span = []
                for span, chunks in enumerate(self.store.spans()):
                    lo = chunks[0][0] * CHUNK
                    hi = lo + sum(n for _, n in chunks)
                    own = np.zeros_like(split)
                    deals = self.deals(setup, span)
                    self._kernel(setup, months, out[lo:hi], sources, keys, deals, own)
                    per_span.append(own)
            split += sum(per_span, np.zeros_like(split))
            self._result[(months, keys)] = (setup.deal_key, out, split)
        if parts is not None:
            total = out[:, -1, :].sum(axis=0)
            weight = split.sum(axis=0)
            share = np.divide(split, weight, out=np.zeros_like(split), where=weight != 0)
            for name, row in zip(DEAL_PARTS, share, strict=True):
                parts[name] = row * total
        return out

    def by_source(self, setup: Setup, chosen: np.ndarray, keys: tuple[int, ...]) -> np.ndarray:
        """(trials, len(chosen), len(keys)): what the deals of each source at positions
        `chosen` of `setup.sources` add to the metrics at positions `keys` by December, trial
        by trial, in one pass. A source's deals are its own draws (its key), so each column is
        what a forecast holding that source alone adds over one holding none of them: every
        slot of a roadshow plan at once, where one pass per slot gave the same numbers. Only
        these sources' deals are made (not the unit's others), source by source: each (trial,
        source) is a row of its own, summed at December in its deals' own order (as `deals`
        has them, so the same sums), and no trial order is needed."""
        n = len(chosen)
        out = np.zeros((self.store.trials, n, len(keys)))
        months = (12,)
        for _, chunks in self.units():
            lo, count = chunks[0][0] * CHUNK, sum(size for _, size in chunks)
            made = [self._source_deals(chunks, setup.sources[si], setup) for si in chosen]
            trial = np.concatenate([t for t, _ in made]) if made else np.zeros(0, np.intp)
            if not len(trial):
                continue
            codes = [m for _, m in made]
            by_mark = np.ascontiguousarray(np.concatenate(codes).T)
            marks = self._marks_for(setup, chunks, [int(si) for si in chosen], codes, by_mark)
            sizes = [len(t) for t, _ in made]
            column = np.repeat(np.arange(n), sizes)
            picked = (
                trial.astype(np.int64) * n + column,  # the row of each deal
                np.asarray(chosen, np.intp)[column],
                by_mark,
                marks,
            )
            # two halves of whole sources (no row in both), near half the deals each
            ends = np.cumsum(sizes)
            cut = int(ends[np.argmin(np.abs(ends - len(trial) / 2))])
            flat = out[lo : lo + count].reshape(count * n, 1, len(keys))
            self._kernel(setup, months, flat, None, keys, picked, cut=cut)
        return out

    def _kernel(
        self,
        setup: Setup,
        months: tuple[int, ...],
        out: np.ndarray,
        sources: dict[str, np.ndarray] | None,
        keys: tuple[int, ...],
        deals: SpanDeals,
        split: np.ndarray | None = None,
        cut: int | None = None,
    ) -> None:
        """What `deals` (as `unit_deals` gives them, or picked by `by_source`) add to the
        metrics at positions `keys`, at `months` (into `out`, whose rows are their trials), and
        at December by kind of source (into `split`). The deals run in two halves at once, split
        at `cut` (default: at half the trials, the deals in trial order; all of them: one run);
        the two must share no row of `out`."""
        trial, src, code, marks = deals
        if not len(trial):
            return
        t = setup.tables
        sign, size, foreign, is500, hit = marks
        family = self.families
        part = setup.src["part"][src]
        if keys != tuple(range(len(self.keys))):
            hit, family = np.ascontiguousarray(hit[:, list(keys)]), family[list(keys)]
        fx = np.zeros(len(keys), np.float32)
        for r, k in enumerate(keys):
            if family[r] == fused.MONEY:
                fx[r] = setup.deal_fx[k]
        at = np.array(months, np.int64)
        start_code, produce_code, share_code = (
            code[MARK_INDEX[x]] for x in ("start", "produce", "share")
        )

        def run(lo: int, hi: int) -> np.ndarray:
            """The deals lo:hi (whole trials): what they add, and their split."""
            own = np.zeros((len(DEAL_PARTS), len(keys)))
            fused.deal_span(
                trial[lo:hi],
                sign[lo:hi],
                size[lo:hi],
                start_code[lo:hi],
                produce_code[lo:hi],
                share_code[lo:hi],
                t["T:chain"],
                t["P:chain"],
                t["R:none"],
                hit[lo:hi],
                family,
                fx,
                part[lo:hi],
                at,
                out,
                own,
            )
            return own

        if cut is None:
            cut = int(np.searchsorted(trial, len(out) // 2))  # two halves of whole trials
        halves = [(0, cut), (cut, len(trial))] if cut < len(trial) else [(0, cut)]
        own = fused.in_parallel(run, halves)
        if split is not None:
            split += sum(own)
        if sources is not None:
            start = sign + _take(t["T:chain"], code[MARK_INDEX["start"]])
            rate = size * _take(t["R:none"], code[MARK_INDEX["share"]]) * np.float32(1 / 12)
            ns = len(setup.sources)
            paid = rate * np.maximum(13 - start, 0)
            sources["signings"] += np.bincount(src, weights=sign <= 12, minlength=ns)
            sources["signings_500"] += np.bincount(src, weights=(sign <= 12) & is500, minlength=ns)
            sources["capital"] += np.bincount(src, weights=paid, minlength=ns)
            sources["domestic"] += np.bincount(
                src, weights=np.where(foreign, 0, paid), minlength=ns
            )

    def _marks_of(self, setup: Setup, code: np.ndarray, si: np.ndarray) -> tuple[np.ndarray, ...]:
        """Deals (codes[marks, deal]) of the sources at positions `si` (one per deal): signing
        month, size, foreign, 500强, and hit[deal, metric]: whether the deal counts for each of
        the engine's metrics (its `where`, and for money its capital type). Deal by deal: the
        deals of many sources at once give each the marks it has alone."""
        d, t, a = setup.drivers, setup.tables, setup.src
        lag = a["lag"][si, code[MARK_INDEX["lag"]]]
        lead = a["first"][si] + (
            (code[MARK_INDEX["month"]].astype(np.int32) * a["spread"][si]) >> draws.BITS
        )
        sign = np.minimum(lead + (lag + d.slip_months), draws.OUT).astype(np.int32)
        size = a["size"][si] * _take(t["size"], code[MARK_INDEX["size"]])
        foreign = code[MARK_INDEX["foreign"]] < a["foreign"][si]
        is500 = code[MARK_INDEX["is500"]] < a["is500"][si]
        four = code[MARK_INDEX["four_new"]] < draws.threshold(d.four_new_share)
        attrs = {"size": size, "foreign": foreign, "is500": is500, "four_new": four}
        hit = np.ones((code.shape[1], len(self.keys)), bool)
        month = {"sign": sign}
        for r, key in enumerate(self.keys):
            m = self.defs[key]
            match = declared.deal_match(
                declared.deal_metric(self.layout, key), attrs, code, self.deal_shares.get(key)
            )
            if match is not None:
                hit[:, r] = match
            window = declared.deal_window(self.layout, key)
            if window is not None:  # its milestone's own month in the window
                family, first, last = window
                if family not in month:
                    start = np.minimum(
                        sign + _take(t["T:chain"], code[MARK_INDEX["start"]]), draws.OUT
                    )
                    month["start"] = start
                    month["produce"] = start + _take(t["P:chain"], code[MARK_INDEX["produce"]])
                hit[:, r] &= (month[family] >= first) & (month[family] <= last)
            if m.kind == "money" and m.capital_type == "domestic":
                hit[:, r] &= ~foreign
            elif m.kind == "money" and m.capital_type == "foreign":
                hit[:, r] &= foreign
        return sign, size, foreign, is500, hit

    @cached_property
    def window_families(self) -> set[str]:
        """The milestone families a new deal's windowed metrics judge its month at."""
        return {w[0] for key in self.keys if (w := declared.deal_window(self.layout, key))}

    @cached_property
    def families(self) -> np.ndarray:
        """How a new deal counts for each of the engine's metrics: fused.MONEY, or the
        milestone a count metric counts it at (new deals have not signed yet)."""
        out = np.full(len(self.keys), fused.NONE, np.int64)
        at: dict[str | None, int] = {
            "sign": fused.SIGN,
            "start": fused.START,
            "produce": fused.PRODUCE,
        }
        for r, key in enumerate(self.keys):
            m = self.defs[key]
            if m.kind == "money":
                out[r] = fused.MONEY
            else:
                out[r] = at.get(declared.counting_family(m, "pre"), fused.NONE)
        return out

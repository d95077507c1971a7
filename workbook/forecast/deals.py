"""New deals in the simulation: offices, platforms and planned events bring leads that sign
after a lag as deals with a size, a foreign share, a 500强 share and a 四新 share, then start
and pay like a project without a plan.

A mixin of `workbook.forecast.engine.Engine`: the methods read the engine's draws."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import sparse

from workbook.forecast import declared, draws
from workbook.forecast.setup import (
    _DEAL_MARKS,
    _M,
    BLOCK,
    CHUNK,
    DEAL_PARTS,
    DEAL_SPAN,
    Source,
    _Setup,
    _take,
)


class DealKernels:
    """The new deals' part of a forecast (mixed into Engine)."""

    def _spans(self) -> list[list[tuple[int, int]]]:
        """Chunks grouped into spans of DEAL_SPAN chunks: new deals are simulated span by span."""
        chunks = self._chunks()
        return [chunks[i : i + DEAL_SPAN] for i in range(0, len(chunks), DEAL_SPAN)]

    def _deals(self, setup: _Setup, span: int) -> tuple[Any, ...]:
        """The new deals of one span of trials: (trial within the span, source, codes[marks,
        deal], trial-sum matrix). Which slots hold a deal depends only on each source's
        expected number of deals, so the compacted deals are kept per (source, chunk, mean):
        a driver change that keeps the means reuses them."""
        signature = (tuple((s.key, s.expected_signings) for s in setup.sources), setup.climate)
        last = self._deals_last.get(span)
        if last is not None and last[0] == signature:
            return last[1]
        chunks = self._spans()[span]
        lo = chunks[0][0] * CHUNK
        trial, src, marks = [], [], []
        for si, s in enumerate(setup.sources):
            for c, n in chunks:
                t_idx, m = self._source_deals(c, n, s, setup)
                trial.append(t_idx + (c * CHUNK - lo))
                src.append(np.full(len(t_idx), si, np.intp))
                marks.append(m)
        t_all = np.concatenate(trial) if trial else np.zeros(0, np.intp)
        s_all = np.concatenate(src) if src else np.zeros(0, np.intp)
        m_all = (
            np.concatenate(marks, axis=1) if marks else np.zeros((len(_DEAL_MARKS), 0), np.uint16)
        )
        # Sums per trial as one sparse product: agg[t, d] = 1 when deal d is in trial t.
        ones = np.ones(len(t_all), np.float32)
        shape = (sum(n for _, n in chunks), len(t_all))
        agg = sparse.csr_matrix((ones, (t_all, np.arange(len(t_all)))), shape=shape)
        out = (t_all, s_all, m_all, agg)
        self._deals_last[span] = (signature, out)
        return out

    def _source_deals(
        self, c: int, n: int, s: Source, setup: _Setup
    ) -> tuple[np.ndarray, np.ndarray]:
        """One source's deals in one chunk: (trial of each deal, codes[marks, deal]). Trial t
        has `k[t]` deals; the first `room[t]` come from the pool, any more from overflow
        blocks, so a larger mean only ever adds deals to a trial."""
        key = (s.key, c, s.expected_signings, setup.climate)
        hit = self._active.get(key)
        if hit is not None:
            return hit
        u = self._source_u(c, n, s.key)
        # The pool's room follows the plain draws (so the pool never changes); the count of
        # deals follows the trial's climate, any beyond the room from overflow blocks.
        k = draws.poisson_counts(self.climate_u(c, n, u, setup), s.expected_signings)
        room = draws.poisson_counts(u, s.cap)
        pool = self._source_pool(c, s, room)
        take = np.minimum(k, room)
        first = np.repeat(np.cumsum(room) - room - (np.cumsum(take) - take), take)
        trial = [np.repeat(np.arange(n), take)]
        marks = [pool[first + np.arange(int(take.sum()))].T]
        over = k - take
        for b in range(math.ceil(int(over.max(initial=0)) / BLOCK)):
            block = self._overflow_block(c, n, s.key, b)
            slot = np.arange(b * BLOCK, (b + 1) * BLOCK)
            t_idx, j_idx = np.nonzero(slot[None, :] < over[:, None])
            trial.append(t_idx)
            marks.append(block[t_idx, :, j_idx].T)
        hit = np.concatenate(trial), np.ascontiguousarray(np.concatenate(marks, axis=1))
        if len(self._active) > 4096:  # derived data: drop it all rather than grow without end
            self._active.clear()
        self._active[key] = hit
        return hit

    def _deal_part(
        self,
        setup: _Setup,
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
        last = self._deal_result.get((months, keys))
        if sources is None and last is not None and last[0] == setup.deal_key:
            out, split = last[1], last[2]
        else:
            out = np.zeros((self.trials, len(months), len(keys)))
            split = np.zeros((len(DEAL_PARTS), len(keys)))
            for span, chunks in enumerate(self._spans()):
                lo = chunks[0][0] * CHUNK
                hi = lo + sum(n for _, n in chunks)
                self._deal_kernel(setup, span, months, out[lo:hi], sources, keys, split)
            self._deal_result[(months, keys)] = (setup.deal_key, out, split)
        if parts is not None:
            total = out[:, -1, :].sum(axis=0)
            weight = split.sum(axis=0)
            share = np.divide(split, weight, out=np.zeros_like(split), where=weight != 0)
            for name, row in zip(DEAL_PARTS, share, strict=True):
                parts[name] = row * total
        return out

    def _deal_kernel(
        self,
        setup: _Setup,
        span: int,
        months: tuple[int, ...],
        out: np.ndarray,
        sources: dict[str, np.ndarray] | None,
        keys: tuple[int, ...],
        split: np.ndarray | None = None,
    ) -> None:
        trial, src, code, agg = self._deals(setup, span)
        if not len(trial):
            return
        d, t, a = setup.drivers, setup.tables, setup.src
        # Deals come grouped by source: per-source values are repeated, not gathered.
        per_src = np.bincount(src, minlength=len(setup.sources))
        bounds = np.concatenate([[0], np.cumsum(per_src)])
        # The deals' signing month, size and marks, and which deals each metric's `where`
        # holds for, do not depend on the drivers of starting, producing or paying: kept per
        # span for the drivers they do depend on.
        slot = ("deal-marks", span)
        memo_key = (
            id(code),
            keys,
            d.slip_months,
            d.size_sigma,
            d.four_new_share,
            *(a[x].tobytes() for x in ("lag", "first", "spread", "size", "foreign", "is500")),
        )
        kept = self._memo.get(slot, memo_key)
        if kept is None:
            kept = (*self._deal_marks(setup, code, src, per_src, bounds, keys), code)
            self._memo.put(slot, memo_key, kept)
        sign, size, foreign, is500, match = kept[:5]
        start = sign + _take(t["T:chain"], code[_M["start"]])
        rate = size * _take(t["R:none"], code[_M["share"]]) * np.float32(1 / 12)  # 亿元 a month
        # One contiguous row per metric asked for (a metric's sums do not depend on the others).
        # Laid out (deals, metrics) so the sparse product reads it as it is, without a copy.
        vt = np.empty((len(trial), len(keys)), np.float32)
        v = vt.T
        col = {self.keys[k]: row for k, row in zip(keys, v, strict=True)}
        defs = self.defs
        # A deal counts at its first milestone the metric counts (new deals have not signed yet).
        first = {k: declared.counting_family(defs[k], "pre") for k in col}
        produce = None
        if "produce" in first.values():
            produce = start + _take(t["P:chain"], code[_M["produce"]])
        fx_of = {}  # the money metrics asked for: CNY -> their unit, per deal
        for k in col:
            m = defs[k]
            if m.kind != "money":
                continue
            fx = setup.deal_fx[self.keys.index(k)]
            hit = match[k]
            if m.capital_type == "domestic":
                hit = ~foreign if hit is None else hit & ~foreign
            elif m.capital_type == "foreign":
                hit = foreign if hit is None else hit & foreign
            fx_of[k] = (
                np.full(len(trial), fx, np.float32)
                if hit is None
                else np.where(hit, fx, 0).astype(np.float32)
            )
        for j, m in enumerate(months):
            if fx_of:
                paid = rate * np.maximum(m + 1 - start, 0)
                for name, fx in fx_of.items():
                    np.multiply(paid, fx, out=col[name])
            if len(fx_of) < len(col):  # count metrics asked for too
                reached = {"sign": sign <= m, "start": start <= m}
                if produce is not None:
                    reached["produce"] = produce <= m
                for name, row in col.items():
                    if name in fx_of:
                        continue
                    family = first[name]
                    if family is None:
                        row[:] = 0
                    elif match[name] is None:
                        row[:] = reached[family]
                    else:
                        row[:] = reached[family] & match[name]
            out[:, j, :] += agg @ vt
        if split is not None:  # the last month's values, by kind of source
            kind = setup.src["part"][src]
            for r in range(len(keys)):
                split[:, r] += np.bincount(kind, weights=v[r], minlength=len(DEAL_PARTS))
        if sources is not None:
            ns = len(setup.sources)
            paid = rate * np.maximum(13 - start, 0)
            sources["signings"] += np.bincount(src, weights=sign <= 12, minlength=ns)
            sources["signings_500"] += np.bincount(src, weights=(sign <= 12) & is500, minlength=ns)
            sources["capital"] += np.bincount(src, weights=paid, minlength=ns)
            sources["domestic"] += np.bincount(
                src, weights=np.where(foreign, 0, paid), minlength=ns
            )

    def _deal_marks(
        self,
        setup: _Setup,
        code: np.ndarray,
        src: np.ndarray,
        per_src: np.ndarray,
        bounds: np.ndarray,
        keys: tuple[int, ...],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray | None]]:
        """Per deal: signing month, size, foreign, 500强, and which deals each metric asked
        for holds for (None: every deal)."""
        d, t, a = setup.drivers, setup.tables, setup.src

        def each(values: np.ndarray) -> np.ndarray:
            return np.repeat(values, per_src)

        lag = np.empty(code.shape[1], np.int8)
        for si in range(len(setup.sources)):
            lo, hi = bounds[si], bounds[si + 1]
            np.take(a["lag"][si], code[_M["lag"], lo:hi], mode="clip", out=lag[lo:hi])
        spread = each(a["spread"])
        lead = each(a["first"]) + ((code[_M["month"]].astype(np.int32) * spread) >> draws.BITS)
        sign = np.minimum(lead + (lag + d.slip_months), draws.OUT)  # int32
        size = each(a["size"]) * _take(t["size"], code[_M["size"]])
        foreign = code[_M["foreign"]] < each(a["foreign"])
        is500 = code[_M["is500"]] < each(a["is500"])
        four = code[_M["four_new"]] < draws.threshold(d.four_new_share)
        attrs = {"size": size, "foreign": foreign, "is500": is500, "four_new": four}
        match = {
            self.keys[k]: declared.deal_match(
                self.defs[self.keys[k]], attrs, code, self.deal_shares.get(self.keys[k])
            )
            for k in keys
        }
        return sign, size, foreign, is500, match

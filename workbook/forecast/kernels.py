"""Ledger projects in the simulation: each group of projects (one stage, one plan status) in
one chunk of trials, month by month or at given months, and the month histograms of a fan.

A mixin of `workbook.forecast.engine.Engine`: the methods read the engine's draws and groups."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from workbook.forecast import draws
from workbook.forecast.setup import (
    _EVERYTHING,
    _STARTED,
    CHUNK,
    PRE_SIGN,
    _Group,
    _row_count,
    _running_sum,
    _Setup,
    _take,
)


class LedgerKernels:
    """The ledger projects' part of a forecast (mixed into Engine)."""

    def _run(
        self,
        setup: _Setup,
        months: tuple[int, ...],
        projects: dict[str, np.ndarray] | None = None,
        sources: dict[str, np.ndarray] | None = None,
        keys: tuple[int, ...] | None = None,
        parts: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Future value (on top of facts) at the end of each of `months` of every metric, or of
        the metrics at positions `keys` of the engine's keys only: (trials, len(months),
        len(keys)). Fills per-project and per-source sums if given, and `parts` (every metric,
        months given one by one): the sum over trials at the last month of what each stage's
        ledger projects ("stage:<stage>") and each kind of source of new deals ("offices",
        "platforms", "events") add. A metric's values do not depend on which other metrics are
        asked for."""
        keys = tuple(range(len(self.keys))) if keys is None else tuple(keys)
        out = np.zeros((self.trials, len(months), len(keys)))
        if self.future <= 0:
            return out
        by_month = len(months) > 2 and months == tuple(range(months[0], 13))
        if not by_month and len(keys) < len(self.keys):
            # Month by month, products give every metric at once (and a product's sums may
            # depend on the columns it holds): take the metrics asked for from all of them.
            return self._run(setup, months, projects, sources)[:, :, list(keys)]
        assert parts is None or not by_month
        for c, n in self._chunks():
            lo = c * CHUNK
            part = out[lo : lo + n]
            hist = _MonthHist(n, months, keys, self.n_money) if by_month else None
            for gi, g in enumerate(self.groups):
                before = None if parts is None else part[:, -1, :].sum(axis=0)
                self._group_kernel(setup, c, n, gi, g, months, part, projects, hist)
                if parts is not None:
                    added = part[:, -1, :].sum(axis=0) - before
                    parts[f"stage:{g.stage}"] = parts.get(f"stage:{g.stage}", 0) + added
            if hist is not None:
                hist.add_to(part)
        out += self._deal_part(setup, months, sources, keys, parts)
        return out

    def _group_kernel(
        self,
        setup: _Setup,
        c: int,
        n: int,
        gi: int,
        g: _Group,
        months: tuple[int, ...],
        out: np.ndarray,
        projects: dict[str, np.ndarray] | None,
        hist: _MonthHist | None = None,
    ) -> None:
        """One group of ledger projects in one chunk of trials: what they add to every
        metric at the end of each of `months` (or, for a fan, into `hist`: only what the
        metrics it holds need is simulated)."""
        need = _EVERYTHING if hist is None else hist.needs(g)
        if not need:
            return
        t = setup.tables
        if g.stage in PRE_SIGN and setup.sparse[g.stage] and setup.climate is not None:
            # Few sign: find the pairs that do on the plain codes, move only theirs.
            table = t[f"S:{g.stage}"]
            nz, moved = self._sparse_moved(c, n, g, setup.climate, table)
            sign = _take(table, moved["S"])
            self._sparse_kernel(setup, c, n, gi, g, moved, sign, months, out, projects, hist, nz)
            return
        codes = self._group_codes(c, n, g, setup.climate)
        code = dict(zip(g.kinds, codes, strict=True))
        sign = start = produce = share = year = None
        dense = g.stage not in PRE_SIGN or not setup.sparse[g.stage]
        # The milestones' counts and start months depend only on the month tables: kept per
        # (chunk, group) for them, so a change of money drivers only redoes the money.
        memo = dense and hist is None and projects is None
        slot, memo_key, counted = ("dense", c, gi), None, None
        if memo:
            memo_key = (n, months, setup.climate, *_milestone_ids(setup, gi, g))
            counted = self._memo.get(slot, memo_key)
        if counted is not None:
            start = counted[1]
        elif g.stage in PRE_SIGN:
            sign = _take(t[f"S:{g.stage}"], code["S"])
            if not dense:
                self._sparse_kernel(setup, c, n, gi, g, code, sign, months, out, projects, hist)
                return
            if need & _STARTED:
                start = sign + _take(t["T:chain"], code["T"])
            if "produce" in need:
                produce = start + _take(t["P:chain"], code["P"])
        elif g.stage == "signed":
            if need & _STARTED:
                start = _first(setup, gi, t["T:first"], code["T"])
            if "produce" in need:
                produce = start + _take(t["P:chain"], code["P"])
        elif g.stage == "started" and "produce" in need:
            produce = _first(setup, gi, t["P:first"], code["P"])
        w_money = setup.money_w[gi]
        if "money" in need:
            share = _take(t["R:plan"] if g.has_plan else t["R:none"], code["R"])
            if setup.floors[gi] is not None:  # without a plan: less what arrived
                share = np.maximum(share - setup.floors[gi], 0, out=share)
            if "T" not in g.kinds:  # started: what is still to come, evenly to December
                year = share @ w_money
        if hist is not None:
            self._by_month(setup, n, gi, g, (sign, start, produce), share, year, months, out, hist)
            months = ()  # done: the fan's months in a few passes
        nm = self.n_money
        if counted is not None:  # integer counts: the same sums in any order
            out[:, :, nm:] += counted[0]
        elif memo:
            before = out[:, :, nm:].copy()

        def add_money(j: int, m: int) -> None:
            """Money paid by the end of month m into out[:, j]: a year's share pro rata, or
            each project's monthly rate over its months of paying (capped where netted)."""
            if year is not None:
                out[:, j, :nm] += year * ((m - self.month) / self.future)
                return
            paying = np.maximum(m + 1 - start, 0)
            if setup.caps[gi] is not None:
                paying = np.minimum(paying, setup.caps[gi])
            out[:, j, :nm] += (share * paying) @ w_money

        for j, m in enumerate(months):
            if counted is not None:
                add_money(j, m)
                continue
            counts = out[:, j, nm:]
            if sign is not None and len(g.sel_sign):
                counts += (sign[:, g.sel_sign] <= m).astype(np.float32) @ g.w_sign
            if start is not None:
                hit = start <= m
                if "start" in g.every:
                    counts[:, g.every["start"]] += _row_count(hit)
                if len(g.sel_start):
                    counts += hit[:, g.sel_start].astype(np.float32) @ g.w_start
            if produce is not None:
                hit = produce <= m
                if "produce" in g.every:
                    counts[:, g.every["produce"]] += _row_count(hit)
                if len(g.sel_produce):
                    counts += hit[:, g.sel_produce].astype(np.float32) @ g.w_produce
            add_money(j, m)
        if memo and counted is None:
            added = (out[:, :, nm:] - before).astype(np.float32)
            self._memo.put(slot, memo_key, (added, start, _milestone_tables(setup, gi, g)))
        if projects is not None:
            cols = g.cols
            if sign is not None:
                projects["sign"][cols] += np.count_nonzero(sign <= 12, axis=0)
            if start is not None:
                projects["start"][cols] += np.count_nonzero(start <= 12, axis=0)
                paying = np.maximum(13 - start, 0)
                if setup.caps[gi] is not None:
                    paying = np.minimum(paying, setup.caps[gi])
                amount = share * paying
            else:
                amount = share
            amount = amount * setup.scale[cols].astype(np.float32)
            projects["money"][cols] += np.count_nonzero(amount > 0, axis=0)
            projects["amount"][cols] += amount.sum(axis=0, dtype=np.float64)

    def _by_month(
        self,
        setup: _Setup,
        n: int,
        gi: int,
        g: _Group,
        milestones: tuple[np.ndarray | None, ...],
        share: np.ndarray | None,
        year: np.ndarray | None,
        months: tuple[int, ...],
        out: np.ndarray,
        hist: _MonthHist,
    ) -> None:
        """Every month from the first after the as-of month to December at once (a dense
        group): milestones counted by (trial, month), money by the month it starts flowing
        (summed up month after month by `hist`): what the per-month loop gives, in a few
        passes. Only the metrics `hist` holds."""
        rows = (np.arange(n, dtype=np.int32) * (draws.OUT + 1))[:, None]
        for family, x in zip(("sign", "start", "produce"), milestones, strict=True):
            if x is None:
                continue
            for k in g.metrics_of[family]:
                if not hist.wants(k):
                    continue
                cols = np.flatnonzero(g.full[family][:, k - self.n_money])
                hist.count(k, rows, x if len(cols) == x.shape[1] else x[:, cols])
        if share is not None and year is None:
            w_money = setup.money_w[gi]
            start = milestones[1]
            assert start is not None
            cap = setup.caps[gi]
            for cur in range(self.n_money):
                cols = np.flatnonzero(w_money[:, cur])
                if len(cols) and hist.wants(cur):
                    rate = share[:, cols] * w_money[cols, cur]
                    hist.pay(cur, rows, start[:, cols], rate, None if cap is None else cap[cols])
        if year is not None:  # started: evenly over the months left
            elapsed = (np.array(months) - self.month) / self.future
            for cur in range(self.n_money):
                if hist.wants(cur):
                    out[:, :, hist.slot[cur]] += year[:, cur, None] * elapsed[None, :]

    def _sparse_kernel(
        self,
        setup: _Setup,
        c: int,
        n: int,
        gi: int,
        g: _Group,
        code: dict[str, np.ndarray],
        sign: np.ndarray,
        months: tuple[int, ...],
        out: np.ndarray,
        projects: dict[str, np.ndarray] | None,
        hist: _MonthHist | None = None,
        nz: np.ndarray | None = None,
    ) -> None:
        """A stage before signing where few trials sign within the year (leads, contacts):
        only the (trial, project) pairs that sign by December go on, summed per trial by a
        sparse product. Same draws, same result as the dense path. For a fan (`hist`), only
        what the metrics it holds need. With `nz` (the flat positions of the pairs that
        sign), `code` and `sign` hold those pairs' values only."""
        t = setup.tables
        need = _EVERYTHING if hist is None else hist.needs(g)
        k = len(g.cols)
        if nz is None:
            nz = np.flatnonzero(sign <= 12)
            s_ = sign.ravel()[nz]

            def at(kind: str) -> np.ndarray:
                return code[kind].ravel()[nz]
        else:
            s_ = sign

            def at(kind: str) -> np.ndarray:
                return code[kind]

        rows, cols = np.divmod(nz, k)
        st = pr = share = None
        # The pairs' counts depend only on the month tables: kept per (chunk, group).
        slot, memo_key, counted = ("sparse-run", c, gi), None, None
        if hist is None and projects is None:
            ids = tuple(id(t[x]) for x in (f"S:{g.stage}", "T:chain", "P:chain"))
            memo_key = (n, months, setup.climate, *ids)
            counted = self._memo.get(slot, memo_key)
        if counted is not None:
            st = counted[1]
        elif need & _STARTED:
            st = s_ + _take(t["T:chain"], at("T"))
        if "produce" in need and counted is None:
            pr = st + _take(t["P:chain"], at("P"))
        if "money" in need:
            share = _take(t["R:plan"] if g.has_plan else t["R:none"], at("R"))
            if setup.floors[gi] is not None:
                share = np.maximum(share - setup.floors[gi][cols], 0, out=share)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])

        def per_trial(values: np.ndarray, w: np.ndarray) -> np.ndarray:
            """Σ over the group's (trial, project) pairs of value x the project's weights."""
            m = sparse.csr_matrix((values.astype(np.float32), cols, indptr), shape=(n, k))
            return m @ w

        if hist is not None:
            base = rows.astype(np.int32) * (draws.OUT + 1)
            for family, x in (("sign", s_), ("start", st), ("produce", pr)):
                if x is None:
                    continue
                for k in g.metrics_of[family]:
                    if not hist.wants(k):
                        continue
                    w = g.full[family][cols, k - self.n_money]  # the signing pairs' weights
                    if w.any():
                        hist.count(k, base, x, w)
            if share is not None:
                cap = setup.caps[gi]
                for cur in range(self.n_money):
                    if hist.wants(cur):
                        rate = share * setup.money_w[gi][cols, cur]
                        hist.pay(cur, base, st, rate, None if cap is None else cap[cols])
            months = ()
        cap = None if setup.caps[gi] is None else setup.caps[gi][cols]

        def paying(m: int) -> np.ndarray:
            months = np.maximum(m + 1 - st, 0)
            return months if cap is None else np.minimum(months, cap)

        added = (
            None
            if memo_key is None
            else np.zeros((n, len(months), out.shape[2] - self.n_money), np.float32)
        )
        for j, m in enumerate(months):
            if counted is not None:
                counts = counted[0][:, j]
            else:
                counts = per_trial(s_ <= m, g.full["sign"])
                counts += per_trial(st <= m, g.full["start"])
                counts += per_trial(pr <= m, g.full["produce"])
                if added is not None:
                    added[:, j] = counts
            out[:, j, self.n_money :] += counts
            out[:, j, : self.n_money] += per_trial(share * paying(m), setup.money_w[gi])
        if added is not None and counted is None:
            tables = tuple(t[x] for x in (f"S:{g.stage}", "T:chain", "P:chain"))
            self._memo.put(slot, memo_key, (added, st, tables))
        if projects is not None:
            amount = share * paying(12) * setup.scale[g.cols][cols].astype(np.float32)
            projects["sign"][g.cols] += np.bincount(cols, minlength=k)
            projects["start"][g.cols] += np.bincount(cols, weights=st <= 12, minlength=k)
            projects["money"][g.cols] += np.bincount(cols, weights=amount > 0, minlength=k)
            projects["amount"][g.cols] += np.bincount(cols, weights=amount, minlength=k)


def _milestone_tables(setup: _Setup, gi: int, g: _Group) -> tuple[np.ndarray, ...]:
    """The month tables a group's milestones read (the first milestone's own, stacked per
    months waited, when some have waited)."""
    t = setup.tables
    own = (t[f"S:{g.stage}"],) if g.stage in PRE_SIGN else ()
    stuck = setup.stuck.get(gi)
    waited = () if stuck is None else stuck
    return (*own, t["T:chain"], t["P:chain"], t["T:first"], t["P:first"], *waited)


def _milestone_ids(setup: _Setup, gi: int, g: _Group) -> tuple[int, ...]:
    """Identities of the tables a group's milestones read: tables are cached and read-only,
    and a memo entry holds its tables, so an identity is never reused while it is kept."""
    return tuple(id(x) for x in _milestone_tables(setup, gi, g))


def _first(setup: _Setup, gi: int, table: np.ndarray, code: np.ndarray) -> np.ndarray:
    """The month of a group's first milestone: one table for all, or each project's own
    (given the months it has waited) from the stacked tables."""
    stuck = setup.stuck.get(gi)
    if stuck is None:
        return _take(table, code)
    tables, offset = stuck
    return _take(tables, code + offset)


class _MonthHist:
    """Per-trial values for every month of a fan, built from (trial, month) histograms: a
    count of milestones in each month, or money that starts flowing in each month (at a
    monthly rate, so its cumulative value is a double running sum). Holds the metrics at
    positions `keys` of the engine's keys, in that order."""

    def __init__(self, n: int, months: tuple[int, ...], keys: tuple[int, ...], n_money: int = 2):
        self.n, self.first = n, months[0]
        self.n_money = n_money  # keys below it are money metrics
        self.slot = {k: i for i, k in enumerate(keys)}
        self.counts = np.zeros((len(months), len(keys), n))  # month-major: fast running sums
        self.flows = np.zeros((len(months), len(keys), n))

    def wants(self, k: int) -> bool:
        return k in self.slot

    def needs(self, g: _Group) -> frozenset[str]:
        """What a group must simulate for the metrics held: the milestone families that
        count for one of them, and money for a money metric."""
        out = {f for f, ks in g.metrics_of.items() if any(self.wants(k) for k in ks)}
        if any(self.wants(k) for k in range(self.n_money)):
            out.add("money")
        return frozenset(out)

    def _hist(self, rows: np.ndarray, x: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        slots = draws.OUT + 1
        idx = (rows + np.minimum(x, draws.OUT)).ravel()
        w = None if weights is None else np.broadcast_to(weights, x.shape).ravel()
        h = np.bincount(idx, weights=w, minlength=self.n * slots).reshape(self.n, slots)
        return h[:, self.first : draws.OUT]

    def count(self, k: int, rows: np.ndarray, x: np.ndarray, weights: np.ndarray | None = None):
        self.counts[:, self.slot[k], :] += self._hist(rows, x, weights).T

    def pay(
        self,
        k: int,
        rows: np.ndarray,
        start: np.ndarray,
        rate: np.ndarray,
        cap: np.ndarray | None = None,
    ) -> None:
        """Money flowing at `rate` a month from `start`, for at most `cap` months (K whole
        and a part f: the flow stops by (1 - f)·rate at start + K and f·rate a month later)."""
        flows = self.flows[:, self.slot[k], :]
        flows += self._hist(rows, start, rate).T
        if cap is None:
            return
        whole = np.floor(cap)
        part = (cap - whole).astype(np.float32)
        stop = start + whole.astype(np.int32)
        flows -= self._hist(rows, stop, rate * (1 - part)).T
        flows -= self._hist(rows, stop + 1, rate * part).T

    def add_to(self, out: np.ndarray) -> None:
        """out[trial, month, metric] += cumulative values (the histograms are used up)."""
        total = _running_sum(self.counts) + _running_sum(_running_sum(self.flows))
        out += total.transpose(2, 0, 1)

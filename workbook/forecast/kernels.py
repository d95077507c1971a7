"""Ledger projects in the simulation: every ledger project in one chunk of trials, through the
compiled passes of `workbook.forecast.fused`, at December or month by month.

`LedgerPass` is built with what it reads (the engine's draws, climate, groups and their
layout, the milestones memo) and composed by `workbook.forecast.engine.Engine`. The projects are laid out once, in the groups' order (stage by stage, so the columns that have
each kind of draw are a prefix of it). At December every (project, trial) becomes a few numbers
(signed, started, produced by then; money paid in units of its monthly amount), "rows" of one
float32 matrix, and every metric of every trial is one matrix product of it with the rows'
weights; month by month, the passes fill per-trial histograms of the metrics asked for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbook.forecast import cachekeys, draws, fused
from workbook.forecast.climate import Climate
from workbook.forecast.memo import Memo
from workbook.forecast.setup import CHUNK, PRE_SIGN, STREAM_PROJECTS, ProjectGroup, Setup
from workbook.forecast.store import DrawStore
from workbook.forecast.windows import LedgerWindows, add_windows

KINDS = ("S", "T", "P", "R")  # kinds of a ledger project's draws, in the fused passes' order
_CLASS = {**{s: fused.PRE_SIGN for s in PRE_SIGN}, "signed": fused.SIGNED}
_CLASS.update({"started": fused.STARTED, "producing": fused.PRODUCING})


@dataclass
class LedgerLayout:
    """The ledger projects in the fused passes' column order, and what does not depend on the
    drivers. Rows of the December matrix: signed (columns with draws S), started (T),
    produced (P), money (R), each block in column order."""

    order: np.ndarray  # column -> position in the ledger
    lo: list[int]  # first column of each group
    width: dict[str, int]  # kind -> how many columns have draws of that kind (a prefix)
    cls: np.ndarray  # stage class of each column
    has_prod: np.ndarray  # its production counts for some metric
    base: dict[str, int]  # kind -> first row of its block
    counts: np.ndarray  # (rows, keys) float32: the count metrics' weights of each row
    stage_rows: dict[str, np.ndarray]  # stage -> the rows of its projects

    @property
    def rows(self) -> int:
        return sum(self.width.values())


def ledger_layout(groups: list[ProjectGroup], n_money: int, n_counts: int) -> LedgerLayout:
    sizes = [len(g.cols) for g in groups]
    lo = [int(x) for x in np.concatenate([[0], np.cumsum(sizes)])[:-1]] if groups else []
    width = dict.fromkeys(KINDS, 0)
    for g, start in zip(groups, lo, strict=True):
        for kind in g.kinds:
            assert width[kind] == start, "each kind's columns must be a prefix"
            width[kind] = start + len(g.cols)
    firsts = np.cumsum([0] + [width[k] for k in KINDS[:-1]])
    base = {k: int(row) for k, row in zip(KINDS, firsts, strict=True)}
    rows = sum(width.values())
    total = sum(sizes)
    cls = np.zeros(total, np.int64)
    counts = np.zeros((rows, n_money + n_counts), np.float32)
    stage_rows: dict[str, list[np.ndarray]] = {}
    for g, start in zip(groups, lo, strict=True):
        cols = np.arange(start, start + len(g.cols))
        cls[cols] = _CLASS[g.stage]
        for family, kind in (("sign", "S"), ("start", "T"), ("produce", "P")):
            if family in g.full:
                counts[base[kind] + cols, n_money:] = g.full[family]
        own = [base[k] + cols for k in g.kinds]
        stage_rows.setdefault(g.stage, []).extend(own)
    has_prod = np.zeros(total, bool)
    has_prod[: width["P"]] = counts[base["P"] : base["P"] + width["P"]].any(axis=1)
    order = np.concatenate([g.cols for g in groups]) if groups else np.zeros(0, np.intp)
    by_stage = {st: np.concatenate(r) for st, r in stage_rows.items()}
    return LedgerLayout(order, lo, width, cls, has_prod, base, counts, by_stage)


@dataclass
class FusedTables:
    """One forecast's month and share tables, stacked, each column's offsets into them, and
    the weights of every row of the December matrix (counts, and money for these drivers)."""

    tabs: np.ndarray
    off: dict[str, np.ndarray]  # kind -> (columns,) offset
    shares: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (rows, keys) float32
    csr: tuple[np.ndarray, np.ndarray, np.ndarray]  # the same as CSR (ptr, key, weight)


def _milestone_key(setup: Setup) -> cachekeys.Key:
    """The memo key of the milestones kept for a forecast: its drivers but those of money and
    of new deals (workbook.forecast.cachekeys)."""
    return setup.driver_keys.without(cachekeys.MILESTONES)


def _csr(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of a (rows, keys) weight matrix as CSR: (ptr, key, weight as float64)."""
    rows, keys = np.nonzero(w)
    ptr = np.zeros(len(w) + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=len(w)), out=ptr[1:])
    return ptr, keys.astype(np.int64), w[rows, keys].astype(np.float64)


class LedgerPass:
    """The ledger projects' part of a forecast, on the draws of `store`."""

    def __init__(
        self,
        store: DrawStore,
        climate: Climate,
        groups: list[ProjectGroup],
        ledger: LedgerLayout,
        windows: LedgerWindows | None,
        paced: np.ndarray,
        n_keys: int,
        n_money: int,
        month: int,
        memo: Memo,
    ):
        self.store = store
        self.climate = climate
        self.groups = groups  # the ledger's projects by stage and plan status
        self.ledger = ledger  # their columns in the compiled passes
        self.windows = windows  # metrics judged on a milestone's own month (windows.py)
        self.paced = paced  # per ledger project: it pays the pace its arrivals have shown
        self.n_keys = n_keys  # metrics simulated (the engine's keys)
        self.n_money = n_money  # of which the first n_money are money
        self.month = month  # the as-of month
        self.future = 12 - month
        self.memo = memo  # milestones kept between forecasts (memo.py, cachekeys.MILESTONES)

    def run(
        self,
        setup: Setup,
        months: tuple[int, ...],
        keys: tuple[int, ...],
        projects: dict[str, np.ndarray] | None = None,
        parts: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """What the ledger projects add (on top of facts) at the end of each of `months`
        (increasing) to the metrics at positions `keys`: (trials, len(months), len(keys)).
        With `months` (12,) only, fills per-project sums and each stage's part
        ("stage:<stage>") if given (`Engine._run`)."""
        out = np.zeros((self.store.trials, len(months), len(keys)))
        if self.future <= 0:
            return out
        assert list(months) == sorted(set(months)), "months must be increasing"
        december = tuple(months) == (12,)
        assert december or (projects is None and parts is None)
        if len(self.ledger.order):
            if december:
                self._december(setup, out, keys, projects, parts)
            else:
                self.monthly(setup, months, out, keys)
            add_windows(  # workbook.forecast.windows
                self.windows, self.month, self.monthly, setup, months, out, keys, parts
            )
        elif parts is not None:
            parts.update({f"stage:{g.stage}": np.zeros(self.n_keys) for g in self.groups})
        return out

    def _december(
        self,
        setup: Setup,
        out: np.ndarray,
        keys: tuple[int, ...],
        projects: dict[str, np.ndarray] | None,
        parts: dict[str, np.ndarray] | None,
    ) -> None:
        lay: LedgerLayout = self.ledger
        tab = self.fused_tables(setup)

        # The milestones depend only on the month tables (and the climate): kept per span and
        # half with the tables they read, so a change of money drivers only redoes the money.
        memo_key = _milestone_key(setup)

        codes: list[np.ndarray] = []  # the span's, made once for both halves

        def piece(span: int, part: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """The milestones (kept, or made) and the money of one half of the columns: what
            they add to every metric of the span's trials, and their rows' sums."""
            lo, n = self.store.span_trials(span)
            j0, j1 = self._columns(part)
            kept = self.memo.get(("milestones", span, part), memo_key)
            if kept is None:
                counts = np.zeros((self.n_keys, n))
                sums = np.zeros((2, lay.rows))  # Σ of each row over the trials, and > 0
                start = np.empty((lay.width["T"], n), np.int8)  # its columns' rows written
                fused.milestones(
                    lay.cls,
                    codes[0],
                    codes[1],
                    codes[2],
                    tab.tabs,
                    tab.off["S"],
                    tab.off["T"],
                    tab.off["P"],
                    *tab.csr,
                    counts,
                    sums[0],
                    start,
                    j0,
                    j1,
                )
                kept = (counts, sums, start)
                self.memo.put(("milestones", span, part), memo_key, kept)
            counts, sums, start = kept[:3]
            paid = np.zeros((self.n_keys, n))
            paid_sums = np.zeros((2, lay.rows))
            fused.money(
                lay.cls,
                codes[3],
                start,
                tab.shares,
                tab.off["R"],
                lay.base["R"],
                *tab.csr,
                paid,
                paid_sums[0],
                paid_sums[1],
                j0,
                j1,
            )
            return counts, paid, sums + paid_sums

        row_sum = np.zeros(lay.rows)
        row_pos = np.zeros(lay.rows)
        for span in range(len(self.store.spans())):
            lo, n = self.store.span_trials(span)
            # Made kind by kind on the threads (or read), then each span's columns in two halves,
            # one on each thread, their sums added in order.
            codes[:] = self._ledger_codes(span, setup.climate)
            (c0, p0, s0), (c1, p1, s1) = fused.in_parallel(piece, [(span, 0), (span, 1)])
            acc = c0 + c1 + p0 + p1
            out[lo : lo + n, 0, :] = acc[list(keys)].T
            row_sum += s0[0] + s1[0]
            row_pos += s0[1] + s1[1]
        if parts is not None:
            for stage, rows in lay.stage_rows.items():
                parts[f"stage:{stage}"] = row_sum[rows] @ tab.weights[rows].astype(np.float64)
        if projects is not None:
            b, w, order = lay.base, lay.width, lay.order
            projects["sign"][order[: w["S"]]] += row_sum[b["S"] : b["S"] + w["S"]]
            projects["start"][order[: w["T"]]] += row_sum[b["T"] : b["T"] + w["T"]]
            money = slice(b["R"], b["R"] + w["R"])
            projects["money"][order] += np.where(tab.scale > 0, row_pos[money], 0)
            projects["amount"][order] += row_sum[money] * tab.scale

    def monthly(
        self,
        setup: Setup,
        months: tuple[int, ...],
        out: np.ndarray,
        keys: tuple[int, ...],
        weights: np.ndarray | None = None,  # (rows, len(keys)); None: the keys' own
    ) -> None:
        lay: LedgerLayout = self.ledger
        tab = self.fused_tables(setup)
        if weights is None:
            weights = tab.weights[:, list(keys)]
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        is_money = np.array([k < self.n_money for k in keys])
        at = np.array(months, np.int64)

        codes: list[np.ndarray] = []  # the span's, made once for both halves

        memo_key = _milestone_key(setup)

        def piece(span: int, part: int) -> np.ndarray:
            _, n = self.store.span_trials(span)
            j0, j1 = self._columns(part)
            hist = np.zeros((len(keys), fused.SLOTS, n))
            # The start months a December forecast with these tables kept, if it did.
            kept = self.memo.get(("milestones", span, part), memo_key)
            known = kept[2] if kept is not None else np.zeros((0, n), np.int8)
            fused.month_rows(
                lay.cls,
                codes[0],
                codes[1],
                codes[2],
                codes[3],
                tab.tabs,
                tab.off["S"],
                tab.off["T"],
                tab.off["P"],
                tab.shares,
                tab.off["R"],
                weights,
                is_money,
                self.month + 1,
                float(self.future),
                hist,
                j0,
                j1,
                known,
                kept is not None,
            )
            return hist

        for span in range(len(self.store.spans())):
            lo, n = self.store.span_trials(span)
            codes[:] = self._ledger_codes(span, setup.climate)  # made kind by kind on the threads
            halves = fused.in_parallel(piece, [(span, 0), (span, 1)])
            fused.read_months(halves[0] + halves[1], is_money, at, out[lo : lo + n])

    # ---- draws and tables of the fused passes --------------------------------------------

    def _columns(self, part: int) -> tuple[int, int]:
        """The ledger columns of one of the two halves a pass runs on, one on each thread: a
        project before signing costs about twice one after (two more table reads and rows)."""
        lay: LedgerLayout = self.ledger
        cost = np.cumsum(np.where(lay.cls == fused.PRE_SIGN, 1.8, 1.0))
        mid = int(np.searchsorted(cost, cost[-1] / 2)) if len(cost) else 0
        return (0, mid) if part == 0 else (mid, len(lay.order))

    def _ledger_codes(
        self, span: int, climate: tuple[float, float] | None = None
    ) -> list[np.ndarray]:
        """A span's codes of each kind (S, T, P, R), (columns, trials of the span): each
        group's own stream per chunk, laid side by side; under a climate, each trial's codes
        moved by its shifts (kept instead of the plain codes)."""
        lay: LedgerLayout = self.ledger
        chunks = self.store.spans()[span]
        first, total = self.store.span_trials(span)

        def one(k: int, _: int) -> np.ndarray:
            kind = KINDS[k]

            def make() -> np.ndarray:
                arr = np.empty((lay.width[kind], total), np.uint16)
                for c, n in chunks:
                    at = c * CHUNK - first
                    part = arr[:, at : at + n]
                    moves: dict[bool, tuple[np.ndarray, np.ndarray]] = {}
                    for g, lo in zip(self.groups, lay.lo, strict=True):
                        if kind not in g.kinds:
                            continue
                        plain = self._plain_codes(c, n, g, kind)
                        if climate is None:
                            part[lo : lo + len(g.cols)] = plain.T
                            continue
                        # The shock moves a project's first milestone ahead only (its first
                        # kind of draws): its draws stay independent of each other.
                        shocked = kind == g.kinds[0]
                        if shocked not in moves:
                            scale, shift = self.climate.shift(c, n, kind, climate, shocked)
                            level = draws.climate_level(shift).astype(np.int64)
                            remap = self.store.remap(scale, level // draws.Q)
                            moves[shocked] = (remap, level)
                        fused.place_codes(plain, part, lo, *moves[shocked])
                return arr

            key = (STREAM_PROJECTS, "ledger", span, kind) + (() if climate is None else (climate,))
            return self.store.draw(key, make)

        return fused.in_parallel(one, [(k, 0) for k in range(len(KINDS))])

    def _plain_codes(self, c: int, n: int, g: ProjectGroup, kind: str) -> np.ndarray:
        key = (STREAM_PROJECTS, *g.key, c, g.kinds.index(kind))
        return draws.codes(draws.stream(self.store.seed, *key), (n, len(g.cols)))

    def group_codes(
        self, c: int, n: int, g: ProjectGroup, climate: tuple[float, float] | None = None
    ) -> list[np.ndarray]:
        """A group's codes in one chunk, (trials, projects), one array per kind of `g.kinds`."""
        lay: LedgerLayout = self.ledger
        lo = lay.lo[self.groups.index(g)]
        span = next(i for i, chunks in enumerate(self.store.spans()) if (c, n) in chunks)
        at = c * CHUNK - self.store.span_trials(span)[0]
        every = dict(zip(KINDS, self._ledger_codes(span, climate), strict=True))
        return [every[kind][lo : lo + len(g.cols), at : at + n].T for kind in g.kinds]

    def fused_tables(self, setup: Setup) -> FusedTables:
        """This forecast's stacked tables, offsets and row weights (kept on the set-up)."""
        if setup.fused is not None:
            return setup.fused
        lay: LedgerLayout = self.ledger
        q = draws.Q
        t = setup.tables
        names = [f"S:{s}" for s in PRE_SIGN] + ["T:chain", "P:chain", "T:first", "P:first"]
        stacked = [t[x] for x in names]
        at = {x: i * q for i, x in enumerate(names)}
        n_cols = len(lay.order)
        off = {k: np.zeros(n_cols, np.int64) for k in KINDS}
        weights = lay.counts.copy()
        money = weights[lay.base["R"] : lay.base["R"] + n_cols, : self.n_money]
        for gi, (g, lo) in enumerate(zip(self.groups, lay.lo, strict=True)):
            cols = slice(lo, lo + len(g.cols))
            stuck = setup.stuck.get(gi)
            if g.stage in PRE_SIGN:
                off["S"][cols] = at[f"S:{g.stage}"]
                off["T"][cols] = at["T:chain"]
                off["P"][cols] = at["P:chain"]
            elif g.stage == "signed":
                off["T"][cols] = at["T:first"]
                off["P"][cols] = at["P:chain"]
            elif g.stage == "started":
                off["P"][cols] = at["P:first"]
            if stuck is not None:
                kind = "S" if g.stage in PRE_SIGN else "T" if g.stage == "signed" else "P"
                off[kind][cols] = sum(len(x) for x in stacked) + stuck[1]
                stacked.append(stuck[0])
            # Its pace: drawn (R:plan, R:none), or shown by its arrivals (R:shown, a constant)
            off["R"][cols] = np.where(self.paced[g.cols], 2 * q, 0 if g.has_plan else q)
            money[cols] = setup.money_w[gi]
        setup.fused = FusedTables(
            np.concatenate(stacked),
            off,
            np.concatenate([t["R:plan"], t["R:none"], t["R:shown"]]),
            setup.scale[lay.order].astype(np.float32),
            weights,
            _csr(weights),
        )
        return setup.fused

"""The forecast's inner loops, compiled (numba): every (trial, ledger project) pair and every new
deal is read once, in one pass that does all its steps, instead of one numpy pass per step.

Why compiled: at 20,000 trials x 300 projects a forecast reads 6 million pairs and does a few
small things with each (a table look-up per milestone, a share, a few weighted adds). numpy
makes one pass over memory per step and keeps every intermediate array; a compiled loop makes
one pass in all and keeps nothing (DESIGN.md §6: a driver change recomputes in 30 ms).

At December (`milestones`, then `money`), project by project: for every trial, whether it has
signed, started, produced by then, and the money it has paid in units of its monthly amount;
each such "row" (one value per trial) is added to every metric it counts for with its weight
as soon as the project is done, without branches, so a project's tables stay in cache while
every trial reads them. Month by month (`month_rows`, for a fan: a few metrics), each trial
gets a histogram h[month, key], month 0..13 (13: past December, never read): for a count, the
weight of each milestone in the month it happens; for money, the monthly rate that starts
flowing in a month. The value of key r at the end of month
m is Σ_{s<=m} h[s, r] (a count) or Σ_{s<=m} (m + 1 - s)·h[s, r] (money paid by then). New
deals (`deal_span`) come in trial order and are summed trial by trial.

Ledger projects come in one column order, grouped by stage class: before signing (codes S, T,
P, R), signed (T, P, R), started (P, R), producing (R); each kind's codes are a (columns,
trials) array whose columns are a prefix of that order. Month tables are stacked in one int8
array and each project reads its own at an offset (its stage's signing table, a chain table,
or its first-milestone table given the months it has waited).

The kernels a first forecast calls have a numpy twin (`twin=`, workbook.forecast.plain): the
same numbers, called until numba is loaded (workbook.forecast.compiled); a change to a kernel
here is a change to its twin (tests/forecast/test_numpy_path.py holds them equal).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from workbook.forecast import plain
from workbook.forecast.compiled import njit
from workbook.forecast.special import ACKLAM

OUT = 13  # a month past December (workbook.forecast.draws.OUT)
SLOTS = OUT + 1
Q = 1 << 15  # codes (workbook.forecast.draws.Q)
PRE_SIGN, SIGNED, STARTED, PRODUCING = 0, 1, 2, 3  # stage classes of ledger projects
MONEY, SIGN, START, PRODUCE, NONE = 0, 1, 2, 3, -1  # how a new deal counts for a metric
# The passes release the GIL: chunks of trials run on this many threads (the machine's cores,
# at most two: more did not pay on the 2-core machines this runs on).
THREADS = min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
T = TypeVar("T")
_POOL: ThreadPoolExecutor | None = None
_PREFIX = "workbook-forecast"


def in_parallel(fn: Callable[[int, int], T], chunks: list[tuple[int, int]]) -> list[T]:
    """fn(a, b) for every pair, on THREADS threads; the results in order."""
    global _POOL
    inside = threading.current_thread().name.startswith(_PREFIX)  # never wait on the pool
    if len(chunks) < 2 or THREADS < 2 or inside:
        return [fn(c, n) for c, n in chunks]
    if _POOL is None:
        _POOL = ThreadPoolExecutor(THREADS, thread_name_prefix=_PREFIX)
    return list(_POOL.map(lambda cn: fn(*cn), chunks))


def _forget_pool() -> None:
    """A forked copy of this process has none of the pool's threads (only the thread that
    forked goes on): its pool is made anew when it is first needed, instead of waiting forever
    on threads that are not there."""
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


@njit(cache=True, nogil=True, twin=plain.hash_uniform)
def hash_uniform(code: np.ndarray, salt: int | np.uint64) -> np.ndarray:
    """A uniform in [0, 1) per column of `code` (marks x deals), fixed by its codes and
    `salt` (a 64-bit multiplicative hash, mark by mark)."""
    n_marks, n = code.shape
    out = np.empty(n)
    for d in range(n):
        h = np.uint64(salt)
        for r in range(n_marks):
            h = (h ^ np.uint64(code[r, d])) * np.uint64(0x9E3779B97F4A7C15)
            h ^= h >> np.uint64(29)
        out[d] = np.float64(h >> np.uint64(11)) / 9007199254740992.0
    return out


@njit(cache=True, nogil=True, twin=plain.trial_order)
def trial_order(trial: np.ndarray, n_trials: int) -> np.ndarray:
    """The permutation that puts deals in trial order, stable (a counting sort)."""
    n = len(trial)
    start = np.zeros(n_trials + 1, np.int64)
    for d in range(n):
        start[trial[d] + 1] += 1
    for t in range(n_trials):
        start[t + 1] += start[t]
    order = np.empty(n, np.int64)
    for d in range(n):
        order[start[trial[d]]] = d
        start[trial[d]] += 1
    return order


@njit(cache=True, nogil=True, twin=plain.pool_deals)
def pool_deals(
    room: np.ndarray, take: np.ndarray, pool: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A source's deals from its pool: trial t holds `room[t]` rows of `pool` (trial after
    trial) and takes the first `take[t]` of them. (trial of each deal, its codes), trial after
    trial."""
    n = len(room)
    total = 0
    for t in range(n):
        total += take[t]
    trial = np.empty(total, np.int64)
    codes = np.empty((total, pool.shape[1]), pool.dtype)
    base = 0
    q = 0
    for t in range(n):
        for j in range(take[t]):
            trial[q] = t
            codes[q, :] = pool[base + j, :]
            q += 1
        base += room[t]
    return trial, codes


@njit(cache=True, nogil=True, twin=plain.place_codes)
def place_codes(
    plain: np.ndarray, out: np.ndarray, lo: int, remap: np.ndarray, shift: np.ndarray
) -> None:
    """out[lo + j, i] = remap[shift[i] + plain[i, j]]: a group's (trials, projects) codes moved
    by each trial's climate into the (columns, trials) array of a kind."""
    n, k = plain.shape
    for j in range(k):  # row by row of `out`: its writes in order, not one per row in turn
        row = out[lo + j]
        for i in range(n):
            row[i] = remap[shift[i] + np.int64(plain[i, j])]


_A, _B, _C, _D, _P_LOW = ACKLAM
_SQRT1_2 = math.sqrt(0.5)


@njit(cache=True, nogil=True, inline="always")
def _ndtr_libm(z: float) -> float:
    """Φ(z) from the C library's erfc: within a few units in the last place of
    workbook.forecast.special.ndtr, not always equal to it."""
    return 0.5 * math.erfc(-z * _SQRT1_2)


@njit(cache=True, nogil=True, inline="always")
def _ndtri_rough(p: float) -> float:
    """Φ⁻¹(p) for p in [1e-12, 1 - 1e-12] by Acklam's approximation alone (the first step of
    workbook.forecast.special.ndtri): within 1e-8 of it (relative error below 3e-9)."""
    q = min(p, 1.0 - p)
    if q < _P_LOW:
        r = math.sqrt(-2.0 * math.log(q))
        num, den = _C[0], _D[0]
        for i in range(1, 6):
            num = num * r + _C[i]
        for i in range(1, 5):
            den = den * r + _D[i]
    else:
        r = q - 0.5
        num, den = _A[0], _B[0]
        for i in range(1, 6):
            num = num * (r * r) + _A[i]
            den = den * (r * r) + _B[i]
        num *= r
    x: float = num / den
    return -x if p > 0.5 else x


@njit(cache=True, nogil=True, twin=plain.climate_counts)
def climate_counts(
    u: np.ndarray, a: float, shift: np.ndarray, cdf: np.ndarray, margin: float
) -> np.ndarray:
    """Per trial, how many values of `cdf` (increasing) are at most Φ(a·Φ⁻¹(u) + shift): a
    count of new deals by inversion of its uniform moved by the trial's climate (u clipped to
    [1e-12, 1 - 1e-12]). Here Φ⁻¹ is Acklam's approximation alone and Φ the C library's, so
    the moved uniform is within 4e-9 of workbook.forecast.special's (|ΔΦ⁻¹| < 1e-8, Φ' < 0.4,
    a <= 1); a trial whose moved uniform lies within `margin` of a value of `cdf` gets -1
    instead: its caller counts it again with special's (plain's twin), and every count is the
    twin's."""
    n = len(u)
    top = len(cdf)
    out = np.empty(n, np.int64)
    for t in range(n):
        p = min(max(u[t], 1e-12), 1.0 - 1e-12)
        y = _ndtr_libm(a * _ndtri_rough(p) + shift[t])
        lo, hi = 0, top  # the first index whose value is above y
        while lo < hi:
            mid = (lo + hi) >> 1
            if cdf[mid] <= y:
                lo = mid + 1
            else:
                hi = mid
        near = (lo > 0 and y - cdf[lo - 1] < margin) or (lo < top and cdf[lo] - y < margin)
        out[t] = -1 if near else lo
    return out


@njit(cache=True, nogil=True)
def _add_row(
    acc: np.ndarray, v: np.ndarray, row: int, ptr: np.ndarray, key: np.ndarray, weight: np.ndarray
) -> None:
    """acc[k] += weight · v for each key k row `row` counts for."""
    for q in range(ptr[row], ptr[row + 1]):
        a = acc[key[q]]
        w = weight[q]
        for i in range(len(v)):
            a[i] += v[i] * w


@njit(cache=True, nogil=True, twin=plain.milestones)
def milestones(  # noqa: PLR0913
    cls: np.ndarray,  # (P,) stage class of each column
    codes_s: np.ndarray,  # (P_S, n) uint16: signing codes of the columns before signing
    codes_t: np.ndarray,  # (P_T, n): starting codes (before signing, signed)
    codes_p: np.ndarray,  # (P_P, n): production codes (all but producing)
    tabs: np.ndarray,  # int8 stacked month tables
    off_s: np.ndarray,  # (P,) offset of each column's signing table
    off_t: np.ndarray,  # (P,) its start table (chain before signing; its own first table when signed)
    off_p: np.ndarray,  # (P,) its production table (chain, or its own first table when started)
    ptr: np.ndarray,  # CSR of the rows' weights: the keys each row counts for, and how much
    key: np.ndarray,
    weight: np.ndarray,
    acc: np.ndarray,  # (keys, n) float64: every metric of every trial at December, added to
    row_sum: np.ndarray,  # (rows,) float64: Σ over trials of each row, added to
    start: np.ndarray,  # (P_T, n) int8: written, each project's start month (OUT: not this year)
    j0: int,  # the columns [j0, j1) only
    j1: int,
) -> None:
    """Each (project, trial) at December, without branches: signed by then (1/0), started,
    produced, the project's milestone "rows" (one value per trial), added to every metric
    with the row's weights as soon as the column is done; and its start month for `money`."""
    n = codes_s.shape[1] if codes_s.shape[0] else codes_t.shape[1]
    n_s, n_t, n_p = codes_s.shape[0], codes_t.shape[0], codes_p.shape[0]
    b_t, b_p = n_s, n_s + n_t
    v1 = np.empty(n, np.float32)
    v2 = np.empty(n, np.float32)
    for j in range(j0, min(j1, n_p)):
        c = cls[j]
        if c == PRE_SIGN:
            ts, tt = tabs[off_s[j] : off_s[j] + Q], tabs[off_t[j] : off_t[j] + Q]
            at_j = start[j]
            signs = starts = np.int64(0)
            for i in range(n):
                sign = np.int64(ts[codes_s[j, i]])
                at = min(sign + np.int64(tt[codes_t[j, i]]), np.int64(OUT))
                at_j[i] = at
                v1[i] = sign <= 12
                v2[i] = at <= 12
                signs += sign <= 12
                starts += at <= 12
            _add_row(acc, v1, j, ptr, key, weight)
            _add_row(acc, v2, b_t + j, ptr, key, weight)
            row_sum[j] += signs
            row_sum[b_t + j] += starts
        elif c == SIGNED:
            tt = tabs[off_t[j] : off_t[j] + Q]
            at_j = start[j]
            starts = np.int64(0)
            for i in range(n):
                at = np.int64(tt[codes_t[j, i]])
                at_j[i] = at
                v2[i] = at <= 12
                starts += at <= 12
            _add_row(acc, v2, b_t + j, ptr, key, weight)
            row_sum[b_t + j] += starts
        if ptr[b_p + j + 1] > ptr[b_p + j]:
            tp = tabs[off_p[j] : off_p[j] + Q]
            produced = np.int64(0)
            if c == STARTED:
                for i in range(n):
                    hit = tp[codes_p[j, i]] <= 12
                    v1[i] = hit
                    produced += hit
            else:
                at_j = start[j]
                for i in range(n):
                    hit = np.int64(at_j[i]) + np.int64(tp[codes_p[j, i]]) <= 12
                    v1[i] = hit
                    produced += hit
            _add_row(acc, v1, b_p + j, ptr, key, weight)
            row_sum[b_p + j] += produced


@njit(cache=True, nogil=True, twin=plain.money)
def money(  # noqa: PLR0913
    cls: np.ndarray,  # (P,) stage class of each column
    codes_r: np.ndarray,  # (P, n): arrival-pace codes
    start: np.ndarray,  # (P_T, n) int8: each project's start month (`milestones`)
    shares: np.ndarray,  # float32 stacked pace tables
    off_r: np.ndarray,  # (P,) offset of its pace table
    money_row: int,  # the first money row
    ptr: np.ndarray,  # CSR of the rows' weights
    key: np.ndarray,
    weight: np.ndarray,
    acc: np.ndarray,  # (keys, n) float64: added to
    row_sum: np.ndarray,  # (rows,) float64: Σ over trials of each row, added to
    row_pos: np.ndarray,  # (rows,) float64: trials where a money row is > 0, added to
    j0: int,  # the columns [j0, j1) only
    j1: int,
) -> None:
    """Each (project, trial)'s money at December in units of the project's monthly amount
    (its pace x the months it pays: from its start month through December; the months left
    when it has started), added to the money metrics with its weights (the amount a month,
    in each metric's unit)."""
    n = codes_r.shape[1]
    v = np.empty(n, np.float32)
    for j in range(j0, j1):
        c = cls[j]
        sh = shares[off_r[j] : off_r[j] + Q]
        total = 0.0
        positive = 0
        if c >= STARTED:
            for i in range(n):
                x = sh[codes_r[j, i]]
                v[i] = x
                total += x
                positive += x > 0
        else:
            at_j = start[j]
            for i in range(n):
                x = sh[codes_r[j, i]] * np.float32(max(13 - np.int64(at_j[i]), np.int64(0)))
                v[i] = x
                total += x
                positive += x > 0
        _add_row(acc, v, money_row + j, ptr, key, weight)
        row_sum[money_row + j] += total
        row_pos[money_row + j] += positive


@njit(cache=True, nogil=True)
def month_rows(  # noqa: PLR0913
    cls: np.ndarray,
    codes_s: np.ndarray,
    codes_t: np.ndarray,
    codes_p: np.ndarray,
    codes_r: np.ndarray,
    tabs: np.ndarray,
    off_s: np.ndarray,
    off_t: np.ndarray,
    off_p: np.ndarray,
    shares: np.ndarray,
    off_r: np.ndarray,
    weights: np.ndarray,  # (rows, keys asked) float32: each row's weight for each key asked for
    is_money: np.ndarray,  # (keys asked,) bool
    first_month: int,  # the first month simulated (the as-of month + 1)
    future: float,  # months simulated
    hist: np.ndarray,  # (keys asked, SLOTS, n) float64: added to
    j0: int,  # the columns [j0, j1) only
    j1: int,
    known: np.ndarray,  # (P_T, n) int8: the start months `milestones` kept for these tables, if any
    have_known: bool,
) -> None:
    """What `milestones` and `money` give at December, month by month, for a few metrics:
    each milestone's weight in its month and each money flow's rate from the month it starts
    into per-trial histograms (`read_months` reads them).
    With the start months kept, a money metric's fan reads them instead of the tables."""
    n = codes_r.shape[1]
    n_s, n_t, n_p, n_cols = codes_s.shape[0], codes_t.shape[0], codes_p.shape[0], codes_r.shape[0]
    b_t, b_p, b_r = n_s, n_s + n_t, n_s + n_t + n_p
    n_keys = weights.shape[1]
    start = np.empty(n, np.int64)
    for j in range(j0, min(j1, n_cols)):
        c = cls[j]
        rows = (j, b_t + j, b_p + j, b_r + j)  # its sign, start, produce and money rows
        has = (c == PRE_SIGN, c <= SIGNED, c <= STARTED, True)  # the rows it has
        wanted = 0
        for f in range(4):
            if has[f]:
                for r in range(n_keys):
                    if weights[rows[f], r] != 0:
                        wanted |= 1 << f
        if wanted == 0:
            continue  # counts for none of the metrics asked for
        if c <= SIGNED and have_known and not wanted & 1:
            at_j = known[j]
            for i in range(n):
                start[i] = at_j[i]
        elif c == PRE_SIGN:
            ts, tt = tabs[off_s[j] : off_s[j] + Q], tabs[off_t[j] : off_t[j] + Q]
            for i in range(n):
                sign = np.int64(ts[codes_s[j, i]])
                start[i] = min(sign + np.int64(tt[codes_t[j, i]]), np.int64(OUT))
                if wanted & 1:
                    for r in range(n_keys):
                        hist[r, sign, i] += weights[j, r]
        elif c == SIGNED:
            tt = tabs[off_t[j] : off_t[j] + Q]
            for i in range(n):
                start[i] = np.int64(tt[codes_t[j, i]])
        if c <= SIGNED and wanted & 2:
            for r in range(n_keys):
                w = weights[b_t + j, r]
                if w != 0:
                    for i in range(n):
                        hist[r, start[i], i] += w
        if c <= STARTED and wanted & 4:
            tp = tabs[off_p[j] : off_p[j] + Q]
            for r in range(n_keys):
                w = weights[b_p + j, r]
                if w == 0:
                    continue
                for i in range(n):
                    at = np.int64(tp[codes_p[j, i]])
                    if c != STARTED:
                        at = min(start[i] + at, np.int64(OUT))
                    hist[r, at, i] += w
        if not wanted & 8:
            continue
        sh = shares[off_r[j] : off_r[j] + Q]
        for r in range(n_keys):
            w = weights[b_r + j, r]
            if w == 0:
                continue
            for i in range(n):
                if c <= SIGNED and start[i] > 12:
                    continue  # pays nothing this year
                share = sh[codes_r[j, i]]
                if share <= 0:
                    continue
                if c >= STARTED:  # the year's rest, evenly from the first month simulated
                    hist[r, first_month, i] += share * w / future
                    continue
                hist[r, start[i], i] += share * w  # its monthly amount from its start month


@njit(cache=True, nogil=True)
def read_months(
    hist: np.ndarray, is_money: np.ndarray, months: np.ndarray, out: np.ndarray
) -> None:
    """out[i, j, r] += the value of key r at the end of months[j] in trial i: the running sum
    of its histogram (a count), or the running sum of the running sum (money paid)."""
    n_keys, _, n = hist.shape
    for r in range(n_keys):
        for i in range(n):
            running = 0.0
            paid = 0.0
            j = 0
            for s in range(OUT):
                running += hist[r, s, i]
                paid += running
                while j < len(months) and months[j] == s:
                    out[i, j, r] += paid if is_money[r] else running
                    j += 1


@njit(cache=True, nogil=True, inline="always")
def _flush(h: np.ndarray, is_money: np.ndarray, months: np.ndarray, row: np.ndarray) -> None:
    """Add a trial's histogram (months, keys), read at `months`, to its output row."""
    n_keys = h.shape[1]
    for r in range(n_keys):
        running = 0.0  # a count so far, or the monthly rate flowing now
        paid = 0.0
        j = 0
        for s in range(OUT):
            running += h[s, r]
            paid += running
            while j < len(months) and months[j] == s:
                row[j, r] += paid if is_money[r] else running
                j += 1


@njit(cache=True, nogil=True, twin=plain.deal_span)
def deal_span(  # noqa: PLR0913
    trial: np.ndarray,  # (D,) row of `out` of each deal (its trial within the span): increasing,
    # but in any order at December alone (each deal added to its row, in the order given)
    sign: np.ndarray,  # (D,) signing month (at most 13)
    size: np.ndarray,  # (D,) float32 亿元
    code_start: np.ndarray,  # (D,) uint16
    code_produce: np.ndarray,
    code_share: np.ndarray,
    t_start: np.ndarray,  # int8 chain table: months from signing to start
    t_produce: np.ndarray,  # int8 chain table: months from start to production
    t_share: np.ndarray,  # float32 share table (unplanned_share)
    hit: np.ndarray,  # (D, K) bool: the deal counts for the key (its `where`, its capital type)
    family: np.ndarray,  # (K,) how a deal counts for each key: MONEY, SIGN, START, PRODUCE or NONE
    fx: np.ndarray,  # (K,) float32: CNY -> the key's unit (money keys)
    kind: np.ndarray,  # (D,) kind of the deal's source (DEAL_PARTS), for `split`
    months: np.ndarray,  # int64 months asked for, increasing
    out: np.ndarray,  # (trials in the span, len(months), K) float64: added to
    split: np.ndarray,  # (kinds, K) float64: Σ over trials at December, by kind of source
) -> None:
    """What each trial's new deals add to every key at `months` (at December alone, directly;
    else through the trial's histogram of months)."""
    n_deals = len(trial)
    n_keys = out.shape[2]
    is_money = family == MONEY
    december = len(months) == 1 and months[0] == 12
    need_produce = False
    for r in range(n_keys):
        if family[r] == PRODUCE:
            need_produce = True
    h = np.zeros((SLOTS, n_keys))
    current = -1
    for d in range(n_deals):
        t = trial[d]
        if t != current and not december:
            if current >= 0:
                _flush(h, is_money, months, out[current])
                h[:] = 0.0
            current = t
        s = np.int64(sign[d])
        if s > 12:
            continue
        start = min(s + np.int64(t_start[code_start[d]]), np.int64(OUT))
        produce = np.int64(OUT)
        if need_produce and start <= 12:
            produce = min(start + np.int64(t_produce[code_produce[d]]), np.int64(OUT))
        rate = size[d] * t_share[code_share[d]] * np.float32(1 / 12)
        part = kind[d]
        for r in range(n_keys):
            if not hit[d, r]:
                continue
            f = family[r]
            if f == MONEY:
                month = start
                flow = rate * fx[r]
                value = flow * (13 - start)
            else:
                month = s if f == SIGN else start if f == START else produce
                flow = value = 1.0
            if f == NONE or month > 12:
                continue
            split[part, r] += value
            if december:
                out[t, 0, r] += value
            else:
                h[month, r] += flow
    if current >= 0:
        _flush(h, is_money, months, out[current])

"""The compiled passes of `workbook.forecast.fused`, written with numpy: the same numbers to the
last bit, without numba.

A forecast of a few thousand trials is done in numpy before numba would have loaded its
kernels (about a second of a command's start-up, even from its on-disk cache), so `fused`'s
kernels call these until numba is loaded (`workbook.forecast.compiled`: an engine with many
trials loads it). Each function takes the arguments of its namesake in `fused` and does the
same floating-point operations in the same order: products in the same precision (float32
where the loop multiplies float32 values, float64 where it widens them), and every sum the
loop makes one value after another made one value after another here too (`np.cumsum`,
`np.add.at`, row by row), never numpy's pairwise sums.
"""

from __future__ import annotations

import numpy as np

from workbook.forecast import special

OUT = 13  # workbook.forecast.fused.OUT
SLOTS = OUT + 1
Q = 1 << 15
PRE_SIGN, SIGNED, STARTED, PRODUCING = 0, 1, 2, 3
MONEY, SIGN, START, PRODUCE, NONE = 0, 1, 2, 3, -1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def hash_uniform(code: np.ndarray, salt: int | np.uint64) -> np.ndarray:
    """`fused.hash_uniform`: uint64 arithmetic wraps in numpy as in the compiled loop."""
    n_marks, n = code.shape
    h = np.full(n, np.uint64(salt), np.uint64)
    for r in range(n_marks):
        h ^= code[r].astype(np.uint64)
        h *= _GOLDEN
        h ^= h >> np.uint64(29)
    out: np.ndarray = (h >> np.uint64(11)).astype(np.float64) / 9007199254740992.0
    return out


def trial_order(trial: np.ndarray, n_trials: int) -> np.ndarray:
    """`fused.trial_order`: the stable permutation into trial order."""
    out: np.ndarray = np.argsort(trial, kind="stable").astype(np.int64)
    return out


def pool_deals(
    room: np.ndarray, take: np.ndarray, pool: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`fused.pool_deals`: the rows each trial takes from its pool, trial after trial."""
    first = np.repeat(np.cumsum(room) - room - (np.cumsum(take) - take), take)
    trial: np.ndarray = np.repeat(np.arange(len(room), dtype=np.int64), take)
    codes: np.ndarray = pool[first + np.arange(int(take.sum()))]
    return trial, codes


def place_codes(
    plain: np.ndarray, out: np.ndarray, lo: int, remap: np.ndarray, shift: np.ndarray
) -> None:
    """`fused.place_codes`: out[lo + j, i] = remap[shift[i] + plain[i, j]]."""
    k = plain.shape[1]
    index = plain.astype(np.int64)
    index += np.asarray(shift, np.int64)[:, None]
    out[lo : lo + k] = remap[index].T


def _add_row(
    acc: np.ndarray, v: np.ndarray, row: int, ptr: np.ndarray, key: np.ndarray, weight: np.ndarray
) -> None:
    """acc[k] += weight · v for each key k row `row` counts for (v widened to float64)."""
    if ptr[row + 1] == ptr[row]:
        return
    wide = v.astype(np.float64)
    for q in range(ptr[row], ptr[row + 1]):
        acc[key[q]] += wide * weight[q]


def _sum(v: np.ndarray) -> float:
    """Σ v, one value after another in float64 (the compiled loop's order)."""
    return float(np.cumsum(v, dtype=np.float64)[-1]) if len(v) else 0.0


def milestones(  # noqa: PLR0913
    cls: np.ndarray,
    codes_s: np.ndarray,
    codes_t: np.ndarray,
    codes_p: np.ndarray,
    tabs: np.ndarray,
    off_s: np.ndarray,
    off_t: np.ndarray,
    off_p: np.ndarray,
    ptr: np.ndarray,
    key: np.ndarray,
    weight: np.ndarray,
    acc: np.ndarray,
    row_sum: np.ndarray,
    start: np.ndarray,
    j0: int,
    j1: int,
) -> None:
    """`fused.milestones`, a column at a time over all its trials."""
    n_s, n_t = codes_s.shape[0], codes_t.shape[0]
    n_p = codes_p.shape[0]
    b_t, b_p = n_s, n_s + n_t
    for j in range(j0, min(j1, n_p)):
        c = cls[j]
        if c == PRE_SIGN:
            sign = tabs[off_s[j] + codes_s[j].astype(np.int64)].astype(np.int64)
            at = np.minimum(sign + tabs[off_t[j] + codes_t[j].astype(np.int64)], OUT)
            start[j] = at
            v1, v2 = sign <= 12, at <= 12
            _add_row(acc, v1, j, ptr, key, weight)
            _add_row(acc, v2, b_t + j, ptr, key, weight)
            row_sum[j] += np.count_nonzero(v1)
            row_sum[b_t + j] += np.count_nonzero(v2)
        elif c == SIGNED:
            at = tabs[off_t[j] + codes_t[j].astype(np.int64)].astype(np.int64)
            start[j] = at
            v2 = at <= 12
            _add_row(acc, v2, b_t + j, ptr, key, weight)
            row_sum[b_t + j] += np.count_nonzero(v2)
        if ptr[b_p + j + 1] > ptr[b_p + j]:
            produce = tabs[off_p[j] + codes_p[j].astype(np.int64)].astype(np.int64)
            if c != STARTED:
                produce += start[j]
            hit = produce <= 12
            _add_row(acc, hit, b_p + j, ptr, key, weight)
            row_sum[b_p + j] += np.count_nonzero(hit)


def money(  # noqa: PLR0913
    cls: np.ndarray,
    codes_r: np.ndarray,
    start: np.ndarray,
    shares: np.ndarray,
    off_r: np.ndarray,
    money_row: int,
    ptr: np.ndarray,
    key: np.ndarray,
    weight: np.ndarray,
    acc: np.ndarray,
    row_sum: np.ndarray,
    row_pos: np.ndarray,
    j0: int,
    j1: int,
) -> None:
    """`fused.money`: float32 pace x float32 months, as the loop multiplies them."""
    for j in range(j0, j1):
        x = shares[off_r[j] + codes_r[j].astype(np.int64)]
        if cls[j] < STARTED:
            months = np.maximum(13 - start[j].astype(np.int64), 0).astype(np.float32)
            x = x * months
        _add_row(acc, x, money_row + j, ptr, key, weight)
        row_sum[money_row + j] += _sum(x)
        row_pos[money_row + j] += np.count_nonzero(x > 0)


def _flush_all(h: np.ndarray, is_money: np.ndarray, months: np.ndarray) -> np.ndarray:
    """(trials, len(months), keys): each trial's histogram (trials, SLOTS, keys) read at
    `months` as `fused._flush` reads it (running sums over the months, one after another)."""
    running = np.cumsum(h[:, :OUT], axis=1)
    paid = np.cumsum(running, axis=1)
    picked = np.where(is_money[None, None, :], paid[:, months], running[:, months])
    out: np.ndarray = picked
    return out


def deal_span(  # noqa: PLR0913
    trial: np.ndarray,
    sign: np.ndarray,
    size: np.ndarray,
    code_start: np.ndarray,
    code_produce: np.ndarray,
    code_share: np.ndarray,
    t_start: np.ndarray,
    t_produce: np.ndarray,
    t_share: np.ndarray,
    hit: np.ndarray,
    family: np.ndarray,
    fx: np.ndarray,
    kind: np.ndarray,
    months: np.ndarray,
    out: np.ndarray,
    split: np.ndarray,
) -> None:
    """`fused.deal_span`: every deal at once, key by key; sums in deal order (`np.add.at`)."""
    n_keys = out.shape[2]
    if not len(trial):
        return
    december = len(months) == 1 and months[0] == 12
    s = sign.astype(np.int64)
    live = s <= 12
    start = np.minimum(s + t_start[code_start].astype(np.int64), OUT)
    produce = np.full(len(s), OUT, np.int64)
    if (family == PRODUCE).any():
        going = start <= 12
        produce[going] = np.minimum(
            start[going] + t_produce[code_produce[going]].astype(np.int64), OUT
        )
    rate = size * t_share[code_share] * np.float32(1 / 12)  # float32, left to right
    h = None if december else np.zeros((len(out), SLOTS, n_keys))
    t = trial.astype(np.int64)
    for r in range(n_keys):
        f = family[r]
        if f == NONE:
            continue
        if f == MONEY:
            month = start
            flow = rate * fx[r]  # float32
            value = flow.astype(np.float64) * (13 - start).astype(np.float64)
        else:
            month = s if f == SIGN else start if f == START else produce
            flow = value = np.ones(len(s))
        take = live & hit[:, r] & (month <= 12)
        if not take.any():
            continue
        np.add.at(split[:, r], kind[take], value[take])
        if december:
            np.add.at(out[:, 0, r], t[take], value[take])
        else:
            assert h is not None
            np.add.at(h[:, :, r], (t[take], month[take]), flow[take].astype(np.float64))
    if h is not None:
        seen = np.zeros(len(out), bool)
        seen[t] = True  # the trials the loop flushes: those with a deal
        is_money = family == MONEY
        out[seen] += _flush_all(h[seen], is_money, np.asarray(months, np.int64))


def climate_counts(
    u: np.ndarray, a: float, shift: np.ndarray, cdf: np.ndarray, margin: float
) -> np.ndarray:
    """`fused.climate_counts` with workbook.forecast.special's Φ and Φ⁻¹ (the exact values,
    never unsure: `margin` plays no part)."""
    x = special.ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    moved = special.ndtr(a * x + shift)
    out: np.ndarray = np.searchsorted(cdf, moved, side="right").astype(np.int64)
    return out

"""The engine's metrics as the zone declares them (workbook.zone.declarations): which exist, in
which order, and how a ledger project or a new deal counts for each.

- Metrics are laid out money first, then counts (`Layout.keys`); without declarations of its
  own a zone has the ten built-ins in the order of `workbook.forecast.setup.KEYS`.
- A ledger project counts for a count metric at the first milestone still ahead of it whose
  stage the metric counts (a 意向 project for a "signed or started" metric: at signing), if
  its `where` holds (judged on the ledger row, exactly) and it has not counted already this
  year. Its money counts for a money metric of its capital type whose `where` holds.
- A condition of a count metric on the date of the very milestone it counts (signed_date for
  signings, start_date for starts, production_date for production) is judged, for a milestone
  still ahead, on its simulated month: the metric counts it when that month is in the months
  of the plan year on at least half of whose days the condition holds (`Layout.windows`, the
  campaigns' rule for a window). Facts are judged on the ledger row, as `status` counts them.
- A new deal carries what the engine draws: size (total_investment), capital type, 500强 list
  (世界500强 if foreign, 中国500强 if domestic; a new 500强 signing) and 四新; conditions on
  those are judged exactly. A condition on a column deals do not carry (sector, region, ...)
  holds with probability p: the share of this year's signings (to the as-of date) in the
  ledger that meet those conditions, shrunk toward the share among all ledger projects by a
  prior worth `PRIOR_WEIGHT` signings (so a year with few signings leans on the whole ledger).
  Which deals meet it is fixed by the deal's own draws (a hash of its codes), so scenarios
  compare on the same deals.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbook.forecast import fused
from workbook.zone.declarations import DEAL_COLUMNS, Condition
from workbook.zone.metrics import (
    OPERATORS,
    Metric,
    condition_mask,
    count_masks,
    definitions,
    money_mask,
    where_mask,
)
from workbook.zone.params import ZoneParams

PRIOR_WEIGHT = 10.0  # signings' worth of the whole ledger's share, for a `where` deals lack
# The first milestone of each group that can count: by the group's stage at the as-of date.
_FAMILIES = {"sign": "signed", "start": "started", "produce": "producing"}
_AHEAD = {
    "pre": ("sign", "start", "produce"),
    "signed": ("start", "produce"),
    "started": ("produce",),
}
# Categories of the columns a deal carries, as a deal codes them.
_DEAL_CATEGORIES = {
    "capital_type": ("domestic", "foreign"),
    "list_flag": ("none", "global500", "china500"),
    "new_500_signing": (False, True),
    "four_new": (False, True),
}


_DATE_OF = {"sign": "signed_date", "start": "start_date", "produce": "production_date"}


@dataclass(frozen=True)
class Layout:
    """The metrics one engine simulates: definitions, keys (money first) and columns."""

    defs: dict[str, Metric]
    keys: tuple[str, ...]
    n_money: int
    # (count metric, milestone family) -> [first, last] month of the plan year its condition
    # on that milestone's own date holds in (first > last: none); see `own_date_condition`
    windows: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)

    @property
    def counts(self) -> tuple[str, ...]:
        return self.keys[self.n_money :]

    @property
    def col(self) -> dict[str, int]:
        """Count metric -> its column among the counts."""
        return {k: i for i, k in enumerate(self.counts)}


def layout(params: ZoneParams) -> Layout:
    defs = definitions(params)
    money = tuple(k for k, m in defs.items() if m.kind == "money")
    counts = tuple(k for k, m in defs.items() if m.kind == "count")
    windows = {
        (k, family): condition_months(c, params.year)
        for k in counts
        for family in _FAMILIES
        if (c := own_date_condition(defs[k], family)) is not None
    }
    return Layout(defs, money + counts, len(money), windows)


def own_date_condition(m: Metric, family: str) -> Condition | None:
    """A count metric's condition on the date of the very milestone `family` it counts
    (signed_date for signings, ...), or None."""
    if m.kind != "count" or _FAMILIES[family] not in m.stages:
        return None
    return next((c for c in m.where if c.column == _DATE_OF[family] and not c.extra), None)


def condition_months(c: Condition, year: int) -> tuple[int, int]:
    """(first, last): the months of `year` on at least half of whose days a date condition
    holds (first > last when none does)."""
    days = pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31))
    held = condition_mask(pd.DataFrame({c.column: days}), c).to_numpy(float)
    share = np.bincount(days.month, weights=held, minlength=13) / np.bincount(
        days.month, minlength=13
    ).clip(min=1)
    months = np.flatnonzero(share[1:] >= 0.5) + 1
    return (int(months[0]), int(months[-1])) if len(months) else (13, 12)


def _without(m: Metric, c: Condition | None) -> Metric:
    return m if c is None else replace(m, where=tuple(x for x in m.where if x is not c))


def counting_family(m: Metric, stage: str) -> str | None:
    """The milestone family at which a project of this as-of stage counts for `m` (None: none
    ahead of it does). `stage` is 'pre' for the stages before signing."""
    for family in _AHEAD.get(stage, ()):
        if _FAMILIES[family] in m.stages:
            return family
    return None


def ledger_weights(
    lay: Layout, projects: pd.DataFrame, year_start: dt.date, as_of: dt.date
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per count metric: which ledger projects its `where` holds for and have not counted
    yet this year; per money metric: which projects' money it sums."""
    defs = {k: lay.defs[k] for k in lay.counts}
    counted = count_masks(projects, year_start, as_of, defs)
    count_w = {
        k: (where_mask(projects, m.where) & ~counted[k]).to_numpy(bool) for k, m in defs.items()
    }
    money_w = {k: money_mask(projects, lay.defs[k]).to_numpy(bool) for k in lay.keys[: lay.n_money]}
    return count_w, money_w


def window_weights(
    lay: Layout, projects: pd.DataFrame, year_start: dt.date, as_of: dt.date
) -> dict[tuple[str, str], np.ndarray]:
    """Per (count metric, family) of `Layout.windows`: which ledger projects the rest of its
    `where` holds for and have not counted yet this year (their milestone of that family
    counts when its simulated month is in the window)."""
    counted = count_masks(projects, year_start, as_of, {k: lay.defs[k] for k, _ in lay.windows})
    out = {}
    for key, family in lay.windows:
        m = lay.defs[key]
        rest = _without(m, own_date_condition(m, family)).where
        out[(key, family)] = (where_mask(projects, rest) & ~counted[key]).to_numpy(bool)
    return out


def group_weights(
    lay: Layout,
    family: str,
    stage: str,
    cols: np.ndarray,
    count_w: dict[str, np.ndarray],
    window_w: dict[tuple[str, str], np.ndarray] | None = None,
) -> np.ndarray:
    """(len(cols), counts) weights of one milestone family for one group of ledger projects:
    with `window_w` None, those judged on the ledger row (none where the metric's condition
    on this milestone's date makes it a window); else those of the windows only."""
    w = np.zeros((len(cols), len(lay.counts)), np.float32)
    kind = "pre" if stage not in _AHEAD else stage
    for j, key in enumerate(lay.counts):
        if counting_family(lay.defs[key], kind) != family:
            continue
        windowed = (key, family) in lay.windows
        if window_w is None and not windowed:
            w[:, j] = count_w[key][cols]
        elif window_w is not None and windowed:
            w[:, j] = window_w[(key, family)][cols]
    return w


# ---- new deals -------------------------------------------------------------------------------


def _split(m: Metric) -> tuple[tuple[Condition, ...], tuple[Condition, ...]]:
    carried = tuple(c for c in m.where if c.column in DEAL_COLUMNS)
    other = tuple(c for c in m.where if c.column not in DEAL_COLUMNS)
    return carried, other


def deal_shares(
    lay: Layout, projects: pd.DataFrame, year_start: dt.date, as_of: dt.date
) -> dict[str, float]:
    """Per metric with conditions new deals do not carry: the probability a deal meets them."""
    signed = projects["signed_date"]
    this_year = signed.notna() & (signed >= pd.Timestamp(year_start))
    this_year &= signed <= pd.Timestamp(as_of)
    out = {}
    for key in lay.defs:
        _, other = _split(deal_metric(lay, key))
        if not other:
            continue
        hit = where_mask(projects, other)
        k, n = float((hit & this_year).sum()), float(this_year.sum())
        prior = float(hit.mean()) if len(projects) else 0.0
        out[key] = (k + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)
    return out


def deal_window(lay: Layout, key: str) -> tuple[str, int, int] | None:
    """(family, first, last) when a new deal counts for `key` only if its milestone of that
    family falls in those months (`Layout.windows`), else None."""
    m = lay.defs[key]
    family = counting_family(m, "pre") if m.kind == "count" else None
    if family is None:
        return None
    window = lay.windows.get((key, family))
    return None if window is None else (family, *window)


def deal_metric(lay: Layout, key: str) -> Metric:
    """The metric as a new deal meets it: without the condition `deal_window` judges."""
    m = lay.defs[key]
    window = deal_window(lay, key)
    return m if window is None else _without(m, own_date_condition(m, window[0]))


def deal_uniform(code: np.ndarray, salt: str) -> np.ndarray:
    """A uniform in [0, 1) per deal, fixed by its codes (marks x deals) and `salt`."""
    out: np.ndarray = fused.hash_uniform(code, np.uint64(zlib.crc32(salt.encode("utf-8"))))
    return out


_TRUTH: dict[str, np.ndarray] = {}


def _category_truth(c: Condition) -> np.ndarray:
    """Whether each category of a column deals carry meets a condition, in the order deals
    code them (judged once per condition: deals are many, categories few)."""
    key = f"{c.column}|{c!r}"
    if key not in _TRUTH:
        cats = pd.DataFrame({c.column: list(_DEAL_CATEGORIES[c.column])})
        _TRUTH[key] = condition_mask(cats, c).to_numpy(bool)
    return _TRUTH[key]


def deal_match(
    m: Metric,
    attrs: dict[str, np.ndarray],
    code: np.ndarray,
    share: float | None,
) -> np.ndarray | None:
    """Which deals meet a metric's `where` (None: all of them). `attrs`: size, foreign,
    is500, four_new per deal."""
    carried, other = _split(m)
    if not carried and not other:
        return None
    n = len(attrs["size"])
    out = np.ones(n, bool)
    codes: dict[str, Callable[[], np.ndarray]] = {
        "capital_type": lambda: attrs["foreign"].astype(np.int8),
        "list_flag": lambda: np.where(attrs["is500"], np.where(attrs["foreign"], 1, 2), 0),
        "new_500_signing": lambda: attrs["is500"].astype(np.int8),
        "four_new": lambda: attrs["four_new"].astype(np.int8),
    }
    for c in carried:
        if c.column == "total_investment":
            size = attrs["size"]
            out &= np.isin(size, c.value) if c.op == "in" else OPERATORS[c.op](size, c.value)
        else:
            out &= _category_truth(c)[codes[c.column]()]
    if other:
        salt = ",".join(sorted({c.column for c in other}))
        out &= deal_uniform(code, salt) < float(share or 0.0)
    return out

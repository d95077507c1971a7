"""The engine's metrics as the zone declares them (workbook.zone.declarations): which exist, in
which order, and how a ledger project or a new deal counts for each.

- Metrics are laid out money first, then counts (`Layout.keys`); without declarations of its
  own a zone has the ten built-ins in the order of `workbook.forecast.setup.KEYS`.
- A ledger project counts for a count metric at the first milestone still ahead of it whose
  stage the metric counts (a 意向 project for a "signed or started" metric: at signing), if
  its `where` holds (judged on the ledger row, exactly) and it has not counted already this
  year. Its money counts for a money metric of its capital type whose `where` holds.
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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Layout:
    """The metrics one engine simulates: definitions, keys (money first) and columns."""

    defs: dict[str, Metric]
    keys: tuple[str, ...]
    n_money: int

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
    return Layout(defs, money + counts, len(money))


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


def group_weights(
    lay: Layout, family: str, stage: str, cols: np.ndarray, count_w: dict[str, np.ndarray]
) -> np.ndarray:
    """(len(cols), counts) weights of one milestone family for one group of ledger projects."""
    w = np.zeros((len(cols), len(lay.counts)), np.float32)
    kind = "pre" if stage not in _AHEAD else stage
    for j, key in enumerate(lay.counts):
        if counting_family(lay.defs[key], kind) == family:
            w[:, j] = count_w[key][cols]
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
    for key, m in lay.defs.items():
        _, other = _split(m)
        if not other:
            continue
        hit = where_mask(projects, other)
        k, n = float((hit & this_year).sum()), float(this_year.sum())
        prior = float(hit.mean()) if len(projects) else 0.0
        out[key] = (k + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)
    return out


def deal_uniform(code: np.ndarray, salt: str) -> np.ndarray:
    """A uniform in [0, 1) per deal, fixed by its codes (marks x deals) and `salt`."""
    return fused.hash_uniform(code, np.uint64(zlib.crc32(salt.encode("utf-8"))))


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
    codes = {
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

"""Count metrics with a condition on the date of the very milestone they count, e.g. signings
with `where: {signed_date: ">= 2020-07-01"}`: a ledger project's milestone still ahead counts
when its simulated month is in the condition's months [a, b] (`declared.Layout.windows`).

The December pass judges every other condition on the ledger row; these (project, metric) pairs
have no weight there (`ProjectGroup.full` is 0 for them, `ProjectGroup.window` holds them).
Their part is read from the month-by-month pass instead: with W(x) the count of those
milestones by the end of month x (0 up to the as-of month), the metric at the end of month m
gains W(min(m, b)) - W(min(m, a - 1)). The pass runs on columns of its own, one per (metric,
family, stage), so each stage's part of the mean (`explain.sources`) stays exact. New deals
judge the same window on their own drawn months (`DealPass`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from workbook.forecast.declared import Layout
    from workbook.forecast.kernels import LedgerLayout
    from workbook.forecast.setup import ProjectGroup, Setup

_KIND = {"sign": "S", "start": "T", "produce": "P"}  # rows of the December matrix by family


@dataclass(frozen=True)
class LedgerWindows:
    """Columns of the month pass, one per (windowed metric, family, stage of the projects)."""

    key: np.ndarray  # (C,) position of the metric in the engine's keys
    stage: tuple[str, ...]  # (C,) the stage whose projects the column sums
    first: np.ndarray  # (C,) a: the window's first month
    last: np.ndarray  # (C,) b: its last month (a > b: an empty window)
    weights: np.ndarray  # (rows, C) float32: each row's weight in each column


def ledger_windows(
    lay: Layout, groups: list[ProjectGroup], ledger: LedgerLayout
) -> LedgerWindows | None:
    """The windowed (project, metric) pairs of the ledger as columns of the month pass (None:
    there are none)."""
    columns: dict[tuple[str, str, str], int] = {}
    entries = []
    for g, lo in zip(groups, ledger.lo, strict=True):
        for family, w in g.window.items():
            rows = ledger.base[_KIND[family]] + lo + np.arange(len(g.cols))
            for j in np.flatnonzero(w.any(axis=0)):
                col = columns.setdefault((lay.counts[j], family, g.stage), len(columns))
                entries.append((rows, col, w[:, j]))
    if not columns:
        return None
    weights = np.zeros((ledger.rows, len(columns)), np.float32)
    for rows, col, w in entries:
        weights[rows, col] = w
    spans = [lay.windows[(key, family)] for key, family, _ in columns]
    return LedgerWindows(
        key=np.array([lay.keys.index(key) for key, _, _ in columns], np.int64),
        stage=tuple(stage for _, _, stage in columns),
        first=np.array([a for a, _ in spans], np.int64),
        last=np.array([b for _, b in spans], np.int64),
        weights=weights,
    )


def add_windows(
    win: LedgerWindows | None,
    month: int,
    monthly: Callable[..., None],
    setup: Setup,
    months: tuple[int, ...],
    out: np.ndarray,
    keys: tuple[int, ...],
    parts: dict[str, np.ndarray] | None,
) -> None:
    """Add the windowed ledger pairs `win` of the metrics at positions `keys` to `out`
    (trials, len(months), len(keys)) and, at December, to each stage's part; `month` is the
    as-of month and `monthly` the ledger's month pass (`LedgerPass.monthly`)."""
    if win is None:
        return
    pos = {k: i for i, k in enumerate(keys)}
    sel = [c for c in range(len(win.key)) if int(win.key[c]) in pos]
    ends = {
        x
        for c in sel
        for m in months
        for x in (min(m, win.last[c]), min(m, win.first[c] - 1))
        if x > month
    }
    if not ends:
        return
    at = tuple(sorted(int(x) for x in ends))
    counts = np.zeros((len(out), len(at), len(sel)))
    monthly(setup, at, counts, tuple(win.key[sel]), win.weights[:, sel])
    index = {x: i for i, x in enumerate(at)}

    def by(x: int, i: int) -> np.ndarray | float:
        """W(x) of the i-th selected column, per trial."""
        return counts[:, index[x], i] if x > month else 0.0

    for i, c in enumerate(sel):
        a, b, j = int(win.first[c]), int(win.last[c]), pos[int(win.key[c])]
        for t, m in enumerate(months):
            out[:, t, j] += by(min(m, b), i) - by(min(m, a - 1), i)
        if parts is not None:  # December: each stage's part of every metric
            added = by(min(12, b), i) - by(min(12, a - 1), i)
            parts[f"stage:{win.stage[c]}"][int(win.key[c])] += float(np.sum(added))

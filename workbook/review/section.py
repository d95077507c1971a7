"""The contract every section of the quarterly review keeps.

A review is a `Context` (what every section reads: the checked parameters, the zone with its
ledger as it stood at the as-of date, the forecast engine and its forecast of the params'
plan) and a list of `Section`s (workbook.review.report.SECTIONS). Each section

- `compute`s its result once from the context (and the results of the sections before it),
- draws its `charts` from its result (name -> Altair chart; made once per review),
- shows itself as an HTML fragment (`html`, given its charts),
- gives its tables one sheet each (`sheets`, sheet name -> localized table, report order),
- and its headline figures (`summary`, keys of summary.json, report order).

Every method but `compute` receives `done`, the results of every section by name (its own at
`done[self.name]`). A section that has no chart, sheet or summary leaves the default.

A section whose `compute` holds slow work that needs only the context (not another section's
result) gives that work as `ahead`: the review starts it as soon as the forecast is made, in a
forked copy of a batch kernel on the machine's other core (workbook.review.beside.Aside), while
the sections before it are computed, and `compute` collects its result (`ctx.ahead_result`)
instead of doing the work itself; elsewhere the work is done when `compute` asks for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.review.params import ReviewParams
from workbook.review.render import heading
from workbook.text.catalogue import Entry, label
from workbook.zone.loader import Zone

Results = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """What every section reads (see the module docstring)."""

    params: ReviewParams
    zone: Zone  # its ledger as it stood at the as-of date (workbook.zone.replay)
    engine: Any  # workbook.forecast.engine.Engine of the zone at the as-of date
    forecast: Any  # workbook.forecast.results.Forecast of the params' drivers and plan
    # where the pipeline at the as-of date came from (workbook.zone.replay.SOURCES) and the snapshot
    pipeline_source: str = "ledger"
    snapshot: Path | None = None
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    # section name -> its `ahead` work under way (workbook.review.beside.Aside)
    ahead: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def ahead_result(self, name: str, fn: Callable[[], Any]) -> Any:
        """The result of section `name`'s `ahead` work started for this review, else fn()."""
        work = self.ahead.get(name)
        return fn() if work is None else work.result()

    @property
    def lang(self) -> str:
        return self.params.lang

    @property
    def declared(self) -> dict[str, Entry]:
        """The labels the zone's params give its metrics (`ZoneParams.metric_labels`): pass
        them as `declared=` wherever the review names a metric."""
        return self.zone.params.metric_labels

    def metric(self, key: str) -> str:
        """The name of metric `key` in the report language (the zone's own label first)."""
        return label("metric", key, self.lang, self.declared)

    def t(self, key: str, **kw: Any) -> str:
        """A review label in the report language, formatted with `kw`."""
        text = label("review", key, self.lang)
        return text.format(**kw) if kw else text

    def timed(self, name: str, fn: Callable[[], Any]) -> Any:
        """fn(), its seconds kept under `name` (the run's manifest shows them)."""
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[name] = time.perf_counter() - t0


class Section:
    """One section of the review (see the module docstring); subclass and set `name`."""

    name: str = ""

    def compute(self, ctx: Context, done: Results) -> Any:
        """The section's result (a table, a dataclass), from the context and earlier results."""
        return None

    def ahead(self, ctx: Context) -> Callable[[], Any] | None:
        """Work of `compute` that reads only the context, to be started early (module
        docstring); None when there is none."""
        return None

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        """The section's charts by a stable name (each drawn once, on the page and in Word)."""
        return {}

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        """The section's HTML fragment (workbook.review.render builds its parts)."""
        raise NotImplementedError

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        """One localized table per review.xlsx sheet (sheet name -> table)."""
        return {}

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        """The section's keys of summary.json, JSON-ready."""
        return {}


def frame(ctx: Context, title_key: str, *parts: str) -> str:
    """A section's fragment: its heading (the review label `title_key`), then its parts."""
    return f'<section class="wb-section">{heading(ctx.t(title_key))}{"".join(parts)}</section>'


__all__ = ["Context", "Results", "Section", "frame"]

"""The quarterly review: the registry of its sections, and the loops over them.

`build_review(review_params(...))` makes the `Context` (the zone at the as-of date, its
forecast engine and forecast) and computes every section of `SECTIONS` in order
(workbook.review.section is their contract, workbook.review.sections holds one module each).
The `Review` then shows each section in a notebook (`show(name)`), returns its charts, the
tables one sheet each (`tables()`), the headline figures (`summary()`), and writes
review.xlsx, summary.json and review.docx (`save(folder)`).

A new section is one module under workbook/review/sections/, one line in SECTIONS and its
labels (workbook.text.labels, kind "review").
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.review.beside import Aside
from workbook.review.params import ReviewParams, check_data_covers
from workbook.review.section import Context, Section
from workbook.review.sections import (
    appendix,
    burnup,
    channels,
    headline,
    ladder,
    next_quarter,
    pipeline,
    title,
    tracker,
)
from workbook.zone.loader import Zone, zone_of
from workbook.zone.params import ZoneParams, load_params

# The sections in page order (the title first).
SECTIONS: tuple[Section, ...] = (
    title.SECTION,
    headline.SECTION,
    burnup.SECTION,
    pipeline.SECTION,
    tracker.SECTION,
    ladder.SECTION,
    channels.SECTION,
    next_quarter.SECTION,
    appendix.SECTION,
)


@dataclass(frozen=True)
class Review:
    """Every section's result over one context (see the module docstring)."""

    context: Context
    results: dict[str, Any]  # section name -> its result
    sections: tuple[Section, ...] = SECTIONS
    # charts and fragments already made (from the results, made once, never compared)
    _charts: dict[str, dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _fragments: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def params(self) -> ReviewParams:
        return self.context.params

    @property
    def zone(self) -> Zone:
        return self.context.zone

    @property
    def lang(self) -> str:
        return self.context.lang

    @property
    def timings(self) -> dict[str, float]:
        return self.context.timings

    def t(self, key: str, **kw: Any) -> str:
        return self.context.t(key, **kw)

    @property
    def names(self) -> tuple[str, ...]:
        """The sections' names in page order."""
        return tuple(s.name for s in self.sections)

    def __getitem__(self, name: str) -> Any:
        """One section's result."""
        return self.results[name]

    def with_results(self, **results: Any) -> Review:
        """The same review with some sections' results replaced (what-ifs, tests)."""
        return replace(self, results={**self.results, **results})

    def section(self, name: str) -> Section:
        for s in self.sections:
            if s.name == name:
                return s
        raise KeyError(f"unknown section {name!r} (expected one of {', '.join(self.names)})")

    # ---- the notebook's view -----------------------------------------------------------

    def show(self, name: str) -> None:
        """Display one section as HTML in the notebook."""
        from workbook.review.render import display_html

        display_html(self.section_html(name), f"[{name}]")

    def section_charts(self, name: str) -> dict[str, Any]:
        """One section's charts by name (drawn once from its result)."""
        if name not in self._charts:
            self._charts[name] = self.section(name).charts(self.context, self.results)
        return self._charts[name]

    def section_html(self, name: str) -> str:
        """One section's HTML fragment (made once: the notebook shows it, review.docx reads
        it again)."""
        if name not in self._fragments:
            s = self.section(name)
            charts = self.section_charts(name)
            self._fragments[name] = s.html(self.context, self.results, charts)
        return self._fragments[name]

    def page_html(self) -> list[str]:
        """The page's fragments in order, one per section."""
        return [self.section_html(name) for name in self.names]

    def charts(self) -> dict[str, Any]:
        """Every chart of the review by name, in page order."""
        return {k: c for name in self.names for k, c in self.section_charts(name).items()}

    def abstract(self) -> str:
        """The opening paragraph, from the figures (workbook.review.abstract)."""
        from workbook.review.abstract import abstract

        return abstract(self.context, self.results)

    # ---- tables and figures ------------------------------------------------------------

    def tables(self) -> dict[str, pd.DataFrame]:
        """One localized table per sheet, in report order (sheet name -> table)."""
        return {
            k: v for s in self.sections for k, v in s.sheets(self.context, self.results).items()
        }

    def summary(self) -> dict[str, Any]:
        """Every headline figure, canonical keys, JSON-ready (for roll-ups across zones)."""
        return {
            k: v for s in self.sections for k, v in s.summary(self.context, self.results).items()
        }

    def save(self, folder: str | Path | None) -> None:
        """Write review.xlsx (one sheet per table), summary.json and review.docx (the page as
        a Word document) into `folder` (nothing when it is None or empty, as in a notebook
        run without an output folder)."""
        from workbook.review.output import write_json, write_xlsx

        if folder is None or not str(folder).strip():
            return
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        from workbook.review.beside import Beside
        from workbook.review.word import write_docx

        def tables_and_summary() -> None:
            write_xlsx(folder / "review.xlsx", self.tables())
            write_json(folder / "summary.json", self.summary())

        t0 = time.perf_counter()
        # review.xlsx and summary.json in a copy of a batch kernel, on the other core, while
        # this one writes review.docx (workbook.review.beside); elsewhere first, then the docx
        tables = Beside(tables_and_summary)
        t1 = time.perf_counter()
        try:
            write_docx(folder / "review.docx", self.context, self.page_html())
            docx = time.perf_counter() - t1
        finally:
            tables.join()  # done again here (its error raised) when the copy did not finish
        saved = (time.perf_counter() if tables.forked else t1) - t0  # xlsx and json in place
        timings = {**self.timings, "save": saved, "docx": docx}
        write_json(folder / ".kernel-timings.json", timings)


# ---- building ----------------------------------------------------------------------------


def build_context(
    rp: ReviewParams, zone_params: ZoneParams | None = None, sections: Sequence[Section] = ()
) -> Context:
    """The zone (from `zone_params` when the caller has read the params file already), its
    pipeline as it stood at the as-of date, the forecast engine and its forecast; the `ahead`
    work of `sections` is started once the forecast is made (`Context.ahead`)."""
    timings: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            timings[name] = time.perf_counter() - t0

    zone = timed(
        "load", lambda: zone_of(zone_params if zone_params else load_params(rp.params_path))
    )
    # A quarter the data do not reach yet is no review (the runner refuses it earlier).
    check_data_covers(rp, zone.ledger)
    # A past quarter is reviewed on the pipeline as it stood at its end (workbook.zone.replay).
    at = timed("replay", lambda: _pipeline_at(zone, rp))
    zone = replace(zone, ledger=at.ledger)
    engine, fc = timed("forecast", lambda: _forecast(zone, rp))
    ctx = Context(rp, zone, engine, fc, at.source, at.snapshot, timings)
    # the sections' work that needs only the context, started now beside the sections before
    # them (in a copy of this process that shares the forecast's draws: workbook.review.beside)
    ahead = {s.name: Aside(fn) for s in sections if (fn := s.ahead(ctx)) is not None}
    return replace(ctx, ahead=ahead)


def build_review(
    rp: ReviewParams,
    zone_params: ZoneParams | None = None,
    sections: Sequence[Section] = SECTIONS,
) -> Review:
    """Compute every section of the review for validated parameters, in order (the sections'
    `ahead` work started as soon as the forecast is made)."""
    ctx = build_context(rp, zone_params, sections)
    results: dict[str, Any] = {}
    try:
        for s in sections:
            results[s.name] = s.compute(ctx, results)
    finally:
        _cancel(ctx.ahead)  # work whose section never collected it (an error before)
    return Review(ctx, results, tuple(sections))


def _cancel(ahead: Mapping[str, Any]) -> None:
    for work in ahead.values():
        work.cancel()


def _pipeline_at(zone: Zone, rp: ReviewParams) -> Any:
    from workbook.zone.replay import ledger_at, snapshot_for

    snapshot = snapshot_for(zone.params.data.ledger, str(rp.quarter))
    return ledger_at(zone.ledger, rp.as_of, snapshot)


def _forecast(zone: Zone, rp: ReviewParams) -> tuple[Any, Any]:
    from workbook.forecast.engine import Engine

    engine = Engine(zone, as_of=rp.as_of, trials=rp.trials, seed=rp.seed)
    return engine, engine.forecast()


__all__ = ["SECTIONS", "Review", "build_context", "build_review"]

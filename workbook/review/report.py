"""The quarterly review: every section computed once from the zone and its forecast.

`build_review(review_params(...))` loads the zone, runs the forecast (workbook.forecast.engine),
plans the remaining roadshows (workbook.roadshow.problem) and computes the seven sections
(workbook.review.sections). The `Review` then shows each section in a notebook
(`show(name)`), returns the tables one sheet each (`tables()`), the headline figures
(`summary()`), and writes review.xlsx and summary.json (`save(folder)`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.review import sections as sec
from workbook.review.abstract import money_parts
from workbook.review.campaign import campaign_records, campaign_table
from workbook.review.params import ReviewParams
from workbook.text.errors import InfeasiblePlanError
from workbook.text.labels import STAGES, label
from workbook.zone.ledger import load_ledger
from workbook.zone.loader import Zone, load_zone

SECTIONS = ("headline", "burnup", "pipeline", "tracker", "ladder", "channels", "next_quarter")
GOAL_METRIC = "domestic_capital"
GOAL_PROBABILITY = 0.8
BACKTEST_TRIALS = 2_000  # per earlier quarter: enough for a Brier score, cheap beside the review
PLAN_TIME_LIMIT = 30.0  # seconds for the roadshow plan's MILP; then the expected-value plan
SUMMARY_SCHEMA = 1


@dataclass(frozen=True)
class NextQuarter:
    """Section 7: the recommended events for the remaining budget and what they buy, the goal
    seek for the domestic-capital target, and the open projects with most at stake."""

    budget: float | None
    plan: pd.DataFrame | None  # workbook.roadshow.problem.PLAN_COLUMNS
    plan_problems: tuple[str, ...]  # why there is no plan (infeasible, no catalogue)
    plan_chart: Any  # alt.Chart of the plan, or None
    p_with_plan: pd.Series | None  # P(attain) per metric with the plan held
    goal_seek: dict[str, Any] | None
    at_stake: pd.DataFrame | None
    # how the plan was chosen (workbook.roadshow.saa): objective, S, gap, method
    objective: dict[str, Any] | None = None


@dataclass(frozen=True)
class Review:
    """All seven sections of one zone's quarterly review (see the module docstring)."""

    params: ReviewParams
    zone: Zone
    headline: pd.DataFrame
    p_all: float | None
    burnups: dict[str, pd.DataFrame]
    funnel: pd.DataFrame
    changes: pd.DataFrame | None
    tracker: pd.DataFrame
    ladder: pd.DataFrame
    channels: pd.DataFrame
    next_quarter: NextQuarter
    last_arrival: dt.date | None
    timings: dict[str, float] = field(default_factory=dict)
    backtest: Any = None  # workbook.forecast.backtest.Backtest from this year's snapshots, or None
    # The campaigns (百日攻坚) overlapping the quarter: workbook.review.campaign; None if none.
    campaigns: pd.DataFrame | None = None
    # Per target: why the forecast says what it says, one line (workbook.forecast.explain).
    why: dict[str, str] = field(default_factory=dict)
    # where the pipeline at the as-of date came from (workbook.zone.replay.SOURCES) and the snapshot
    pipeline_source: str = "ledger"
    snapshot: Path | None = None
    # each money target's expected year-end value in parts (workbook.review.abstract)
    parts: dict[str, dict[str, float]] = field(default_factory=dict)
    # section fragments already made (derived from the fields above, never compared)
    _fragments: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def lang(self) -> str:
        return self.params.lang

    def t(self, key: str, **kw: Any) -> str:
        text = label("review", key, self.lang)
        return text.format(**kw) if kw else text

    # ---- the notebook's view -----------------------------------------------------------

    def show(self, section: str) -> None:
        """Display one section ('title' or one of SECTIONS) as HTML in the notebook."""
        from workbook.review.render import display_html

        fragment = self.section_html(section)
        display_html(fragment, f"[{section}]")

    def section_html(self, section: str) -> str:
        """One section's HTML fragment (made once: the notebook shows it, review.docx reads
        it again)."""
        from workbook.review import views

        if section in self._fragments:
            return self._fragments[section]
        if section == "title":
            html = views.title(self)
        elif section not in SECTIONS:
            raise KeyError(
                f"unknown section {section!r} (expected title or one of {', '.join(SECTIONS)})"
            )
        else:
            html = getattr(views, section)(self)
        self._fragments[section] = html
        return html

    def page_html(self) -> list[str]:
        """The page's fragments in order: the title, then every section (SECTIONS)."""
        return [self.section_html(s) for s in ("title", *SECTIONS)]

    def charts(self) -> dict[str, Any]:
        """Every chart of the review by name (the report draws each of them)."""
        from workbook.review import views

        return views.charts(self)

    def abstract(self) -> str:
        """The opening paragraph, from the figures (workbook.review.abstract)."""
        from workbook.review.abstract import abstract

        return abstract(self)

    # ---- tables and figures ------------------------------------------------------------

    def tables(self) -> dict[str, pd.DataFrame]:
        """One localized table per sheet, in report order (sheet name -> table)."""
        from workbook.review.render import localize

        lang = self.lang
        out: dict[str, pd.DataFrame] = {}
        head = self.headline.drop(columns=["gap"]).copy()
        out[self.t("sheet_headline")] = localize(head, lang)
        if self.campaigns is not None:
            out[self.t("sheet_campaign")] = localize(self.campaigns, lang)
        burn = pd.concat(
            [b.assign(metric=m)[["metric", *b.columns]] for m, b in self.burnups.items()],
            ignore_index=True,
        )  # the fan's columns are month-end cumulative quantiles, not year-end ones
        burn = burn.rename(columns={q: f"fan_{q}" for q in ("p10", "p50", "p90")})
        out[self.t("sheet_burnup")] = localize(burn, lang)
        out[self.t("sheet_funnel")] = localize(self.funnel, lang)
        if self.changes is not None:
            out[self.t("sheet_changes")] = localize(self.changes, lang)
        out[self.t("sheet_tracker")] = localize(self.tracker, lang)
        out[self.t("sheet_ladder")] = localize(self.ladder, lang)
        ch = self.channels.drop(columns=["channel_en" if lang == "zh" else "channel", "channel_id"])
        ch = ch.rename(columns={"channel_en": "channel"})
        out[self.t("sheet_channels")] = localize(ch, lang)
        nq = self.next_quarter
        if nq.plan is not None:
            out[self.t("sheet_plan")] = _localize_plan(nq.plan, lang)
            effect = self.plan_effect()
            if effect is not None:
                out[self.t("sheet_plan_effect")] = effect
        if nq.goal_seek is not None:
            from workbook.text import formats as xs

            g = nq.goal_seek
            rows = [
                ("metric", label("metric", g["metric"], lang), None),
                ("gs_probability", g["probability"], xs.PERCENT),
                ("gs_current", g["current"], xs.PERCENT),
                ("gs_extra", g["extra_signed_capital"], xs.MONEY),
                ("gs_achieved", g["achieved"], xs.PERCENT),
            ]
            sheet = pd.DataFrame(
                {
                    self.t("gs_item"): [self.t(k) for k, _, _ in rows],
                    self.t("gs_value"): pd.Series([v for _, v, _ in rows], dtype=object),
                }
            )
            out[self.t("sheet_goal_seek")] = xs.with_formats(
                sheet, {self.t("gs_value"): [f for _, _, f in rows]}
            )
        if nq.at_stake is not None:
            out[self.t("sheet_stake")] = localize(nq.at_stake, lang)
        return out

    def plan_effect(self) -> pd.DataFrame | None:
        """P(attain) of every target with the year's event plan and with the recommended
        events, and the change in percentage points (a localized table)."""
        from workbook.text import formats as xs

        nq = self.next_quarter
        if nq.plan is None or not len(nq.plan) or nq.p_with_plan is None:
            return None
        head = self.headline.set_index("metric")
        before = head["p_attain"].astype(float)
        after = nq.p_with_plan.reindex(head.index).astype(float)
        table = pd.DataFrame(
            {
                self.t("metric"): [label("metric", m, self.lang) for m in head.index],
                self.t("p_base_plan"): before.to_numpy(),
                self.t("p_with_plan"): after.to_numpy(),
                self.t("p_change"): ((after - before) * 100).to_numpy(),
            }
        )
        return xs.with_formats(
            table,
            {
                self.t("p_base_plan"): xs.PERCENT,
                self.t("p_with_plan"): xs.PERCENT,
                self.t("p_change"): "+0.0;-0.0;0.0",
            },
        )

    def summary(self) -> dict[str, Any]:
        """Every headline figure, canonical keys, JSON-ready (for roll-ups across zones)."""
        rp, p = self.params, self.zone.params
        targets = {}
        for row in sec.records(self.headline):
            key = row.pop("metric")
            row["label"] = label("metric", key, rp.lang)
            targets[key] = row
        burn = {}
        for m, b in self.burnups.items():
            known = b.dropna(subset=["actual"])
            dec = b.iloc[-1]
            burn[m] = {
                "actual_to_date": sec._plain(known["actual"].iloc[-1]) if len(known) else 0.0,
                "phased_target_now": sec._plain(known["phased_target"].iloc[-1])
                if len(known)
                else 0.0,
                "p10_december": sec._plain(dec["p10"]),
                "p50_december": sec._plain(dec["p50"]),
                "p90_december": sec._plain(dec["p90"]),
            }
        f = self.funnel.set_index("stage")
        pipeline = {
            "source": self.pipeline_source,
            "snapshot": self.snapshot.name if self.snapshot else None,
            "projects": int(f["projects"].sum()),
            "total_investment": float(f["total_investment"].sum()),
            "signed_or_beyond": int(f.loc[STAGES[STAGES.index("signed")], "reached"]),
            "by_stage": {
                s: {
                    "projects": int(f.loc[s, "projects"]),
                    "total_investment": float(f.loc[s, "total_investment"]),
                }
                for s in STAGES
            },
        }
        changes = None
        if self.changes is not None:
            changes = {
                "previous_ledger": rp.previous_ledger.name if rp.previous_ledger else None,
                **sec.change_counts(self.changes),
            }
        nq = self.next_quarter
        plan = None
        if nq.plan is not None:
            plan = {
                "budget": nq.budget,
                "events": len(nq.plan),
                "cost": float(nq.plan["cost"].sum()),
                "expected_capital": float(nq.plan["expected_capital"].sum()),
                "expected_500": float(nq.plan["expected_500"].sum()),
                "event_ids": [str(e) for e in nq.plan["event_id"]],
                "objective": {k: sec._plain(v) for k, v in (nq.objective or {}).items()},
                "p_attain_with_plan": {k: sec._plain(v) for k, v in nq.p_with_plan.items()}
                if nq.p_with_plan is not None
                else None,
            }
        return {
            "schema": SUMMARY_SCHEMA,
            "zone": p.zone,
            "zone_en": p.zone_en,
            "params": rp.params_path.name,
            "year": p.year,
            "quarter": str(rp.quarter),
            "as_of": rp.as_of.isoformat(),
            "lang": rp.lang,
            "abstract": self.abstract(),
            "trials": rp.trials,
            "seed": rp.seed,
            "last_arrival": self.last_arrival.isoformat() if self.last_arrival else None,
            "targets": targets,
            "campaigns": campaign_records(self.campaigns, rp.lang),
            "p_all": sec._plain(self.p_all),
            "backtest": _backtest_summary(self.backtest, rp.lang),
            "burnup": burn,
            "pipeline": pipeline,
            "changes": changes,
            "tracker_500": sec.tracker_counts(self.tracker),
            "big_projects": {
                **sec.ladder_counts(self.ladder),
                "overdue_projects": [
                    str(x) for x in self.ladder.loc[self.ladder["overdue"], "project_id"]
                ],
            },
            "channels": sec.channel_totals(self.channels),
            "next_quarter": {
                "plan": plan,
                "plan_problems": list(nq.plan_problems),
                "goal_seek": {k: sec._plain(v) for k, v in nq.goal_seek.items()}
                if nq.goal_seek is not None
                else None,
                "at_stake": [str(x) for x in nq.at_stake["project_id"]]
                if nq.at_stake is not None
                else [],
            },
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
        from workbook.review.word import write_docx

        t0 = time.perf_counter()
        write_xlsx(folder / "review.xlsx", self.tables())
        write_json(folder / "summary.json", self.summary())
        t1 = time.perf_counter()
        write_docx(folder / "review.docx", self)
        timings = {**self.timings, "save": t1 - t0, "docx": time.perf_counter() - t1}
        write_json(folder / ".kernel-timings.json", timings)


def _backtest_summary(bt: Any, lang: str) -> dict[str, Any] | None:
    """The forecasts made at earlier quarter ends, scored at the as-of date: their scores and
    the table of bands of confidence the page reads (None without past forecasts)."""
    if bt is None or not len(bt.forecasts):
        return None
    f = bt.forecasts
    inside, n = sec.track_coverage(f)
    return {
        "quarters": list(dict.fromkeys(str(q) for q in f["quarter"])),
        "horizon": bt.horizon.isoformat(),
        "trials": bt.trials,
        "forecasts": n,
        "brier": bt.brier,
        "expected_brier": bt.expected_brier,
        "coverage_p10_p90": bt.coverage_p10_p90,
        "inside_p10_p90": inside,
        "bands": [
            {**row, "label": label("confidence", str(row["band"]), lang)}
            for row in sec.records(sec.track_bands(f))
        ],
    }


def _localize_plan(plan: pd.DataFrame, lang: str) -> pd.DataFrame:
    from workbook.review.render import localize

    cols = [
        c
        for c in (
            "month",
            "first_day",
            "last_day",
            "event_id",
            "name",
            "kind",
            "city",
            "office",
            "cost",
            "staff_days",
            "expected_leads",
            "expected_signings",
            "expected_capital",
            "expected_500",
        )
        if c in plan.columns
    ]
    df = plan[cols].copy()
    if "expected_capital" in df.columns:  # an event's capital reads in 万元, not 0.00 亿元
        df["expected_capital"] = df["expected_capital"] * 10_000
    if "kind" in df.columns:
        from workbook.zone.events import EVENT_KIND_ZH

        df["kind"] = [EVENT_KIND_ZH.get(k, k) if lang == "zh" else k for k in df["kind"]]
    renamed = localize(df.drop(columns=["kind"], errors="ignore"), lang)
    formats = dict(renamed.attrs.get("formats", {}))
    for key, new_key in (("expected_capital", "expected_capital_wan"), ("name", "event_name")):
        old, new = label("review", key, lang), label("review", new_key, lang)
        if old in renamed.columns:
            renamed = renamed.rename(columns={old: new})
            formats[new] = formats.pop(old, None)
    if "kind" in df.columns:
        renamed.insert(min(5, len(renamed.columns)), label("review", "kind", lang), df["kind"])
    renamed.attrs["formats"] = formats
    return renamed


# ---- building ----------------------------------------------------------------------------


def _timed(timings: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    try:
        return fn()
    finally:
        timings[name] = time.perf_counter() - t0


def build_review(rp: ReviewParams) -> Review:
    """Compute every section of the review for validated parameters."""
    timings: dict[str, float] = {}
    zone = _timed(timings, "load", lambda: load_zone(rp.params_path))
    # A past quarter is reviewed on the pipeline as it stood at its end (workbook.zone.replay).
    at = _timed(timings, "replay", lambda: _pipeline_at(zone, rp))
    zone = replace(zone, ledger=at.ledger)
    p, ledger, as_of = zone.params, zone.ledger, rp.as_of

    engine, fc = _timed(timings, "forecast", lambda: _forecast(zone, rp))
    headline = sec.headline(p, ledger, as_of, fc.targets)
    why = _timed(timings, "why", lambda: _why(fc, rp.lang))
    fans = fc.fans(sec.money_metrics(p))  # their months in one pass
    burnups = {m: sec.burnup(p, ledger, as_of, m, fan) for m, fan in fans.items()}

    changes = None
    if rp.previous_ledger is not None:
        previous = _timed(timings, "previous_ledger", lambda: load_ledger(rp.previous_ledger))
        changes = sec.changes(previous.projects, ledger.projects)

    next_quarter = _timed(timings, "next_quarter", lambda: _next_quarter(zone, rp, engine, fc))
    backtest = _timed(timings, "backtest", lambda: _backtest(zone, rp))
    arrivals = ledger.arrivals
    last = None
    if len(arrivals):
        m = arrivals["month"].max()
        last = dt.date(m.year, m.month, 1)
    return Review(
        params=rp,
        zone=zone,
        headline=headline,
        p_all=float(fc.p_all),
        burnups=burnups,
        funnel=sec.funnel(ledger.projects),
        changes=changes,
        tracker=sec.tracker_500(p, ledger, as_of),
        ladder=sec.ladder(p, ledger, as_of),
        channels=sec.channels(p, ledger, zone.events, as_of),
        next_quarter=next_quarter,
        last_arrival=last,
        timings=timings,
        backtest=backtest,
        campaigns=campaign_table(zone, rp, engine),
        why=why,
        pipeline_source=at.source,
        snapshot=at.snapshot,
        parts=money_parts(fc, p),
    )


def _why(fc: Any, lang: str) -> dict[str, str]:
    from workbook.forecast.explain import why

    return {m: why(fc, m, lang) for m in fc.metrics}


def _pipeline_at(zone: Zone, rp: ReviewParams) -> Any:
    from workbook.zone.replay import ledger_at, snapshot_for

    snapshot = snapshot_for(zone.params.data.ledger, str(rp.quarter))
    return ledger_at(zone.ledger, rp.as_of, snapshot)


def _forecast(zone: Zone, rp: ReviewParams) -> tuple[Any, Any]:
    from workbook.forecast.engine import Engine

    engine = Engine(zone, as_of=rp.as_of, trials=rp.trials, seed=rp.seed)
    return engine, engine.forecast()


def _backtest(zone: Zone, rp: ReviewParams) -> Any:
    """The forecasts from this year's earlier quarter-end snapshots scored at the as-of date
    (None when the ledger keeps no snapshot of an earlier quarter of the year)."""
    from workbook.forecast.backtest import backtest
    from workbook.zone.snapshots import find_snapshots

    quarters = [
        s.quarter
        for s in find_snapshots(zone.ledger.ledger_path)
        if s.date.year == zone.params.year and s.date < rp.as_of
    ]
    if not quarters:
        return None
    trials = min(rp.trials, BACKTEST_TRIALS)
    return backtest(
        zone, ",".join(quarters), trials=trials, seed=rp.seed, horizon=rp.as_of, lang=rp.lang
    )


def _next_quarter(zone: Zone, rp: ReviewParams, engine: Any, fc: Any) -> NextQuarter:
    from workbook.roadshow.problem import build_problem

    plan_table = chart = p_with = how = None
    problems: tuple[str, ...] = ()
    budget = rp.budget if rp.budget is not None else zone.params.roadshow.budget
    if zone.events is None or not len(zone.events):
        problems = (label("review", "plan_none", rp.lang),)
    else:
        problem = build_problem(
            zone.params, zone.events, budget=budget, as_of=rp.as_of + dt.timedelta(days=1)
        )
        try:
            plan, how = _best_plan(zone, rp, engine, problem)
        except InfeasiblePlanError as exc:
            problems = tuple(exc.lines())
        else:
            plan_table = plan.table
            if len(plan_table):
                with_plan = engine.forecast(plan=plan.held())
                p_with = with_plan.targets["p_attain"]
                chart = _plan_chart(plan_table, rp.lang)
    goal = _goal_seek(engine, fc, zone, rp)
    stake = sec.at_stake(fc.projects, zone.ledger) if fc.projects is not None else None
    return NextQuarter(budget, plan_table, problems, chart, p_with, goal, stake, how)


def _best_plan(zone: Zone, rp: ReviewParams, engine: Any, problem: Any) -> tuple[Any, Any]:
    """The events that maximise the chance of meeting the 内资到位 target on the forecast's
    own trials (as `workbook plan` does by default), or the expected-value plan for a zone
    without that target; and how it was chosen."""
    from workbook.roadshow.saa import DEFAULT_OBJECTIVE, EXPECTED, best_plan

    targets = dict(zone.params.targets.items())
    objective = DEFAULT_OBJECTIVE if GOAL_METRIC in targets else EXPECTED
    result = best_plan(engine, problem, objective, time_limit=PLAN_TIME_LIMIT, lang=rp.lang)
    how = {
        "objective": result.objective,
        "samples": result.samples,
        "gap": result.gap,
        "method": result.method,
        "time_limit_hit": result.time_limit_hit,
        "p_in_sample": result.p_in_sample.get(result.method),
    }
    return result.plan, how


def _plan_chart(table: pd.DataFrame, lang: str) -> Any:
    from workbook.charts.roadshow import plan_chart

    return plan_chart(table, lang=lang)


def _goal_seek(engine: Any, fc: Any, zone: Zone, rp: ReviewParams) -> dict[str, Any] | None:
    """Extra signed capital (亿元) that lifts P(domestic capital target met) to 80%."""
    if GOAL_METRIC not in dict(zone.params.targets.items()):
        return None
    from workbook.forecast.goalseek import goal_seek

    g = goal_seek(engine, GOAL_METRIC, GOAL_PROBABILITY, lever="signed_capital")
    return {
        "metric": g.metric,
        "lever": g.lever,
        "unit": g.unit,
        "probability": g.probability,
        "current": float(g.current),
        "extra_signed_capital": None if g.extra is None else float(g.extra),
        "achieved": float(g.achieved),
    }


__all__ = ["SECTIONS", "NextQuarter", "Review", "build_review"]

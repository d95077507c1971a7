"""Section 7: the recommended events for the remaining roadshow budget and what they do to
each target's chance, the goal seek for the domestic-capital target, and the open projects
with most at stake."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook.files.jsonsafe import plain
from workbook.review.params import ReviewParams
from workbook.review.render import chart_html, heading, localize, note, table_html
from workbook.review.section import Context, Results, Section, frame
from workbook.text.catalogue import Entry, label, say
from workbook.text.labels import STAGES
from workbook.zone.ledger import Ledger
from workbook.zone.loader import Zone

GOAL_METRIC = "domestic_capital"
# Seconds the review gives the plan's solver (`workbook plan` gives 10): the plan found early is
# kept, and a proof not finished by then is said as such, with its gap (the appendix).
PLAN_SECONDS = 3.0
GOAL_PROBABILITY = 0.8
PLAN_SHOWN = [
    "month",
    "first_day",
    "last_day",
    "name",
    "city",
    "office",
    "cost",
    "expected_leads",
    "expected_capital_wan",
]
STAKE_SHOWN = [
    "name",
    "stage",
    "total_investment",
    "p_sign",
    "p_money",
    "expected_contribution",
    "team",
    "owner",
    "next_milestone",
    "milestone_date",
]


@dataclass(frozen=True)
class NextQuarter:
    """Section 7's result."""

    budget: float | None
    plan: pd.DataFrame | None  # workbook.roadshow.problem.PLAN_COLUMNS
    plan_problems: tuple[str, ...]  # why there is no plan (infeasible, no catalogue)
    p_with_plan: pd.Series | None  # P(attain) per metric with the plan held
    goal_seek: dict[str, Any] | None
    at_stake: pd.DataFrame | None
    # how the plan was chosen (workbook.roadshow.saa): objective, S, gap, method
    objective: dict[str, Any] | None = None
    # the goal seek for the biggest risk (workbook.review.abstract.biggest_risk) when it is a
    # money target: `goal_seek` itself when that is the same target; None for a count
    risk_goal_seek: dict[str, Any] | None = None
    # seconds the plan's solver was given (PLAN_SECONDS; None: not known)
    time_limit: float | None = None


def at_stake(project_forecast: pd.DataFrame, ledger: Ledger, n: int = 10) -> pd.DataFrame:
    """The open projects (not yet started) whose outcome moves the year most: largest expected
    in-year contribution under the forecast, with who is responsible and the next time node."""
    fc = project_forecast[["project_id", "p_sign", "p_start", "p_money", "expected_contribution"]]
    p = ledger.projects[
        [
            "project_id",
            "name",
            "stage",
            "total_investment",
            "team",
            "owner",
            "next_milestone",
            "milestone_date",
        ]
    ]
    merged = p.merge(fc, on="project_id", how="inner")
    merged["stage"] = merged["stage"].astype(str)
    open_ = merged[merged["stage"].isin(STAGES[: STAGES.index("started")])]
    open_ = open_.sort_values(
        ["expected_contribution", "p_sign", "total_investment"], ascending=False, kind="stable"
    )
    cols = [
        "project_id",
        "name",
        "stage",
        "total_investment",
        "p_sign",
        "p_start",
        "p_money",
        "expected_contribution",
        "team",
        "owner",
        "next_milestone",
        "milestone_date",
    ]
    return open_[cols].head(n).reset_index(drop=True)


@dataclass(frozen=True)
class PlanPart:
    """The plan of section 7 (what `plan_ahead` computes: it needs only the zone and the
    engine, so a review starts it beside the sections before, workbook.review.beside.Aside)."""

    budget: float | None
    plan: pd.DataFrame | None  # workbook.roadshow.problem.PLAN_COLUMNS
    problems: tuple[str, ...]
    p_attain: pd.Series | None  # P(attain) per metric with the plan held
    objective: dict[str, Any] | None  # workbook.roadshow.service.PlanResult.status
    seconds: float = 0.0
    time_limit: float | None = None  # seconds the solver was given


def plan_ahead(zone: Zone, rp: ReviewParams, engine: Any) -> PlanPart:
    """The plan for the rest of the year (the roadshow-plan service, as `workbook plan` makes
    it by default) and P(attain) with it held."""
    from workbook.roadshow.service import PlanRequest, plan_roadshow

    t0 = time.perf_counter()
    request = PlanRequest(
        zone,
        as_of=rp.as_of,
        budget=rp.budget,
        compare=False,  # the plan and P(attain) with it held; no greedy plan beside it
        time_limit=PLAN_SECONDS,
        lang=rp.lang,
    )
    plan = plan_roadshow(request, engine=engine)
    table = plan.plan.table if plan.plan is not None else None
    seconds = time.perf_counter() - t0
    status = plan.status()
    return PlanPart(
        plan.budget, table, plan.problems, plan.p_attain, status, seconds, request.time_limit
    )


def next_quarter(
    ctx: Context, headline: pd.DataFrame | None = None, plan: PlanPart | None = None
) -> NextQuarter:
    """The plan for the rest of the year (`plan`, else `plan_ahead` now), P(attain) with it
    held, the goal seek (for 内资到位, and for the biggest risk of the `headline` table when
    that is another money target) and the projects most at stake."""
    from workbook.review.sections.headline import RISK, biggest_risk
    from workbook.zone.metrics import definitions

    zone, engine, fc = ctx.zone, ctx.engine, ctx.forecast
    if plan is None:
        plan = plan_ahead(zone, ctx.params, engine)
    goal = _goal_seek(engine, zone, GOAL_METRIC, fc)
    risk_goal = None
    if headline is not None:
        defs = definitions(zone.params)
        risk = biggest_risk(headline, defs)
        p = headline.set_index("metric")["p_attain"]
        if risk is not None and float(p[risk]) < RISK and defs[risk].kind == "money":
            risk_goal = goal if risk == GOAL_METRIC else _goal_seek(engine, zone, risk, fc)
    stake = at_stake(fc.projects, zone.ledger) if fc.projects is not None else None
    return NextQuarter(
        plan.budget,
        plan.plan,
        plan.problems,
        plan.p_attain,
        goal,
        stake,
        plan.objective,
        risk_goal,
        plan.time_limit,
    )


def _goal_seek(engine: Any, zone: Zone, metric: str, fc: Any) -> dict[str, Any] | None:
    """Extra signed capital (亿元) that lifts P(`metric`'s target met) to 80%; `beyond_target`
    when that is more than the year's target itself (an ask no zone can act on: the review
    says so rather than recommend it). `fc`: the review's forecast (`engine.forecast()`, made
    once for the whole review), whose targets are read here."""
    targets = dict(zone.params.targets.items())
    if metric not in targets:
        return None
    from workbook.forecast.goalseek import goal_seek
    from workbook.zone.metrics import definitions

    g = goal_seek(engine, metric, GOAL_PROBABILITY, lever="signed_capital")
    target = float(fc.targets.loc[metric, "target"])
    currency = targets[metric].currency or definitions(zone.params)[metric].default_currency
    # the target in the goal seek's unit (亿元 signed): a USD target at the params' rate
    target_cny = target * (zone.params.fx_cny_per_usd if currency == "USD" else 1.0)
    extra = None if g.extra is None else float(g.extra)
    return {
        "metric": g.metric,
        "lever": g.lever,
        "unit": g.unit,
        "probability": g.probability,
        "current": float(g.current),
        "extra_signed_capital": extra,
        "achieved": float(g.achieved),
        "target": target_cny,  # in `unit`
        "beyond_target": extra is not None and extra > target_cny,
    }


def plan_effect(ctx: Context, headline: pd.DataFrame, nq: NextQuarter) -> pd.DataFrame | None:
    """P(attain) of every target with the year's event plan and with the recommended
    events, and the change in percentage points (a localized table)."""
    from workbook.text import formats as xs

    if nq.plan is None or not len(nq.plan) or nq.p_with_plan is None:
        return None
    head = headline.set_index("metric")
    before = head["p_attain"].astype(float)
    after = nq.p_with_plan.reindex(head.index).astype(float)
    table = pd.DataFrame(
        {
            ctx.t("metric"): [ctx.metric(m) for m in head.index],
            ctx.t("p_base_plan"): before.to_numpy(),
            ctx.t("p_with_plan"): after.to_numpy(),
            ctx.t("p_change"): ((after - before) * 100).to_numpy(),
        }
    )
    return xs.with_formats(
        table,
        {
            ctx.t("p_base_plan"): xs.PERCENT,
            ctx.t("p_with_plan"): xs.PERCENT,
            ctx.t("p_change"): "+0.0;-0.0;0.0",
        },
    )


def goal_seek_sheet(ctx: Context, g: dict[str, Any]) -> pd.DataFrame:
    from workbook.text import formats as xs

    rows = [
        ("metric", ctx.metric(g["metric"]), None),
        ("gs_probability", g["probability"], xs.PERCENT),
        ("gs_current", g["current"], xs.PERCENT),
        ("gs_extra", g["extra_signed_capital"], xs.MONEY),
        ("gs_achieved", g["achieved"], xs.PERCENT),
    ]
    sheet = pd.DataFrame(
        {
            ctx.t("gs_item"): [ctx.t(k) for k, _, _ in rows],
            ctx.t("gs_value"): pd.Series([v for _, v, _ in rows], dtype=object),
        }
    )
    return xs.with_formats(sheet, {ctx.t("gs_value"): [f for _, _, f in rows]})


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

        df["kind"] = [Entry(EVENT_KIND_ZH.get(k, k), k).text(lang) for k in df["kind"]]
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


class NextQuarterSection(Section):
    name = "next_quarter"

    def ahead(self, ctx: Context) -> Callable[[], PlanPart]:
        zone, rp, engine = ctx.zone, ctx.params, ctx.engine
        return lambda: plan_ahead(zone, rp, engine)

    def compute(self, ctx: Context, done: Results) -> NextQuarter:
        def compute() -> NextQuarter:
            t0 = time.perf_counter()
            plan = ctx.ahead_result(self.name, lambda: plan_ahead(ctx.zone, ctx.params, ctx.engine))
            ctx.timings["plan_wait"] = time.perf_counter() - t0  # the plan's rest, if not done
            ctx.timings["plan"] = plan.seconds  # its own time, here or in a copy of the kernel
            return next_quarter(ctx, done["headline"].table, plan)

        return ctx.timed("next_quarter", compute)

    def charts(self, ctx: Context, done: Results) -> dict[str, Any]:
        from workbook.charts.roadshow import plan_chart

        nq: NextQuarter = done[self.name]
        if nq.plan is None or not len(nq.plan):
            return {}
        return {"plan": plan_chart(nq.plan, lang=ctx.lang)}

    def html(self, ctx: Context, done: Results, charts: Mapping[str, Any]) -> str:
        return _fragment(ctx, done[self.name], done["headline"].table, charts)

    def sheets(self, ctx: Context, done: Results) -> dict[str, pd.DataFrame]:
        nq: NextQuarter = done[self.name]
        out: dict[str, pd.DataFrame] = {}
        if nq.plan is not None:
            out[ctx.t("sheet_plan")] = _localize_plan(nq.plan, ctx.lang)
            effect = plan_effect(ctx, done["headline"].table, nq)
            if effect is not None:
                out[ctx.t("sheet_plan_effect")] = effect
        if nq.goal_seek is not None:
            out[ctx.t("sheet_goal_seek")] = goal_seek_sheet(ctx, nq.goal_seek)
        if nq.at_stake is not None:
            out[ctx.t("sheet_stake")] = localize(nq.at_stake, ctx.lang, ctx.declared)
        return out

    def summary(self, ctx: Context, done: Results) -> dict[str, Any]:
        nq: NextQuarter = done[self.name]
        plan = None
        if nq.plan is not None:
            plan = {
                "budget": nq.budget,
                "events": len(nq.plan),
                "cost": float(nq.plan["cost"].sum()),
                "expected_capital": float(nq.plan["expected_capital"].sum()),
                "expected_500": float(nq.plan["expected_500"].sum()),
                "event_ids": [str(e) for e in nq.plan["event_id"]],
                "objective": {k: plain(v) for k, v in (nq.objective or {}).items()},
                "p_attain_with_plan": {k: plain(v) for k, v in nq.p_with_plan.items()}
                if nq.p_with_plan is not None
                else None,
            }
        return {
            "next_quarter": {
                "plan": plan,
                "plan_problems": list(nq.plan_problems),
                "goal_seek": {k: plain(v) for k, v in nq.goal_seek.items()}
                if nq.goal_seek is not None
                else None,
                "at_stake": [str(x) for x in nq.at_stake["project_id"]]
                if nq.at_stake is not None
                else [],
            }
        }


def _fragment(
    ctx: Context, nq: NextQuarter, headline: pd.DataFrame, charts: Mapping[str, Any]
) -> str:
    lang = ctx.lang
    parts = []
    budget = nq.budget or 0.0
    parts.append(heading(ctx.t("plan_title", budget=budget), 3))
    how = nq.objective
    if how and how.get("objective", "").startswith("p:") and nq.plan is not None and len(nq.plan):
        metric = ctx.metric(how["objective"][2:])
        # at the time limit the solver's own plan may still be the one taken (with its gap)
        gap = "—" if how.get("gap") is None else f"{how['gap']:.2%}"
        fallback = how.get("time_limit_hit") and how.get("method") != "saa"
        key = "plan_objective_fallback" if fallback else "plan_objective"
        parts.append(note(ctx.t(key, metric=metric, samples=how["samples"], gap=gap)))
    if nq.plan is not None and len(nq.plan):
        plan = nq.plan.copy()
        if "month" in plan.columns and plan["month"].dtype.kind in "iu":
            plan["month"] = [say("review.plan.month", lang, m=m) for m in plan["month"]]
        # an event's capital in 万元: in 亿元 most rows would read 0.00
        plan["expected_capital_wan"] = plan["expected_capital"] * 10_000
        plan = plan.rename(columns={"name": "event_name"})
        cols = ["event_name" if c == "name" else c for c in PLAN_SHOWN]
        table = table_html(
            plan, lang, [c for c in cols if c in plan.columns], declared=ctx.declared
        )
        if nq.p_with_plan is not None:  # the plan's effect on each target's P beside it
            head = headline.set_index("metric")
            rows = head[["p_attain"]].copy()
            rows["p_with_plan"] = nq.p_with_plan.reindex(rows.index)
            rows = rows.reset_index()
            parts.append(f'<div class="wb-row">{table}{_plan_effect_html(rows, ctx)}</div>')
        else:
            parts.append(table)
        if "plan" in charts:
            parts.append(chart_html(charts["plan"], "plan"))
    else:
        for line in nq.plan_problems or (ctx.t("plan_none"),):
            parts.append(note(line))
    g = nq.goal_seek
    if g is not None:
        metric = ctx.metric(g["metric"])
        unit = label("unit", g["unit"], lang)
        if g["current"] >= g["probability"]:
            text = ctx.t(
                "goal_seek_met", metric=metric, current=g["current"], probability=g["probability"]
            )
        elif g["extra_signed_capital"] is None or g.get("beyond_target"):
            key = "goal_seek_beyond" if g.get("beyond_target") else "goal_seek_out"
            text = ctx.t(
                key,
                metric=metric,
                probability=g["probability"],
                achieved=g["achieved"],
                times=(g["extra_signed_capital"] or 0.0) / g["target"],
            )
        else:
            text = ctx.t(
                "goal_seek",
                metric=metric,
                probability=g["probability"],
                extra=g["extra_signed_capital"],
                unit=unit,
                current=g["current"],
            )
        parts.append(note(text, "wb-key"))
    if nq.at_stake is not None and len(nq.at_stake):
        parts.append(heading(ctx.t("stake_title"), 3))
        parts.append(
            table_html(
                nq.at_stake,
                lang,
                [c for c in STAKE_SHOWN if c in nq.at_stake.columns],
                declared=ctx.declared,
            )
        )
    return frame(ctx, "s7", *parts)


def _plan_effect_html(rows: Any, ctx: Context) -> str:
    import html as _html

    t = lambda key: _html.escape(ctx.t(key))  # noqa: E731
    body = "".join(
        f"<tr><td>{_html.escape(ctx.metric(r.metric))}</td>"
        f'<td class="num">{r.p_attain:.1%}</td><td class="num">{r.p_with_plan:.1%}</td>'
        f'<td class="num">{(r.p_with_plan - r.p_attain) * 100:+.1f}</td></tr>'
        for r in rows.itertuples()
        if r.p_attain == r.p_attain and r.p_with_plan == r.p_with_plan
    )
    return (
        f'<table class="wb-table"><thead><tr><th>{t("metric")}</th>'
        f"<th>{t('p_base_plan')}</th><th>{t('p_with_plan')}</th><th>{t('p_change')}</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


SECTION = NextQuarterSection()

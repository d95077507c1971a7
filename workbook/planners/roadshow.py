"""The roadshow planner (ipywidgets + Altair): budget and constraints as controls; the optimal
plan, its calendar, what it buys in P(attain) against greedy and no new events, and files to keep."""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd

from workbook.charts import roadshow as cr
from workbook.charts.parts import ChartParts
from workbook.files.heap import give_back_memory
from workbook.forecast import scenarios as scenarios
from workbook.forecast.engine import Engine
from workbook.planners.controls import (
    ChartSlot,
    ErrorArea,
    audit,
    boxed,
    check_may_write,
    details_html,
    enable_offline,
    guarded,
    house_slider,
    may_write,
    planner_text,
    resolve_settings,
    slider_value,
    timed,
    user_folder,
)
from workbook.planners.tables import big_number_html
from workbook.roadshow.export import display_table, plan_ics, plan_xlsx, write_files
from workbook.roadshow.judge import compare_plans, p_attain_frontier
from workbook.roadshow.milp import constraint_groups, min_cost
from workbook.roadshow.problem import Plan, RoadshowProblem, scenario_drivers
from workbook.roadshow.saa import EXPECTED
from workbook.roadshow.service import PlanRequest, plan_problem, plan_roadshow, resolve_as_of
from workbook.text.catalogue import label, say
from workbook.text.errors import InputError
from workbook.text.labels import check_lang
from workbook.text.resources import work_dir
from workbook.zone.cells import num
from workbook.zone.loader import load_zone
from workbook.zone.roadshow_settings import Restriction, RoadshowSettings

# ---- the roadshow planner -----------------------------------------------------------------------

FRONTIER_METRICS: tuple[str, ...] = (
    "domestic_capital",
    "foreign_capital",
    "global500_signings",
    "china500_signings",
)
FRONTIER_POINTS = 7
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_STYLE = (
    "<style>table.wb-plan, table.wb-compare {border-collapse:collapse;font-size:13px}"
    " .wb-plan th, .wb-plan td, .wb-compare th, .wb-compare td"
    " {padding:2px 8px;white-space:nowrap;border-bottom:1px solid #eee;text-align:left}"
    " .wb-plan th, .wb-compare th {border-bottom:2px solid #999}</style>"
)


class RoadshowPlanner:
    """Budget and constraints as controls; the optimal plan, its calendar, what it buys in
    P(attain) (judged by the engine on common random numbers) and the budget frontier.

    `plan` and `greedy` are the current optimal and greedy plans, `comparison` the P(attain)
    table (none / baseline / greedy / optimal), `frontier` the budget -> P(attain) data.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        scenario: str | None = None,
        budget: float | None = None,
        lang: str = "zh",
        out_dir: str | Path | None = None,
    ) -> None:
        self.engine = engine
        self.zone = engine.zone
        self.params = engine.params
        self.lang = check_lang(lang)
        self.scenario_key = engine.scenario_key(scenario) if scenario is not None else None
        self.out_dir = Path(out_dir) if out_dir is not None else self._default_out_dir()
        self.errors = ErrorArea(self.lang, "plan")  # under the budget slider
        self.export_errors = ErrorArea(self.lang, "export")  # under the export buttons
        self.timings: dict[str, float] = {}
        self.updates = 0
        self._fixed: dict[tuple, Any] = {}  # forecasts that a budget move does not change
        self._judged: dict[tuple, pd.DataFrame] = {}  # plan's events -> its P(attain) column
        self.settings0 = self.params.roadshow
        self.drivers = scenario_drivers(self.params, self.scenario_key)
        self.problem = self._problem(budget)
        self.plan: Plan | None = None
        self.greedy: Plan | None = None
        self.comparison: pd.DataFrame | None = None
        self.frontier = pd.DataFrame()
        self._solve()
        self._compute_frontier()
        self._build_controls()
        self._build_outputs()
        self.widget = self._layout()

    def _default_out_dir(self) -> Path:
        stem = self.params.source.stem if self.params.source else "zone"
        return work_dir() / "reports" / "plans" / stem

    # -- the problem from the controls -----------------------------------------------------

    def _request(self, budget: float | None = None, settings: Any = None) -> PlanRequest:
        """The plan the controls ask for: the expected-value plan from the engine's as-of date."""
        return PlanRequest(
            self.zone,
            as_of=self.engine.as_of,
            budget=budget,
            objective=EXPECTED,
            scenario=self.scenario_key,
            settings=settings if settings is not None else self.settings0,
            lang=self.lang,
        )

    def _problem(self, budget: float | None = None, settings: Any = None) -> RoadshowProblem:
        request = self._request(budget, settings)
        _, start = resolve_as_of(request, self.engine)
        return plan_problem(request, start, drivers=self.drivers)

    def settings(self) -> RoadshowSettings:
        """The roadshow settings the controls say (budget included)."""
        s0 = self.settings0
        active = tuple(
            r for r, box in zip(s0.restrictions, self.restriction_boxes, strict=True) if box.value
        )
        if self.no_overseas.value:
            active += (
                Restriction(kinds=("overseas",), reason=planner_text("rs_no_overseas", self.lang)),
            )
        return s0.model_copy(
            update={
                "budget": slider_value(self.budget),
                "each_office_runs_one": bool(self.each_office.value),
                "min_cloud_events": int(slider_value(self.min_cloud)),
                "max_events_per_month": int(slider_value(self.max_per_month)),
                "staff_days_per_month": slider_value(self.staff_days),
                "blocked_holidays": s0.blocked_holidays if self.avoid_holidays.value else (),
                "restrictions": active,
            }
        )

    # -- controls --------------------------------------------------------------------------

    def _build_controls(self) -> None:
        lang, s0 = self.lang, self.settings0
        top = max(
            2 * s0.budget,
            float(self.zone.events["cost"].sum()) if self.zone.events is not None else 0.0,
        )
        top = min(top, 4 * max(s0.budget, 100.0), 10_000.0)
        top = float(max(100.0, math.ceil(max(top, self.problem.budget) / 50) * 50))
        self.budget = house_slider(
            W.IntSlider,
            "budget",
            planner_text("rs_budget", lang),
            int(round(self.problem.budget)),
            0,
            int(top),
            10,
            "d",
        )
        self.budget.add_class("wb-budget")
        self.staff_days = house_slider(
            W.IntSlider,
            "staff_days",
            planner_text("rs_staff_days", lang),
            int(s0.staff_days_per_month),
            10,
            int(max(300, 2 * s0.staff_days_per_month)),
            10,
            "d",
        )
        self.max_per_month = house_slider(
            W.IntSlider,
            "max_per_month",
            planner_text("rs_max_per_month", lang),
            s0.max_events_per_month,
            1,
            max(8, s0.max_events_per_month),
            1,
            "d",
        )
        n_cloud = (
            0 if self.zone.events is None else int((self.zone.events["kind"] == "cloud").sum())
        )
        self.min_cloud = house_slider(
            W.IntSlider,
            "min_cloud",
            planner_text("rs_min_cloud", lang),
            s0.min_cloud_events,
            0,
            max(n_cloud, s0.min_cloud_events, 1),
            1,
            "d",
        )
        self.each_office = W.Checkbox(
            value=s0.each_office_runs_one,
            description=planner_text("rs_each_office", lang),
            indent=False,
        )
        self.avoid_holidays = W.Checkbox(
            value=bool(s0.blocked_holidays),
            description=planner_text("rs_holidays", lang),
            indent=False,
        )
        self.restriction_boxes = [
            W.Checkbox(
                value=True,
                description=r.reason or _restriction_text(r, lang),
                indent=False,
                layout=W.Layout(width="30em"),
            )
            for r in s0.restrictions
        ]
        self.no_overseas = W.Checkbox(
            value=False, description=planner_text("rs_no_overseas", lang), indent=False
        )
        toggles = (self.each_office, self.avoid_holidays, self.no_overseas, *self.restriction_boxes)
        for w in toggles:
            w.add_class("wb-control")
        self.each_office.add_class("wb-toggle-each-office")
        self.avoid_holidays.add_class("wb-toggle-holidays")
        self.no_overseas.add_class("wb-toggle-no-overseas")
        self.scenario = W.Dropdown(
            options=[(planner_text("params_drivers", lang), "")]
            + [(sc.display(k, lang), k) for k, sc in self.params.scenarios.items()],
            value=self.scenario_key or "",
            description=planner_text("scenario", lang),
            style={"description_width": "11em"},
            layout=W.Layout(width="30em"),
        )
        self.scenario.add_class("wb-scenario")
        self.scenario.observe(self._on_scenario, names="value")
        self.budget.observe(self._on_budget, names="value")
        for w in (self.staff_days, self.max_per_month, self.min_cloud, *toggles):
            w.observe(self._on_constraint, names="value")
        auto = W.Layout(width="auto")
        self.xlsx_button = W.Button(
            description=planner_text("rs_export_xlsx", lang), icon="file-excel-o", layout=auto
        )
        self.ics_button = W.Button(
            description=planner_text("rs_export_ics", lang), icon="calendar", layout=auto
        )
        self.xlsx_button.add_class("wb-export-xlsx")
        self.ics_button.add_class("wb-export-ics")
        self.xlsx_button.disabled = self.ics_button.disabled = not may_write()
        self.xlsx_button.on_click(self._on_export_xlsx)
        self.ics_button.on_click(self._on_export_ics)
        self.export_status = W.HTML("")
        self.export_status.add_class("wb-export-status")
        self.exported: dict[str, Path] = {}

    # -- callbacks -------------------------------------------------------------------------

    @guarded
    def _on_budget(self, change: dict[str, Any]) -> None:
        self.recompute(frontier=False)

    @guarded
    def _on_constraint(self, change: dict[str, Any]) -> None:
        self.recompute(frontier=True)

    @guarded
    def _on_scenario(self, change: dict[str, Any]) -> None:
        self.scenario_key = change["new"] or None
        self.drivers = scenario_drivers(self.params, self.scenario_key)
        self.recompute(frontier=True)

    @guarded(area="export_errors")
    def _on_export_xlsx(self, _: Any = None) -> None:
        self._export("xlsx")

    @guarded(area="export_errors")
    def _on_export_ics(self, _: Any = None) -> None:
        self._export("ics")

    # -- computing -------------------------------------------------------------------------

    def recompute(self, frontier: bool = False) -> Plan | None:
        """Solve for the controls' budget and constraints, judge the plan, redraw."""
        settings = self.settings()
        with timed(self.timings, "problem_ms"):
            prev = self.problem
            budget_only = prev.settings.model_copy(update={"budget": settings.budget}) == settings
            if not frontier and budget_only:  # the same slots and values: only the budget moved
                self.problem = prev.with_budget(settings.budget)
            else:
                self.problem = self._problem(settings=settings)
        self.plan = self.greedy = self.comparison = None
        try:
            self._solve()
            if frontier:
                self._compute_frontier()
        finally:
            self._render()
        return self.plan

    def _solve(self) -> None:
        result = plan_roadshow(
            self._request(settings=self.problem.settings),
            engine=self.engine,
            problem=self.problem,
            drivers=self.drivers,
            judge=self._compare,
        )
        for phase, key in (("solve", "solve_ms"), ("judge", "engine_ms")):
            if phase in result.timings:
                self.timings[key] = result.timings[phase] * 1000
        self.plan, self.greedy = result.require(), result.greedy
        self.comparison = result.comparison

    def _compare(self, plans: Mapping[str, Any]) -> pd.DataFrame:
        """compare_plans, with the plans a budget move cannot change (none, baseline) judged once."""
        columns = {}
        first = None
        for key, plan in plans.items():
            fixed = key in ("none", "baseline")
            cache_key = (key, self.problem.months, self.drivers)  # frozen: by value
            if fixed and cache_key in self._fixed:
                col = self._fixed[cache_key]
            else:
                # A plan judged before (a budget move often keeps the greedy or the optimal
                # plan as it was) is read again: the same draws give the same column.
                held = plan.held() if hasattr(plan, "held") else plan
                rows = () if held is None else zip(held["event_id"], held["month"], strict=True)
                seen = (tuple(rows), self.drivers)  # frozen drivers: compared by value
                col = self._judged.get(seen)
                if col is None:
                    col = compare_plans(
                        self.engine, {key: plan}, drivers=self.drivers, lang=self.lang
                    )
                    if len(self._judged) > 64:
                        self._judged.clear()
                    self._judged[seen] = col
                col = col.rename(columns={col.columns[-1]: key})
                if fixed:
                    self._fixed[cache_key] = col
            first = col if first is None else first
            columns[key] = col[key]
        assert first is not None
        out = first[["label", "target"]].copy()
        for key, col in columns.items():
            out[key] = col
        return out

    def _compute_frontier(self) -> None:
        """Budget -> P(attain) from the least budget any plan meeting the other constraints
        needs (below it nothing is feasible) up to twice the params' budget."""
        others = [g.name for g in constraint_groups(self.problem) if g.name != "budget"]
        least = min_cost(self.problem, others)
        metrics = [m for m in FRONTIER_METRICS if m in dict(self.params.targets.items())]
        if least is None:
            self.frontier = p_attain_frontier(self.engine, self.problem, [], metrics=metrics)
            return
        lo = math.ceil(least / 10) * 10
        top = max(2 * self.settings0.budget, self.problem.budget, lo + 100.0)
        budgets = sorted({float(round(b / 10) * 10) for b in np.linspace(lo, top, FRONTIER_POINTS)})
        with timed(self.timings, "frontier_ms"):
            self.frontier = p_attain_frontier(
                self.engine, self.problem, budgets, drivers=self.drivers, metrics=metrics
            )

    # -- drawing ---------------------------------------------------------------------------

    def _build_outputs(self) -> None:
        p, e, lang = self.params, self.engine, self.lang
        title = planner_text("roadshow_title", lang, zone=p.zone_name(lang), year=p.year)
        sub = planner_text(
            "subtitle", lang, as_of=e.as_of.isoformat(), trials=e.trials, seed=e.seed
        )
        self.title = W.HTML(
            f'<h2 style="margin:4px 0">{html.escape(title)}</h2>'
            f'<div style="color:#666;margin-bottom:6px">{html.escape(sub)}</div>'
        )
        self.summary = W.HTML()
        self.summary.add_class("wb-plan-summary")
        self.table = boxed(W.HTML())
        self.table.add_class("wb-plan-table")
        self.compare_table = boxed(W.HTML())
        self.compare_table.add_class("wb-plan-compare")
        self.timing = W.HTML()
        self.timing.add_class("wb-timing")
        self.charts = {name: ChartSlot(name, chart) for name, chart in self._charts().items()}
        self._render(charts=False)

    def _charts(self) -> dict[str, ChartParts]:
        lang = self.lang
        table = self.plan.table if self.plan is not None else _empty_plan_table()
        gantt = cr.plan_parts(
            table,
            lang=lang,
            holidays=cr.holiday_frame(self.problem.holiday_weeks),
            title=planner_text("rs_gantt_title", lang, budget=self.problem.budget),
            live=True,  # the budget's plans in the same months: the same chart, other data
        )
        metrics = list(dict.fromkeys(self.frontier["metric"])) if len(self.frontier) else None
        budget = float(self.problem.budget)
        # The current budget: a dashed rule, labelled with its value on the side with room.
        frontier = cr.budget_frontier_parts(
            self.frontier if len(self.frontier) else _empty_frontier(),
            budget,
            planner_text("rs_current_budget", lang, budget=budget),
            lang=lang,
            metrics=metrics,
            title=planner_text("rs_frontier_title", lang),
            declared=self.params.metric_labels,
        )
        return {"gantt": gantt, "frontier": frontier}

    def _render(self, charts: bool = True) -> None:
        """Replace the numbers, tables and charts by those of the current plan: all are built
        first, then replaced one right after the other (see the module's docstring)."""
        t0 = time.perf_counter()
        summary, table, compare = self._summary_html(), self._table_html(), self._compare_html()
        charted = self._charts().items() if charts else ()
        draws = {n: self.charts[n].prepare(c) for n, c in charted}
        self.summary.value = summary
        self.table.value = table
        self.compare_table.value = compare
        for name, draw in draws.items():
            self.charts[name].put(draw)
        self.timings["draw_ms"] = (time.perf_counter() - t0) * 1000
        self.updates += 1
        self.timing.value = details_html(
            "<span>"
            + html.escape(
                planner_text(
                    "rs_timing",
                    self.lang,
                    solve=self.timings.get("solve_ms", 0),
                    engine=self.timings.get("engine_ms", 0),
                    draw=self.timings["draw_ms"],
                )
            )
            + "</span>",
            self.lang,
        )

    def _summary_html(self) -> str:
        lang = self.lang
        if self.plan is None:
            return f'<div class="wb-plan-none" style="color:#c0392b">{html.escape(planner_text("rs_no_plan", lang))}</div>'
        best, greedy = self.plan, self.greedy
        assert greedy is not None and self.comparison is not None
        ratio = greedy.objective / best.objective if best.objective > 0 else 1.0
        p = (
            num(self.comparison.at["domestic_capital", "optimal"])
            if "domestic_capital" in self.comparison.index
            else float("nan")
        )
        p0 = (
            num(self.comparison.at["domestic_capital", "none"])
            if "domestic_capital" in self.comparison.index
            else float("nan")
        )
        head = big_number_html(
            label("metric", "domestic_capital", lang, self.params.metric_labels)
            + " "
            + planner_text("p_attain", lang),
            f'<span class="wb-plan-p" data-metric="domestic_capital">{p:.1%}</span>',
            planner_text("rs_vs_none", lang, pts=(p - p0) * 100),
        )
        facts = planner_text(
            "rs_summary",
            lang,
            events=len(best.table),
            cost=best.cost,
            budget=self.problem.budget,
            capital=best.expected_capital,
            e500=best.expected_500,
            ratio=ratio,
        )
        return (
            f'<div style="display:flex;gap:28px;align-items:flex-end">{head}'
            f'<div class="wb-plan-facts" style="max-width:44em">{html.escape(facts)}</div></div>'
        )

    def _table_html(self) -> str:
        if self.plan is None:
            return ""
        t = display_table(self.plan, self.lang)
        return TABLE_STYLE + t.to_html(index=False, border=0, classes="wb-plan", na_rep="")

    def _compare_html(self) -> str:
        if self.comparison is None:
            return ""
        c = self.comparison.copy()
        lang = self.lang
        keys = [k for k in ("none", "baseline", "greedy", "optimal") if k in c.columns]
        out = pd.DataFrame({planner_text("col_metric", lang): c["label"]})
        for k in keys:
            out[label("plan", k, lang)] = [f"{v:.1%}" for v in c[k]]
        title = f"<b>{html.escape(planner_text('rs_compare_title', lang))}</b>"
        return title + TABLE_STYLE + out.to_html(index=False, border=0, classes="wb-compare")

    # -- export ----------------------------------------------------------------------------

    def _export(self, kind: str) -> Path:
        check_may_write()
        if self.plan is None:
            raise InputError(planner_text("rs_no_plan", self.lang))
        p, lang = self.params, self.lang
        title = planner_text("rs_file_title", lang, zone=p.zone_name(lang), year=p.year)
        if kind == "xlsx":
            comparison = None
            if self.comparison is not None:
                comparison = self.comparison.reset_index().rename(columns={"metric": "metric_id"})
                comparison.columns = [
                    label("plan", c, lang) if c in ("none", "baseline", "greedy", "optimal") else c
                    for c in comparison.columns
                ]
            data = plan_xlsx(self.plan, title=title, comparison=comparison, lang=lang)
            name, mime = "plan.xlsx", XLSX_MIME
        else:
            data = plan_ics(self.plan, calendar_name=title, lang=lang)
            name, mime = "plan.ics", "text/calendar"
        (path,) = write_files(user_folder(self.out_dir), {name: data})
        self.exported[kind] = path
        audit(p.source, "export", what=name)
        href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self.export_status.value = (
            f'<span class="wb-exported" style="color:#1e8449">'
            f"{html.escape(planner_text('saved', lang))} {html.escape(name)}</span> "
            f'<a download="{name}" href="{href}">{html.escape(planner_text("rs_download", lang))} {name}</a>'
        )
        return path

    # -- layout ----------------------------------------------------------------------------

    def _layout(self) -> W.Widget:
        lang = self.lang
        controls = W.VBox(
            [
                self.scenario,
                W.HTML(f"<b>{html.escape(planner_text('rs_budget_title', lang))}</b>"),
                self.budget,
                self.errors.widget,  # budget and constraints: the plan's errors, in reach
                W.HTML(f"<b>{html.escape(planner_text('rs_constraints', lang))}</b>"),
                self.staff_days,
                self.max_per_month,
                self.min_cloud,
                self.each_office,
                self.avoid_holidays,
                self.no_overseas,
                *self.restriction_boxes,
                W.HTML(f"<b>{html.escape(planner_text('rs_export', lang))}</b>"),
                W.HBox([self.xlsx_button, self.ics_button]),
                self.export_errors.widget,
                self.export_status,
            ],
            layout=W.Layout(width="32em", min_width="32em", padding="0 12px 0 0"),
        )
        results = W.VBox(
            [self.summary, self.table, self.timing],
            layout=W.Layout(flex="1 1 auto", overflow="auto", min_width="0"),
        )
        charts = W.Box(
            [self.charts["gantt"].widget, self.charts["frontier"].widget, self.compare_table],
            layout=W.Layout(display="flex", flex_flow="row wrap", align_items="flex-start"),
        )
        root = W.VBox(
            [
                self.title,
                W.HBox([controls, results], layout=W.Layout(align_items="flex-start")),
                charts,
            ]
        )
        root.add_class("wb-roadshow-planner")
        return root

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _restriction_text(r: Restriction, lang: str) -> str:
    what = [*(label("event_kind", k, lang) for k in r.kinds), *r.events, *r.channels]
    months = ",".join(str(m) for m in r.months) or say("word.all_year", lang)
    return f"{'、'.join(what)}: {months}"


def _empty_plan_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": pd.Series([], dtype=object),
            "name": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "office": pd.Series([], dtype=object),
            "first_day": pd.Series([], dtype=object),
            "last_day": pd.Series([], dtype=object),
            "cost": pd.Series([], dtype=float),
            "expected_leads": pd.Series([], dtype=float),
            "expected_capital": pd.Series([], dtype=float),
        }
    )


def _empty_frontier() -> pd.DataFrame:
    return pd.DataFrame({"budget": [], "metric": [], "p_attain": [], "plan": []})


def roadshow_planner(
    params_path: str | Path | None = None,
    *,
    scenario: str | None = None,
    as_of: str | dt.date | None = None,
    budget: float | None = None,
    trials: int = 5_000,
    seed: int = 1,
    lang: str | None = None,
    out_dir: str | Path | None = None,
) -> RoadshowPlanner:
    """The roadshow planner of a zone (what `notebooks/roadshow_planner.ipynb` shows)."""
    s = resolve_settings(params_path, as_of, lang)
    zone = load_zone(s.params_path)
    engine = Engine(zone, as_of=s.as_of, trials=int(trials), seed=int(seed), lang=s.lang)
    enable_offline()
    planner = RoadshowPlanner(
        engine, scenario=scenario, budget=budget, lang=s.lang, out_dir=out_dir
    )
    give_back_memory()  # what building it freed (workbook.files.heap)
    return planner

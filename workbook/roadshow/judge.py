"""Judge roadshow plans by simulation: P(attain) per target with a plan, without, and greedy.

The scenario engine (workbook.forecast.engine.Engine) caches its draws per catalogue event and
month, so every plan here is judged on the same random numbers: a difference between two
columns is the plans', not noise. "Without" holds no new event in the months planned (events
in months already past are in the ledger); "baseline" is the params' (or the scenario's)
own event plan, when it has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.roadshow.problem import Plan, RoadshowProblem
from workbook.roadshow.solve import greedy_plan, solve
from workbook.text.catalogue import label, say
from workbook.text.errors import InfeasiblePlanError
from workbook.zone.params import ZoneParams

if TYPE_CHECKING:  # drivers import params, which must load first
    from workbook.zone.drivers import Drivers

NO_EVENTS = pd.DataFrame({"event_id": pd.Series([], dtype=str), "month": pd.Series([], dtype=int)})
ALL = "all"  # the row of P(all targets met)


def baseline_plan(params: ZoneParams, scenario: str | None = None) -> pd.DataFrame | None:
    """The event plan the params (or the named scenario) already hold, as DataFrame[event_id,
    month]; None when there is none."""
    plan = params.event_plan
    if scenario is not None and scenario in params.scenarios:
        own = params.scenarios[scenario].event_plan
        plan = own if own is not None else plan
    if not plan:
        return None
    return pd.DataFrame({"event_id": [e.event_id for e in plan], "month": [e.month for e in plan]})


def compare_plans(
    engine: Any,
    plans: Mapping[str, pd.DataFrame | Plan | None],
    drivers: Drivers | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """P(attain) of every target (and of all of them, row 'all') under each plan, one column
    per plan key, beside the target's label and floor. A Plan is judged by the events it holds;
    a DataFrame[event_id, month] as it is; None means no new events."""
    columns: dict[str, pd.Series] = {}
    first = None
    for key, plan in plans.items():
        held = plan.held() if isinstance(plan, Plan) else (NO_EVENTS if plan is None else plan)
        fc = engine.forecast(drivers=drivers, plan=held)
        p = fc.targets["p_attain"].astype(float).copy()
        p[ALL] = float(fc.p_all)
        columns[key] = p
        first = first if first is not None else fc.targets
    assert first is not None, "no plan to compare"
    out = pd.DataFrame(columns)
    out.insert(0, "target", [*first["target"].astype(float), float("nan")])
    own = engine.params.metric_labels
    labels = [label("metric", m, lang, own) for m in first.index]
    out.insert(0, "label", [*labels, say("plan.all_targets", lang)])
    out.index.name = "metric"
    return out


def plans_for_comparison(
    problem: RoadshowProblem,
    params: ZoneParams,
    best: Plan,
    greedy: Plan,
    scenario: str | None = None,
) -> dict[str, pd.DataFrame | Plan | None]:
    """The plans to judge side by side, in order: none, baseline (the params' or scenario's
    event plan in the months planned, when there is one), greedy, optimal."""
    plans: dict[str, pd.DataFrame | Plan | None] = {"none": None}
    base = baseline_plan(params, scenario)
    if base is not None:
        plans["baseline"] = base[base["month"].isin(problem.months)].reset_index(drop=True)
    plans["greedy"] = greedy
    plans["optimal"] = best
    return plans


def p_attain_frontier(
    engine: Any,
    problem: RoadshowProblem,
    budgets: Iterable[float],
    drivers: Drivers | None = None,
    metrics: Sequence[str] | None = None,
    greedy: bool = True,
) -> pd.DataFrame:
    """Budget -> P(attain) of each target for the optimal (and greedy) plan at that budget:
    DataFrame[budget, plan, metric, p_attain, objective, cost, events]. Budgets with no
    feasible plan are left out."""
    rows = []
    for b in budgets:
        at = problem.with_budget(float(b))
        try:
            chosen = {"optimal": solve(at)}
        except InfeasiblePlanError:
            continue
        if greedy:
            chosen["greedy"] = greedy_plan(at)
        for key, plan in chosen.items():
            fc = engine.forecast(drivers=drivers, plan=plan.held())
            p = fc.targets["p_attain"]
            for metric in metrics if metrics is not None else list(p.index):
                rows.append(
                    {
                        "budget": float(b),
                        "plan": key,
                        "metric": metric,
                        "p_attain": float(p[metric]),
                        "objective": plan.objective,
                        "cost": plan.cost,
                        "events": len(plan.table),
                    }
                )
    cols = ["budget", "plan", "metric", "p_attain", "objective", "cost", "events"]
    return pd.DataFrame(rows, columns=cols)

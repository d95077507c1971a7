"""One way to plan the roadshows: a request in, the chosen plan and what it buys out.

`workbook plan`, the quarterly review's next-quarter section and the roadshow planner all ask
the same question (which events, in which months, for this budget) and get the same answer
from `plan_roadshow`, in named phases:

1. **as of**: the date the plan is made at (`resolve_as_of`) and the day its months start
   (`plan_start`): the as-of month is fact, as the engine and the review take it, so the plan
   starts the day after; only the whole-year fallback (nothing arrived yet and no simulation)
   starts on the year's first day.
2. **objective**: the one asked for, checked, else `default_objective` (P(内资到位) when the
   zone has that target and the simulation runs, else the expected value).
3. **problem**: the events and months that may be held (`plan_problem`).
4. **solve**: the expected-value plan (`workbook.roadshow.solve`), or for a probability
   objective the plan of `workbook.roadshow.saa.best_plan`, which falls back to the
   expected-value or the greedy plan when HiGHS hits its time limit or they score higher.
5. **judge**: with `compare`, the greedy plan and P(attain) of none / baseline / greedy /
   optimal side by side; without, P(attain) with the plan held.
6. **explain**: how the plan was chosen in the request's language (`PlanResult.explanation`),
   or why there is none (`PlanResult.problems`).

Nothing here prints or writes files: the CLI, the review and the planner show the result.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.roadshow.problem import Plan, RoadshowProblem, build_problem, scenario_drivers
from workbook.roadshow.saa import (
    DEFAULT_OBJECTIVE,
    EXPECTED,
    GAP_TOLERANCE,
    SaaResult,
    objective_metrics,
)
from workbook.roadshow.solve import greedy_plan, solve
from workbook.text.catalogue import Entry, label, say
from workbook.text.errors import InfeasiblePlanError, InputError, WorkbookError
from workbook.text.messages import Message

if TYPE_CHECKING:
    from workbook.zone.drivers import Drivers
    from workbook.zone.loader import Zone
    from workbook.zone.roadshow_settings import RoadshowSettings

Judge = Callable[[Mapping[str, Any]], pd.DataFrame]  # plans by key -> P(attain) per plan


@dataclass(frozen=True, eq=False)
class PlanRequest:
    """What to plan: a zone, the as-of date (None: the end of the last month with arrivals,
    as `simulate` and the review take it), the budget in 万元 (None: the settings'), the
    objective (None: `default_objective`), a named scenario of the params, the roadshow
    settings (None: the params'), the trials the probability objective is solved over (None:
    all of the engine's), the simulation's trials and seed, whether to simulate at all,
    whether to compare with the greedy plan (else only judge the plan), the solver's time
    limit in seconds and the language of the explanation."""

    zone: Zone
    as_of: dt.date | None = None
    budget: float | None = None
    objective: str | None = None
    scenario: str | None = None
    settings: RoadshowSettings | None = None
    samples: int | None = None
    trials: int = 10_000
    seed: int = 1
    simulate: bool = True
    compare: bool = True
    time_limit: float = 10.0
    lang: str = "zh"


@dataclass(frozen=True, eq=False)
class PlanResult:
    """The plan chosen for a request and what it buys.

    `plan` is None when there is none (`problems` says why, in the request's language, and
    `failure` is the error the CLI reports); `choice` says how the plan was chosen (objective,
    trials S, gap, method, time limit); `greedy` is there with `compare`, and with a simulation
    too `plans` (none, baseline, greedy, optimal; `judge.plans_for_comparison`) and
    `comparison` (their P(attain) side by side); `p_attain` is
    P(attain) per target with the plan held, without `compare`. `timings` holds the seconds of
    the phases 'solve' and 'judge'."""

    request: PlanRequest
    as_of: dt.date
    objective: str
    problem: RoadshowProblem | None
    plan: Plan | None
    choice: SaaResult | None = None
    greedy: Plan | None = None
    plans: Mapping[str, Any] | None = None
    comparison: pd.DataFrame | None = None
    p_attain: pd.Series | None = None
    problems: tuple[str, ...] = ()
    failure: WorkbookError | None = None
    engine: Any = None
    drivers: Drivers | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def budget(self) -> float:
        """The budget planned (万元)."""
        if self.problem is not None:
            return self.problem.budget
        if self.request.budget is not None:
            return float(self.request.budget)
        settings = self.request.settings or self.request.zone.params.roadshow
        return float(settings.budget)

    @property
    def by_value(self) -> bool:
        """True when the plan maximises expected value (not a probability)."""
        return self.objective == EXPECTED

    def require(self) -> Plan:
        """The plan, or the error saying why there is none."""
        if self.plan is None:
            assert self.failure is not None
            raise self.failure
        return self.plan

    def status(self) -> dict[str, Any] | None:
        """How the plan was chosen, as the review keeps it: objective, samples, gap, method,
        time_limit_hit and the in-sample P of the plan taken (None without a plan)."""
        c = self.choice
        if c is None:
            return None
        return {
            "objective": c.objective,
            "samples": c.samples,
            "gap": c.gap,
            "method": c.method,
            "time_limit_hit": c.time_limit_hit,
            "p_in_sample": c.p_in_sample.get(c.method),
        }

    @property
    def explanation(self) -> tuple[str, ...]:
        """How the plan was chosen and how it compares with the greedy plan, one line each in
        the request's language; why there is no plan when there is none."""
        if self.plan is None:
            return self.problems
        from workbook.roadshow.explain import window_lines

        own = self.request.zone.params.metric_labels
        lines = objective_lines(self.objective, self.choice, self.request.lang, own)
        if self.problem is not None:
            lines += window_lines(self.problem, self.plan.table, self.as_of, self.request.lang)
        if self.greedy is not None:
            lines += summary_lines(self.plan, self.greedy, self.request.lang, self.by_value)
        return tuple(lines)


# ---- the phases ---------------------------------------------------------------------------------


def resolve_as_of(request: PlanRequest, engine: Any = None) -> tuple[dt.date, dt.date]:
    """(as-of date, first day of the plan): the date asked for, else the engine's, else the end
    of the last month with arrivals. With nothing arrived this year, the year's first day
    without the simulation (the whole year is planned); with it, `simulate`'s one-line error
    (the forecast needs an as-of date)."""
    if request.as_of is not None:
        return request.as_of, plan_start(request.as_of)
    if engine is not None:
        return engine.as_of, plan_start(engine.as_of)
    from workbook.forecast.setup import default_as_of

    try:
        as_of = default_as_of(request.zone)
    except InputError:
        if request.simulate:
            raise
        start = dt.date(request.zone.params.year, 1, 1)
        return start, start
    return as_of, plan_start(as_of)


def plan_start(as_of: dt.date) -> dt.date:
    """The first day a plan made at `as_of` may use: the as-of month is fact (the engine's and
    the review's rule), so the day after."""
    return as_of + dt.timedelta(days=1)


def default_objective(targets: Sequence[str], simulate: bool = True) -> str:
    """P(内资到位) when the zone has that target and the simulation runs, else the expected
    value."""
    if not simulate or DEFAULT_OBJECTIVE[2:] not in targets:
        return EXPECTED
    return DEFAULT_OBJECTIVE


def resolve_objective(request: PlanRequest) -> str:
    """The objective asked for, checked (an unknown one is an error naming the choices), or
    `default_objective`."""
    targets = [k for k, _ in request.zone.params.targets.items()]
    if request.objective is None:
        return default_objective(targets, request.simulate)
    text = request.objective.strip()
    objective_metrics(text, targets)
    if text != EXPECTED and not request.simulate:
        raise InputError(Message("plan.needs_simulation", objective=text))
    return text


def plan_problem(
    request: PlanRequest, start: dt.date, drivers: Drivers | None = None
) -> RoadshowProblem:
    """The events and months that may be held from `start` on, for the request's budget,
    settings and scenario (or `drivers`, when given)."""
    zone = request.zone
    return build_problem(
        zone.params,
        zone.events,
        settings=request.settings,
        budget=request.budget,
        as_of=start,
        scenario=request.scenario,
        drivers=drivers,
    )


def _has_catalogue(zone: Zone) -> bool:
    return zone.events is not None and len(zone.events) > 0


def _expected_choice(plan: Plan, seconds: float) -> SaaResult:
    """The expected-value plan described as `best_plan` describes it (no trials involved)."""
    return SaaResult(
        plan, EXPECTED, (), 0, "expected", plan.proven_optimal, plan.gap,
        not plan.proven_optimal, seconds, {},
    )  # fmt: skip


def plan_roadshow(
    request: PlanRequest,
    *,
    engine: Any = None,
    problem: RoadshowProblem | None = None,
    drivers: Drivers | None = None,
    judge: Judge | None = None,
) -> PlanResult:
    """Plan the roadshows for `request` (see the module docstring).

    `engine` is the scenario engine to judge and solve on (None: one is built for the request
    when it simulates); `problem` a problem already built for the request (the planner keeps
    one per control setting); `drivers` the scenario's drivers when the caller holds them;
    `judge` how plans are compared (default `workbook.roadshow.judge.compare_plans`).

    A zone without an event catalogue and a plan no constraint set allows are answered in the
    result (`plan` None, `problems`, `failure`); any other bad input raises."""
    p = request.zone.params
    lang = request.lang
    as_of, start = resolve_as_of(request, engine)
    objective = resolve_objective(request)
    if problem is None:
        try:
            problem = plan_problem(request, start, drivers)
        except InputError as exc:
            if _has_catalogue(request.zone):
                raise
            problems = (label("review", "plan_none", lang),)
            return PlanResult(request, as_of, objective, None, None, problems=problems, failure=exc)
    if engine is None and request.simulate:
        from workbook.forecast.engine import Engine

        engine = Engine(request.zone, as_of=as_of, trials=request.trials, seed=request.seed)
    if drivers is None and request.scenario:
        drivers = scenario_drivers(p, request.scenario)
    out = PlanResult(request, as_of, objective, problem, None, engine=engine, drivers=drivers)
    t0 = time.perf_counter()
    try:
        choice = _choose(request, problem, objective, engine, drivers)
    except InfeasiblePlanError as exc:
        out.timings["solve"] = time.perf_counter() - t0
        return _with(out, problems=tuple(exc.lines()), failure=exc)
    greedy = greedy_plan(problem, lang=lang) if request.compare else None
    out.timings["solve"] = time.perf_counter() - t0
    out = _with(out, plan=choice.plan, choice=choice, greedy=greedy)
    if engine is None:
        return out
    t0 = time.perf_counter()
    try:
        out = _judged(out, judge)
    finally:
        out.timings["judge"] = time.perf_counter() - t0
    return out


def _with(result: PlanResult, **changes: Any) -> PlanResult:
    return replace(result, **changes)


def _choose(
    request: PlanRequest,
    problem: RoadshowProblem,
    objective: str,
    engine: Any,
    drivers: Drivers | None,
) -> SaaResult:
    """The solve phase: the expected-value plan, or the best plan for a probability objective
    (with its fallbacks, `workbook.roadshow.saa.best_plan`)."""
    t0 = time.perf_counter()
    if objective == EXPECTED:
        plan = solve(problem, time_limit=request.time_limit, lang=request.lang)
        return _expected_choice(plan, time.perf_counter() - t0)
    from workbook.roadshow.saa import best_plan

    return best_plan(
        engine,
        problem,
        objective,
        drivers=drivers,
        samples=request.samples,
        time_limit=request.time_limit,
        lang=request.lang,
    )


def _judged(result: PlanResult, judge: Judge | None) -> PlanResult:
    """The judge phase: P(attain) of the plans side by side (with `compare`) or of the plan."""
    from workbook.roadshow.judge import compare_plans, plans_for_comparison

    request, plan, engine = result.request, result.require(), result.engine
    assert result.problem is not None
    if not request.compare:
        if not len(plan.table):
            return result
        fc = engine.forecast(drivers=result.drivers, plan=plan.held())
        return _with(result, p_attain=fc.targets["p_attain"])
    assert result.greedy is not None
    plans = plans_for_comparison(
        result.problem, request.zone.params, plan, result.greedy, request.scenario
    )
    if judge is None:
        comparison = compare_plans(engine, plans, drivers=result.drivers, lang=request.lang)
    else:
        comparison = judge(plans)
    return _with(result, plans=plans, comparison=comparison)


# ---- the explanation ----------------------------------------------------------------------------


def objective_lines(
    objective: str,
    choice: SaaResult | None,
    lang: str,
    declared: Mapping[str, Entry] | None = None,
) -> list[str]:
    """What the plan maximises and how the solve went (its fallback included); `declared`
    names the zone's own metrics (`ZoneParams.metric_labels`)."""
    if objective == EXPECTED or choice is None:
        return [say("plan.objective_expected", lang)]
    what = (
        say("plan.every_target_met", lang)
        if objective == "p:all"
        else say("plan.target_met", lang, metric=label("metric", choice.metrics[0], lang, declared))
    )
    if objective == "p:all" and choice.out_of_reach:
        what = say("plan.others_met", lang, n=len(choice.metrics))
    gap = "—" if choice.gap is None else f"{choice.gap:.2%}"
    lines = [
        say(
            "plan.objective_chance",
            lang,
            what=what,
            samples=choice.samples,
            trials=choice.trials_in_model,
            gap=gap,
            seconds=choice.seconds,
        )
    ]
    if choice.out_of_reach:
        names = say("sep.list", lang).join(
            say("plan.out_of_reach.item", lang, name=label("metric", m, lang, declared), p=p)
            for m, p in choice.out_of_reach
        )
        lines.append(
            say(
                "plan.out_of_reach",
                lang,
                names=names,
                samples=choice.samples,
                n=len(choice.metrics),
                p_plan=choice.p_in_sample.get(choice.method, 0.0),
                p_none=choice.p_in_sample["none"],
            )
        )
    lines.append(gap_line(choice, lang))
    if choice.time_limit_hit and choice.method == "expected":
        lines.append(say("plan.time_limit_fallback", lang))
    if choice.method == "greedy":
        p = choice.p_in_sample
        lines.append(
            say("plan.greedy_wins", lang, name=label("plan", "greedy", lang), p=p["greedy"])
        )
    return lines


def gap_line(choice: SaaResult, lang: str) -> str:
    """The optimality gap in words: proven best on the trials, proven within the tolerance,
    or not proven, with the bound no plan exceeds."""
    p = choice.p_in_sample.get(choice.method, 0.0)
    if choice.proven_optimal:
        return say("plan.gap.proven_best", lang, samples=choice.samples, p=p)
    if choice.gap is None or choice.bound is None:
        return say("plan.gap.no_bound", lang)
    if not choice.proven:
        key = "plan.gap.not_proven"
    elif choice.time_limit_hit:
        key = "plan.gap.within"
    else:  # the events-only bound proved it before any time limit
        key = "plan.gap.within_bound"
    return say(key, lang, p=p, gap=choice.gap, bound=choice.bound)


def summary_lines(best: Plan, greedy: Plan, lang: str, by_value: bool = True) -> list[str]:
    """The optimal and the greedy plan by expected value; when the plan was chosen by a
    probability objective (`by_value` False) the two are not ranked by their values."""
    gap = best.gap or 0
    if best.proven_optimal:
        key = "plan.proven"
    elif best.gap is not None and best.gap <= GAP_TOLERANCE:
        key = "plan.within"
    else:
        key = "plan.time_limit"
    proof = say(key, lang, gap=gap, seconds=best.seconds)
    ratio = greedy.objective / best.objective if best.objective > 0 else 1.0
    share = say("plan.share_of_optimum", lang, ratio=ratio) if by_value else ""
    word = say("plan.objective_word" if by_value else "plan.expected_value_word", lang)
    out = [
        say(
            "plan.optimal_summary",
            lang,
            events=len(best.table),
            cost=best.cost,
            capital=best.expected_capital,
            e500=best.expected_500,
            word=word,
            objective=best.objective,
            proof=proof,
        ),
        say(
            "plan.greedy_summary",
            lang,
            events=len(greedy.table),
            cost=greedy.cost,
            word=word,
            objective=greedy.objective,
            share=share,
        ),
    ]
    if greedy.unmet:
        out.append(say("plan.greedy_unmet", lang, unmet=say("sep.clause", lang).join(greedy.unmet)))
    return out


__all__ = [
    "PlanRequest",
    "PlanResult",
    "default_objective",
    "gap_line",
    "objective_lines",
    "plan_problem",
    "plan_roadshow",
    "plan_start",
    "resolve_as_of",
    "resolve_objective",
    "summary_lines",
]

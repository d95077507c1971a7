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
from workbook.roadshow.saa import DEFAULT_OBJECTIVE, EXPECTED, SaaResult, objective_metrics
from workbook.roadshow.solve import greedy_plan, solve
from workbook.text.errors import InfeasiblePlanError, InputError, WorkbookError
from workbook.text.labels import label

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

        lines = objective_lines(self.objective, self.choice, self.request.lang)
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
        raise InputError(f"--objective {text} needs the simulation: leave out --no-simulate")
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


def objective_lines(objective: str, choice: SaaResult | None, lang: str) -> list[str]:
    """What the plan maximises and how the solve went (its fallback included)."""
    zh = lang == "zh"
    if objective == EXPECTED or choice is None:
        return [
            "目标：预期年内到位资金加500强签约（期望值）"
            if zh
            else "objective: expected in-year capital plus 500-strong signings"
        ]
    what = (
        ("全部目标同时达成" if zh else "every target met")
        if objective == "p:all"
        else label("metric", choice.metrics[0], lang) + ("达标" if zh else " met")
    )
    if objective == "p:all" and choice.out_of_reach:
        n = len(choice.metrics)
        what = f"其余{n}项目标同时达成" if zh else f"the other {n} targets met together"
    gap = "—" if choice.gap is None else f"{choice.gap:.2%}"
    lines = [
        f"目标：{what}的概率最大（样本平均近似，S={choice.samples:,}次模拟，其中{choice.trials_in_model:,}次"
        f"取决于方案；最优性差距{gap}，用时{choice.seconds:.1f}秒）"
        if zh
        else f"objective: the chance of {what} (sample average approximation over S="
        f"{choice.samples:,} trials, {choice.trials_in_model:,} of them decided by the plan; "
        f"optimality gap {gap}, {choice.seconds:.1f} s)"
    ]
    if choice.out_of_reach:
        sep = "、" if zh else ", "
        names = sep.join(
            f"{label('metric', m, lang)}（{p:.1%}）"
            if zh
            else f"{label('metric', m, lang)} ({p:.1%})"
            for m, p in choice.out_of_reach
        )
        p_plan, p_none = choice.p_in_sample.get(choice.method, 0.0), choice.p_in_sample["none"]
        lines.append(
            f"无法达成的目标：{names}——即使剩余月份的候选活动全部举办，在{choice.samples:,}次模拟中"
            f"也不能与其余目标同时达成（括号内为其单独达成的模拟占比），方案不以其为目标；"
            f"按其余{len(choice.metrics)}项目标同时达成计，本方案为{p_plan:.1%}，不办新活动为{p_none:.1%}。"
            if zh
            else f"out of reach: {names}: even with every candidate event held, no trial of "
            f"{choice.samples:,} meets it together with the other targets (in brackets: the "
            f"share of trials meeting it on its own), so the plan leaves it out; the other "
            f"{len(choice.metrics)} targets are met together with {p_plan:.1%} by this plan, "
            f"{p_none:.1%} without new events."
        )
    lines.append(gap_line(choice, lang))
    if choice.time_limit_hit and choice.method == "expected":
        lines.append(
            "按同一组模拟，期望值方案的达标概率不低于求解器在时限内找到的方案，采用该方案。"
            if zh
            else "on the same trials the expected-value plan scores at least as high as the "
            "solver's best within its time limit: it is used."
        )
    if choice.method == "greedy":
        p = choice.p_in_sample
        name = label("plan", "greedy", lang)
        lines.append(
            f"按同一组模拟，{name}的达标概率（{p['greedy']:.1%}）不低于其他方案，采用该方案。"
            if zh
            else f"on the same trials the {name} scores highest ({p['greedy']:.1%}): it is used."
        )
    return lines


def gap_line(choice: SaaResult, lang: str) -> str:
    """The optimality gap in words: proven best on the trials, proven within the tolerance,
    or not proven, with the bound no plan exceeds."""
    zh = lang == "zh"
    p = choice.p_in_sample.get(choice.method, 0.0)
    if choice.proven_optimal:
        return (
            f"已证明为这{choice.samples:,}次模拟上达标概率最高的方案（{p:.2%}）。"
            if zh
            else f"proven the best plan on these {choice.samples:,} trials (P {p:.2%})."
        )
    if choice.gap is None or choice.bound is None:
        return (
            "求解达到时间上限，未得到最优性界限：本方案是各候选方案中样本内达标概率最高的。"
            if zh
            else "the solver hit its time limit without a bound: the plan is the best of the "
            "candidates on these trials, not proven best."
        )
    if choice.proven:
        return (
            f"求解达到时间上限；已证明本方案（{p:.2%}）与最优方案相差不超过{choice.gap:.2%}"
            f"（任何方案不超过{choice.bound:.2%}）。"
            if zh
            else f"the solver hit its time limit; the plan ({p:.2%}) is proven within "
            f"{choice.gap:.2%} of the best (no plan exceeds {choice.bound:.2%})."
        )
    return (
        f"未能证明最优：求解达到时间上限，本方案达标概率{p:.2%}，任何方案不超过"
        f"{choice.bound:.2%}，与最优方案可能相差至多{choice.gap:.1%}。"
        if zh
        else f"not proven best: the solver hit its time limit; the plan reaches P {p:.2%}, no "
        f"plan exceeds {choice.bound:.2%}, so it may be up to {choice.gap:.1%} below the best."
    )


def summary_lines(best: Plan, greedy: Plan, lang: str, by_value: bool = True) -> list[str]:
    """The optimal and the greedy plan by expected value; when the plan was chosen by a
    probability objective (`by_value` False) the two are not ranked by their values."""
    zh = lang == "zh"
    proof = (
        f"已证明最优，差距{best.gap or 0:.2%}，用时{best.seconds:.2f}秒"
        if zh
        else f"proven optimal, gap {best.gap or 0:.2%}, {best.seconds:.2f} s"
    )
    if not best.proven_optimal:
        proof = (
            f"达到时间上限，差距{best.gap or 0:.2%}"
            if zh
            else f"time limit reached, gap {best.gap or 0:.2%}"
        )
    ratio = greedy.objective / best.objective if best.objective > 0 else 1.0
    share = (
        (f"，为优化方案的{ratio:.0%}" if zh else f", {ratio:.0%} of the optimum")
        if by_value
        else ""
    )
    word = (
        ("目标函数值" if zh else "objective")
        if by_value
        else ("期望价值" if zh else "expected value")
    )
    out = [
        f"优化方案：{len(best.table)}场活动，费用{best.cost:g}万元，预期年内到位资金"
        f"{best.expected_capital:.2f}亿元，预期新签500强{best.expected_500:.2f}个，{word}"
        f"{best.objective:.3f}（{proof}）"
        if zh
        else f"optimal plan: {len(best.table)} events, cost {best.cost:g} (10k CNY), expected "
        f"in-year capital {best.expected_capital:.2f} (100m CNY), expected new 500-strong "
        f"signings {best.expected_500:.2f}, {word} {best.objective:.3f} ({proof})",
        f"贪心方案（按性价比）：{len(greedy.table)}场活动，费用{greedy.cost:g}万元，{word}"
        f"{greedy.objective:.3f}{share}"
        if zh
        else f"greedy plan (value per cost): {len(greedy.table)} events, cost {greedy.cost:g}, "
        f"{word} {greedy.objective:.3f}{share}",
    ]
    if greedy.unmet:
        sep = "；" if zh else "; "
        out.append(
            f"贪心方案未满足：{sep.join(greedy.unmet)}"
            if zh
            else f"the greedy plan misses: {sep.join(greedy.unmet)}"
        )
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

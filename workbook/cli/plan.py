"""`workbook plan`: the best roadshow plan for a budget, written as plan.xlsx and plan.ics."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from workbook.cli._common import (
    add_lang,
    date_arg,
    positive_number,
    print_table,
    seed_arg,
    trials_arg,
)
from workbook.text.errors import InputError

NAME = "plan"
HELP = (
    "Choose which promotion events to hold in which month for a budget (MILP), compare with a "
    "greedy plan and by simulated P(attain), and write plan.xlsx and plan.ics."
)


def _budget(text: str) -> float:
    try:
        value = float(text.replace(",", "").removesuffix("万元").removesuffix("万"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a budget in 万元 such as 300, got {text!r}"
        ) from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"budget must be >= 0 万元, got {text!r}")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="params YAML of a zone and year")
    p.add_argument(
        "--budget", type=_budget, help="万元 to spend in the months planned (default: params)"
    )
    p.add_argument("--scenario", help="named scenario of the params (its drivers and restrictions)")
    p.add_argument(
        "--as-of",
        type=date_arg,
        help="plan the months after this date, e.g. 2020-06-30 (default: the end of the last "
        "month with arrivals, as simulate and the review take it; without any, the whole year "
        "with --no-simulate, else give one)",
    )
    p.add_argument(
        "--objective",
        help="what the plan maximises: p:domestic_capital (the chance of meeting that target; "
        "default), p:<target>, p:all (every target met) or expected (expected in-year capital "
        "plus weight_500 x 500强 signings)",
    )
    p.add_argument(
        "--samples",
        type=trials_arg,
        help="simulated trials the probability objective is solved over (default: all --trials)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the plans (none, baseline, greedy, optimal) with their events, cost and "
        "P(attain) as JSON; the files are written all the same",
    )
    p.add_argument(
        "--out",
        default="reports/plan",
        help="folder for plan.xlsx and plan.ics (default: %(default)s)",
    )
    p.add_argument(
        "--trials", type=trials_arg, default=10_000, help="simulation trials (default: 10000)"
    )
    p.add_argument(
        "--seed", type=seed_arg, default=1, help="random seed of the simulation (default: 1)"
    )
    p.add_argument(
        "--no-simulate",
        action="store_true",
        help="skip the simulation: the expected-value plan, without the P(attain) comparison",
    )
    p.add_argument(
        "--time-limit",
        type=positive_number,
        default=60.0,
        help="seconds the solver may take (default: 60)",
    )
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    from workbook.files.outdir import check_run_folder
    from workbook.roadshow.explain import month_span
    from workbook.roadshow.export import display_table, plan_ics, plan_xlsx, write_files
    from workbook.roadshow.problem import build_problem
    from workbook.roadshow.solve import greedy_plan, solve
    from workbook.text.labels import label
    from workbook.zone.loader import load_zone

    if args.trials < 1:
        raise InputError(f"--trials must be >= 1, got {args.trials}")
    check_run_folder(args.out, "plan")  # refused before any work, and nothing touched
    lang = args.lang
    zone = load_zone(args.params)
    p = zone.params
    as_of = args.as_of or _default_as_of(zone, simulate=not args.no_simulate)
    objective = _objective(args, p)
    # The months after the as-of date: its month is fact, as the engine and the review take it.
    start = (
        as_of + dt.timedelta(days=1) if args.as_of or as_of.month > 1 or as_of.day > 1 else as_of
    )
    problem = build_problem(p, zone.events, budget=args.budget, as_of=start, scenario=args.scenario)
    engine = drivers = result = None
    if not args.no_simulate:
        from workbook.forecast.engine import Engine
        from workbook.roadshow.problem import scenario_drivers

        engine = Engine(zone, as_of=as_of, trials=args.trials, seed=args.seed)
        drivers = scenario_drivers(p, args.scenario) if args.scenario else None
    if objective == "expected":
        best = solve(problem, time_limit=args.time_limit, lang=lang)
    else:
        from workbook.roadshow.saa import best_plan

        result = best_plan(
            engine,
            problem,
            objective,
            drivers=drivers,
            samples=args.samples,
            time_limit=args.time_limit,
            lang=lang,
        )
        best = result.plan
    greedy = greedy_plan(problem, lang=lang)
    zh = lang == "zh"
    out = print if not args.json else (lambda *a, **k: None)
    scenario = f"，情景：{args.scenario}" if zh and args.scenario else ""
    if not zh and args.scenario:
        scenario = f", scenario {args.scenario}"
    months = month_span(problem.months, lang)
    out(
        f"{p.zone_name(lang)} {p.year} 招商活动计划 — 预算{problem.budget:g}万元，计划月份{months}"
        f"（截至{as_of.isoformat()}{scenario}）"
        if zh
        else f"{p.zone_name(lang)} {p.year} roadshow plan — budget {problem.budget:g} (10k CNY), "
        f"months {months} (as of {as_of.isoformat()}{scenario})"
    )
    if not args.json:
        print_table(display_table(best, lang))
    for line in _objective_lines(objective, result, lang) + _summary_lines(
        best, greedy, lang, result is None
    ):
        out(line)

    comparison = plans = None
    if engine is not None:
        from workbook.roadshow.judge import compare_plans, plans_for_comparison

        plans = plans_for_comparison(problem, p, best, greedy, args.scenario)
        comparison = compare_plans(engine, plans, drivers=drivers, lang=lang)
    if comparison is not None and len(best.table) and not args.json:
        table = comparison.reset_index(drop=True).copy()
        table.columns = [
            label("column", "metric", lang),
            label("column", "target", lang),
            *[label("plan", c, lang) for c in comparison.columns[2:]],
        ]
        for c in table.columns[2:]:
            table[c] = [f"{v:.1%}" for v in table[c]]
        table[table.columns[1]] = [
            "" if v != v else f"{v:g}" for v in table[table.columns[1]]
        ]  # NaN on the all-targets row
        print(
            f"达标概率对比（{args.trials:,}次模拟，共同随机数）："
            if zh
            else f"P(attain) by plan ({args.trials:,} trials, common random numbers):"
        )
        print_table(table)

    title = (
        f"{p.zone_name(lang)}{p.year}年招商活动计划"
        if zh
        else f"{p.zone_name(lang)} {p.year} roadshow plan"
    )
    summary = _summary_sheet(p, problem, best, greedy, as_of, args, lang)
    if result is not None:
        summary.update(_objective_sheet(result, lang))
    xlsx_comparison = None
    if comparison is not None and len(best.table):
        xlsx_comparison = _comparison_sheet(comparison, p, lang)
    files = {
        "plan.xlsx": plan_xlsx(
            best, title=title, summary=summary, comparison=xlsx_comparison, lang=lang
        ),
        "plan.ics": plan_ics(best, calendar_name=title, lang=lang),
    }
    record = {
        "parameters": {
            "params": str(args.params),
            "budget": problem.budget,
            "scenario": args.scenario,
            "as_of": as_of.isoformat(),
            "objective": args.objective,
            "samples": args.samples,
            "trials": args.trials,
            "seed": args.seed,
            "lang": lang,
        }
    }
    written = write_files(Path(args.out), files, record)
    if args.json:
        from workbook.cli._common import print_json

        print_json(_plans_json(problem, plans, comparison, best, greedy, as_of, objective))
    else:
        print(("已写入：" if zh else "wrote: ") + ", ".join(str(w.resolve()) for w in written))
    return 0


def _default_as_of(zone, simulate: bool) -> dt.date:
    """The end of the last month with arrivals, as `simulate` and the review take it. With
    nothing arrived yet this year: the year's start (the whole year is planned) without the
    simulation; with it, `simulate`'s one-line error (the forecast needs an as-of date)."""
    from workbook.forecast.setup import default_as_of

    try:
        return default_as_of(zone)
    except InputError:
        if simulate:
            raise
        return dt.date(zone.params.year, 1, 1)


def _objective(args: argparse.Namespace, params) -> str:
    """The objective asked for, checked; by default P(内资到位) when the zone has that target
    and the simulation runs, else the expected value."""
    from workbook.roadshow.saa import DEFAULT_OBJECTIVE, EXPECTED, objective_metrics

    targets = [k for k, _ in params.targets.items()]
    if args.objective is None:
        if args.no_simulate or DEFAULT_OBJECTIVE[2:] not in targets:
            return EXPECTED
        return DEFAULT_OBJECTIVE
    text = args.objective.strip()
    objective_metrics(text, targets)  # an unknown objective is an error naming the choices
    if text != EXPECTED and args.no_simulate:
        raise InputError(f"--objective {text} needs the simulation: leave out --no-simulate")
    return text


def _objective_lines(objective: str, result, lang: str) -> list[str]:
    from workbook.text.labels import label

    zh = lang == "zh"
    if result is None:
        return [
            "目标：预期年内到位资金加500强签约（期望值）"
            if zh
            else "objective: expected in-year capital plus 500-strong signings"
        ]
    what = (
        ("全部目标同时达成" if zh else "every target met")
        if objective == "p:all"
        else label("metric", result.metrics[0], lang) + ("达标" if zh else " met")
    )
    gap = "—" if result.gap is None else f"{result.gap:.2%}"
    lines = [
        f"目标：{what}的概率最大（样本平均近似，S={result.samples:,}次模拟，其中{result.trials_in_model:,}次"
        f"取决于方案；最优性差距{gap}，用时{result.seconds:.1f}秒）"
        if zh
        else f"objective: the chance of {what} (sample average approximation over S="
        f"{result.samples:,} trials, {result.trials_in_model:,} of them decided by the plan; "
        f"optimality gap {gap}, {result.seconds:.1f} s)"
    ]
    if result.time_limit_hit:
        lines.append(
            "求解达到时间上限，改用期望值方案。"
            if zh
            else "the solver hit its time limit: the expected-value plan is used."
        )
    if result.method != "saa":
        p = result.p_in_sample
        name = label("plan", "greedy" if result.method == "greedy" else "optimal", lang)
        if result.method == "greedy":
            lines.append(
                f"按同一组模拟，{name}的达标概率（{p['greedy']:.1%}）不低于其他方案，采用该方案。"
                if zh
                else f"on the same trials the {name} scores highest ({p['greedy']:.1%}): it is used."
            )
    return lines


def _objective_sheet(result, lang: str) -> dict[str, object]:
    zh = lang == "zh"
    rows = [
        ("优化目标", "Objective", result.objective),
        ("模拟次数S", "Trials S", result.samples),
        ("最优性差距", "Optimality gap", result.gap if result.gap is not None else ""),
        (
            "达到时间上限",
            "Time limit hit",
            ("是" if zh else "yes") if result.time_limit_hit else ("否" if zh else "no"),
        ),
        ("样本内达标概率", "P in sample", result.p_in_sample.get(result.method)),
    ]
    return {(z if zh else e): v for z, e, v in rows}


def _plans_json(problem, plans, comparison, best, greedy, as_of: dt.date, objective: str) -> dict:
    """{"as_of", "objective", "plans": {key: {"events", "cost", "p_attain", "p_all"}}}."""
    from workbook.roadshow.judge import ALL
    from workbook.roadshow.problem import Plan
    from workbook.roadshow.solve import plan_of

    if plans is None:
        plans = {"greedy": greedy, "optimal": best}
    catalogue = problem.events.set_index("event_id")
    out: dict[str, object] = {}
    for key, plan in plans.items():
        if plan is None:
            events: list[dict[str, object]] = []
        else:
            if not isinstance(plan, Plan):
                try:
                    plan = plan_of(problem, zip(plan["event_id"], plan["month"], strict=True))
                except InputError:  # a baseline event outside the slots: no dates to give
                    plan = plan.assign(
                        first_day=None,
                        last_day=None,
                        cost=[float(catalogue.at[e, "cost"]) for e in plan["event_id"]],
                    )
            table = plan.table if isinstance(plan, Plan) else plan
            events = [
                {
                    "event_id": str(r.event_id),
                    "month": int(r.month),
                    "start": r.first_day.isoformat() if r.first_day is not None else None,
                    "end": r.last_day.isoformat() if r.last_day is not None else None,
                    "cost": float(r.cost),
                }
                for r in table.itertuples()
            ]
        entry: dict[str, object] = {
            "events": events,
            "cost": float(sum(e["cost"] for e in events)),
            "p_attain": None,
            "p_all": None,
        }
        if comparison is not None and key in comparison.columns:
            col = comparison[key]
            entry["p_attain"] = {m: float(v) for m, v in col.items() if m != ALL}
            entry["p_all"] = float(col[ALL])
        out[key] = entry
    return {"as_of": as_of.isoformat(), "objective": objective, "plans": out}


def _summary_lines(best, greedy, lang: str, by_value: bool = True) -> list[str]:
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


def _comparison_sheet(comparison, params, lang: str):
    """The P(attain) comparison as people read it: the target's label and annual target (money
    with two decimals, counts whole), one percentage column per plan."""
    from workbook.roadshow.judge import ALL
    from workbook.text import formats as xs
    from workbook.text.labels import label
    from workbook.zone.metrics import definitions, unit_of

    targets = dict(params.targets.items())
    plans = [c for c in comparison.columns if c not in ("label", "target")]
    metric_h, target_h, unit_h = (
        label("column", "metric", lang),
        label("column", "target", lang),
        label("column", "unit", lang),
    )
    defs = definitions(params)
    units = [None if m == ALL else unit_of(m, targets[m], defs) for m in comparison.index]
    table = comparison.reset_index(drop=True)[["label", "target", *plans]]
    table.insert(1, "unit", [label("unit", u, lang) if u else "" for u in units])
    table.columns = [metric_h, unit_h, target_h, *[label("plan", c, lang) for c in plans]]
    formats = {target_h: [xs.COUNT if u == "count" else xs.MONEY for u in units]}
    formats.update({label("plan", c, lang): xs.PERCENT for c in plans})
    return xs.with_formats(table, formats)


def _summary_sheet(p, problem, best, greedy, as_of, args, lang: str) -> dict[str, object]:
    from workbook.zone.holidays import holiday_label

    st = problem.settings
    zh = lang == "zh"
    rows: list[tuple[str, str, object]] = [
        ("园区", "Zone", p.zone_name(lang)),
        ("年度", "Year", p.year),
        ("截至日期", "As of", as_of),
        ("情景", "Scenario", args.scenario or ("基准" if zh else "baseline")),
        ("预算(万元)", "Budget (10k CNY)", st.budget),
        ("计划费用(万元)", "Plan cost (10k CNY)", best.cost),
        ("每月人力上限(人天)", "Staff-days per month", st.staff_days_per_month),
        ("每月活动上限", "Events per month at most", st.max_events_per_month),
        ("云招商活动至少", "Cloud events at least", st.min_cloud_events),
        ("驻外机构各办一场", "Each office runs one", "是" if st.each_office_runs_one else "否"),
        ("500强签约权重(亿元/个)", "Weight of a 500-strong signing", st.weight_500),
        (
            "避开节假日",
            "Holidays avoided",
            ("、" if zh else ", ").join(holiday_label(h, lang) for h in st.blocked_holidays),
        ),
        (
            "预期年内到位(亿元)",
            "Expected in-year capital (100m CNY)",
            round(best.expected_capital, 4),
        ),
        ("预期新签500强", "Expected new 500-strong signings", round(best.expected_500, 4)),
        ("目标函数值", "Objective", round(best.objective, 6)),
        ("已证明最优", "Proven optimal", "是" if best.proven_optimal else "否"),
        ("最优性差距", "Optimality gap", best.gap if best.gap is not None else ""),
        ("贪心方案目标函数值", "Greedy objective", round(greedy.objective, 6)),
    ]
    return {(zh_key if zh else en_key): v for zh_key, en_key, v in rows}

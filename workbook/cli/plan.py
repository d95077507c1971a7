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
        help="plan the months from this date on, e.g. 2020-06-30 (default: the year's start)",
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
        "--no-simulate", action="store_true", help="skip the P(attain) comparison by simulation"
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
    as_of = args.as_of or dt.date(p.year, 1, 1)
    problem = build_problem(p, zone.events, budget=args.budget, as_of=as_of, scenario=args.scenario)
    best = solve(problem, time_limit=args.time_limit, lang=lang)
    greedy = greedy_plan(problem, lang=lang)
    zh = lang == "zh"
    scenario = f"，情景：{args.scenario}" if zh and args.scenario else ""
    if not zh and args.scenario:
        scenario = f", scenario {args.scenario}"
    months = month_span(problem.months, lang)
    print(
        f"{p.zone_name(lang)} {p.year} 招商活动计划 — 预算{problem.budget:g}万元，计划月份{months}"
        f"（截至{as_of.isoformat()}{scenario}）"
        if zh
        else f"{p.zone_name(lang)} {p.year} roadshow plan — budget {problem.budget:g} (10k CNY), "
        f"months {months} (as of {as_of.isoformat()}{scenario})"
    )
    print_table(display_table(best, lang))
    lines = _summary_lines(best, greedy, lang)
    for line in lines:
        print(line)

    comparison = None
    if not args.no_simulate and len(best.table):
        comparison = _simulate(zone, problem, best, greedy, args, as_of)
        table = comparison.reset_index(drop=True).copy()
        table.columns = [
            label("column", "metric", lang),
            label("column", "target", lang),
            *[label("plan", c, lang) for c in comparison.columns[2:]],
        ]
        for c in table.columns[2:]:
            table[c] = [f"{v:.0%}" for v in table[c]]
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
    xlsx_comparison = None
    if comparison is not None:
        xlsx_comparison = comparison.reset_index().rename(columns={"metric": "metric_id"})
        xlsx_comparison.columns = [
            label("plan", c, lang) if c in ("none", "baseline", "greedy", "optimal") else c
            for c in xlsx_comparison.columns
        ]
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
            "trials": args.trials,
            "seed": args.seed,
            "lang": lang,
        }
    }
    written = write_files(Path(args.out), files, record)
    print(("已写入：" if zh else "wrote: ") + ", ".join(str(w.resolve()) for w in written))
    return 0


def _summary_lines(best, greedy, lang: str) -> list[str]:
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
    out = [
        f"优化方案：{len(best.table)}场活动，费用{best.cost:g}万元，预期年内到位资金"
        f"{best.expected_capital:.2f}亿元，预期新签500强{best.expected_500:.2f}个，目标函数值"
        f"{best.objective:.3f}（{proof}）"
        if zh
        else f"optimal plan: {len(best.table)} events, cost {best.cost:g} (10k CNY), expected "
        f"in-year capital {best.expected_capital:.2f} (100m CNY), expected new 500-strong "
        f"signings {best.expected_500:.2f}, objective {best.objective:.3f} ({proof})",
        f"贪心方案（按性价比）：{len(greedy.table)}场活动，费用{greedy.cost:g}万元，目标函数值"
        f"{greedy.objective:.3f}，为优化方案的{ratio:.0%}"
        if zh
        else f"greedy plan (value per cost): {len(greedy.table)} events, cost {greedy.cost:g}, "
        f"objective {greedy.objective:.3f}, {ratio:.0%} of the optimum",
    ]
    if greedy.unmet:
        sep = "；" if zh else "; "
        out.append(
            f"贪心方案未满足：{sep.join(greedy.unmet)}"
            if zh
            else f"the greedy plan misses: {sep.join(greedy.unmet)}"
        )
    return out


def _simulate(zone, problem, best, greedy, args, as_of: dt.date):
    from workbook.forecast.engine import Engine
    from workbook.roadshow.judge import compare_plans, plans_for_comparison
    from workbook.roadshow.problem import scenario_drivers

    engine = Engine(zone, as_of=as_of, trials=args.trials, seed=args.seed)
    drivers = scenario_drivers(zone.params, args.scenario) if args.scenario else None
    plans = plans_for_comparison(problem, zone.params, best, greedy, args.scenario)
    return compare_plans(engine, plans, drivers=drivers, lang=args.lang)


def _summary_sheet(p, problem, best, greedy, as_of, args, lang: str) -> dict[str, object]:
    st = problem.settings
    zh = lang == "zh"
    rows: list[tuple[str, str, object]] = [
        ("园区", "Zone", p.zone_name(lang)),
        ("年度", "Year", p.year),
        ("截至日期", "As of", as_of.isoformat()),
        ("情景", "Scenario", args.scenario or ("基准" if zh else "baseline")),
        ("预算(万元)", "Budget (10k CNY)", st.budget),
        ("计划费用(万元)", "Plan cost (10k CNY)", best.cost),
        ("每月人力上限(人天)", "Staff-days per month", st.staff_days_per_month),
        ("每月活动上限", "Events per month at most", st.max_events_per_month),
        ("云招商活动至少", "Cloud events at least", st.min_cloud_events),
        ("驻外机构各办一场", "Each office runs one", "是" if st.each_office_runs_one else "否"),
        ("500强签约权重(亿元/个)", "Weight of a 500-strong signing", st.weight_500),
        ("避开节假日", "Holidays avoided", ", ".join(st.blocked_holidays)),
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

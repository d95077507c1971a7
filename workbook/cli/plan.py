"""`workbook plan`: the best roadshow plan for a budget, written as plan.xlsx and plan.ics."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import TypedDict

from workbook.cli._common import (
    add_lang,
    date_arg,
    interrupt_on_sigterm,
    positive_number,
    print_table,
    seed_arg,
    trials_arg,
    type_error,
)
from workbook.text.catalogue import say
from workbook.text.errors import InputError, WorkbookError
from workbook.text.messages import Message

NAME = "plan"
HELP = (
    "Choose which promotion events to hold in which month for a budget (MILP), compare with a "
    "greedy plan and by simulated P(attain), and write plan.xlsx and plan.ics."
)


class PlanEvent(TypedDict):
    """One event of a plan in `--json` output."""

    event_id: str
    month: int
    start: str | None  # ISO dates; None for a plan given without dates
    end: str | None
    cost: float


def _budget(text: str) -> float:

    try:
        value = float(text.replace(",", "").removesuffix("万元").removesuffix("万"))
    except ValueError:
        raise type_error("arg.budget", found=text) from None
    if not (math.isfinite(value) and value >= 0):  # inf and nan too
        raise type_error("review.budget", found=text)
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
        default=10.0,
        help="seconds the solver may take (default: 10); past it the plan says how far from "
        "the best it may be",
    )
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    from workbook.files.outdir import check_run_folder
    from workbook.roadshow.explain import month_span
    from workbook.roadshow.export import display_table, plan_ics, plan_xlsx, write_files
    from workbook.roadshow.service import PlanRequest, plan_roadshow
    from workbook.text.catalogue import label
    from workbook.zone.loader import load_zone

    if args.trials < 1:
        raise InputError(Message("arg.at_least", name="--trials", lo=1, found=args.trials))
    # `kill PID` as Ctrl-C: the forked copy solving parts of the bound is killed with it
    interrupt_on_sigterm()
    check_run_folder(args.out, "plan")  # refused before any work, and nothing touched
    lang = args.lang
    zone = load_zone(args.params)
    p = zone.params
    request = PlanRequest(
        zone,
        as_of=args.as_of,
        budget=args.budget,
        objective=args.objective,
        scenario=args.scenario,
        samples=args.samples,
        trials=args.trials,
        seed=args.seed,
        simulate=not args.no_simulate,
        time_limit=args.time_limit,
        lang=lang,
    )
    try:
        result = plan_roadshow(request)
        result.require()
    except WorkbookError as exc:  # e.g. no feasible plan: the previous plan stays in place
        _record_failure(Path(args.out), args, exc)
        raise
    best, greedy, problem, as_of = result.require(), result.greedy, result.problem, result.as_of
    assert greedy is not None and problem is not None
    out = print if not args.json else (lambda *a, **k: None)
    scenario = say("plan.cli_scenario", lang, name=args.scenario) if args.scenario else ""
    months = month_span(problem.months, lang)
    out(
        say(
            "plan.cli_head",
            lang,
            zone=p.zone_name(lang),
            year=p.year,
            budget=problem.budget,
            months=months,
            as_of=as_of.isoformat(),
            scenario=scenario,
        )
    )
    if not args.json:
        print_table(display_table(best, lang))
    for line in result.explanation:
        out(line)

    comparison = result.comparison
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
        print(say("plan.cli_compare", lang, trials=args.trials))
        print_table(table)

    title = say("plan.file_title", lang, zone=p.zone_name(lang), year=p.year)
    summary = _summary_sheet(p, problem, best, greedy, as_of, args, lang)
    if not result.by_value and result.choice is not None:
        summary.update(_objective_sheet(result.choice, lang))
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

        print_json(_plans_json(result))
    else:
        print(say("plan.wrote", lang, files=", ".join(str(w.resolve()) for w in written)))
    return 0


def _record_failure(out: Path, args: argparse.Namespace, exc: WorkbookError) -> None:
    """A plan that fails where a complete plan is in place: its record (manifest.json with
    the error) goes beside it, to `<out>.failed`, and the error's last line names both."""
    from workbook.files.jsonsafe import dumps
    from workbook.files.outdir import RunFolder, holds_good_run
    from workbook.text.messages import Message

    if not holds_good_run(Path(os.path.abspath(out)), "plan"):
        return  # nothing to keep: nothing written, as before
    record = {
        "tool": "workbook",
        "kind": "plan",
        "status": "failed",
        "error": exc.lines(args.lang),
        "parameters": {k: str(v) for k, v in vars(args).items() if not k.startswith("_")},
        "files": ["manifest.json"],
    }
    with RunFolder(out, "plan") as folder:
        (folder.tmp / "manifest.json").write_text(dumps(record), encoding="utf-8")
        target = folder.commit(failed=True)
    if exc.problems:
        exc.problems[-1] = Message(
            "run.plan_kept", body=exc.problems[-1], record=str(target), folder=str(folder.folder)
        )


def _objective_sheet(result, lang: str) -> dict[str, object]:
    rows = [
        ("goal", result.objective),
        ("samples", result.samples),
        ("gap", result.gap if result.gap is not None else ""),
        ("time_limit_hit", say("word.yes" if result.time_limit_hit else "word.no", lang)),
        ("p_in_sample", result.p_in_sample.get(result.method)),
    ]
    return {say(f"plan.sheet.{key}", lang): v for key, v in rows}


def _plans_json(result) -> dict:
    """{"as_of", "objective", "solver": {"proven", "gap", "seconds", "samples"}, "plans": {key:
    {"events", "cost", "p_attain", "p_all"}}}."""
    from workbook.roadshow.judge import ALL
    from workbook.roadshow.problem import Plan
    from workbook.roadshow.solve import plan_of

    problem, comparison = result.problem, result.comparison
    plans = result.plans
    if plans is None:
        plans = {"greedy": result.greedy, "optimal": result.plan}
    catalogue = problem.events.set_index("event_id")
    out: dict[str, object] = {}
    for key, plan in plans.items():
        if plan is None:
            events: list[PlanEvent] = []
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
                    "event_id": str(r["event_id"]),
                    "month": int(r["month"]),
                    "start": r["first_day"].isoformat() if r["first_day"] is not None else None,
                    "end": r["last_day"].isoformat() if r["last_day"] is not None else None,
                    "cost": float(r["cost"]),
                }
                for r in table.to_dict("records")
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
    solver = result.choice.solver() if result.choice is not None else None
    return {
        "as_of": result.as_of.isoformat(),
        "objective": result.objective,
        "solver": solver,
        "plans": out,
    }


def _comparison_sheet(comparison, params, lang: str):
    """The P(attain) comparison as people read it: the target's label and annual target (money
    with two decimals, counts whole), one percentage column per plan."""
    from workbook.roadshow.judge import ALL
    from workbook.text import formats as xs
    from workbook.text.catalogue import label
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
    formats: dict[str, str | list[str]] = {
        target_h: [xs.COUNT if u == "count" else xs.MONEY for u in units]
    }
    formats.update({label("plan", c, lang): xs.PERCENT for c in plans})
    return xs.with_formats(table, formats)


def _summary_sheet(p, problem, best, greedy, as_of, args, lang: str) -> dict[str, object]:
    from workbook.zone.holidays import holiday_label

    st = problem.settings
    holidays = say("sep.list", lang).join(holiday_label(h, lang) for h in st.blocked_holidays)
    rows: list[tuple[str, object]] = [
        ("zone", p.zone_name(lang)),
        ("year", p.year),
        ("as_of", as_of),
        ("scenario", args.scenario or say("plan.baseline", lang)),
        ("budget", st.budget),
        ("cost", best.cost),
        ("staff_days", st.staff_days_per_month),
        ("max_per_month", st.max_events_per_month),
        ("min_cloud", st.min_cloud_events),
        ("each_office", "是" if st.each_office_runs_one else "否"),  # as before, in both
        ("weight_500", st.weight_500),
        ("holidays", holidays),
        ("capital", round(best.expected_capital, 4)),
        ("e500", round(best.expected_500, 4)),
        ("objective", round(best.objective, 6)),
        ("proven", "是" if best.proven_optimal else "否"),  # as before, in both languages
        ("gap", best.gap if best.gap is not None else ""),
        ("greedy_objective", round(greedy.objective, 6)),
    ]
    return {say(f"plan.sheet.{key}", lang): v for key, v in rows}

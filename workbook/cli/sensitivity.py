"""`workbook sensitivity`: one driver at a time, down and up a step: the tornado of a target."""

from __future__ import annotations

import argparse

from workbook.cli._common import print_json, print_table, whole
from workbook.cli._forecast import add_engine_args, engine_from, num, pct, title
from workbook.files.jsonsafe import records
from workbook.text.catalogue import label
from workbook.text.errors import InputError
from workbook.text.messages import Message

NAME = "sensitivity"
HELP = (
    "One-at-a-time sensitivity: each driver moved down and up by a stated step, and how "
    "P(attain) of a target moves (tornado data)."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_engine_args(p, trials=5_000)
    p.add_argument(
        "--metric",
        default="domestic_capital",
        help="the target to show (default domestic_capital); --json gives every target",
    )
    p.add_argument(
        "--top",
        type=whole(1, 10_000, "top"),
        default=12,
        metavar="N",
        help="the N largest swings (default 12)",
    )


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from workbook.forecast.scenarios import sensitivity, tornado

    _, engine = engine_from(args)
    if args.metric not in dict(engine.params.targets.items()):
        metrics = ", ".join(k for k, _ in engine.params.targets.items())
        raise InputError(
            Message(
                "at",
                where="--metric",
                body=Message("input.unknown_target", metric=args.metric, valid=metrics),
            )
        )
    drivers = engine.scenario_drivers(args.scenario) if args.scenario else None
    plan = engine.scenario_plan(args.scenario) if args.scenario else None
    table = sensitivity(engine, drivers, plan)
    if args.json:
        print_json(
            {
                "as_of": engine.as_of.isoformat(),
                "trials": engine.trials,
                "seed": engine.seed,
                "scenario": args.scenario,
                "rows": records(table),
            }
        )
        return 0
    lang = args.lang
    rows = tornado(table, args.metric, args.top)

    def col(key: str) -> str:
        return label("forecast", key, lang)

    shown = pd.DataFrame(
        {
            col("driver"): rows["label"],
            col("base"): [num(v, 3) for v in rows["base"]],
            col("step"): [num(v, 3) for v in rows["step"]],
            col("low"): [num(v, 3) for v in rows["low"]],
            col("high"): [num(v, 3) for v in rows["high"]],
            col("p_low"): [pct(v) for v in rows["p_low"]],
            col("p_high"): [pct(v) for v in rows["p_high"]],
            col("swing"): [pct(v) for v in rows["swing"]],
        }
    )
    print(title(engine, args, "title", scenario=args.scenario or col("baseline")))
    print(
        col("sensitivity_title").format(
            metric=label("metric", args.metric, lang, engine.params.metric_labels),
            p=float(rows["p_base"].iloc[0]),
        )
    )
    print_table(shown)
    return 0

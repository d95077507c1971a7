"""`workbook goalseek`: the least extra signed capital (or events) for a chosen P(target met)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbook.cli._common import print_json, print_table
from workbook.cli._forecast import (
    add_engine_args,
    engine_from,
    num,
    probability,
    scenario_name,
    title,
)
from workbook.files.jsonsafe import plain, records
from workbook.text.catalogue import label

if TYPE_CHECKING:
    import pandas as pd

NAME = "goalseek"
HELP = (
    "Goal seek: the smallest extra signed capital (or number of extra events) that lifts "
    "P(a target is met) to a chosen level."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from workbook.text.labels import LEVERS

    add_engine_args(p)
    p.add_argument("--metric", default="domestic_capital", help="target (default domestic_capital)")
    p.add_argument(
        "--probability",
        type=probability,
        default=0.8,
        help="chance wanted, e.g. 0.8 or 80%% (default 0.8)",
    )
    p.add_argument(
        "--lever",
        choices=LEVERS,
        default="signed_capital",
        help="signed_capital: extra capital signed after the as-of date (亿元); events: extra "
        "catalogue events in the months still open, earliest first (default signed_capital)",
    )
    p.add_argument(
        "--kind", help="with --lever events: only events of this kind (domestic, overseas, …)"
    )
    p.add_argument(
        "--event", help="with --lever events: only this catalogue event, in other months"
    )


def run(args: argparse.Namespace) -> int:
    from workbook.forecast.goalseek import goal_seek

    _, engine = engine_from(args)
    drivers = engine.scenario_drivers(args.scenario) if args.scenario else None
    plan = engine.scenario_plan(args.scenario) if args.scenario else None
    r = goal_seek(
        engine,
        args.metric,
        args.probability,
        args.lever,
        drivers=drivers,
        plan=plan,
        kind=args.kind,
        event_id=args.event,
    )
    if args.json:
        print_json(
            {
                "as_of": engine.as_of.isoformat(),
                "trials": engine.trials,
                "seed": engine.seed,
                "scenario": args.scenario,
                "metric": r.metric,
                "probability": r.probability,
                "lever": r.lever,
                "unit": r.unit,
                "current": r.current,
                "extra": plain(r.extra),
                "achieved": r.achieved,
                "reachable": r.reachable,
                "events": records(r.events) if r.lever == "events" and r.reachable else [],
            }
        )
        return 0
    lang = args.lang
    metric = label("metric", r.metric, lang, engine.params.metric_labels)
    text = label("forecast", "gs_met", lang)
    fmt = dict(metric=metric, probability=r.probability, current=r.current, achieved=r.achieved)
    if r.extra is None:
        key = "gs_out_capital" if r.lever == "signed_capital" else "gs_out_events"
        text = label("forecast", key, lang).format(**fmt, n=len(r.events))
    elif r.extra > 0:
        key = "gs_capital" if r.lever == "signed_capital" else "gs_events"
        extra = r.extra if r.lever == "signed_capital" else int(r.extra)
        text = label("forecast", key, lang).format(
            **fmt, extra=extra, as_of=engine.as_of.isoformat()
        )
    else:
        text = text.format(**fmt)
    print(title(engine, args, scenario=scenario_name(engine, args)))
    print(text)
    if r.lever == "events" and r.reachable and len(r.events):
        print_table(event_table(r.events, lang))
    return 0


def event_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    def col(key: str) -> str:
        return label("forecast", key, lang)

    return pd.DataFrame(
        {
            col("month"): df["month"],
            col("event"): [f"{e} {n}" for e, n in zip(df["event_id"], df["name"], strict=True)],
            col("kind"): [label("event_kind", k, lang) for k in df["kind"]],
            col("cost"): [num(v) for v in df["cost"]],
        }
    )

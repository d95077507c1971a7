"""`workbook simulate`: how the year ends for every target, as probabilities."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbook.cli._common import print_json, print_table
from workbook.cli._forecast import (
    add_engine_args,
    engine_from,
    num,
    pct,
    records,
    scenario_name,
    title,
)
from workbook.text.labels import label

if TYPE_CHECKING:
    import pandas as pd

NAME = "simulate"
HELP = (
    "Monte Carlo forecast of every target: P(reach the floor and the stretch), "
    "P10/P50/P90 of the year-end value, P(all targets met)."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_engine_args(p)
    p.add_argument(
        "--projects",
        type=int,
        default=10,
        metavar="N",
        help="also list the N projects with the largest expected in-year arrivals (default 10; 0: none)",
    )


def run(args: argparse.Namespace) -> int:
    from workbook.forecast.explain import sources, why
    from workbook.forecast.results import format_targets

    _, engine = engine_from(args)
    fc = engine.forecast_scenario(args.scenario) if args.scenario else engine.forecast()
    lang = args.lang
    if args.json:
        out = fc.to_json()
        parts = sources(fc)  # what each target's mean is made of, adding up to it
        for metric, row in out["targets"].items():
            row["sources"] = parts[metric]
            row["why"] = why(fc, metric, lang)
        if args.projects > 0:
            out["projects"] = records(fc.projects.head(args.projects))
        print_json(out)
        return 0
    print(title(engine, args, scenario=scenario_name(engine, args)))
    print_table(format_targets(fc, lang))
    print(f"{label('forecast', 'p_all', lang)}: {fc.p_all:.1%}")
    print()
    for metric in fc.metrics:
        print(f"{label('metric', metric, lang)}: {why(fc, metric, lang)}")
    if args.projects > 0:
        print()
        print(label("forecast", "projects_title", lang))
        print_table(project_table(fc.projects.head(args.projects), lang))
    return 0


def project_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    def col(key: str) -> str:
        return label("forecast", key, lang)

    return pd.DataFrame(
        {
            col("project_id"): df["project_id"],
            col("name"): df["name"],
            col("stage"): [label("stage", s, lang) for s in df["stage"]],
            col("p_sign"): [pct(v) for v in df["p_sign"]],
            col("p_start"): [pct(v) for v in df["p_start"]],
            col("p_money"): [pct(v) for v in df["p_money"]],
            col("expected_contribution"): [num(v) for v in df["expected_contribution"]],
        }
    )

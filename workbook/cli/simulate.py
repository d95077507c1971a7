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
    scenario_name,
    title,
)
from workbook.files.jsonsafe import records
from workbook.text.catalogue import label

if TYPE_CHECKING:
    import pandas as pd

    from workbook.forecast.engine import Engine

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
    p.add_argument(
        "--campaign",
        metavar="NAME",
        help="also give P(each goal of this campaign met by its window's last day)",
    )


def run(args: argparse.Namespace) -> int:
    from workbook.forecast.explain import sources, why
    from workbook.forecast.results import format_targets

    # one forecast, unless a campaign's goals are read month by month after it
    _, engine = engine_from(args, one_shot=not args.campaign)
    fc = engine.forecast_scenario(args.scenario) if args.scenario else engine.forecast()
    lang = args.lang
    campaign = _campaign(engine, args) if args.campaign else None
    if args.json:
        out = fc.to_json()
        parts = sources(fc)  # what each target's mean is made of, adding up to it
        for metric, row in out["targets"].items():
            row["sources"] = parts[metric]
            row["why"] = why(fc, metric, lang)
        if args.projects > 0:
            out["projects"] = records(fc.projects.head(args.projects))
        if campaign is not None:
            from workbook.forecast.campaigns import campaign_json

            out["campaign"] = campaign_json(engine, args.campaign, campaign)
        print_json(out)
        return 0
    print(title(engine, args, scenario=scenario_name(engine, args)))
    print_table(format_targets(fc, lang))
    print(f"{label('forecast', 'p_all', lang)}: {fc.p_all:.1%}")
    print()
    own = engine.params.metric_labels
    for metric in fc.metrics:
        print(f"{label('metric', metric, lang, own)}: {why(fc, metric, lang)}")
    if args.projects > 0:
        print()
        print(label("forecast", "projects_title", lang))
        print_table(project_table(fc.projects.head(args.projects), lang))
    if campaign is not None:
        from workbook.zone.campaigns import campaign_heading, find_campaign

        print()
        print(campaign_heading(find_campaign(engine.params, args.campaign), engine.as_of, lang))
        print_table(campaign_table(campaign, lang))
    return 0


def _campaign(engine: Engine, args: argparse.Namespace) -> pd.DataFrame:
    from workbook.forecast.campaigns import campaign_forecast

    drivers = plan = None
    if args.scenario:
        key = engine.scenario_key(args.scenario)
        drivers, plan = engine.scenario_drivers(key), engine.scenario_plan(key)
    return campaign_forecast(engine, args.campaign, drivers, plan)


def campaign_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            label("column", "metric", lang): df["label"],
            label("column", "unit", lang): [label("unit", u, lang) for u in df["unit"]],
            label("column", "goal", lang): [num(v) for v in df["goal"]],
            label("column", "window_actual", lang): [num(v) for v in df["actual_to_date"]],
            label("forecast", "p_met", lang): [pct(v) for v in df["p_met"]],
            "P10": [num(v) for v in df["p10"]],
            "P50": [num(v) for v in df["p50"]],
            "P90": [num(v) for v in df["p90"]],
        }
    )


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

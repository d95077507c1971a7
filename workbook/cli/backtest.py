"""`workbook backtest`: the forecasts made at earlier quarter ends, scored against what happened."""

from __future__ import annotations

import argparse

from workbook.cli._common import add_lang, date_arg, print_json, print_table, seed_arg, trials_arg
from workbook.cli._forecast import num, pct
from workbook.text.catalogue import label

NAME = "backtest"
HELP = (
    "Forecast every target from earlier quarter ends (the quarter's ledger snapshot, or the "
    "ledger replayed to that date) and score against what the latest ledger shows: P(attain) "
    "and whether it was met, P10/P50/P90 and the outcome, the Brier score and P10-P90 coverage."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="params YAML of a zone and year")
    p.add_argument(
        "--quarters",
        help="quarter ends to forecast from, e.g. 2020Q1-2020Q3 or 2020Q1,2020Q3 (default: "
        "every quarter of the plan year that ends before the latest ledger's date)",
    )
    p.add_argument(
        "--as-of",
        type=date_arg,
        help="the date scored, what happened by then being the outcome (default: the end of the "
        "last month with arrivals logged; scored at the year end once that is December)",
    )
    p.add_argument(
        "--trials",
        type=trials_arg,
        default=10_000,
        help="Monte Carlo trials per forecast (default 10,000)",
    )
    p.add_argument(
        "--seed", type=seed_arg, default=1, help="random seed (default 1): same seed, same result"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from workbook.forecast.backtest import backtest
    from workbook.zone.loader import load_zone

    zone = load_zone(args.params)
    bt = backtest(
        zone,
        args.quarters,
        trials=args.trials,
        seed=args.seed,
        horizon=args.as_of,
        lang=args.lang,
    )
    if args.json:
        print_json(bt.to_json())  # strict JSON: a non-finite number is null
        return 0
    lang = args.lang

    def col(key: str) -> str:
        return label("backtest", key, lang)

    p = zone.params
    horizon = bt.horizon.isoformat()
    print(
        col("title").format(
            zone=p.zone_name(lang), year=p.year, horizon=horizon, trials=bt.trials, seed=bt.seed
        )
    )
    print(
        col("scored_year_end")
        if bt.horizon.month == 12 and bt.horizon.day == 31
        else col("scored_phased").format(horizon=horizon)
    )
    f = bt.forecasts
    print_table(
        pd.DataFrame(
            {
                col("quarter"): f["quarter"],
                col("source"): [col(s) for s in f["source"]],
                col("metric"): f["label"],
                col("unit"): [label("unit", u, lang) for u in f["unit"]],
                col("level"): [num(v) for v in f["level"]],
                col("actual_to_date"): [num(v) for v in f["actual_to_date"]],
                col("p_attain"): [pct(v) for v in f["p_attain"]],
                col("p10"): [num(v) for v in f["p10"]],
                col("p50"): [num(v) for v in f["p50"]],
                col("p90"): [num(v) for v in f["p90"]],
                col("outcome"): [num(v) for v in f["outcome"]],
                col("met"): [col("yes" if m else "no") for m in f["met"]],
            }
        )
    )
    print(col("brier").format(brier=bt.brier, expected=bt.expected_brier))
    print(col("coverage").format(coverage=bt.coverage_p10_p90))
    return 0

"""`workbook calibrate`: stage probabilities and lags estimated from the ledger's own dates."""

from __future__ import annotations

import argparse

from workbook.cli._common import add_lang, date_arg, positive_number, print_json, print_table
from workbook.cli._forecast import AS_OF_HELP, num, probability
from workbook.files.jsonsafe import records
from workbook.text.catalogue import label

NAME = "calibrate"
HELP = (
    "Estimate drivers from the ledger's stage dates and quarterly snapshots (a mixture cure "
    "model with censoring, the params' drivers as priors), with credible intervals and a "
    "drivers block to paste."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="params YAML of a zone and year")
    p.add_argument("--as-of", type=date_arg, help=AS_OF_HELP)
    p.add_argument(
        "--prior-weight",
        type=positive_number,
        default=10.0,
        help="how many projects the params' drivers count as (default 10)",
    )
    p.add_argument("--level", type=probability, default=0.9, help="credible level (default 0.9)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from workbook.forecast.calibrate import calibrate
    from workbook.forecast.setup import default_as_of
    from workbook.zone.loader import load_zone

    zone = load_zone(args.params)
    as_of = args.as_of or default_as_of(zone)
    cal = calibrate(
        zone,
        as_of,
        prior_weight=args.prior_weight,
        level=args.level,
        lang=args.lang,
    )
    if args.json:
        print_json(
            {
                "as_of": as_of.isoformat(),
                "prior_weight": cal.prior_weight,
                "level": cal.level,
                "snapshots": list(cal.snapshots),
                "rows": records(cal.table),
                "drivers": cal.drivers.model_dump(mode="json"),
            }
        )
        return 0
    lang = args.lang

    def col(key: str) -> str:
        return label("calibration", key, lang)

    t = cal.table
    shown = pd.DataFrame(
        {
            col("driver"): t["label"],
            col("prior"): [num(v, 3) for v in t["prior"]],
            col("n"): t["n"],
            col("events"): [num(v, 1) for v in t["events"]],
            col("estimate"): [num(v, 3) for v in t["estimate"]],
            col("lo"): [num(v, 3) for v in t["lo"]],
            col("hi"): [num(v, 3) for v in t["hi"]],
            col("note"): t["note"],
        }
    )
    print(col("title").format(as_of=as_of.isoformat(), w=cal.prior_weight, level=cal.level))
    print_table(shown)
    print()
    print(col("yaml"))
    print(cal.to_yaml(), end="")
    return 0

"""`workbook compare`: the params' scenarios side by side, on the same random draws."""

from __future__ import annotations

import argparse

from workbook.cli._common import print_json, print_table
from workbook.cli._forecast import add_engine_args, engine_from, num, pct, title
from workbook.files.jsonsafe import plain
from workbook.text.catalogue import label

NAME = "compare"
HELP = "Every scenario of the params side by side: P(attain) (or another statistic) per target."


def add_arguments(p: argparse.ArgumentParser) -> None:
    from workbook.text.labels import STATS

    add_engine_args(p, scenario=False)
    p.add_argument(
        "--stat",
        choices=STATS,
        default="p_attain",
        help="what to compare (default p_attain; p10/p50/p90/mean: year-end values)",
    )
    p.add_argument(
        "--scenarios",
        nargs="+",
        metavar="NAME",
        help="only these scenarios, in this order (default: all of the params)",
    )


def run(args: argparse.Namespace) -> int:
    from workbook.forecast.scenarios import compare

    _, engine = engine_from(args)
    table = compare(engine, args.scenarios, stat=args.stat)
    names = [c for c in table.columns if c not in ("label", "unit", "target")]
    if args.json:
        print_json(
            {
                "as_of": engine.as_of.isoformat(),
                "trials": engine.trials,
                "seed": engine.seed,
                "stat": args.stat,
                "scenarios": names,
                "metrics": {m: {n: plain(row[n]) for n in names} for m, row in table.iterrows()},
            }
        )
        return 0
    lang = args.lang
    fmt = pct if args.stat.startswith("p_") else num
    shown = table.copy()
    shown["unit"] = [label("unit", u, lang) if u else "" for u in shown["unit"]]
    shown["target"] = [num(v) for v in shown["target"]]
    for n in names:
        shown[n] = [fmt(v) for v in shown[n]]
    headers = {
        "label": label("forecast", "metric", lang),
        "unit": label("forecast", "unit", lang),
        "target": label("forecast", "target", lang),
    }
    for n in names:
        headers[n] = engine.params.scenarios[n].display(n, lang)
    stat = (
        label("forecast", args.stat, lang)
        if args.stat in ("p_attain", "p_stretch", "mean")
        else args.stat.upper()
    )
    print(title(engine, args, "compare_title", stat=stat))
    print_table(shown.rename(columns=headers).reset_index(drop=True))
    return 0

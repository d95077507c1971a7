"""`workbook validate`: load and check a zone's params and data files, or a ledger alone."""

from __future__ import annotations

import argparse

from workbook.cli._common import add_lang, print_table
from workbook.text.catalogue import label
from workbook.text.errors import InputError
from workbook.text.messages import Message
from workbook.text.numbers import figure

NAME = "validate"
HELP = "Check a params file and its data files (or a ledger and arrivals) and summarise them."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", nargs="?", help="params YAML of a zone and year")
    p.add_argument("--ledger", help="a ledger file (.xlsx or .csv) to check on its own")
    p.add_argument("--arrivals", help="an arrivals file to check with --ledger")
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    from workbook.roadshow.check import check_inputs
    from workbook.zone.ledger import load_ledger

    if bool(args.params) == bool(args.ledger):
        raise InputError(Message("err.params_or_ledger"))
    if args.arrivals and not args.ledger:
        raise InputError(Message("err.arrivals_without_ledger"))
    if args.params:
        zone = check_inputs(args.params)  # what simulate and review would refuse later, too
        ledger = zone.ledger
        print(f"{args.params}: {zone.params.zone_name(args.lang)} {zone.params.year}, OK")
        if zone.events is not None:
            print(f"{zone.params.data.events}: {len(zone.events)} candidate events, OK")
        own = [k for k in zone.params.metrics if k not in dict(zone.params.targets.items())]
        own_labels = zone.params.metric_labels
        declared = [label("metric", k, args.lang, own_labels) for k in zone.params.metrics]
        if declared:
            print(
                f"metrics: {', '.join(declared)}"
                + (f" (no target: {', '.join(own)})" if own else "")
            )
        for c in zone.params.campaigns:
            print(
                f"campaign {c.display(args.lang)}: {c.start} – {c.end}, goals {', '.join(c.goals)}"
            )
    else:
        ledger = load_ledger(args.ledger, args.arrivals)
    lang = args.lang
    summary = ledger.summary().reset_index()
    summary["stage"] = [label("stage", s, lang) for s in summary["stage"]]
    summary.columns = [label("column", c, lang) for c in summary.columns]
    print(f"{ledger.ledger_path}: {len(ledger.projects)} projects, OK")
    print_table(summary.round(2))
    n_foreign = int((ledger.projects["capital_type"] == "foreign").sum())
    print(
        f"domestic {len(ledger.projects) - n_foreign}, foreign {n_foreign}; total investment {ledger.projects['total_investment'].sum():,.2f} 亿元"
    )
    skipped = list(ledger.skipped)
    if args.params and zone.events is not None:
        skipped += zone.events.attrs.get("skipped", [])
    for problem in skipped:  # never silently: which rows were left out, and why
        print(problem.render(lang))
    if ledger.arrivals_path is not None:
        by_cur = ledger.arrivals.groupby("currency")["amount"].sum()
        text = ", ".join(
            f"{figure(v, str(c))} {label('unit', str(c), 'zh')}" for c, v in by_cur.items()
        )
        print(f"{ledger.arrivals_path}: {len(ledger.arrivals)} arrivals ({text}), OK")
    return 0

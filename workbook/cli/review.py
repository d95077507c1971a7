"""`workbook review`: one zone's quarterly review as a run folder (html, xlsx, json, record)."""

from __future__ import annotations

import argparse
import sys

from workbook.cli._common import add_lang, interrupt_on_sigterm
from workbook.text.catalogue import say
from workbook.text.messages import Message

NAME = "review"
HELP = (
    "Run the quarterly review notebook for a zone: writes review.html (offline), review.xlsx, "
    "summary.json, manifest.json and the executed review.ipynb into one run folder."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from workbook.review.params import DEFAULT_SEED, DEFAULT_TRIALS

    p.add_argument("params", help="params YAML of a zone and year")
    p.add_argument("--quarter", required=True, help="quarter under review, e.g. 2020Q2")
    p.add_argument("--out", help="run folder (default reports/<params file name>/<quarter>[-en])")
    add_lang(p)
    p.add_argument("--as-of", help="date inside the quarter (default: its last day)")
    p.add_argument(
        "--trials", type=int, default=DEFAULT_TRIALS, help="forecast trials (default %(default)s)"
    )
    p.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
    )
    p.add_argument(
        "--notebook",
        help="a review notebook of your own (default notebooks/quarterly_review.ipynb)",
    )
    p.add_argument(
        "--previous-ledger",
        help="last quarter's ledger for the changes (default: ledger-<quarter>.xlsx beside the ledger)",
    )
    p.add_argument("--budget", type=float, help="roadshow budget left, 万元 (default: the params')")


def run(args: argparse.Namespace) -> int:
    from workbook.review.runner import NOTEBOOK, review

    interrupt_on_sigterm()
    try:
        result = review(
            args.params,
            args.quarter,
            args.out,
            notebook=args.notebook or NOTEBOOK,
            as_of=args.as_of,
            trials=args.trials,
            seed=args.seed,
            lang=args.lang,
            previous_ledger=args.previous_ledger,
            budget=args.budget,
        )
    except KeyboardInterrupt:
        print("error: " + Message("interrupted").render(args.lang), file=sys.stderr)
        return 130
    if not result.ok:
        record = result.run_dir / "review.ipynb"
        print("error: " + say("cli.review_failed", args.lang, error=result.error), file=sys.stderr)
        print("error: " + say("cli.review_notebook", args.lang, record=record), file=sys.stderr)
        return 1
    print(
        f"review {result.params.quarter} done in {result.seconds:.1f} s: {result.run_dir}",
        file=sys.stderr,
    )
    print(result.html)
    return 0

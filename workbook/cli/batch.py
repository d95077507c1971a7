"""`workbook batch`: reviews of many zones and quarters in parallel, with an index and roll-up."""

from __future__ import annotations

import argparse
import sys

from workbook.cli._common import add_lang, interrupt_on_sigterm, whole
from workbook.text.messages import Message

NAME = "batch"
HELP = (
    "Run the quarterly review for every params file and quarter in parallel processes (or on a "
    "Dask cluster); writes index.html and rollup.xlsx; skips finished runs unless --force."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from workbook.review.params import DEFAULT_SEED, DEFAULT_TRIALS

    p.add_argument("params", nargs="+", help="params YAML files, one per zone")
    p.add_argument(
        "--quarters", required=True, help="quarters: a range 2020Q1-2020Q4 or a list 2020Q2,2020Q4"
    )
    p.add_argument("--out", default="reports", help="batch folder (default %(default)s)")
    p.add_argument(
        "--jobs", type=whole(1, 1024, "jobs"), help="parallel runs (default: the number of CPUs)"
    )
    p.add_argument("--force", action="store_true", help="run again even when a run is finished")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dask", choices=["local"], help="run on a local Dask cluster")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask scheduler")
    add_lang(p)
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
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from workbook.review.batch import run_batch, run_line, summary_line
    from workbook.review.params import parse_quarters
    from workbook.review.runner import NOTEBOOK

    interrupt_on_sigterm()
    lang = args.lang

    def done(r) -> None:  # each run's line as soon as it finishes, above the progress bar
        tqdm.write(run_line(r, lang), file=sys.stdout)
        if r.status == "failed":
            where = f"{r.params.params_path.name} {r.params.quarter}"
            tqdm.write(f"error: {where}: {r.error}", file=sys.stderr)

    try:
        result = run_batch(
            args.params,
            parse_quarters(args.quarters),
            root=args.out,
            jobs=args.jobs,
            force=args.force,
            dask=args.dask,
            scheduler=args.scheduler,
            progress=not args.no_progress,
            notebook=args.notebook or NOTEBOOK,
            on_done=done,
            lang=lang,
            trials=args.trials,
            seed=args.seed,
        )
    except KeyboardInterrupt:
        print("error: " + Message("interrupted.batch").render(lang), file=sys.stderr)
        return 130
    print(summary_line(result, lang))
    print(result.index)
    return 1 if result.failed else 0

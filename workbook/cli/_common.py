"""Shared argument types and printing for the subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import pandas as pd

from workbook.errors import InputError
from workbook.tabular import parse_date


def date_arg(text: str) -> dt.date:
    """An --as-of date in any format planners type (2020-06-30, 2020年6月30日, ...)."""
    try:
        value = parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("expected a date, found nothing")
    return value


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default="zh",
        help="language of labels and error messages (default zh)",
    )


def print_table(df: pd.DataFrame) -> None:
    with pd.option_context(
        "display.unicode.east_asian_width",
        True,
        "display.width",
        200,
        "display.max_columns",
        50,
        "display.max_rows",
        500,
    ):
        print(df.to_string(index=False))


def print_json(obj: Any) -> None:
    from workbook.jsonsafe import dumps

    sys.stdout.write(dumps(obj, ensure_ascii=False, indent=2, default=_default) + "\n")


def _default(o: Any) -> Any:
    if isinstance(o, dt.date):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    raise InputError(f"cannot write {type(o).__name__} as JSON")

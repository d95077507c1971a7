"""Shared argument types, the argument parser and printing for the subcommands.

Argument errors speak the command's language: `ArgumentParser` reads `--lang` from the
command line before parsing, renders argparse's own messages (missing, unknown or invalid
arguments) in Chinese unless it is `en`, and the argument types below raise their messages
in that language. Nothing here imports pandas (`workbook --help` stays instant).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from workbook.review.params import MAX_SEED, MAX_TRIALS  # light: no pandas
from workbook.text.catalogue import CATALOGUE, LANGS, say
from workbook.text.messages import BadValue, Message

if TYPE_CHECKING:
    import pandas as pd

_LANG = ["zh"]  # the language of the command line being parsed


def arg_lang() -> str:
    return _LANG[0]


def lang_of(argv: Sequence[str]) -> str:
    """The --lang given on a command line ("zh" when none, or when it is not valid)."""
    args = list(argv)
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1] if args[i + 1] in LANGS else LANGS[0]
        if a.startswith("--lang="):
            given = a.split("=", 1)[1]
            return given if given in LANGS else LANGS[0]
    return LANGS[0]


# argparse's own (English) error messages, read back into their parts so the catalogue can
# say them in either language: the pattern and the catalogue id of its text, in order.
_ARGPARSE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^the following arguments are required: (?P<args>.*)$"), "argparse.required"),
    (
        re.compile(
            r"^argument (?P<arg>.+?): invalid choice: (?P<value>.*) \(choose from (?P<valid>.*)\)$"
        ),
        "argparse.choice",
    ),
    (
        re.compile(r"^argument (?P<arg>.+?): invalid (?P<type>\S+) value: (?P<value>.*)$"),
        "argparse.value",
    ),
    (re.compile(r"^argument (?P<arg>.+?): expected one argument$"), "argparse.one"),
    (re.compile(r"^argument (?P<arg>.+?): expected at least one argument$"), "argparse.some"),
    (
        re.compile(r"^argument (?P<arg>.+?): not allowed with argument (?P<other>.+)$"),
        "argparse.not_with",
    ),
    (
        re.compile(r"^argument (?P<arg>.+?): ignored explicit argument (?P<value>.*)$"),
        "argparse.ignored",
    ),
    (re.compile(r"^unrecognized arguments: (?P<args>.*)$"), "argparse.unrecognized"),
    (
        re.compile(r"^ambiguous option: (?P<arg>.+?) could match (?P<valid>.*)$"),
        "argparse.ambiguous",
    ),
    (re.compile(r"^one of the arguments (?P<args>.*) is required$"), "argparse.one_of"),
    (re.compile(r"^argument (?P<arg>.+?): (?P<text>.*)$", re.S), "argparse.argument"),
]


def argparse_message(message: str, lang: str) -> str:
    """One of argparse's error messages in `lang` (argparse itself speaks English)."""
    for pattern, key in _ARGPARSE:
        m = pattern.match(message)
        if m:
            fields = m.groupdict()
            if "type" in fields and f"argparse.type.{fields['type']}" in CATALOGUE:
                fields["type"] = say(f"argparse.type.{fields['type']}", lang)
            return say(key, lang, **fields)
    return message


class ArgumentParser(argparse.ArgumentParser):
    """argparse in the command's language: usage errors in Chinese unless --lang en."""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        _LANG[0] = lang_of(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", say("cli.usage", arg_lang()), 1)

    def error(self, message: str) -> Any:
        lang = arg_lang()
        self.print_usage(sys.stderr)
        word = say("cli.error", lang)
        self.exit(2, f"{self.prog}: {word}{argparse_message(message, lang)}\n")


def type_error(key: str, **args: Any) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(Message(key, **args).render(arg_lang()))


def date_arg(text: str) -> dt.date:
    """An --as-of date in any format planners type (2020-06-30, 2020年6月30日, ...)."""
    from workbook.zone.tabular import parse_date

    try:
        value = parse_date(text)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(exc.message.render(arg_lang())) from None
    if value is None:
        raise type_error("arg.no_date")
    return value


def whole(lo: int, hi: int, name: str = "whole") -> Callable[[str], int]:
    """An argument type: a whole number from lo to hi, with the bounds in the message."""

    def parse(text: str) -> int:
        try:
            value = int(str(text).replace(",", "").replace("_", ""))
        except ValueError:
            raise type_error("arg.whole", found=text) from None
        if not lo <= value <= hi:
            raise type_error("arg.between", lo=lo, hi=hi, found=value)
        return value

    parse.__name__ = name
    return parse


trials_arg = whole(1, MAX_TRIALS, "trials")
seed_arg = whole(0, MAX_SEED, "seed")


def positive_number(text: str) -> float:
    """An argument type: a finite number > 0 (seconds, weights)."""
    try:
        value = float(text)
    except ValueError:
        raise type_error("arg.number", found=text) from None
    if not (math.isfinite(value) and value > 0):
        raise type_error("arg.positive", found=text)
    return value


def add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default="zh",
        help="language of labels and error messages (default zh)",
    )


def print_table(df: pd.DataFrame) -> None:
    import pandas as pd

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
    from workbook.files.jsonsafe import dumps

    sys.stdout.write(dumps(obj, ensure_ascii=False, indent=2) + "\n")


def interrupt_on_sigterm() -> None:
    """`kill PID` (SIGTERM) stops a long command as Ctrl-C does: cleaned up, one line, 130."""
    import signal
    import threading

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    from workbook.review.interrupt import deliver_lost_interrupts

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        deliver_lost_interrupts()

"""The `workbook` command: one subcommand per module in this package, each a thin call.

A subcommand module defines `NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`.
`main` turns a WorkbookError into its message lines on stderr, in the command's `--lang`
(Chinese when it has none), and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from workbook.files.ending import exit_now

# The subcommands, in the order `workbook --help` lists them: each the module of that name in
# this package. A command line naming one imports only that module (another's imports, such
# as the app's web server, cost every command start-up time); `--help` and a mistyped name
# build them all.
COMMANDS = (
    "validate",
    "status",
    "simulate",
    "compare",
    "sensitivity",
    "goalseek",
    "calibrate",
    "backtest",
    "app",
    "users",
    "plan",
    "review",
    "batch",
)


def _commands(names: Sequence[str] = COMMANDS) -> list[ModuleType]:
    return [importlib.import_module(f"workbook.cli.{name}") for name in names]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, when `argv` starts with a command's name, of that
    command only (the same parser for it: the same help, usage and errors)."""
    from workbook.cli._common import ArgumentParser  # usage errors in the command's language

    parser = ArgumentParser(
        prog="workbook",
        description="Investment-promotion planning workbook (招商引资规划工作簿).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    first = argv[0] if argv else None
    names = [first] if first in COMMANDS else COMMANDS
    for mod in _commands(names):
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def console() -> NoReturn:
    """The `workbook` command and `python -m workbook`: the command run by a warm server's
    copy when one is there (workbook.cli.served), else here (and a server started for the
    next one); then `exit_now` with its code (workbook.files.ending: no interpreter teardown)."""
    from workbook.cli import served  # light: the client side imports no pandas or numpy
    from workbook.files import heap

    heap.own_process()  # this process ends with the command (workbook.files.heap)
    argv = sys.argv[1:]
    where = served.address(argv)
    if where is None:
        exit_now(main(argv))
    try:
        code = served.call(where, argv)
    except KeyboardInterrupt:  # Ctrl-C before a copy took the command
        exit_now(_interrupted(argv))
    if code is None:
        code = main(argv)
        with contextlib.suppress(KeyboardInterrupt):
            served.start(where)
    exit_now(code)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        _forget_caught_interrupts()


def _forget_caught_interrupts() -> None:
    """A KeyboardInterrupt raised inside code that `exec` or `eval` runs from a string
    (dataclasses build their methods that way, so an interrupt during an import often lands
    there) leaves CPython's mark "an interrupt went unhandled" set even once it is caught;
    `python -m workbook` then ends by killing itself with SIGINT instead of returning the
    command's code (a caller sees -2 instead of 130, and a SIGTERM reported as SIGINT). Any
    string run resets the mark; one that escapes `main` sets it again."""
    exec("")  # noqa: S102 - an empty string, run only to reset the mark


def _main(argv: Sequence[str] | None) -> int:
    from workbook.text.errors import WorkbookError  # here: `import workbook.cli` stays light

    try:
        words = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(words).parse_args(words)
    except KeyboardInterrupt:
        return _interrupted(argv)
    try:
        return int(args._run(args) or 0)
    except WorkbookError as exc:
        from workbook.text.clean import strip_controls

        lang = getattr(args, "lang", None) or "zh"  # the command's --lang; Chinese without one
        for line in exc.lines(lang):  # text from a file never drives the terminal
            print(f"error: {strip_controls(line)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return _interrupted(argv)
    except BrokenPipeError:  # output piped into `head`
        sys.stderr.close()
        return 0


def _interrupted(argv: Sequence[str] | None) -> int:
    """Ctrl-C: one line in the command's language, exit 130 (the commands leave no half run)."""
    from workbook.cli._common import lang_of
    from workbook.text.messages import Message

    lang = lang_of(sys.argv[1:] if argv is None else argv)
    print("error: " + Message("interrupted").render(lang), file=sys.stderr)
    return 130

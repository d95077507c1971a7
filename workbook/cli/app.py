"""`workbook app`: serve the scenario and roadshow planners as a web app (Voila, code hidden)."""

from __future__ import annotations

import argparse

from workbook.cli._common import date_arg, whole
from workbook.planners.app import DEFAULT_CULL_IDLE, DEFAULT_PORT, serve

NAME = "app"
HELP = "Serve the scenario and roadshow planner notebooks as a local web app (Voila, no code)."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--port",
        type=whole(1, 65535, "port"),
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})",
    )
    p.add_argument("--params", help="params YAML the planners open (default: the sample zone)")
    p.add_argument("--as-of", type=date_arg, help="as-of date (default: last month with arrivals)")
    p.add_argument(
        "--lang", choices=["zh", "en"], help="language of labels and error messages (default zh)"
    )
    p.add_argument(
        "--cull-idle",
        type=whole(1, 7 * 24 * 3600, "seconds"),
        default=DEFAULT_CULL_IDLE,
        metavar="SECONDS",
        help="shut down a planner's kernel once its page is closed and it has been idle this long "
        f"(default {DEFAULT_CULL_IDLE})",
    )
    p.add_argument("--open", action="store_true", help="open the app in the default browser")


def run(args: argparse.Namespace) -> int:
    return serve(args.port, args.open, args.params, args.as_of, args.lang, args.cull_idle)

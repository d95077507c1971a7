"""`workbook app`: serve the scenario and roadshow planners as a web app (Voila, code hidden)."""

from __future__ import annotations

import argparse

from workbook.cli._common import date_arg, whole
from workbook.planners.app import (
    DEFAULT_CULL_IDLE,
    DEFAULT_PORT,
    DEFAULT_WARM,
    REFILL_DELAY_S,
    serve,
)

NAME = "app"
HELP = "Serve the scenario and roadshow planner notebooks as a local web app (Voila, no code)."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--port",
        type=whole(1, 65535, "port"),
        default=DEFAULT_PORT,
        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})",
    )
    p.add_argument(
        "--params",
        action="append",
        metavar="FILE|FOLDER",
        help="a zone's params YAML, or a folder of them; repeat for several zones, each served "
        "at /z/<file name>/ (default: the sample zone)",
    )
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
    p.add_argument(
        "--max-kernels",
        type=whole(1, 1000, "kernels"),
        default=10,
        metavar="N",
        help="at most N planner pages open at once on the server (~550 MB each; default 10); "
        "beyond it a page says the server is busy",
    )
    p.add_argument(
        "--warm",
        type=whole(0, 1000, "kernels"),
        default=DEFAULT_WARM,
        metavar="N",
        help="keep N kernels warm (already run through the notebook) per zone and planner, so N "
        f"planners opening a page at once get it drawn at once (default {DEFAULT_WARM}; 0 to "
        "--max-kernels; not counted in --max-kernels)",
    )
    p.add_argument(
        "--refill-delay",
        type=whole(1, 3600, "seconds"),
        default=REFILL_DELAY_S,
        metavar="SECONDS",
        help="start the replacement of a warm kernel a page took this long after (default "
        f"{REFILL_DELAY_S}: pages opened at once are drawn first)",
    )
    p.add_argument(
        "--max-kernels-per-user",
        type=whole(1, 100, "kernels"),
        default=3,
        metavar="N",
        help="at most N planner pages open at once per user (default 3)",
    )
    p.add_argument(
        "--users",
        metavar="FILE",
        help="the accounts who may log in (made with `workbook users add`); required unless "
        "--no-login",
    )
    p.add_argument(
        "--no-login",
        action="store_true",
        help="no login at all: only for one person on their own machine (printed loudly)",
    )
    p.add_argument(
        "--session-hours",
        type=float,
        default=8,
        metavar="HOURS",
        help="a login lasts this long (default 8)",
    )
    p.add_argument(
        "--trusted-header",
        metavar="NAME",
        help="single sign-on: take the user name from this request header, only when the "
        "request comes from --trusted-proxy (the account must be in --users)",
    )
    p.add_argument("--trusted-proxy", metavar="ADDR", help="the proxy's IP address")
    p.add_argument(
        "--allowed-hosts",
        metavar="HOST[,HOST]",
        help="answer only requests for these Host names (default: any)",
    )


def run(args: argparse.Namespace) -> int:
    from workbook.planners.app import check_warm, login_policy, zone_files

    zone_files(args.params)  # a missing params file is named first
    check_warm(args.warm, args.max_kernels)
    policy = login_policy(
        args.users,
        args.no_login,
        args.session_hours,
        args.trusted_header,
        args.trusted_proxy,
        args.allowed_hosts,
    )
    return serve(
        args.port,
        args.open,
        args.params,
        args.as_of,
        args.lang,
        args.cull_idle,
        policy,
        args.max_kernels,
        args.max_kernels_per_user,
        args.warm,
        args.refill_delay,
    )

"""`workbook status`: every target against pacing (序时进度) as of a date."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from workbook.cli._common import add_lang, date_arg, print_json, print_table

if TYPE_CHECKING:
    from workbook.zone.loader import Zone

NAME = "status"
HELP = (
    "Year-to-date progress of every target against time elapsed (序时进度), as of a date; "
    "with --campaign, the goals of a 百日攻坚 campaign against the days of its window."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("params", help="params YAML of a zone and year")
    p.add_argument(
        "--as-of",
        type=date_arg,
        help="date of the status, e.g. 2020-06-30 (default: the end of the last month with "
        "arrivals logged in the plan year, as the forecasts take it)",
    )
    p.add_argument(
        "--campaign",
        metavar="NAME",
        help="a campaign of the params (campaigns:): its goals inside its window up to --as-of",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    add_lang(p)


def run(args: argparse.Namespace) -> int:
    from workbook.zone.loader import load_zone
    from workbook.zone.pacing import format_status, status

    zone = load_zone(args.params)
    if args.as_of is None:
        from workbook.zone.replay import last_data_day

        args.as_of = last_data_day(zone.ledger, zone.params.year)
    if args.campaign is not None:
        return _campaign(zone, args)
    table = status(zone.params, zone.ledger, args.as_of, args.lang)
    if args.json:
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        print_json(records)
    else:
        p = zone.params
        print(f"{p.zone_name(args.lang)} {p.year} — {args.as_of.isoformat()}")
        print_table(format_status(table, args.lang))
    return 0


def _campaign(zone: Zone, args: argparse.Namespace) -> int:
    from workbook.zone.campaigns import (
        campaign_heading,
        campaign_status,
        find_campaign,
        format_campaign,
    )
    from workbook.zone.pacing import check_as_of

    check_as_of(args.as_of, zone.params.year)
    c = find_campaign(zone.params, args.campaign)
    table = campaign_status(zone.params, zone.ledger, c.name, args.as_of, args.lang)
    if args.json:
        records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
        print_json(
            {
                "campaign": c.name,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "days": c.days,
                "as_of": args.as_of.isoformat(),
                "goals": records,
            }
        )
    else:
        print(campaign_heading(c, args.as_of, args.lang))
        print_table(format_campaign(table, args.lang))
    return 0

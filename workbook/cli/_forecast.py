"""Arguments and printing shared by the forecast commands (simulate, compare, sensitivity,
goalseek, calibrate)."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

from workbook.cli._common import add_lang, date_arg, seed_arg, trials_arg, type_error
from workbook.text.catalogue import label

if TYPE_CHECKING:
    from workbook.forecast.engine import Engine
    from workbook.zone.loader import Zone

AS_OF_HELP = (
    "date of the forecast, e.g. 2020-06-30 (default: the end of the last month with "
    "arrivals logged in the plan year); arrivals and stage dates up to it are facts"
)


def probability(text: str) -> float:
    """An argument type: a probability in (0, 1], as 0.8 or 80%."""
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise type_error("arg.probability", found=text) from None
    if not 0 < value <= 1:
        raise type_error("arg.probability_range", found=text)
    return value


def add_engine_args(
    p: argparse.ArgumentParser, trials: int = 10_000, scenario: bool = True
) -> None:
    p.add_argument("params", help="params YAML of a zone and year")
    if scenario:
        p.add_argument(
            "--scenario",
            help="a scenario named in the params (its key or English name); default: the "
            "params' drivers and event plan",
        )
    p.add_argument("--as-of", type=date_arg, help=AS_OF_HELP)
    p.add_argument(
        "--trials",
        type=trials_arg,
        default=trials,
        help=f"Monte Carlo trials (default {trials:,})",
    )
    p.add_argument(
        "--seed", type=seed_arg, default=1, help="random seed (default 1): same seed, same result"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_lang(p)


def engine_from(args: argparse.Namespace, one_shot: bool = False) -> tuple[Zone, Engine]:
    """The zone of `args.params` and its engine (`one_shot`: for a single forecast, keeping
    nothing for a next one: workbook.forecast.engine.Engine). A command's own process keeps
    the memory its forecasts free, for the next pass (workbook.files.heap)."""
    from workbook.files.heap import keep_freed_memory
    from workbook.forecast.engine import Engine
    from workbook.zone.loader import load_zone

    keep_freed_memory()
    zone = load_zone(args.params)
    engine = Engine(
        zone,
        as_of=args.as_of,
        trials=args.trials,
        seed=args.seed,
        lang=args.lang,
        one_shot=one_shot,
    )
    return zone, engine


def scenario_name(engine: Engine, args: argparse.Namespace) -> str:
    """The scenario's display name, or the words for the params' own drivers."""
    name = getattr(args, "scenario", None)
    if not name:
        return label("forecast", "baseline", args.lang)
    key = engine.scenario_key(name)
    return engine.params.scenarios[key].display(key, args.lang)


def title(engine: Engine, args: argparse.Namespace, key: str = "title", **fmt: Any) -> str:
    p = engine.params
    return label("forecast", key, args.lang).format(
        zone=p.zone_name(args.lang),
        year=p.year,
        as_of=engine.as_of.isoformat(),
        trials=engine.trials,
        seed=engine.seed,
        **fmt,
    )


def pct(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1%}"


def num(v: float, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.{digits}f}"

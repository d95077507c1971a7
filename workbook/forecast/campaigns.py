"""A campaign's forecast (百日攻坚): P(each goal met by the window's last day).

What counts inside the window up to the as-of date is a fact (workbook.zone.campaigns); the
simulation adds what each trial reaches after it, by the window's last month. The engine
works in months, so a window counts a month it covers at least half of (the rule the
campaign status uses for arrivals): a window ending 29 June counts June, one starting
22 March does not count March's simulated milestones (there are none: March is a fact).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from workbook.files.jsonsafe import plain
from workbook.forecast.engine import Engine
from workbook.forecast.results import quantiles, reached
from workbook.text.catalogue import label
from workbook.zone.campaigns import (
    campaign_time_progress,
    find_campaign,
    goal_unit,
    window_months,
    window_values,
)
from workbook.zone.drivers import Drivers, PlannedEvent

CAMPAIGN_FORECAST_COLUMNS = [
    "label",
    "unit",
    "goal",
    "actual_to_date",
    "p_met",
    "p10",
    "p50",
    "p90",
    "mean",
]


def window_trials(
    engine: Engine,
    name: str,
    drivers: Drivers | None = None,
    plan: pd.DataFrame | Iterable[PlannedEvent] | None = None,
) -> tuple[Any, dict[str, float], dict[str, np.ndarray]]:
    """(campaign, facts inside the window to the as-of date, per goal the trials' values by
    the window's last day)."""
    c = find_campaign(engine.params, name)
    facts = window_values(engine.params, engine.zone.ledger, c, engine.as_of)
    months = [m.month for m in window_months(c.start, c.end)]
    ahead = [m for m in months if m > engine.month]  # months the simulation fills
    keys = tuple(engine.keys.index(k) for k in c.goals)
    values = {k: np.full(engine.trials, facts[k]) for k in c.goals}
    if ahead:
        fc = engine.forecast(drivers, plan)
        before = ahead[0] - 1
        at = (before, ahead[-1]) if before > engine.month else (ahead[-1],)
        run = engine.run_pass(fc.setup, months=at, keys=keys)
        added = run[:, -1, :] - (run[:, 0, :] if len(at) == 2 else 0)
        for i, k in enumerate(c.goals):
            values[k] = values[k] + added[:, i]
    return c, facts, values


def campaign_forecast(
    engine: Engine,
    name: str,
    drivers: Drivers | None = None,
    plan: pd.DataFrame | Iterable[PlannedEvent] | None = None,
) -> pd.DataFrame:
    """One row per goal: the goal, the window's facts to the as-of date, P(met by the last
    day), P10/P50/P90 and mean of the window's value."""
    c, facts, values = window_trials(engine, name, drivers, plan)
    rows = []
    for key, goal in c.goals.items():
        v = values[key]
        count = engine.defs[key].kind == "count"
        p10, p50, p90 = quantiles(v, count)
        rows.append(
            {
                "metric": key,
                "label": label("metric", key, engine.lang, engine.params.metric_labels),
                "unit": goal_unit(engine.params, key),
                "goal": float(goal),
                "actual_to_date": facts[key],
                "p_met": float(reached(v, goal).mean()),
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "mean": float(v.mean()),
            }
        )
    return pd.DataFrame(rows, columns=["metric", *CAMPAIGN_FORECAST_COLUMNS])


def campaign_json(engine: Engine, name: str, table: pd.DataFrame) -> dict[str, Any]:
    """The campaign forecast as JSON: the window, its time progress and every goal."""
    c = find_campaign(engine.params, name)

    return {
        "name": c.name,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "days": c.days,
        "time_progress": campaign_time_progress(c, engine.as_of),
        "goals": [{k: plain(v) for k, v in row.items()} for row in table.to_dict("records")],
    }

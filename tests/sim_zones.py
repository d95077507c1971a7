"""Tiny zones built in code for the forecast tests: projects, arrivals and events as dicts.

`make_zone(tmp_path, projects=[...], ...)` gives a `Zone` whose params are validated the
usual way (so drivers, scenarios and the event plan are checked) and whose ledger and event
catalogue are DataFrames shaped exactly as the readers shape them.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.forecast.engine import Engine
from workbook.text.labels import STAGES
from workbook.zone.events import EVENT_COLUMNS
from workbook.zone.ledger import ARRIVAL_COLUMNS, PROJECT_COLUMNS, Ledger, arrivals_frame
from workbook.zone.loader import Zone, load_zone
from workbook.zone.params import parse_params

SAMPLE_PARAMS = Path(__file__).resolve().parent.parent / "params" / "jining-2020.yaml"

AS_OF = dt.date(2020, 6, 30)

# Drivers under which nothing is random: every lag exact, every share its mean.
CERTAIN: dict[str, Any] = {
    "stage_probability": {"lead": 0, "contact": 0, "visit": 0, "negotiating": 0, "intent": 1},
    "months_to_sign": {"lead": 1, "contact": 1, "visit": 1, "negotiating": 1, "intent": 2},
    "start_probability": 1,
    "months_to_start": 1,
    "production_probability": 0,
    "lag_sigma": 0,
    "arrival_ratio": {"mean": 1},
    "unplanned_share": {"mean": 0},
    "channels": {"conversion": 0},
}


def project(pid: str, stage: str, **kw: Any) -> dict[str, Any]:
    """One ledger row with defaults: domestic, no 500强 flag, 1亿元, no plan, no dates."""
    row: dict[str, Any] = {
        "project_id": pid,
        "name": f"项目{pid}",
        "capital_type": "domestic",
        "list_flag": "none",
        "stage": stage,
        "total_investment": 1.0,
        "planned_inflow": 0.0,
        "new_500_signing": False,
        "four_new": False,
    }
    row.update(kw)
    return row


def event(eid: str, **kw: Any) -> dict[str, Any]:
    """One catalogue row with defaults: a domestic event of the 'yrd' office, any month."""
    row: dict[str, Any] = {
        "event_id": eid,
        "name": f"活动{eid}",
        "kind": "domestic",
        "city": "上海",
        "channel": "yrd",
        "cost": 10.0,
        "staff_days": 5.0,
        "months": tuple(range(1, 13)),
        "expected_leads": 20.0,
        "conversion": 0.1,
        "lag_months": 2.0,
        "size_median": 2.0,
        "foreign_share": 0.1,
        "share_500": 0.1,
    }
    row.update(kw)
    return row


def make_zone(
    tmp_path: Path,
    projects: list[dict[str, Any]],
    arrivals: list[dict[str, Any]] = (),  # type: ignore[assignment]
    *,
    targets: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    offices: list[dict[str, Any]] | None = None,
    **params: Any,
) -> Zone:
    """A Zone from plain rows; `params` go into the params mapping (drivers=..., scenarios=...)."""
    ledger_file = tmp_path / "ledger.csv"
    ledger_file.touch()
    data: dict[str, Any] = {
        "zone": "测试园区",
        "zone_en": "Test Zone",
        "year": 2020,
        "fx_cny_per_usd": 5.0,
        "targets": targets or {"domestic_capital": {"annual": 10}},
        "offices": offices
        if offices is not None
        else [
            {
                "id": "yrd",
                "name": "驻长三角招商机构",
                "name_en": "YRD office",
                "region": "长三角",
                "leads_per_quarter": 0,
            }
        ],
        "data": {"ledger": str(ledger_file)},
        **params,
    }
    source = tmp_path / "zone.yaml"
    zp = parse_params(data, source=str(source), base_dir=tmp_path)
    zp = zp.model_copy(update={"source": source})
    p = pd.DataFrame(projects)
    for col in PROJECT_COLUMNS:
        if col not in p.columns:
            p[col] = None
    for col in ("signed_date", "start_date", "production_date", "stage_date", "milestone_date"):
        p[col] = pd.to_datetime(p[col])
    for col in ("total_investment", "planned_inflow"):
        p[col] = p[col].astype(float)
    p["stage"] = pd.Categorical(p["stage"], categories=list(STAGES), ordered=True)
    p["row"] = range(2, len(p) + 2)
    a = arrivals_frame([{"currency": "CNY", **r, "row": i + 2} for i, r in enumerate(arrivals)])
    ledger = Ledger(
        p[PROJECT_COLUMNS],
        a[ARRIVAL_COLUMNS],
        pd.DataFrame(index=pd.Index(p["project_id"], name="project_id")),
        ledger_file,
    )
    ev = None
    if events is not None:
        ev = pd.DataFrame(events)
        ev["row"] = range(2, len(ev) + 2)
        ev = ev[EVENT_COLUMNS]
    return Zone(zp, ledger, ev)


@functools.lru_cache(maxsize=1)
def sample_zone() -> Zone:
    """The bundled sample zone (Jining 2020), loaded once per test session."""
    return load_zone(SAMPLE_PARAMS)


@functools.lru_cache(maxsize=1)
def sample_engine() -> Engine:
    """A small engine on the sample zone, shared: its draws are made once."""
    return Engine(sample_zone(), as_of=AS_OF, trials=400, seed=1)

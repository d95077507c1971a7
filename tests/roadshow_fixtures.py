"""Tiny roadshow fixtures built in code: zone params with a few offices and event catalogues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbook.zone.params import ZoneParams, parse_params

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "data" / "jining-2020"

OFFICES = [
    {"id": "japan", "name": "驻日本招商机构", "name_en": "Japan office", "region": "日本"},
    {"id": "yrd", "name": "驻长三角招商机构", "name_en": "YRD office", "region": "长三角"},
    {"id": "prd", "name": "驻珠三角招商机构", "name_en": "PRD office", "region": "珠三角"},
]
PLATFORMS = [{"id": "chamber", "name": "上海山东商会", "name_en": "Chamber", "region": "长三角"}]


def zone_params(offices: int = 2, **roadshow: Any) -> ZoneParams:
    """Params of a test zone in 2020: the first `offices` of OFFICES are resident offices (each
    must run an event), the rest are listed as platforms beside PLATFORMS."""
    data = {
        "zone": "测试园区",
        "zone_en": "Test Zone",
        "year": 2020,
        "fx_cny_per_usd": 7.0,
        "targets": {"domestic_capital": {"annual": 10, "currency": "CNY"}},
        "offices": [dict(o, leads_per_quarter=5) for o in OFFICES[:offices]],
        "platforms": [dict(p, leads_per_quarter=5) for p in OFFICES[offices:] + PLATFORMS],
        "data": {"ledger": str(SAMPLE_DATA / "ledger.xlsx")},
        "roadshow": roadshow,
    }
    return parse_params(data, source="<test>")


def event(
    event_id: str,
    channel: str,
    cost: float,
    months: tuple[int, ...],
    kind: str = "domestic",
    **kw: Any,
) -> dict[str, Any]:
    """One catalogue row with plain defaults: 20 leads, 10% conversion, lag 2, 2亿元 deals."""
    row = {
        "event_id": event_id,
        "name": kw.pop("name", f"活动{event_id}"),
        "kind": kind,
        "city": kw.pop("city", "上海"),
        "channel": channel,
        "cost": float(cost),
        "staff_days": float(kw.pop("staff_days", 10)),
        "months": tuple(months),
        "expected_leads": float(kw.pop("leads", 20)),
        "conversion": float(kw.pop("conversion", 0.1)),
        "lag_months": float(kw.pop("lag", 2)),
        "size_median": float(kw.pop("size", 2.0)),
        "foreign_share": float(kw.pop("foreign_share", 0.1)),
        "share_500": float(kw.pop("share_500", 0.05)),
        "row": 0,
    }
    assert not kw, f"unknown fields {kw}"
    return row


def catalogue(*rows: dict[str, Any]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    df["row"] = range(3, 3 + len(df))
    return df


def random_catalogue(rng: np.random.Generator, n: int, months: tuple[int, ...]) -> pd.DataFrame:
    """n random events over `months`, run by the three offices and the platform, some cloud."""
    channels = [o["id"] for o in OFFICES] + ["chamber"]
    rows = []
    for i in range(n):
        k = int(rng.integers(1, len(months) + 1))
        ms = tuple(sorted(rng.choice(months, size=k, replace=False).tolist()))
        rows.append(
            event(
                f"E{i:02d}",
                channels[int(rng.integers(len(channels)))],
                float(rng.integers(5, 60)),
                ms,
                kind=str(rng.choice(["domestic", "cloud", "platform", "overseas"])),
                staff_days=int(rng.integers(2, 30)),
                leads=int(rng.integers(5, 40)),
                conversion=float(rng.uniform(0.02, 0.12)),
                lag=int(rng.integers(0, 6)),
                size=float(rng.uniform(0.5, 5)),
                share_500=float(rng.uniform(0, 0.3)),
            )
        )
    return catalogue(*rows)

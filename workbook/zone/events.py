"""The catalogue of candidate promotion events (招商活动) a zone could hold in the year.

One row per candidate event: its kind, the office or platform that runs it, cost (万元),
staff-days, the months it can be held, and what it is expected to bring (leads, conversion,
lag, deal size, foreign and 500强 shares). Read with the same rules as the ledger.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from workbook.text.errors import DataFileError
from workbook.text.messages import BadValue, Message
from workbook.zone.tabular import (
    Column,
    choice_parser,
    clean_text,
    parse_amount,
    parse_count,
    parse_share,
    parse_text,
    read_table,
)

EVENT_KINDS = {
    "国内推介会": "domestic",
    "国内推介": "domestic",
    "境外招商": "overseas",
    "境外推介会": "overseas",
    "云招商": "cloud",
    "大节会": "conference",
    "平台活动": "platform",
    "domestic": "domestic",
    "overseas": "overseas",
    "cloud": "cloud",
    "conference": "conference",
    "platform": "platform",
}
EVENT_KIND_ZH = {
    "domestic": "国内推介会",
    "overseas": "境外招商",
    "cloud": "云招商",
    "conference": "大节会",
    "platform": "平台活动",
}


def parse_months(value: Any, unit: str | None = None) -> tuple[int, ...] | None:
    """'3-5,9-11' or '全年' -> the months (1..12) an event can be held in."""
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(Message("cell.months", found=clean_text(value)))
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    t = (
        clean_text(value)
        .replace("，", ",")
        .replace("、", ",")
        .replace("月", "")
        .replace("~", "-")
        .replace("至", "-")
    )
    if not t:
        return None
    if t in {"全年", "all", "any"}:
        return tuple(range(1, 13))
    months: set[int] = set()
    for part in t.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                span = range(a, b + 1)
            else:
                span = range(int(part), int(part) + 1)
        except ValueError:
            raise BadValue(Message("cell.months", found=clean_text(value))) from None
        if not span or any(not 1 <= m <= 12 for m in span):
            raise BadValue(Message("cell.months_range", found=clean_text(value)))
        months.update(span)
    return tuple(sorted(months))


def parse_cost_wan(value: Any, unit: str | None = None) -> float | None:
    """A cost in 万元 (the header may say 万元 or 元)."""
    n = parse_count(value)
    if n is None:
        return None
    return n / 1e4 if unit == "元" else n


EVENT_SCHEMA: tuple[Column, ...] = (
    Column("event_id", ("活动编号", "编号", "id"), parse_text, required=True),
    Column("name", ("活动名称", "名称"), parse_text, required=True),
    Column(
        "kind",
        ("类型", "活动类型"),
        choice_parser(EVENT_KINDS, Message("what.event_kind")),
        required=True,
    ),
    Column("city", ("城市", "地区", "举办地"), parse_text),
    Column("channel", ("承办机构", "承办", "机构"), parse_text, required=True),
    Column("cost", ("费用", "预算"), parse_cost_wan, required=True, units=("万元", "元")),
    Column("staff_days", ("人天", "所需人天"), parse_count, required=True),
    Column("months", ("可办月份", "月份"), parse_months, required=True),
    Column("expected_leads", ("预期线索", "线索数"), parse_count, required=True),
    Column("conversion", ("转化率", "签约转化率"), parse_share, required=True),
    Column("lag_months", ("转化滞后", "滞后月数"), parse_count, required=True),
    Column(
        "size_median",
        ("项目规模中位数", "规模中位数"),
        parse_amount,
        required=True,
        units=("亿元", "万元"),
    ),
    Column("foreign_share", ("外资占比",), parse_share, required=True),
    Column("share_500", ("500强占比",), parse_share, required=True),
)
EVENT_COLUMNS = [c.name for c in EVENT_SCHEMA] + ["row"]


def load_events(path: str | Path, channel_ids: set[str] | None = None) -> pd.DataFrame:
    """Read and check the event catalogue; cost in 万元, size in 亿元, months as tuples."""
    path = Path(path)
    table = read_table(path, EVENT_SCHEMA, ("活动目录", "活动", "events"))
    seen: dict[str, int] = {}
    for values, row in zip(table.rows, table.row_numbers, strict=True):
        for col in (
            "event_id",
            "name",
            "kind",
            "channel",
            "cost",
            "staff_days",
            "months",
            "expected_leads",
            "conversion",
            "lag_months",
            "size_median",
            "foreign_share",
            "share_500",
        ):
            header = table.headers[col].text
            if values[col] is None and not table.has_problem(row, header):
                table.problem(row, col, Message("cell.empty"))
        eid = values["event_id"]
        if eid in seen:
            table.problem(row, "event_id", Message("row.duplicate_event", id=eid, first=seen[eid]))
        elif eid is not None:
            seen[eid] = row
        if (
            channel_ids is not None
            and values["channel"] is not None
            and values["channel"] not in channel_ids
        ):
            table.problem(
                row,
                "channel",
                Message(
                    "row.unknown_channel",
                    channel=values["channel"],
                    valid=", ".join(sorted(channel_ids)),
                ),
            )
    if table.problems:
        raise DataFileError(table.sorted_problems())
    df = pd.DataFrame(table.rows, columns=[c.name for c in EVENT_SCHEMA])
    df["row"] = table.row_numbers
    df.attrs["skipped"] = list(table.skipped)  # total rows left out, each with its reason
    return df

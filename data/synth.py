"""Shared generator for the sample zones' data files (used by data/generate*.py).

Each zone script keeps its own tables in a `Zone` (word lists, offices, named projects, the
knobs of its draws) and calls these functions with its own seeded generator. The draws happen
in a fixed order, so a seed always gives the same files: change the order and the files change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from openpyxl import Workbook

YEAR = 2020
AS_OF = dt.date(2020, 6, 30)
FX = 6.9
FIXED_TIME = dt.datetime(2020, 7, 1, 9, 0, 0)

# fmt: off
STAGES_ZH = ["线索", "接洽", "考察", "在谈", "意向", "签约", "开工", "投产"]
STAGE_P = [0.22, 0.16, 0.12, 0.12, 0.09, 0.09, 0.13, 0.07]  # synthetic projects by stage
MILESTONES = {
    "线索": "首次对接", "接洽": "项目考察", "考察": "商务谈判", "在谈": "签订意向协议",
    "意向": "正式签约", "签约": "开工建设", "开工": "设备安装", "投产": "达产达效",
}
ARRIVALS_HEADER = ["项目编号", "月份", "到位金额(万)", "币种"]
EVENTS_HEADER = [
    "活动编号", "活动名称", "类型", "城市", "承办机构", "费用(万元)", "人天", "可办月份",
    "预期线索", "转化率", "转化滞后(月)", "项目规模中位数(亿元)", "外资占比", "500强占比",
]
# fmt: on
FOREIGN_TEAM = "外资专班"


@dataclass(frozen=True)
class Zone:
    """One zone's tables and the knobs of its synthetic draws."""

    offices: list[str]
    platforms: list[str]
    other_channels: list[str]
    teams: list[str]  # domestic projects draw from the teams listed before FOREIGN_TEAM
    owners: list[str]
    sectors: list[str]
    regions_domestic: list[str]
    regions_foreign: list[str]
    words: list[str]  # company-name words
    named: list[tuple]  # hand-listed projects, one tuple each (see named_rows)
    named_sector: str
    named_region: dict[str, str]  # 来源地 of a named project, by 内外资
    named_channel: tuple[str, str]  # 招商渠道 of a named project: (domestic, foreign)
    size: tuple[float, float]  # synthetic total investment, lognormal: (median 亿元, sigma)
    big: tuple[int, float]  # (i, 亿元): synthetic project i is given this size
    flag_cuts: tuple[float, float, float]  # cumulative shares of 世界, 中国, 民营500强
    channel_cuts: tuple[float, float]  # cumulative shares of offices, platforms; rest other
    signed_span: int  # started/producing projects signed within this many days of 2019-01-01
    arrival_share: tuple[float, float]  # share of the planned inflow a started project pays in
    foreign_month: str  # month label of foreign-currency arrivals, e.g. "{year}-{m:02d}"
    # Draw-order quirks of data/generate.py's original code, kept so its seed gives the same files:
    unused_signed_draw: int | None = None  # newly signed: draw a day in [0, N) and discard it
    mdate_first: bool = False  # draw the 节点日期 before the investor/team/owner draws, not after


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _node_date(rng: np.random.Generator, lo: int, hi: int) -> dt.date:
    return AS_OF + dt.timedelta(days=int(rng.integers(lo, hi)))


def synthetic(rng: np.random.Generator, zone: Zone, n: int) -> list[dict]:
    n_domestic_teams = zone.teams.index(FOREIGN_TEAM)
    world, china, private = zone.flag_cuts
    office_cut, platform_cut = zone.channel_cuts
    rows = []
    for i in range(n):
        k = int(rng.choice(8, p=np.array(STAGE_P)))
        stage = STAGES_ZH[k]
        foreign = rng.random() < 0.15
        cap = ("港澳台" if rng.random() < 0.4 else "外资") if foreign else "内资"
        u = rng.random()
        flag = (
            "世界500强"
            if u < world
            else "中国500强"
            if u < china
            else "民营500强"
            if u < private
            else "无"
        )
        median, sigma = zone.size
        total = max(float(np.round(np.exp(rng.normal(np.log(median), sigma)), 2)), 0.1)
        if i == zone.big[0]:
            total = zone.big[1]  # the heavy tail: one big synthetic lead
        sector = zone.sectors[rng.integers(len(zone.sectors))]
        regions = zone.regions_foreign if foreign else zone.regions_domestic
        region = regions[rng.integers(len(regions))]
        word = zone.words[rng.integers(len(zone.words))]
        u = rng.random()
        channels = (
            zone.offices
            if u < office_cut
            else zone.platforms
            if u < platform_cut
            else zone.other_channels
        )
        channel = channels[rng.integers(len(channels))]
        signed = start = prod = None
        if k == 5:
            if zone.unused_signed_draw:
                rng.integers(0, zone.unused_signed_draw)
            signed = dt.date(2019, 10, 1) + dt.timedelta(days=int(rng.integers(0, 272)))
        elif k >= 6:
            signed = dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, zone.signed_span)))
        if k >= 6:
            start = signed + dt.timedelta(days=int(rng.integers(20, 240)))
            start = max(min(start, AS_OF - dt.timedelta(days=int(rng.integers(0, 60)))), signed)
        if k >= 7:
            prod = start + dt.timedelta(days=int(rng.integers(60, 300)))
            prod = max(min(prod, AS_OF - dt.timedelta(days=int(rng.integers(0, 30)))), start)
        planned = 0.0
        if k >= 3:
            share = rng.uniform(0.15, 0.5) if k >= 5 else rng.uniform(0.05, 0.25)
            planned = float(np.round(total * share, 2))
        mdate = _node_date(rng, -20, 120) if zone.mdate_first else None
        investor = f"{region}{word}{['科技', '实业', '集团'][rng.integers(3)]}有限公司"
        four_new = "是" if rng.random() < 0.3 else "否"
        team = (
            zone.teams[n_domestic_teams] if foreign else zone.teams[rng.integers(n_domestic_teams)]
        )
        owner = zone.owners[rng.integers(len(zone.owners))]
        if mdate is None:
            mdate = _node_date(rng, -20, 120)
        rows.append(
            {
                "name": f"{word}{sector}项目",
                "investor": investor,
                "cap": cap,
                "flag": flag,
                "stage": stage,
                "total": total,
                "planned": planned,
                "signed": signed,
                "start": start,
                "prod": prod,
                "new500": "是"
                if flag in ("世界500强", "中国500强") and (signed is None or signed.year == YEAR)
                else "否",
                "four_new": four_new,
                "region": region,
                "sector": sector,
                "channel": channel,
                "team": team,
                "owner": owner,
                "milestone": MILESTONES[stage],
                "mdate": mdate,
            }
        )
    return rows


def named_rows(rng: np.random.Generator, zone: Zone) -> list[dict]:
    """The zone's hand-listed projects, each a tuple (name, investor, 内外资, 500强类别, 阶段,
    总投资亿元, 年度计划到位亿元, 签约, 开工, 投产, 新签500强, 四新, 专班), dates ISO or None."""
    rows = []
    for name, inv, cap, flag, stage, total, planned, s, st, pr, n500, four, team in zone.named:
        rows.append(
            {
                "name": name,
                "investor": inv,
                "cap": cap,
                "flag": flag,
                "stage": stage,
                "total": total,
                "planned": planned,
                "signed": _date(s),
                "start": _date(st),
                "prod": _date(pr),
                "new500": n500,
                "four_new": four,
                "region": zone.named_region[cap],
                "sector": zone.named_sector,
                "channel": zone.named_channel[cap != "内资"],
                "team": team,
                "owner": zone.owners[rng.integers(len(zone.owners))],
                "milestone": MILESTONES[stage],
                "mdate": _node_date(rng, -15, 100),
            }
        )
    return rows


def draw_projects(
    rng: np.random.Generator, zone: Zone, n_synthetic: int, prefix: str
) -> list[dict]:
    """The named projects, then `n_synthetic` drawn ones, numbered `{prefix}-001` on."""
    out = named_rows(rng, zone) + synthetic(rng, zone, n_synthetic)
    for i, p in enumerate(out, start=1):
        p["id"] = f"{prefix}-{i:03d}"
    return out


def arrivals(rng: np.random.Generator, zone: Zone, projects: list[dict]) -> list[list]:
    """Jan-Jun arrivals: signed and started projects pay in part of the planned inflow."""
    lo, hi = zone.arrival_share
    out = []
    for p in projects:
        k = STAGES_ZH.index(p["stage"])
        if k < 5 or p["planned"] <= 0:
            continue
        share = rng.uniform(lo, hi) if k >= 6 else rng.uniform(0.0, 0.15)
        first = p["signed"] if p["signed"] and p["signed"].year == YEAR else dt.date(YEAR, 1, 1)
        months = list(range(first.month, 7))
        if not months or share <= 0:
            continue
        weights = rng.dirichlet(np.ones(len(months)))
        for m, w in zip(months, weights, strict=True):
            amount = p["planned"] * share * w
            if amount < 0.005:
                continue
            if p["cap"] != "内资":
                month = zone.foreign_month.format(year=YEAR, m=m)
                out.append([p["id"], month, round(amount / FX * 1e4, 1), "美元"])
            else:
                out.append([p["id"], f"{YEAR}-{m:02d}", round(amount * 1e4, 1), "人民币"])
    return out


def write_xlsx(
    path: Path,
    sheet: str,
    title: list[str],
    header: list[str],
    rows: list[list],
    total_row: list | None = None,
    *,
    creator: str,
) -> None:
    """One sheet: title lines, header, rows and (after a blank row) an optional total row."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for line in title:
        ws.append([line])
    ws.append(header)
    for r in rows:
        ws.append(r)
    if total_row is not None:
        ws.append([])
        ws.append(total_row)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = creator
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)

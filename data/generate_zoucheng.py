"""Generate the second sample zone and the previous-quarter ledger snapshots the reviews use.

    python data/generate_zoucheng.py   # writes data/zoucheng-2020/*.xlsx and
                                       # data/*/ledger-2020Q1.xlsx

Zoucheng Economic Development Zone (邹城经济开发区) 2020 is entirely synthetic: about 140
projects drawn like the Jining sample (lognormal amounts, ~15% foreign, a few 500强), with
its own offices, platforms and event catalogue, so `workbook batch` has two zones to roll
up. For both zones the script also writes `ledger-2020Q1.xlsx`, the ledger as it stood on
31 March 2020, derived from the June ledger (stage dates after March removed, some projects
one stage behind, some not yet entered, a few since dropped), which a 2020Q2 review compares
against. Seeded and deterministic; the Jining files written by data/generate.py are only read.
The drawing and writing code is shared with data/generate.py in data/synth.py.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
from synth import (
    ARRIVALS_HEADER,
    EVENTS_HEADER,
    MILESTONES,
    STAGES_ZH,
    YEAR,
    Zone,
    arrivals,
    draw_projects,
    write_xlsx,
)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbook.text.labels import STAGE_ZH, STAGES  # noqa: E402
from workbook.zone.ledger import load_ledger  # noqa: E402

# q1_snapshot maps stage positions between the two lists.
assert [STAGE_ZH[s] for s in STAGES] == STAGES_ZH

SEED = 20200701
Q1_END = dt.date(2020, 3, 31)
OUT = HERE / "zoucheng-2020"
CREATOR = "workbook data/generate_zoucheng.py"

# fmt: off
# Named (illustrative) anchors: the zone's big and 500强 projects.
# (name, investor, 内外资, 500强类别, 阶段, 总投资亿元, 年度计划到位亿元, 签约, 开工, 投产, 新签500强, 四新, 专班)
NAMED = [
    ("邹城高端铝材产业园", "山东鲁邹铝业集团", "内资", "中国500强", "开工", 65.0, 9.0, "2019-09-10", "2020-03-20", None, "否", "是", "新材料专班"),
    ("兖矿新能源装备基地", "兖矿集团", "内资", "世界500强", "签约", 32.0, 4.0, "2020-05-12", None, None, "是", "是", "500强专班"),
    ("医养健康城", "圣城医养投资", "内资", "无", "在谈", 40.0, 3.0, None, None, None, "否", "是", "医养健康专班"),
    ("韩资汽车零部件项目", "韩国东方精工", "外资", "无", "签约", 6.0, 1.2, "2020-04-15", None, None, "否", "是", "外资专班"),
    ("中化新材料项目", "中国中化集团", "内资", "世界500强", "意向", 18.0, 2.0, None, None, None, "是", "是", "500强专班"),
    ("港资智慧物流园", "香港百川物流", "港澳台", "无", "开工", 9.0, 2.5, "2019-11-02", "2020-04-08", None, "否", "是", "外资专班"),
]

ZONE = Zone(
    offices=["驻长三角招商机构", "驻珠三角招商机构", "驻京津冀招商机构", "驻韩国招商机构"],
    platforms=["邹城商会联合会", "上海邹城商会", "深圳邹城商会"],
    other_channels=["以商招商", "云招商", "孟子故里投资说明会", "儒商大会"],
    teams=["高端装备专班", "新材料专班", "医养健康专班", "外资专班", "500强专班"],
    owners=["马超", "黄磊", "郭静", "林峰", "何平", "高远", "罗兰", "郑凯"],
    sectors=["高端装备", "新材料", "医养健康", "新能源", "煤化工新材料", "现代物流", "纺织服装", "电子信息"],
    regions_domestic=["上海", "江苏", "浙江", "广东", "深圳", "北京", "济南", "青岛"],
    regions_foreign=["韩国", "香港", "台湾", "日本", "新加坡"],
    words=["兖矿", "泰和", "鲁邹", "圣城", "中恒", "华信", "百川", "瑞鑫", "东方", "孟府", "金泰", "新启"],
    named=NAMED,
    named_sector="高端装备",
    named_region={"内资": "山东", "港澳台": "香港", "外资": "韩国"},
    named_channel=("邹城商会联合会", "驻韩国招商机构"),
    size=(1.2, 1.2),
    big=(11, 36.0),  # a second big project in the pipeline
    flag_cuts=(0.012, 0.03, 0.055),
    channel_cuts=(0.45, 0.72),
    signed_span=520,
    arrival_share=(0.1, 0.4),
    foreign_month="{year}-{m:02d}",
)

EVENTS = [
    # id, name, kind, city, channel, cost 万元, staff-days, months, leads, conversion, lag, size 亿元, foreign, 500强
    ("ZE01", "上海邹城投资说明会", "国内推介会", "上海", "yrd", 40, 25, "3-6,9-11", 20, 0.06, 4, 1.8, 0.05, 0.03),
    ("ZE02", "深圳电子信息产业推介会", "国内推介会", "深圳", "prd", 40, 25, "4-6,9-11", 20, 0.06, 4, 1.6, 0.05, 0.02),
    ("ZE03", "北京央企对接会", "国内推介会", "北京", "jjj", 35, 20, "4-11", 14, 0.07, 5, 3.5, 0.0, 0.1),
    ("ZE04", "韩国首尔汽车零部件对接会", "境外招商", "首尔", "korea", 60, 35, "5-7,9-11", 12, 0.05, 6, 1.5, 0.9, 0.04),
    ("ZE05", "上海邹城商会恳谈会", "平台活动", "上海", "sh_zc", 12, 8, "3-12", 10, 0.08, 3, 1.2, 0.03, 0.02),
    ("ZE06", "深圳邹城商会项目对接会", "平台活动", "深圳", "sz_zc", 12, 8, "3-12", 10, 0.08, 3, 1.2, 0.03, 0.02),
    ("ZE07", "邹城商会联合会回乡投资洽谈会", "平台活动", "邹城", "zc_chambers", 10, 8, "4-5,8-10", 12, 0.07, 3, 1.0, 0.0, 0.01),
    ("ZE08", "孟子故里投资说明会", "大节会", "邹城", "jjj", 45, 30, "9-10", 25, 0.06, 5, 2.5, 0.1, 0.06),
    ("ZE09", "云招商·高端装备专场", "云招商", "线上", "yrd", 6, 6, "全年", 30, 0.02, 4, 0.8, 0.05, 0.01),
    ("ZE10", "云招商·医养健康专场", "云招商", "线上", "prd", 6, 6, "全年", 25, 0.02, 4, 0.8, 0.05, 0.01),
    ("ZE11", "云签约·重点项目集中签约", "云招商", "线上", "jjj", 10, 8, "3-12", 20, 0.03, 3, 1.2, 0.1, 0.02),
    ("ZE12", "长三角新材料产业链招商会", "国内推介会", "南京", "yrd", 30, 20, "4-6,9-11", 15, 0.06, 4, 1.6, 0.03, 0.03),
]
# fmt: on


LEDGER_HEADER = [
    "项目编号",
    "项目名称",
    "投资方",
    "内外资",
    "500强类别",
    "来源地",
    "产业链",
    "招商渠道",
    "专班",
    "责任人",
    "阶段",
    "总投资(亿元)",
    "年度计划到位(亿元)",
    "签约日期",
    "开工日期",
    "投产日期",
    "下一节点",
    "节点日期",
    "新签500强",
    "四新",
]


def zoucheng() -> list[dict]:
    rng = np.random.default_rng(SEED)
    projects = draw_projects(rng, ZONE, 134, "ZC2020")
    rows = [
        [
            p["id"],
            p["name"],
            p["investor"],
            p["cap"],
            p["flag"],
            p["region"],
            p["sector"],
            p["channel"],
            p["team"],
            p["owner"],
            p["stage"],
            p["total"],
            p["planned"],
            p["signed"],
            p["start"],
            p["prod"],
            p["milestone"],
            p["mdate"],
            p["new500"],
            p["four_new"],
        ]
        for p in projects
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    write_xlsx(
        OUT / "ledger.xlsx",
        "项目台账",
        ["邹城经济开发区2020年招商项目台账（示例数据）"],
        LEDGER_HEADER,
        rows,
        creator=CREATOR,
    )
    write_xlsx(
        OUT / "arrivals.xlsx",
        "到位资金",
        ["2020年1-6月到位资金（示例数据）"],
        ARRIVALS_HEADER,
        arrivals(rng, ZONE, projects),
        creator=CREATOR,
    )
    write_xlsx(
        OUT / "events.xlsx",
        "活动目录",
        ["2020年招商活动备选目录（示例数据）"],
        EVENTS_HEADER,
        [list(e) for e in EVENTS],
        creator=CREATOR,
    )
    return projects


def q1_snapshot(ledger_path: Path, prefix: str, seed: int) -> Path:
    """The ledger as it stood at the end of Q1, derived from the June ledger (see the docstring)."""
    rng = np.random.default_rng(seed)
    p = load_ledger(ledger_path).projects
    q1 = np.datetime64(Q1_END)
    rows = []
    for r in p.itertuples():
        stage = STAGES.index(str(r.stage))
        dates = {"signed": r.signed_date, "start": r.start_date, "prod": r.production_date}
        if (
            r.production_date is not None
            and r.production_date == r.production_date
            and r.production_date > q1
        ):
            stage, dates["prod"] = min(stage, STAGES.index("started")), None
        if r.start_date == r.start_date and r.start_date is not None and r.start_date > q1:
            stage, dates["start"] = min(stage, STAGES.index("signed")), None
        if r.signed_date == r.signed_date and r.signed_date is not None and r.signed_date > q1:
            stage, dates["signed"] = (
                min(stage, STAGES.index("intent") - int(rng.random() < 0.4)),
                None,
            )
        if stage < STAGES.index("signed"):
            u = rng.random()
            if u < 0.12:
                continue  # entered the ledger in Q2
            if u < 0.35 and stage > 0:
                stage -= 1  # advanced one stage in Q2
            elif u < 0.38 and stage < STAGES.index("intent"):
                stage += 1  # moved back in Q2
        rows.append(
            [
                r.project_id,
                r.name,
                r.investor,
                "内资" if r.capital_type == "domestic" else "外资",
                {"global500": "世界500强", "china500": "中国500强", "private500": "民营500强"}.get(
                    r.list_flag, "无"
                ),
                r.region,
                r.sector,
                r.channel,
                r.team,
                r.owner,
                STAGES_ZH[stage],
                r.total_investment,
                r.planned_inflow,
                *(_d(dates[k]) for k in ("signed", "start", "prod")),
                MILESTONES[STAGES_ZH[stage]],
                Q1_END + dt.timedelta(days=int(rng.integers(-10, 90))),
                "是" if r.new_500_signing else "否",
                "是" if r.four_new else "否",
            ]
        )
    for i in range(6):  # dropped in Q2: leads that went nowhere
        stage = int(rng.integers(0, 3))
        rows.append(
            [
                f"{prefix}-X{i + 1:02d}",
                f"{ZONE.words[i]}意向项目（已终止）",
                f"{ZONE.words[i]}投资有限公司",
                "内资",
                "无",
                "江苏",
                ZONE.sectors[i % len(ZONE.sectors)],
                "以商招商",
                "新材料专班",
                ZONE.owners[i % len(ZONE.owners)],
                STAGES_ZH[stage],
                float(np.round(rng.uniform(0.5, 8), 2)),
                0.0,
                None,
                None,
                None,
                MILESTONES[STAGES_ZH[stage]],
                Q1_END + dt.timedelta(days=30),
                "否",
                "否",
            ]
        )
    out = ledger_path.with_name(f"{ledger_path.stem}-{YEAR}Q1.xlsx")
    title = [f"{YEAR}年一季度末项目台账（示例数据）"]
    write_xlsx(out, "项目台账", title, LEDGER_HEADER, rows, creator=CREATOR)
    return out


def _d(value: object) -> dt.date | None:
    if value is None or value != value:  # NaT
        return None
    return value.date() if hasattr(value, "date") else value  # type: ignore[union-attr]


def main() -> int:
    projects = zoucheng()
    snaps = [
        q1_snapshot(OUT / "ledger.xlsx", "ZC2020", SEED + 1),
        q1_snapshot(HERE / "jining-2020" / "ledger.xlsx", "JN2020", SEED + 2),
    ]
    print(
        f"wrote {OUT}: {len(projects)} projects, {len(EVENTS)} events; snapshots: "
        + ", ".join(str(s.relative_to(HERE)) for s in snaps)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

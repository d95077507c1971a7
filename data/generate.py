"""Generate the sample zone's data files: ledger, arrivals (Jan-Jun) and event catalogue.

    python data/generate.py            # writes data/jining-2020/*.xlsx

Seeded and deterministic. The projects the seed article names are listed by hand with
plausible (illustrative, not real) figures; about 200 synthetic projects are drawn around
them: amounts lognormal (median ~1.5亿元, a tail past 100亿元), ~15% foreign, a few percent
500强. The files are written the way planners keep them (a title row, 序号 and 备注 columns,
units in the headers, a 合计 row, some dates typed as text) so the demo exercises the reader.
The drawing and writing code is shared with data/generate_zoucheng.py in data/synth.py.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
from synth import ARRIVALS_HEADER, EVENTS_HEADER, Zone, arrivals, draw_projects, write_xlsx

SEED = 20200408
OUT = Path(__file__).resolve().parent / "jining-2020"
CREATOR = "workbook data/generate.py"

# fmt: off
# Word lists and hand-listed rows stay one record a line: easier to read and edit as tables.
# Projects named in the seed article (figures illustrative):
# (name, investor, 内外资, 500强类别, 阶段, 总投资亿元, 年度计划到位亿元, 签约, 开工, 投产, 新签500强, 四新, 专班)
NAMED = [
    ("济宁智能终端产业园", "济宁高新控股集团", "内资", "无", "开工", 120.0, 14.0, "2019-11-20", "2020-03-18", None, "否", "是", "智能制造专班"),
    ("宁峰飞行机器人项目", "宁峰科技", "内资", "无", "开工", 12.0, 4.0, "2019-12-12", "2020-04-20", None, "否", "是", "智能制造专班"),
    ("海尔硬创智能终端项目", "海尔集团", "内资", "世界500强", "开工", 15.0, 5.0, "2019-10-09", "2020-02-28", None, "否", "是", "500强专班"),
    ("华润济宁科技产业园", "华润集团", "港澳台", "世界500强", "在谈", 35.0, 6.0, None, None, None, "是", "否", "外资专班"),
    ("凯爱瑞配料项目", "凯爱瑞集团", "外资", "无", "开工", 6.0, 2.4, "2019-09-16", "2020-03-02", None, "否", "否", "外资专班"),
    ("龙翼安防装备项目", "龙翼安防", "外资", "无", "签约", 4.0, 1.5, "2020-03-26", None, None, "否", "是", "外资专班"),
    ("德坤物流园项目", "德坤物流", "外资", "无", "意向", 8.0, 2.0, None, None, None, "否", "否", "外资专班"),
    ("济宁华润蓼河万象新城", "华润置地", "港澳台", "世界500强", "开工", 60.0, 8.0, "2019-06-18", "2020-05-15", None, "否", "否", "500强专班"),
    ("硬创(济宁)智能制造产业园", "海尔集团", "内资", "世界500强", "签约", 30.0, 3.0, "2020-03-12", None, None, "否", "是", "500强专班"),
    ("湖滨印象项目", "山东高速集团", "内资", "中国500强", "开工", 25.0, 6.0, "2019-08-08", "2020-04-10", None, "否", "否", "500强专班"),
    ("如意莱卡项目", "山东如意科技集团", "内资", "中国500强", "签约", 18.0, 3.0, "2020-05-20", None, None, "否", "是", "500强专班"),
    ("天然纤维智慧纺纱项目", "山东如意科技集团", "内资", "中国500强", "在谈", 20.0, 3.0, None, None, None, "否", "是", "500强专班"),
    ("硬创疫情防控应急医疗物资生产项目", "海尔集团", "内资", "世界500强", "开工", 5.0, 3.0, "2020-02-18", "2020-03-06", None, "是", "是", "500强专班"),
    ("中国建材新型墙体材料项目", "中国建材集团", "内资", "世界500强", "签约", 8.0, 2.0, "2020-06-05", None, None, "是", "是", "500强专班"),
    ("华润二期项目", "华润集团", "港澳台", "世界500强", "意向", 15.0, 3.0, None, None, None, "是", "否", "外资专班"),
    ("济宁国际生命健康科技城", "健康产业投资集团", "内资", "无", "在谈", 45.0, 5.0, None, None, None, "否", "是", "生物医药专班"),
    ("新材料产业化生产基地", "中科新材料研究院", "内资", "无", "意向", 32.0, 4.0, None, None, None, "否", "是", "新材料专班"),
    ("麒麟岛创业基地", "济宁高新控股集团", "内资", "无", "签约", 31.0, 3.0, "2020-04-28", None, None, "否", "是", "现代服务业专班"),
    ("中国重汽新能源商用车项目", "中国重汽集团", "内资", "中国500强", "考察", 50.0, 4.0, None, None, None, "是", "是", "智能制造专班"),
    ("三星电子零部件项目", "三星电子", "外资", "世界500强", "接洽", 12.0, 1.5, None, None, None, "是", "否", "外资专班"),
]

ZONE = Zone(
    offices=["驻日本招商机构", "驻韩国招商机构", "驻京津冀招商机构", "驻长三角招商机构", "驻珠三角招商机构"],
    platforms=["山东省青年企业家联合会", "深圳手机行业协会", "北京首都产业疏解机构", "上海山东商会", "香港山东商会", "济宁市贸促会"],
    other_channels=["以商招商", "云招商", "上海投资说明会", "深圳投资说明会", "儒商大会", "青岛跨国公司领导人峰会"],
    teams=["智能制造专班", "新材料专班", "生物医药专班", "现代服务业专班", "外资专班", "500强专班"],
    owners=["张伟", "王芳", "李强", "刘洋", "陈静", "杨帆", "赵磊", "孙丽", "周涛", "吴敏"],
    sectors=["智能制造", "新材料", "生物医药", "高端装备", "新一代信息技术", "现代物流", "纺织新材料", "医疗器械", "新能源汽车零部件", "工业互联网", "数字经济", "节能环保"],
    regions_domestic=["北京", "天津", "上海", "江苏", "浙江", "广东", "深圳", "济南", "青岛", "河北"],
    regions_foreign=["日本", "韩国", "香港", "台湾", "德国", "美国", "新加坡"],
    words=["华晟", "鼎新", "瑞丰", "联创", "恒信", "中科", "博远", "智源", "天成", "金润", "宏图", "安泰", "凯达", "普瑞", "东岳", "海纳", "嘉禾", "思远", "同创", "卓越"],
    named=NAMED,
    named_sector="智能制造",
    named_region={"内资": "山东", "港澳台": "香港", "外资": "日本"},
    named_channel=("驻长三角招商机构", "香港山东商会"),
    size=(1.5, 1.25),
    big=(7, 118.0),  # one synthetic 百亿 lead
    flag_cuts=(0.015, 0.035, 0.06),
    channel_cuts=(0.45, 0.75),
    signed_span=540,
    arrival_share=(0.08, 0.36),
    foreign_month="{year}年{m}月",
    unused_signed_draw=150,
    mdate_first=True,
)

EVENTS = [
    # id, name, kind, city, channel, cost 万元, staff-days, months, leads, conversion, lag, size median 亿元, foreign share, 500强 share
    ("EV01", "上海投资说明会(春季)", "国内推介会", "上海", "yrd", 45, 30, "3-6", 25, 0.06, 4, 2.0, 0.05, 0.04),
    ("EV02", "上海投资说明会(秋季)", "国内推介会", "上海", "yrd", 45, 30, "9-11", 25, 0.06, 4, 2.0, 0.05, 0.04),
    ("EV03", "深圳智能终端产业推介会", "国内推介会", "深圳", "prd", 50, 30, "4-6,9-11", 28, 0.07, 4, 2.2, 0.05, 0.03),
    ("EV04", "深圳手机协会专场对接会", "平台活动", "深圳", "sz_phone", 20, 12, "3-11", 15, 0.08, 3, 1.2, 0.02, 0.02),
    ("EV05", "北京产业疏解项目对接会", "平台活动", "北京", "bj_relocation", 25, 15, "4-10", 14, 0.08, 4, 2.5, 0.0, 0.06),
    ("EV06", "京津冀新材料产业推介会", "国内推介会", "天津", "jjj", 40, 25, "4-6,9-11", 20, 0.06, 5, 2.0, 0.03, 0.04),
    ("EV07", "上海山东商会恳谈会", "平台活动", "上海", "sh_chamber", 15, 10, "3-12", 12, 0.08, 3, 1.5, 0.05, 0.03),
    ("EV08", "青年企业家回乡投资洽谈会", "平台活动", "济南", "youth_fed", 12, 10, "3-5,8-11", 14, 0.07, 3, 1.0, 0.0, 0.01),
    ("EV09", "日本东京招商推介会", "境外招商", "东京", "japan", 80, 40, "4-6,9-11", 15, 0.05, 6, 1.8, 0.9, 0.06),
    ("EV10", "日本大阪制造业对接会", "境外招商", "大阪", "japan", 70, 35, "5-7,10-11", 12, 0.05, 6, 1.5, 0.9, 0.05),
    ("EV11", "韩国首尔招商推介会", "境外招商", "首尔", "korea", 60, 35, "4-6,9-11", 15, 0.06, 5, 1.6, 0.9, 0.05),
    ("EV12", "韩国釜山产业对接会", "境外招商", "釜山", "korea", 55, 30, "5-7,10-11", 10, 0.05, 5, 1.2, 0.9, 0.03),
    ("EV13", "德国法兰克福招商推介会", "境外招商", "法兰克福", "ccpit_jn", 120, 50, "5-6,9-10", 12, 0.04, 8, 3.0, 0.95, 0.12),
    ("EV14", "美国硅谷科技招商会", "境外招商", "旧金山", "ccpit_jn", 130, 50, "5-6,9-10", 12, 0.04, 8, 3.0, 0.95, 0.10),
    ("EV15", "香港山东投资推介会", "境外招商", "香港", "hk_chamber", 50, 25, "3-6,9-12", 16, 0.07, 4, 2.5, 0.85, 0.08),
    ("EV16", "青岛跨国公司领导人峰会", "大节会", "青岛", "jjj", 60, 30, "10", 30, 0.06, 5, 4.0, 0.4, 0.15),
    ("EV17", "儒商大会", "大节会", "济南", "youth_fed", 50, 30, "9", 35, 0.06, 5, 3.0, 0.2, 0.10),
    ("EV18", "云招商·智能终端专场", "云招商", "线上", "prd", 8, 8, "全年", 40, 0.02, 4, 0.8, 0.05, 0.01),
    ("EV19", "云招商·生物医药专场", "云招商", "线上", "yrd", 8, 8, "全年", 35, 0.02, 4, 1.0, 0.05, 0.01),
    ("EV20", "云招商·日韩专场", "云招商", "线上", "korea", 10, 10, "全年", 25, 0.02, 5, 0.8, 0.8, 0.02),
    ("EV21", "云签约·重点项目集中签约", "云招商", "线上", "jjj", 12, 10, "3-12", 30, 0.03, 3, 1.5, 0.1, 0.03),
    ("EV22", "长三角新材料产业链招商会", "国内推介会", "杭州", "yrd", 35, 25, "4-6,9-11", 18, 0.06, 4, 1.8, 0.03, 0.03),
    ("EV23", "珠三角高端装备对接会", "国内推介会", "广州", "prd", 35, 25, "4-6,9-11", 18, 0.06, 4, 1.8, 0.03, 0.03),
    ("EV24", "北京央企合作对接会", "国内推介会", "北京", "jjj", 40, 25, "4-11", 16, 0.07, 5, 4.0, 0.0, 0.12),
    ("EV25", "世界500强在华机构拜访周", "国内推介会", "上海", "sh_chamber", 30, 20, "5-11", 10, 0.06, 6, 5.0, 0.3, 0.3),
]
# fmt: on


def main() -> int:
    rng = np.random.default_rng(SEED)
    projects = draw_projects(rng, ZONE, 200, "JN2020")
    header = [
        "序号",
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
        "年度计划到位（万元）",
        "签约日期",
        "开工日期",
        "投产日期",
        "下一节点",
        "节点日期",
        "新签500强",
        "四新",
        "备注",
    ]
    rows = []
    for i, p in enumerate(projects, start=1):

        def d(x: dt.date | None, text: bool) -> object:
            return None if x is None else (f"{x.year}年{x.month}月{x.day}日" if text else x)

        as_text = i % 9 == 0  # some dates typed as text, the way they arrive from WPS
        rows.append(
            [
                i,
                p["id"],
                f" {p['name']}" if i % 17 == 0 else p["name"],
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
                f"{p['planned'] * 1e4:,.0f}" if i % 11 == 0 else round(p["planned"] * 1e4, 1),
                d(p["signed"], as_text),
                d(p["start"], as_text),
                d(p["prod"], as_text),
                p["milestone"],
                p["mdate"],
                p["new500"],
                p["four_new"],
                "市重点" if p["total"] >= 10 else None,
            ]
        )
    total_inv = round(sum(p["total"] for p in projects), 2)
    total_row = [
        "合计",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        total_inv,
        round(sum(p["planned"] for p in projects) * 1e4, 1),
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    write_xlsx(
        OUT / "ledger.xlsx",
        "项目台账",
        ["济宁高新区2020年重点招商项目台账", "填报单位：投资促进局　　更新日期：2020年6月30日"],
        header,
        rows,
        total_row,
        creator=CREATOR,
    )
    arr = arrivals(rng, ZONE, projects)
    write_xlsx(
        OUT / "arrivals.xlsx",
        "到位资金",
        ["2020年1-6月到位资金明细"],
        ARRIVALS_HEADER,
        arr,
        creator=CREATOR,
    )
    write_xlsx(
        OUT / "events.xlsx",
        "活动目录",
        ["2020年招商活动备选目录"],
        EVENTS_HEADER,
        [list(e) for e in EVENTS],
        creator=CREATOR,
    )
    dom = sum(a[2] for a in arr if a[3] == "人民币") / 1e4
    usd = sum(a[2] for a in arr if a[3] == "美元") / 1e4
    print(
        f"wrote {OUT}: {len(projects)} projects, {len(arr)} arrivals (domestic {dom:.2f}亿元, foreign {usd:.3f}亿美元), {len(EVENTS)} events"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Labels in Chinese (default) and English: stage names, metric names, verdicts, headers.

One table per kind of label; `label(kind, key, lang)` looks one up. Reports, charts and the
CLI all read from here so a term is translated once.
"""

from __future__ import annotations

LANGS = ("zh", "en")

# Pipeline stages in order. Keys are the canonical (English) stage ids.
STAGES: tuple[str, ...] = (
    "lead",
    "contact",
    "visit",
    "negotiating",
    "intent",
    "signed",
    "started",
    "producing",
)
STAGE_ZH = {
    "lead": "线索",
    "contact": "接洽",
    "visit": "考察",
    "negotiating": "在谈",
    "intent": "意向",
    "signed": "签约",
    "started": "开工",
    "producing": "投产",
}

METRIC_ZH = {
    "domestic_capital": "内资到位",
    "foreign_capital": "实际使用外资",
    "global500_signings": "新签世界500强",
    "china500_signings": "新签中国500强",
    "bonus_500": "500强加分项",
    "big_projects_30": "30亿元以上大项目",
    "projects_100": "百亿元以上项目",
    "new_starts": "新开工项目",
    "new_production": "新投产项目",
    "four_new": "四新项目",
}
METRIC_EN = {
    "domestic_capital": "Domestic capital arrived",
    "foreign_capital": "Foreign capital actually used",
    "global500_signings": "New Fortune Global 500 signings",
    "china500_signings": "New China 500 signings",
    "bonus_500": "500-strong bonus items",
    "big_projects_30": "Big projects >= 3bn CNY",
    "projects_100": "Projects >= 10bn CNY",
    "new_starts": "New projects started",
    "new_production": "New projects producing",
    "four_new": "'Four new' projects",
}

LIST_FLAG_ZH = {
    "global500": "世界500强",
    "china500": "中国500强",
    "private500": "民营500强",
    "none": "无",
}
LIST_FLAG_EN = {
    "global500": "Fortune Global 500",
    "china500": "China 500",
    "private500": "China private 500",
    "none": "none",
}
CAPITAL_TYPE_ZH = {"domestic": "内资", "foreign": "外资"}

VERDICT_ZH = {"ahead": "超序时", "on_pace": "符合序时", "behind": "滞后序时"}
VERDICT_EN = {"ahead": "ahead", "on_pace": "on pace", "behind": "behind"}

UNIT_ZH = {"CNY": "亿元", "USD": "亿美元", "count": "个"}
UNIT_EN = {"CNY": "100m CNY", "USD": "100m USD", "count": "count"}

# Column headers of the tables the workbook prints or writes.
COLUMN_ZH = {
    "metric": "指标",
    "target": "年度目标",
    "stretch": "冲刺目标",
    "unit": "单位",
    "actual": "累计完成",
    "completion": "完成率",
    "time_progress": "序时进度",
    "phased_target": "序时目标",
    "verdict": "判断",
    "stage": "阶段",
    "projects": "项目数",
    "total_investment": "总投资(亿元)",
}
COLUMN_EN = {
    "metric": "Metric",
    "target": "Annual target",
    "stretch": "Stretch",
    "unit": "Unit",
    "actual": "Year to date",
    "completion": "Completion",
    "time_progress": "Time elapsed",
    "phased_target": "Phased target",
    "verdict": "Verdict",
    "stage": "Stage",
    "projects": "Projects",
    "total_investment": "Total investment (100m CNY)",
}

_TABLES = {
    "stage": ({k: k for k in STAGES}, STAGE_ZH),
    "metric": (METRIC_EN, METRIC_ZH),
    "list_flag": (LIST_FLAG_EN, LIST_FLAG_ZH),
    "capital_type": ({"domestic": "domestic", "foreign": "foreign"}, CAPITAL_TYPE_ZH),
    "verdict": (VERDICT_EN, VERDICT_ZH),
    "unit": (UNIT_EN, UNIT_ZH),
    "column": (COLUMN_EN, COLUMN_ZH),
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        from workbook.errors import InputError

        raise InputError(f"unknown language {lang!r} (expected one of {', '.join(LANGS)})")
    return lang


def label(kind: str, key: str, lang: str = "zh") -> str:
    """The label of `key` in table `kind` ('stage', 'metric', ...) in `lang`; the key itself if unknown."""
    en, zh = _TABLES[kind]
    return (zh if check_lang(lang) == "zh" else en).get(key, key)


# ---- quarterly review (workbook.review): titles, notes, column headers, categories --------

REVIEW_ZH = {
    "title": "{zone}{quarter}招商引资工作季度评估",
    "subtitle": "数据截至{as_of}　|　全年目标预测：蒙特卡洛模拟{trials:,}次（随机种子{seed}）",
    "s1": "一、目标完成情况与全年预测",
    "s2": "二、资金到位累计进度与全年预测",
    "s3": "三、项目储备漏斗与季度变化",
    "s4": "四、500强项目跟踪",
    "s5": "五、重大项目攻坚（30亿元、50亿元、百亿元以上）",
    "s6": "六、招商渠道与活动成效",
    "s7": "七、下季度工作建议",
    "p_all": "全部目标同时达成的概率：{p:.0%}",
    "no_forecast": "（未做全年预测）",
    "no_previous": "未提供上季度台账，季度变化从略。",
    "previous": "与上季度台账（{file}）相比：",
    "funnel_note": "共{projects}个项目，总投资{investment:,.1f}亿元；已签约及以后阶段{signed}个。",
    "tracker_note": "500强项目{projects}个（世界500强{global500}个、中国500强{china500}个、民营500强{private500}个）；"
    "今年新签世界500强{global500_signings}个、中国500强{china500_signings}个，计入500强加分项{bonus_500}个。",
    "ladder_note": "30亿元以上项目{n30}个（今年签约{s30}个），50亿元以上{n50}个，百亿元以上{n100}个；"
    "{overdue}个项目时间节点已逾期，标红显示。",
    "channels_note": "费用按活动目录计：截至本季度可举办的活动费用，计入承办机构或台账所列活动；"
    "无活动的渠道不计费用。到位资金折合人民币（汇率{fx}）。",
    "plan_title": "剩余预算（{budget:,.0f}万元）的推荐招商活动安排",
    "plan_none": "剩余预算内没有可安排的活动。",
    "goal_seek": "要使{metric}达标概率达到{probability:.0%}，需在现有基础上新增签约资金约{extra:,.1f}{unit}"
    "（当前达标概率{current:.0%}）。",
    "goal_seek_met": "{metric}达标概率已达{current:.0%}，不低于{probability:.0%}，无需新增签约资金。",
    "goal_seek_out": "在可测算范围内（新增签约资金至{extra:,.0f}{unit}）{metric}达标概率仍达不到{probability:.0%}。",
    "stake_title": "影响全年目标最大的在途项目",
    "with_plan": "含推荐活动",
    "data_note": "台账最近到位资金记录为{last}，晚于此日期的到位尚未录入。",
    "actual": "实际累计",
    "phased": "序时目标",
    "forecast_band": "预测区间(P10–P90)",
    "forecast_p50": "预测中位数(P50)",
    "annual_target": "年度目标",
    "completion_axis": "完成率",
    "phased_tick": "序时应完成",
    "series": "系列",
    # column headers
    "metric": "指标",
    "unit": "单位",
    "target": "年度目标",
    "stretch": "冲刺目标",
    "actual_col": "累计完成",
    "completion": "完成率",
    "time_progress": "序时进度",
    "phased_share": "序时应完成",
    "phased_target": "序时目标",
    "gap": "与序时差距",
    "verdict": "序时判断",
    "p_attain": "达标概率",
    "p_stretch": "冲刺达标概率",
    "p10": "年末P10",
    "p50": "年末P50",
    "p90": "年末P90",
    "outlook": "全年判断",
    "month": "月份",
    "stage": "阶段",
    "projects": "项目数",
    "reached": "累计达到",
    "total_investment": "总投资(亿元)",
    "planned_inflow": "年度计划到位(亿元)",
    "project_id": "项目编号",
    "name": "项目名称",
    "investor": "投资方",
    "list_flag": "500强类别",
    "signed_date": "签约日期",
    "new_500_signing": "新签500强",
    "next_milestone": "下一节点",
    "milestone_date": "节点日期",
    "team": "专班",
    "owner": "责任人",
    "global500_signings": "计入新签世界500强",
    "china500_signings": "计入新签中国500强",
    "bonus_500": "计入500强加分项",
    "overdue": "节点逾期",
    "days_overdue": "逾期天数",
    "tier": "档次",
    "signed_this_year": "今年签约",
    "change": "变化",
    "stage_before": "上季度阶段",
    "stage_now": "本季度阶段",
    "kind": "类别",
    "channel": "渠道",
    "leads": "线索(项目)数",
    "signings": "今年签约数",
    "signing_rate": "签约率",
    "signed_investment": "签约总投资(亿元)",
    "arrived": "到位资金(亿元)",
    "cost": "活动费用(万元)",
    "cost_per_signing": "每签约一个项目费用(万元)",
    "p_sign": "签约概率",
    "p_start": "开工概率",
    "p_money": "资金到位概率",
    "event_id": "活动编号",
    "first_day": "开始日期",
    "last_day": "结束日期",
    "city": "城市",
    "office": "承办机构",
    "staff_days": "人天",
    "expected_leads": "预期线索",
    "expected_signings": "预期签约",
    "expected_capital": "预期年内到位(亿元)",
    "expected_500": "预期500强签约",
    "expected_contribution": "预期年内贡献(亿元)",
    "yes": "是",
    "no": "否",
    # sheet names (Excel: at most 31 characters)
    "sheet_headline": "目标完成情况",
    "sheet_burnup": "资金到位进度",
    "sheet_funnel": "项目漏斗",
    "sheet_changes": "季度变化",
    "sheet_tracker": "500强跟踪",
    "sheet_ladder": "重大项目",
    "sheet_channels": "渠道成效",
    "sheet_plan": "下季度活动安排",
    "sheet_stake": "重点在途项目",
    "sheet_goal_seek": "目标测算",
}
REVIEW_EN = {
    "title": "{zone}: quarterly investment-promotion review, {quarter}",
    "subtitle": "Data as of {as_of}  |  Year-end forecast: {trials:,} Monte Carlo trials (seed {seed})",
    "s1": "1. Targets: where we stand and how the year ends",
    "s2": "2. Capital arrived: burn-up and forecast",
    "s3": "3. Pipeline funnel and changes since last quarter",
    "s4": "4. Fortune/China 500 tracker",
    "s5": "5. Big-project ladder (>= 3bn, 5bn, 10bn CNY)",
    "s6": "6. Channels and events",
    "s7": "7. Next quarter",
    "p_all": "Chance that every target is met: {p:.0%}",
    "no_forecast": "(no year-end forecast)",
    "no_previous": "No previous quarter's ledger was given: changes are left out.",
    "previous": "Against the previous quarter's ledger ({file}):",
    "funnel_note": "{projects} projects, total investment {investment:,.1f} (100m CNY); {signed} signed or beyond.",
    "tracker_note": "{projects} 500-strong projects ({global500} Fortune Global 500, {china500} China 500, "
    "{private500} private 500); new signings this year: {global500_signings} Global 500, "
    "{china500_signings} China 500; {bonus_500} count as bonus items.",
    "ladder_note": "{n30} projects >= 3bn CNY ({s30} signed this year), {n50} >= 5bn, {n100} >= 10bn; "
    "{overdue} have an overdue time node (in red).",
    "channels_note": "Cost from the event catalogue: events that could be held by this quarter, charged to "
    "the event the ledger names or else to the office or platform running it; channels without "
    "events carry no cost. Capital in 100m CNY (USD at {fx}).",
    "plan_title": "Recommended events for the remaining budget ({budget:,.0f} 10k CNY)",
    "plan_none": "No event fits in the remaining budget.",
    "goal_seek": "For a {probability:.0%} chance of meeting {metric}, about {extra:,.1f} {unit} of extra signed "
    "capital is needed (chance now {current:.0%}).",
    "goal_seek_met": "{metric} already has a {current:.0%} chance, at least {probability:.0%}: no extra "
    "signed capital is needed.",
    "goal_seek_out": "Within the range searched (up to {extra:,.0f} {unit} extra), {metric} does not "
    "reach a {probability:.0%} chance.",
    "stake_title": "Open projects with the most at stake",
    "with_plan": "with the plan",
    "data_note": "The latest logged arrival is for {last}: later arrivals are not entered yet.",
    "actual": "Actual",
    "phased": "Phased target",
    "forecast_band": "Forecast P10–P90",
    "forecast_p50": "Forecast P50",
    "annual_target": "Annual target",
    "completion_axis": "Completion",
    "phased_tick": "Due by now",
    "series": "Series",
    "metric": "Metric",
    "unit": "Unit",
    "target": "Annual target",
    "stretch": "Stretch",
    "actual_col": "Year to date",
    "completion": "Completion",
    "time_progress": "Time elapsed",
    "phased_share": "Due by now",
    "phased_target": "Phased target",
    "gap": "Gap to pace",
    "verdict": "Pace",
    "p_attain": "P(target)",
    "p_stretch": "P(stretch)",
    "p10": "Year-end P10",
    "p50": "Year-end P50",
    "p90": "Year-end P90",
    "outlook": "Outlook",
    "month": "Month",
    "stage": "Stage",
    "projects": "Projects",
    "reached": "Reached",
    "total_investment": "Total investment (100m CNY)",
    "planned_inflow": "Planned inflow this year (100m CNY)",
    "project_id": "Project ID",
    "name": "Project",
    "investor": "Investor",
    "list_flag": "List",
    "signed_date": "Signed",
    "new_500_signing": "New 500 signing",
    "next_milestone": "Next node",
    "milestone_date": "Node date",
    "team": "Task team",
    "owner": "Owner",
    "global500_signings": "Counts: new Global 500",
    "china500_signings": "Counts: new China 500",
    "bonus_500": "Counts: bonus item",
    "overdue": "Overdue",
    "days_overdue": "Days overdue",
    "tier": "Tier",
    "signed_this_year": "Signed this year",
    "change": "Change",
    "stage_before": "Stage last quarter",
    "stage_now": "Stage now",
    "kind": "Kind",
    "channel": "Channel",
    "leads": "Leads (projects)",
    "signings": "Signings this year",
    "signing_rate": "Signing rate",
    "signed_investment": "Signed investment (100m CNY)",
    "arrived": "Arrived (100m CNY)",
    "cost": "Event cost (10k CNY)",
    "cost_per_signing": "Cost per signing (10k CNY)",
    "p_sign": "P(sign)",
    "p_start": "P(start)",
    "p_money": "P(money arrives)",
    "event_id": "Event ID",
    "first_day": "First day",
    "last_day": "Last day",
    "city": "City",
    "office": "Run by",
    "staff_days": "Staff-days",
    "expected_leads": "Expected leads",
    "expected_signings": "Expected signings",
    "expected_capital": "Expected in-year capital (100m CNY)",
    "expected_500": "Expected 500 signings",
    "expected_contribution": "Expected in-year contribution (100m CNY)",
    "yes": "yes",
    "no": "no",
    "sheet_headline": "Targets",
    "sheet_burnup": "Burn-up",
    "sheet_funnel": "Funnel",
    "sheet_changes": "Changes",
    "sheet_tracker": "500 tracker",
    "sheet_ladder": "Big projects",
    "sheet_channels": "Channels",
    "sheet_plan": "Next-quarter events",
    "sheet_stake": "Most at stake",
    "sheet_goal_seek": "Goal seek",
}
OUTLOOK_ZH = {
    "likely": "有望完成",
    "uncertain": "存在不确定",
    "at_risk": "完成有风险",
    "unknown": "—",
}
OUTLOOK_EN = {"likely": "likely", "uncertain": "uncertain", "at_risk": "at risk", "unknown": "—"}
CHANGE_ZH = {
    "advanced": "推进",
    "new": "新增",
    "stalled": "停滞",
    "moved_back": "退回",
    "dropped": "移出",
    "unchanged": "保持投产",
}
CHANGE_EN = {
    "advanced": "advanced",
    "new": "new",
    "stalled": "stalled",
    "moved_back": "moved back",
    "dropped": "dropped",
    "unchanged": "still producing",
}
TIER_ZH = {"tier_100": "百亿元以上", "tier_50": "50亿元以上", "tier_30": "30亿元以上"}
TIER_EN = {"tier_100": ">= 10bn CNY", "tier_50": ">= 5bn CNY", "tier_30": ">= 3bn CNY"}
CHANNEL_KIND_ZH = {
    "office": "驻外机构",
    "platform": "招商平台",
    "event": "招商活动",
    "other": "其他",
}
CHANNEL_KIND_EN = {"office": "office", "platform": "platform", "event": "event", "other": "other"}
_TABLES.update(
    {
        "review": (REVIEW_EN, REVIEW_ZH),
        "outlook": (OUTLOOK_EN, OUTLOOK_ZH),
        "change": (CHANGE_EN, CHANGE_ZH),
        "tier": (TIER_EN, TIER_ZH),
        "channel_kind": (CHANNEL_KIND_EN, CHANNEL_KIND_ZH),
    }
)

# ---- roadshow plan (workbook.roadshow, `workbook plan`): columns, event kinds, plan names --

PLAN_ZH = {
    "month": "月份",
    "event_id": "活动编号",
    "name": "活动名称",
    "kind": "类型",
    "city": "举办地",
    "office": "承办机构",
    "first_day": "开始日期",
    "last_day": "结束日期",
    "cost": "费用(万元)",
    "staff_days": "人天",
    "expected_leads": "预期线索",
    "expected_signings": "预期签约",
    "expected_capital": "预期年内到位(亿元)",
    "expected_500": "预期新签500强",
    "value": "目标函数值",
    "budget": "预算(万元)",
    "objective": "目标函数值",
    "p_attain": "达标概率",
    "none": "不办新活动",
    "baseline": "原年度活动计划",
    "greedy": "性价比贪心方案",
    "optimal": "优化方案",
    "total": "合计",
}
PLAN_EN = {
    "month": "Month",
    "event_id": "Event id",
    "name": "Event",
    "kind": "Kind",
    "city": "City",
    "office": "Office",
    "first_day": "First day",
    "last_day": "Last day",
    "cost": "Cost (10k CNY)",
    "staff_days": "Staff-days",
    "expected_leads": "Expected leads",
    "expected_signings": "Expected signings",
    "expected_capital": "Expected in-year capital (100m CNY)",
    "expected_500": "Expected new 500-strong signings",
    "value": "Objective value",
    "budget": "Budget (10k CNY)",
    "objective": "Objective",
    "p_attain": "P(attain)",
    "none": "No new events",
    "baseline": "Baseline event plan",
    "greedy": "Greedy (value per cost)",
    "optimal": "Optimal plan",
    "total": "Total",
}
EVENT_KIND_LABEL_ZH = {
    "domestic": "国内推介会",
    "overseas": "境外招商",
    "conference": "大节会",
    "platform": "平台活动",
    "cloud": "云招商",
}
EVENT_KIND_LABEL_EN = {
    "domestic": "domestic promotion",
    "overseas": "overseas roadshow",
    "conference": "conference",
    "platform": "platform event",
    "cloud": "cloud event",
}
_TABLES.update(
    {
        "plan": (PLAN_EN, PLAN_ZH),
        "event_kind": (EVENT_KIND_LABEL_EN, EVENT_KIND_LABEL_ZH),
    }
)

# ---- interactive planners (workbook.widgets, workbook.charts.scenario) -------------------

PLANNER_ZH = {
    "scenario_title": "{zone}{year}年 情景推演",
    "roadshow_title": "{zone}{year}年 招商活动安排",
    "subtitle": "数据截至{as_of}　|　蒙特卡洛模拟{trials:,}次（随机种子{seed}）",
    "metric": "指标",
    "p_attain": "达标概率",
    "p_stretch": "冲刺达标概率",
    "p_all": "全部目标同时达成",
    "p_attain_title": "各项目标达标概率",
    "actual": "实际累计",
    "p50_line": "预测中位数(P50)",
    "phased_target": "序时目标",
    "month": "月份",
    "target": "年度目标",
    "stretch": "冲刺目标",
    "fan_title": "累计进度与全年预测（P10–P90）",
    "reached": "达标",
    "short": "未达标",
    "year_end": "年末值",
    "share_of_trials": "模拟占比",
    "from": "自",
    "to": "至",
    "hist_title": "年末值分布",
}
PLANNER_EN = {
    "scenario_title": "{zone} {year}: scenario planner",
    "roadshow_title": "{zone} {year}: roadshow planner",
    "subtitle": "Data as of {as_of}  |  {trials:,} Monte Carlo trials (seed {seed})",
    "metric": "Metric",
    "p_attain": "P(attain)",
    "p_stretch": "P(stretch)",
    "p_all": "All targets met",
    "p_attain_title": "Chance of meeting each target",
    "actual": "Actual to date",
    "p50_line": "Forecast median (P50)",
    "phased_target": "Phased target",
    "month": "Month",
    "target": "Annual target",
    "stretch": "Stretch",
    "fan_title": "cumulative progress and forecast (P10–P90)",
    "reached": "target met",
    "short": "short of target",
    "year_end": "Year-end value",
    "share_of_trials": "Share of trials",
    "from": "From",
    "to": "To",
    "hist_title": "year-end distribution",
}
_TABLES.update({"planner": (PLANNER_EN, PLANNER_ZH)})

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

"""The house theme of every workbook chart, registered once with Altair and enabled.

A font stack that shows Chinese on Windows (Microsoft YaHei), macOS (PingFang SC) and Linux
(Noto Sans CJK SC, WenQuanYi Micro Hei); one colour per target, used by every chart that
shows it; quiet axes. `register()` is idempotent.
"""

from __future__ import annotations

import altair as alt

NAME = "workbook"
FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"

# One colour per target metric, the same in every chart.
METRIC_COLORS: dict[str, str] = {
    "domestic_capital": "#c0392b",  # 内资: the bureau's red
    "foreign_capital": "#1f5fa8",  # 外资: blue
    "global500_signings": "#8e44ad",
    "china500_signings": "#d35400",
    "bonus_500": "#b7950b",
    "big_projects_30": "#117a65",
    "projects_100": "#0e6251",
    "new_starts": "#2e86c1",
    "new_production": "#5d6d7e",
    "four_new": "#27ae60",
}
GREY = "#7f8c8d"
LIGHT = "#d5d8dc"
# Pace and outlook words, each with the colour a reader expects.
VERDICT_COLORS = {"ahead": "#27ae60", "on_pace": "#2e86c1", "behind": "#c0392b"}
OUTLOOK_COLORS = {
    "likely": "#27ae60",
    "uncertain": "#f39c12",
    "at_risk": "#c0392b",
    "unknown": GREY,
}
CATEGORY = ["#c0392b", "#1f5fa8", "#27ae60", "#f39c12", "#8e44ad", "#16a085", "#7f8c8d"]
WIDTH = 560


def theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(
        config={
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 260},
            "background": "white",
            "title": {"font": FONT, "fontSize": 15, "anchor": "start", "color": "#222"},
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 11,
                "titleFontSize": 12,
                "gridColor": "#ececec",
                "domainColor": "#999",
                "tickColor": "#999",
            },
            "legend": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 11,
                "titleFontSize": 12,
                "orient": "bottom",
            },
            "header": {"labelFont": FONT, "titleFont": FONT},
            "text": {"font": FONT},
            "range": {"category": CATEGORY},
            "bar": {"color": CATEGORY[0]},
            "line": {"color": CATEGORY[0]},
        }
    )


_registered = False


def register() -> None:
    """Register and enable the house theme (once per process)."""
    global _registered
    if not _registered:
        alt.theme.register(NAME, enable=True)(theme)
        _registered = True
    elif alt.theme.active != NAME:
        alt.theme.enable(NAME)

"""HTML pieces of the planners' pages: big numbers and the targets table."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from workbook.forecast import scenarios as scenarios
from workbook.planners.controls import planner_text
from workbook.text.catalogue import Entry, label
from workbook.text.numbers import figure


def big_number_html(title: str, value_html: str, sub: str) -> str:
    """A big number under its title, with a small line under it."""
    return (
        '<div><div style="color:#555;font-size:12px">'
        + html.escape(title)
        + '</div><div style="font-size:26px;font-weight:600">'
        + value_html
        + '</div><div style="color:#777;font-size:11px">'
        + html.escape(sub)
        + "</div></div>"
    )


def targets_table_html(
    targets: pd.DataFrame,
    status: pd.DataFrame,
    lang: str = "zh",
    declared: Mapping[str, Entry] | None = None,
) -> str:
    """Every target as an HTML table: floor, stretch, actual to date, phased target and pace
    verdict (from `status`), P(attain), P(stretch), P10/P50/P90 of the year end. `declared`
    names the zone's own metrics (`ZoneParams.metric_labels`)."""
    pace = status.set_index("metric")
    heads = [
        ("metric", "left"),
        ("unit", "left"),
        ("target", "right"),
        ("stretch", "right"),
        ("actual", "right"),
        ("phased_target", "right"),
        ("verdict", "left"),
        ("p_attain", "right"),
        ("p_stretch", "right"),
        ("p10", "right"),
        ("p50", "right"),
        ("p90", "right"),
    ]
    th = "".join(
        f'<th style="text-align:{a};padding:3px 8px;border-bottom:2px solid #999;'
        f'white-space:nowrap">'
        f"{html.escape(planner_text('col_' + k, lang))}</th>"
        for k, a in heads
    )
    rows = []
    for metric, r in targets.iterrows():
        unit = str(r["unit"])

        def num(v: Any, unit: str = unit) -> str:
            return figure(v, unit)

        p = pace.loc[str(metric)] if metric in pace.index else None
        verdict = "" if p is None else label("verdict", str(p["verdict"]), lang)
        v_color = {"ahead": "#1e8449", "on_pace": "#2e86c1", "behind": "#c0392b"}.get(
            "" if p is None else str(p["verdict"]), "#333"
        )
        pa = float(r["p_attain"])
        p_color = "#1e8449" if pa >= 0.8 else "#b9770e" if pa >= 0.5 else "#c0392b"
        ps = "" if pd.isna(r["p_stretch"]) else f"{float(r['p_stretch']):.1%}"
        cells = [
            (html.escape(label("metric", str(metric), lang, declared)), "left", ""),
            (html.escape(label("unit", unit, lang)), "left", ""),
            (num(r["target"]), "right", ""),
            (num(r["stretch"]), "right", ""),
            (num(r["actual_to_date"]), "right", ""),
            (num(None if p is None else p["phased_target"]), "right", ""),
            (html.escape(verdict), "left", f"color:{v_color}"),
            (
                f'<span class="wb-p-cell" data-metric="{metric}">{pa:.1%}</span>',
                "right",
                f"color:{p_color};font-weight:600",
            ),
            (ps, "right", ""),
            (num(r["p10"]), "right", ""),
            (num(r["p50"]), "right", ""),
            (num(r["p90"]), "right", ""),
        ]
        rows.append(
            "<tr>"
            + "".join(
                f'<td style="text-align:{a};padding:2px 8px;border-bottom:1px solid #eee;'
                f'white-space:nowrap;{s}">{v}</td>'
                for v, a, s in cells
            )
            + "</tr>"
        )
    return (
        '<table style="border-collapse:collapse;font-size:13px">'
        f"<thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )

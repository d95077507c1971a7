"""HTML fragments of the review (title, notes, tables, charts) and the localized tables.

A chart becomes ``<div class="wb-chart"><script type="application/json">SPEC</script></div>``:
no code runs in a notebook output; the report page (`workbook.review.html`) carries the
Vega bundle once and draws every such div with one `vegaEmbed` call each.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbook.text.catalogue import Entry, label
from workbook.text.numbers import figure

if TYPE_CHECKING:
    from workbook.text.formats import Format

# How each canonical column is shown: kind of value -> format.
PERCENT = {
    "completion",
    "time_progress",
    "phased_share",
    "gap",
    "p_attain",
    "p_stretch",
    "signing_rate",
    "p_sign",
    "p_start",
    "p_money",
    "p_met",
    "window_progress",
}
INTEGER = {"projects", "reached", "leads", "signings", "days_overdue", "events"}
DATE = {"signed_date", "milestone_date", "first_day", "last_day", "start", "end"}
MONTH = {"month"}
BOOL = {
    "new_500_signing",
    "global500_signings",
    "china500_signings",
    "bonus_500",
    "overdue",
    "signed_this_year",
}
# Categorical columns and the label table that translates them.
CATEGORY = {
    "metric": "metric",
    "unit": "unit",
    "verdict": "verdict",
    "outlook": "outlook",
    "stage": "stage",
    "stage_before": "stage",
    "stage_now": "stage",
    "list_flag": "list_flag",
    "change": "change",
    "tier": "tier",
    "kind": "channel_kind",
}
# Headers whose review label differs from the column key.
HEADER_KEY = {"actual": "actual_col"}
# Columns in the unit of their row's target (money with two decimals, counts whole; a
# count's phased target with one decimal), in every table and sheet alike.
BY_UNIT = {
    "target",
    "stretch",
    "actual",
    "phased_target",
    "p10",
    "p50",
    "p90",
    "mean",
    "goal",  # a campaign's goal and what came in its window (百日攻坚)
    "window_actual",
}
ONE_DECIMAL = {
    "expected_leads",
    "expected_signings",
    "staff_days",
    "months_in_stage",
    "expected_months",
}


def unit_format(col: str, unit: object) -> str:
    """The Excel number format of a figure of column `col` in `unit` ('count' or a currency)."""
    from workbook.text import formats as xs

    if unit == "count":
        return xs.ONE_DECIMAL if col == "phased_target" else xs.COUNT
    return xs.MONEY


def column_format(col: str, s: pd.Series, lang: str, units: pd.Series | None = None) -> Format:
    """The Excel number format of a canonical column (one, or a list with one per row)."""
    from workbook.text import formats as xs

    if col in PERCENT:
        return xs.PERCENT
    if col in INTEGER:
        return xs.COUNT
    if col in DATE:
        return xs.DATE
    if col in MONTH:
        return xs.MONTH_NUMBER[lang] if pd.api.types.is_integer_dtype(s) else xs.MONTH
    if col in BOOL or col in CATEGORY:
        return None
    if col in BY_UNIT and units is not None:
        return [unit_format(col, u) for u in units]
    if col in ONE_DECIMAL:
        return xs.ONE_DECIMAL
    if pd.api.types.is_integer_dtype(s):
        return xs.COUNT
    if pd.api.types.is_float_dtype(s):
        return xs.MONEY
    return None


def header(col: str, lang: str) -> str:
    return label("review", HEADER_KEY.get(col, col), lang)


def localize(
    df: pd.DataFrame, lang: str, declared: Mapping[str, Entry] | None = None
) -> pd.DataFrame:
    """Categories translated, booleans as 是/否, headers in the report language; numbers stay
    numbers (Excel keeps computing with them), each column's number format in the attrs
    (`workbook.text.formats`; per row by the row's unit when the table has a unit column).
    `declared`: the zone's own metric labels (`ZoneParams.metric_labels`)."""
    from workbook.text.formats import with_formats

    out = pd.DataFrame(index=df.index)
    units = df["unit"] if "unit" in df.columns else None
    formats: dict[str, Format] = {}
    for col in df.columns:
        s = df[col]
        formats[header(col, lang)] = column_format(col, s, lang, units)
        if col in CATEGORY:
            s = s.map(
                lambda v, k=CATEGORY[col]: label(k, v, lang, declared) if isinstance(v, str) else v
            )
        elif col in BOOL:
            s = s.map(lambda v: label("review", "yes" if v else "no", lang) if pd.notna(v) else v)
        elif col in DATE or (col in MONTH and not pd.api.types.is_integer_dtype(s)):
            s = pd.to_datetime(s)
        out[header(col, lang)] = s
    return with_formats(out, formats)


def _fmt(
    col: str,
    v: Any,
    lang: str,
    unit: str | None = None,
    declared: Mapping[str, Entry] | None = None,
) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NaT or v is pd.NA:
        return "—"
    if col in CATEGORY:
        return label(CATEGORY[col], str(v), lang, declared)
    if col in BOOL:
        return "✓" if v else ""
    if col in PERCENT:
        return f"{float(v):.0%}" if col.startswith("p_") else f"{float(v):.1%}"
    if col in INTEGER:
        return f"{int(v):,}"
    if col in DATE:
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if col in MONTH:
        return v if isinstance(v, str) else pd.Timestamp(v).strftime("%Y-%m")
    if isinstance(v, bool | np.bool_):
        return "✓" if v else ""
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        if col in ONE_DECIMAL and unit != "count":
            return f"{float(v):,.1f}"
        return figure(v, unit, col)  # a count's phased target with one decimal, as in review.xlsx
    return str(v)


def table_html(
    df: pd.DataFrame,
    lang: str,
    columns: list[str] | None = None,
    flag: str | None = None,
    unit_column: str | None = None,
    declared: Mapping[str, Entry] | None = None,
) -> str:
    """A table as HTML: headers in the report language, figures formatted, rows where `flag`
    is true marked (class wb-flag, shown red); `declared`: the zone's own metric labels."""
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    head = "".join(f"<th>{html.escape(header(c, lang))}</th>" for c in cols)
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(df[c]) and c not in BOOL}
    body = []
    for _, row in df.iterrows():
        unit = row[unit_column] if unit_column else None
        cls = ' class="wb-flag"' if flag and bool(row.get(flag)) else ""
        cells = "".join(
            f"<td{_td_class(c, numeric)}>{html.escape(_fmt(c, row[c], lang, unit, declared))}</td>"
            for c in cols
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return (
        f'<table class="wb-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _td_class(col: str, numeric: set[str]) -> str:
    if col in numeric:
        return ' class="num"'
    if col in DATE or col in MONTH:
        return ' class="date"'
    return ""


def chart_html(chart: Any, name: str, alt: str | None = None) -> str:
    """A chart as a div holding its Vega-Lite spec as JSON (drawn by the report page); `alt`,
    what the chart shows in words, for screen readers and the picture in review.docx."""
    # not validated against the Vega-Lite schema here (a third of the page's time): the charts'
    # own tests validate every chart the review draws (tests/charts, tests/review)
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)  # the page embeds Vega-Lite itself: no schema URL to fetch
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), default=str)
    # no markup can start inside the script element, whatever text the input held (<!--, </)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    described = f' role="img" aria-label="{html.escape(alt)}"' if alt else ""
    return (
        f'<div class="wb-chart" data-chart="{html.escape(name)}"{described}>'
        f'<script type="application/json" class="wb-spec">{text}</script></div>'
    )


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{html.escape(text)}</h{level}>"


def note(text: str, cls: str = "wb-note") -> str:
    return f'<p class="{cls}">{html.escape(text)}</p>'


def display_html(fragment: str, text: str) -> None:
    """Show a fragment as a notebook output (text/html, with a plain-text fallback)."""
    from IPython.display import display

    display({"text/html": fragment, "text/plain": text}, raw=True)

"""The roadshow plan as files people keep: `plan.xlsx` (Excel/WPS) and `plan.ics` (calendars).

The .ics is RFC 5545 written by the maintained `icalendar` package: one all-day VEVENT per
planned event (first day to the day after the last, as the standard wants for all-day
events), a stable UID per event and year so a re-import updates rather than duplicates.
Both files are rendered in memory, written to temporary names in the output folder and moved
into place, so a failure leaves no half-written plan behind.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Hashable, Mapping
from pathlib import Path

import pandas as pd

from workbook.roadshow.problem import Plan
from workbook.text.catalogue import label, say
from workbook.text.errors import InputError
from workbook.text.labels import check_lang
from workbook.text.messages import Message
from workbook.zone.cells import num

# Columns people read, in order (a subset of PLAN_COLUMNS).
DISPLAY_COLUMNS: tuple[str, ...] = (
    "month",
    "event_id",
    "name",
    "kind",
    "city",
    "office",
    "first_day",
    "last_day",
    "cost",
    "staff_days",
    "expected_leads",
    "expected_capital",
    "expected_500",
)
WAN_PER_YI = 10_000  # an event's expected capital reads in 万元 (亿元 rounds most to 0.00)


def _header(col: str, lang: str) -> str:
    return label("plan", "expected_capital_wan" if col == "expected_capital" else col, lang)


def display_table(plan: Plan, lang: str = "zh", total: bool = True) -> pd.DataFrame:
    """The plan with labelled headers and kinds, money rounded, and a total row."""
    check_lang(lang)
    t = plan.table[list(DISPLAY_COLUMNS)].copy()
    t["kind"] = [label("event_kind", k, lang) for k in t["kind"]]
    t["first_day"] = [d.isoformat() for d in t["first_day"]]
    t["last_day"] = [d.isoformat() for d in t["last_day"]]
    t["cost"] = t["cost"].round(1)
    t["staff_days"] = t["staff_days"].round(1)
    t["expected_leads"] = t["expected_leads"].round(1)
    t["expected_capital"] = (t["expected_capital"] * WAN_PER_YI).round(1)
    t["expected_500"] = t["expected_500"].round(3)
    t["month"] = t["month"].astype(object)
    if total and len(t):
        row: dict[Hashable, object] = {c: "" for c in t.columns}
        row["month"] = label("plan", "total", lang)
        for c in ("cost", "staff_days", "expected_leads", "expected_capital", "expected_500"):
            row[c] = round(float(t[c].sum()), 3)
        t = pd.concat([t, pd.DataFrame([row])], ignore_index=True)
    t.columns = [_header(c, lang) for c in t.columns]
    return t


def plan_ics(
    plan: Plan,
    *,
    calendar_name: str,
    stamp: dt.datetime | None = None,
    lang: str = "zh",
) -> bytes:
    """The plan as an iCalendar file: one all-day event per planned event."""
    from icalendar import Calendar, Event

    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    if stamp.tzinfo is None:
        raise ValueError("the DTSTAMP of a calendar must carry a time zone (UTC)")
    cal = Calendar()
    cal.add("prodid", "-//workbook//roadshow plan//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    for r in plan.table.to_dict("records"):
        ev = Event()
        ev.add("uid", f"{r['event_id']}-{r['first_day'].year}@workbook.roadshow.problem")
        ev.add("dtstamp", stamp)
        ev.add("summary", str(r["name"]))
        ev.add("dtstart", r["first_day"])
        ev.add("dtend", r["last_day"] + dt.timedelta(days=1))
        if r["city"]:
            ev.add("location", str(r["city"]))
        ev.add("categories", [label("event_kind", r["kind"], lang)])
        ev.add("transp", "OPAQUE")
        ev.add("description", _describe(r, lang))
        cal.add_component(ev)
    ical: bytes = cal.to_ical()
    return ical


def _describe(r: Mapping[Hashable, object], lang: str) -> str:
    """The event's office, cost and what it is expected to bring, one per line."""
    fmt = {"cost": "{:g}", "expected_leads": "{:.1f}", "expected_capital": "{:.1f}"}
    keys = ("event_id", "office", "cost", "expected_leads", "expected_capital", "expected_500")
    value = {**r, "expected_capital": num(r["expected_capital"]) * WAN_PER_YI}
    return "\n".join(
        f"{_header(k, lang)}: {fmt.get(k, '{:.3f}' if k == 'expected_500' else '{}').format(value[k])}"
        for k in keys
    )


def plan_xlsx(
    plan: Plan,
    *,
    title: str,
    summary: Mapping[str, object] | None = None,
    comparison: pd.DataFrame | None = None,
    lang: str = "zh",
) -> bytes:
    """The plan as an Excel workbook: sheet 1 the plan (dates as dates, months as months,
    capital in 万元), sheet 2 the summary (budget, cost, objective, constraints), sheet 3 the
    P(attain) comparison when given (its number formats from its attrs, see
    `workbook.text.formats`). Headers bold and frozen, widths fitted."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from workbook.files.xlsx_safe import inert_workbook
    from workbook.text import formats as xs

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its one sheet
    ws.title = say("plan.sheet_plan", lang)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    cols = list(DISPLAY_COLUMNS)
    headers = [_header(c, lang) for c in cols]
    ws.append(headers)
    for r in plan.table.to_dict("records"):
        row = []
        for c in cols:
            v = r[c]
            if c == "kind":
                v = label("event_kind", v, lang)
            elif c == "expected_capital":
                v = round(float(v) * WAN_PER_YI, 4)
            elif isinstance(v, float):
                v = round(v, 4)
            elif hasattr(v, "item"):
                v = v.item()
            row.append(v)
        ws.append(row)
    if len(plan.table):
        total: list[object] = [label("plan", "total", lang)] + [None] * (len(cols) - 1)
        for c in ("cost", "staff_days", "expected_leads", "expected_capital", "expected_500"):
            scale = WAN_PER_YI if c == "expected_capital" else 1
            total[cols.index(c)] = round(float(plan.table[c].sum()) * scale, 4)
        ws.append(total)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    plan_formats = {
        "month": xs.MONTH_NUMBER[lang],
        "first_day": xs.DATE,
        "last_day": xs.DATE,
        "cost": xs.MONEY,
        "staff_days": xs.ONE_DECIMAL,
        "expected_leads": xs.ONE_DECIMAL,
        "expected_capital": xs.MONEY,
        "expected_500": xs.MONEY,
    }
    xs.style_sheet(ws, headers, {_header(c, lang): f for c, f in plan_formats.items()}, 2)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 8)

    s2 = wb.create_sheet(say("plan.sheet_summary", lang))
    items = list((summary or {}).items())
    s2.append([label("plan", "item", lang), label("plan", "item_value", lang)])
    for k, v in items:
        s2.append([k, v if isinstance(v, str | int | float | dt.date) or v is None else str(v)])
    summary_formats = [_summary_format(k, v) for k, v in items]
    xs.style_sheet(
        s2,
        [label("plan", "item", lang), label("plan", "item_value", lang)],
        {label("plan", "item_value", lang): summary_formats},
    )

    if comparison is not None and len(comparison):
        s3 = wb.create_sheet(say("plan.sheet_compare", lang))
        s3.append([str(c) for c in comparison.columns])
        for values in comparison.itertuples(index=False):
            s3.append([v.item() if hasattr(v, "item") else v for v in values])
        xs.style_sheet(s3, [str(c) for c in comparison.columns], xs.formats_of(comparison))
    inert_workbook(wb)  # text from the catalogue never becomes a formula
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.creator = "workbook plan"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _summary_format(key: str, value: object) -> str | None:
    """A summary row's number format from its key: shares as percentages, 万元 and 亿元 with
    two decimals, other whole numbers as counts."""
    from workbook.text import formats as xs

    if isinstance(value, dt.date):
        return xs.DATE
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if key in ("年度", "Year"):
        return "0"
    if any(w in key for w in ("差距", "概率", "gap", "Gap", " P ", "P in")):
        return xs.PERCENT
    if any(
        w in key
        for w in (
            "万元",
            "亿元",
            "10k CNY",
            "100m CNY",
            "权重",
            "Weight",
            "目标函数",
            "Objective",
            "预期",
            "Expected",
        )
    ):
        return xs.MONEY
    return xs.COUNT if float(value).is_integer() else xs.MONEY


def write_files(
    out_dir: str | Path, files: Mapping[str, bytes], record: Mapping[str, object] | None = None
) -> list[Path]:
    """Write the named files as the plan's run folder `out_dir` (with a manifest.json holding
    `record`): every file goes whole into a temporary folder beside it, which then takes the
    folder's place. Files of an earlier plan run that are not rewritten are kept (a planner
    may export the .xlsx and the .ics one at a time). A folder this tool did not write is
    refused (InputError naming it) and left as it was; when anything fails, nothing is left
    behind."""
    from workbook.files.jsonsafe import dumps
    from workbook.files.outdir import RunFolder

    umask = os.umask(0)
    os.umask(umask)
    with RunFolder(out_dir, "plan") as folder:
        try:
            for name, data in files.items():
                path = folder.tmp / name
                with open(path, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(path, 0o666 & ~umask)
            kept = _carry_over(folder.folder, folder.tmp, set(files))
            manifest = {
                "tool": "workbook",
                "kind": "plan",
                **(record or {}),
                "files": sorted({*files, *kept, "manifest.json"}),
            }
            (folder.tmp / "manifest.json").write_text(
                dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
            os.chmod(folder.tmp / "manifest.json", 0o666 & ~umask)
            out = folder.commit()
        except OSError as exc:
            where = exc.filename or folder.folder
            raise InputError(
                Message("out.cannot_write", folder=where, error=exc.strerror or str(exc))
            ) from None
    return [out / name for name in files]


def _carry_over(folder: Path, tmp: Path, written: set[str]) -> list[str]:
    """Copy the earlier run's files that are not rewritten into the new run; their names."""
    import shutil

    from workbook.files.outdir import read_manifest

    manifest = read_manifest(folder) if folder.is_dir() else None
    kept = []
    for name in (manifest or {}).get("files", []):
        if name in written or name == "manifest.json" or not (folder / name).is_file():
            continue
        shutil.copy2(folder / name, tmp / name)
        kept.append(name)
    return kept

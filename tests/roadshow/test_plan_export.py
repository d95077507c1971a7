"""plan.ics parses back with the same events, plan.xlsx opens and holds the plan, and files
are written whole or not at all."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from workbook.roadshow.export import display_table, plan_ics, plan_xlsx, write_files
from workbook.roadshow.problem import build_problem
from workbook.roadshow.solve import solve
from workbook.text.errors import InputError
from workbook.zone.loader import load_zone

SAMPLE = "params/jining-2020.yaml"
STAMP = dt.datetime(2020, 6, 30, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def plan():
    zone = load_zone(SAMPLE)
    return solve(build_problem(zone.params, zone.events, as_of=dt.date(2020, 6, 30)))


def test_ics_parses_back_with_the_same_events(plan):
    cal = Calendar.from_ical(
        plan_ics(plan, calendar_name="济宁高新区2020年招商活动计划", stamp=STAMP)
    )
    assert (
        str(cal["version"]) == "2.0" and str(cal["x-wr-calname"]) == "济宁高新区2020年招商活动计划"
    )
    events = cal.walk("VEVENT")
    assert len(events) == len(plan.table) > 0
    for ev, row in zip(events, plan.table.itertuples(), strict=True):
        assert str(ev["summary"]) == row.name
        assert ev.decoded("dtstart") == row.first_day
        assert ev.decoded("dtend") == row.last_day + dt.timedelta(days=1)  # all-day: exclusive
        assert not isinstance(ev.decoded("dtstart"), dt.datetime)
        assert str(ev["uid"]) == f"{row.event_id}-2020@workbook.roadshow.problem"
        assert str(ev["location"]) == row.city
        assert ev.decoded("dtstamp") == STAMP
        assert f"费用(万元): {row.cost:g}" in str(ev["description"])
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_ics_is_the_same_bytes_for_the_same_plan_and_stamp(plan):
    assert plan_ics(plan, calendar_name="x", stamp=STAMP) == plan_ics(
        plan, calendar_name="x", stamp=STAMP
    )
    with pytest.raises(ValueError, match="time zone"):
        plan_ics(plan, calendar_name="x", stamp=dt.datetime(2020, 6, 30))


def test_xlsx_opens_and_holds_the_plan(plan):
    data = plan_xlsx(plan, title="计划", summary={"预算(万元)": 300.0}, lang="zh")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["活动计划", "汇总"]
    ws = wb["活动计划"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "计划"
    header = list(rows[1])
    assert header[:3] == ["月份", "活动编号", "活动名称"] and "费用(万元)" in header
    body = rows[2 : 2 + len(plan.table)]
    col = {h: i for i, h in enumerate(header)}
    for r, want in zip(body, plan.table.itertuples(), strict=True):
        assert r[col["活动编号"]] == want.event_id and r[col["月份"]] == want.month
        assert r[col["开始日期"]].date() == want.first_day
        assert r[col["费用(万元)"]] == pytest.approx(want.cost)
        assert r[col["预期年内到位(万元)"]] == pytest.approx(want.expected_capital * 1e4, abs=1e-3)
    total = rows[2 + len(plan.table)]
    assert total[0] == "合计" and total[col["费用(万元)"]] == pytest.approx(plan.cost)
    assert list(wb["汇总"].iter_rows(values_only=True)) == [("项目", "内容"), ("预算(万元)", 300.0)]
    assert wb["汇总"]["B2"].number_format == "#,##0.00"


def test_xlsx_in_english_with_a_comparison_sheet(plan):
    import pandas as pd

    cmp = pd.DataFrame({"metric": ["domestic_capital"], "No new events": [0.5], "Optimal": [0.6]})
    wb = load_workbook(io.BytesIO(plan_xlsx(plan, title="Plan", comparison=cmp, lang="en")))
    assert wb.sheetnames == ["Plan", "Summary", "P(attain)"]
    assert wb["Plan"]["A2"].value == "Month"
    assert list(wb["P(attain)"].iter_rows(values_only=True))[1] == ("domestic_capital", 0.5, 0.6)


def test_display_table_labels_and_totals(plan):
    zh = display_table(plan, "zh")
    assert list(zh.columns)[:3] == ["月份", "活动编号", "活动名称"]
    assert zh.iloc[-1]["月份"] == "合计"
    assert zh.iloc[-1]["费用(万元)"] == pytest.approx(plan.cost)
    assert "云招商" in set(zh["类型"])
    en = display_table(plan, "en", total=False)
    assert "cloud event" in set(en["Kind"]) and len(en) == len(plan.table)


def test_files_are_written_whole_with_ordinary_permissions(tmp_path):
    out = tmp_path / "deep" / "out"
    written = write_files(out, {"plan.xlsx": b"x" * 10, "plan.ics": b"BEGIN:VCALENDAR"})
    assert [p.name for p in written] == ["plan.xlsx", "plan.ics"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.ics", "plan.xlsx"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((out / "plan.ics").stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_leaves_no_temporary_or_partial_file(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(InputError, match="plan.ics"):  # a name that cannot be a file
        write_files(out, {"plan.xlsx": b"new", "plan.ics/x": b"new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_folder_the_tool_did_not_write_is_refused_and_kept(tmp_path):
    (tmp_path / "plan.ics").mkdir()
    with pytest.raises(InputError, match="refusing to replace"):
        write_files(tmp_path, {"plan.xlsx": b"new", "plan.ics": b"new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.ics"]

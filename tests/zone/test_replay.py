"""The pipeline at an earlier date (workbook.zone.replay): the ledger as it is, a quarter-end
snapshot, or the ledger replayed by its stage dates; and a past quarter's review built on it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.conftest import (
    LEDGER_HEADER,
    SAMPLE_PARAMS,
    small_arrival_rows,
    small_ledger_rows,
    write_xlsx,
)
from workbook.text.errors import DataFileError
from workbook.zone.ledger import load_ledger
from workbook.zone.replay import data_end, ledger_at, replay_projects, snapshot_for, stage_by_dates

Q1_END = dt.date(2020, 3, 31)


@pytest.fixture
def ledger(tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    arrivals = write_xlsx(tmp_path / "arrivals.xlsx", small_arrival_rows(), sheet="到位资金")
    return load_ledger(path, arrivals)


def _stages(led) -> dict[str, str]:
    return dict(zip(led.projects["project_id"], led.projects["stage"].astype(str), strict=True))


def test_the_ledger_is_current_up_to_its_last_month_with_arrivals(ledger):
    assert data_end(ledger) == dt.date(2020, 4, 30)
    for day in (dt.date(2020, 4, 30), dt.date(2020, 6, 30)):
        at = ledger_at(ledger, day)
        assert at.source == "ledger" and at.ledger is ledger


def test_replay_puts_each_project_at_the_stage_its_dates_give(ledger):
    at = ledger_at(ledger, Q1_END)
    assert at.source == "replay" and at.snapshot is None
    # P3 produces from 2020-05-20: at the end of March it had only started
    assert _stages(at.ledger) == {
        "P1": "signed",
        "P2": "started",
        "P3": "started",
        "P4": "negotiating",
    }
    p3 = at.ledger.projects.set_index("project_id").loc["P3"]
    assert pd.isna(p3["production_date"]) and p3["start_date"] == pd.Timestamp(2019, 9, 1)
    # the April arrival of P1 had not arrived yet; last year's stays (it is a fact of then)
    months = sorted(str(m.date()) for m in at.ledger.arrivals["month"])
    assert months == ["2019-12-01", "2020-01-01", "2020-02-01"]
    # the ledger itself is untouched
    assert _stages(ledger)["P3"] == "producing" and len(ledger.arrivals) == 4


def test_a_signing_after_the_date_leaves_the_project_at_intent(ledger):
    day = dt.date(2020, 2, 5)
    replayed = replay_projects(ledger.projects, day)
    by_id = replayed.set_index("project_id")
    assert str(by_id.loc["P1", "stage"]) == "intent" and pd.isna(by_id.loc["P1", "signed_date"])
    assert str(by_id.loc["P2", "stage"]) == "signed" and pd.isna(by_id.loc["P2", "start_date"])
    assert by_id.loc["P2", "signed_date"] == pd.Timestamp(2019, 11, 1)
    assert list(stage_by_dates(ledger.projects, day)) == [
        "intent",
        "signed",
        "started",
        "negotiating",
    ]
    # replaying to a date after every stage date changes nothing
    late = replay_projects(ledger.projects, dt.date(2020, 12, 31))
    pd.testing.assert_frame_equal(late, ledger.projects)


def _snapshot_rows():
    rows = [LEDGER_HEADER]
    rows.append(
        [
            "P1",
            "甲项目",
            "甲公司",
            "内资",
            "世界500强",
            "意向",
            40,
            50000,
            None,
            None,
            None,
            "是",
            "否",
        ]
    )
    rows.append(
        [
            "P3",
            "丙项目",
            "丙公司",
            "港澳台",
            "中国500强",
            "开工",
            120,
            0,
            dt.date(2019, 5, 1),
            dt.date(2019, 9, 1),
            None,
            "否",
            "否",
        ]
    )
    rows.append(
        ["P5", "戊项目", "戊公司", "内资", "无", "线索", 3, None, None, None, None, "否", "否"]
    )
    return rows


def test_a_quarter_end_snapshot_is_the_pipeline_when_there_is_one(ledger, tmp_path):
    snap = write_xlsx(tmp_path / "ledger-2020Q1.xlsx", _snapshot_rows())
    assert snapshot_for(tmp_path / "ledger.xlsx", "2020Q1") == snap
    assert snapshot_for(tmp_path / "ledger.xlsx", "2020Q2") is None
    at = ledger_at(ledger, Q1_END, snap)
    assert at.source == "snapshot" and at.snapshot == snap
    assert _stages(at.ledger) == {"P1": "intent", "P3": "started", "P5": "lead"}
    # arrivals to the end of March of projects the snapshot lists; P2's is left out and counted
    assert sorted(at.ledger.arrivals["project_id"]) == ["P1", "P3"]
    assert at.orphan_arrivals == 1
    # the current ledger wins over any snapshot once it is not older than the date
    assert ledger_at(ledger, dt.date(2020, 4, 30), snap).source == "ledger"


def test_a_bad_snapshot_is_reported_with_its_file_and_row(ledger, tmp_path):
    rows = _snapshot_rows()
    rows[2][5] = "已签"
    snap = write_xlsx(tmp_path / "ledger-2020Q1.xlsx", rows)
    with pytest.raises(DataFileError) as err:
        ledger_at(ledger, Q1_END, snap)
    [problem] = err.value.problems
    assert problem.row == 3 and problem.column == "阶段"
    assert "ledger-2020Q1.xlsx" in str(err.value) and "已签" in str(err.value)


def test_a_past_quarter_is_reviewed_on_the_pipeline_of_its_end():
    """The sample zone's 2020Q1 review reads ledger-2020Q1.xlsx; 2020Q2 the current ledger."""
    from workbook.review import review_params
    from workbook.review.report import build_review
    from workbook.review.sections.title import source_note

    q1 = build_review(review_params(SAMPLE_PARAMS, "2020Q1", trials=500))
    q2 = build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=500))
    s1, s2 = q1.summary(), q2.summary()
    snap = load_ledger(SAMPLE_PARAMS.parent.parent / "data" / "jining-2020" / "ledger-2020Q1.xlsx")
    assert s1["pipeline"]["source"] == "snapshot"
    assert s1["pipeline"]["snapshot"] == "ledger-2020Q1.xlsx"
    assert s2["pipeline"]["source"] == "ledger" and s2["pipeline"]["snapshot"] is None
    assert s1["pipeline"]["projects"] == len(snap.projects) != s2["pipeline"]["projects"]
    by_stage = snap.summary()["projects"].to_dict()
    assert {k: v["projects"] for k, v in s1["pipeline"]["by_stage"].items()} == by_stage
    assert s1["pipeline"]["signed_or_beyond"] < s2["pipeline"]["signed_or_beyond"]
    # facts end with the quarter: no April arrival in the first quarter's review
    assert s1["last_arrival"] == "2020-03-01" and s2["last_arrival"] == "2020-06-01"
    assert s1["targets"]["domestic_capital"]["actual"] < s2["targets"]["domestic_capital"]["actual"]
    assert "ledger-2020Q1.xlsx" in source_note(q1.context) and "ledger.xlsx" in source_note(
        q2.context
    )

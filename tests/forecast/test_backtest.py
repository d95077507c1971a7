"""Backtest: forecasts made at earlier quarter ends, scored against what the latest ledger shows."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.sim_zones import AS_OF, CERTAIN, make_zone, project, sample_zone
from workbook.cli import main
from workbook.forecast.backtest import backtest, zone_at
from workbook.forecast.engine import Engine
from workbook.text.errors import InputError
from workbook.zone.drivers import Drivers
from workbook.zone.ledger import load_ledger
from workbook.zone.metrics import actuals
from workbook.zone.params import load_params
from workbook.zone.snapshots import find_snapshots

YEAR_END = dt.date(2020, 12, 31)
# Fixed drivers: no parameter spread or shared shock where the engine has them.
FIXED = {k: 0 for k in ("driver_spread", "shared_shock") if k in Drivers.model_fields}


def test_replayed_forecasts_are_scored_exactly(tmp_path):
    """Certain drivers (every signed project starts 2 months later, no money without a plan).
    A signed in February, started in April, 1亿元 in February (before its start: a fact, no
    pace); B signed in May and never started. From 2020Q1: 2 starts (certain), 1亿元; from
    2020Q2: 2 starts, 1亿元. What happened: 1 start, 1亿元. Brier (0+1+0+1)/4 = 0.5; only the
    money falls inside its P10–P90."""
    zone = make_zone(
        tmp_path,
        [
            project("A", "started", signed_date="2020-02-10", start_date="2020-04-20"),
            project("B", "signed", signed_date="2020-05-20"),
        ],
        [{"project_id": "A", "month": "2020-02-01", "amount": 1.0}],
        targets={"domestic_capital": {"annual": 1}, "new_starts": {"annual": 2}},
        drivers={**CERTAIN, "months_to_start": 2, **FIXED},
    )
    bt = backtest(zone, "2020Q1-2020Q2", trials=200, horizon=YEAR_END)
    f = bt.forecasts.set_index(["quarter", "metric"])
    assert set(f["source"]) == {"replay"}
    expected = {
        ("2020Q1", "domestic_capital"): (1.0, 1.0, 1.0, 1.0, True),
        ("2020Q1", "new_starts"): (0.0, 1.0, 2.0, 1.0, False),
        ("2020Q2", "domestic_capital"): (1.0, 1.0, 1.0, 1.0, True),
        ("2020Q2", "new_starts"): (1.0, 1.0, 2.0, 1.0, False),
    }
    for key, (done, p, p50, outcome, met) in expected.items():
        row = f.loc[key]
        assert row["actual_to_date"] == pytest.approx(done), key
        assert row["p_attain"] == p and row["p10"] == row["p50"] == row["p90"] == pytest.approx(p50)
        assert (row["outcome"], bool(row["met"])) == (pytest.approx(outcome), met), key
    assert bt.brier == pytest.approx(0.5) and bt.coverage_p10_p90 == pytest.approx(0.5)
    out = bt.to_json()
    assert set(out) == {"forecasts", "brier", "coverage_p10_p90"}
    assert [set(r) for r in out["forecasts"]] == [
        {"quarter", "metric", "p_attain", "p10", "p50", "p90", "outcome", "met"}
    ] * 4
    json.dumps(out, allow_nan=False)


def test_backtest_is_calibrated_on_histories_drawn_from_its_own_drivers(tmp_path):
    """60 histories of 200 projects signed on 2020-03-31, drawn from known drivers (P(start)
    0.6, lag ceil(5 months x L) with L lognormal of mean 1 and log-sd 0.6; the target a random
    count between 95 and 122): the backtest from 2020Q1 to the year end gives each history's
    exact P(attain) (binomial) within 0.05, a P10–P90 coverage within 3 standard deviations of
    its exact expectation (about 0.82: counts are whole numbers), and a Brier score within 3
    standard deviations of mean(P·(1 − P))."""
    rng = np.random.default_rng(20)
    n, p, mean, sigma, histories = 200, 0.6, 5.0, 0.6, 60
    reach = p * stats.norm.cdf((np.log(9 / mean) + sigma**2 / 2) / sigma)  # P(start by Dec)
    rows = []
    for h in range(histories):
        lag = mean * np.exp(sigma * rng.standard_normal(n) - sigma**2 / 2)
        month = 3 + np.maximum(1, np.ceil(lag))
        starts = (rng.random(n) < p) & (month <= 12)
        projects = [
            project(
                f"H{h}P{i}",
                "started" if starts[i] else "signed",
                signed_date="2020-03-31",
                start_date=dt.date(2020, int(month[i]), 15) if starts[i] else None,
            )
            for i in range(n)
        ]
        target = int(rng.integers(95, 123))
        folder = tmp_path / f"h{h}"
        folder.mkdir()
        zone = make_zone(
            folder,
            projects,
            targets={"domestic_capital": {"annual": 1}, "new_starts": {"annual": target}},
            drivers={
                **CERTAIN,
                "start_probability": p,
                "months_to_start": mean,
                "lag_sigma": sigma,
                **FIXED,
            },
        )
        bt = backtest(zone, "2020Q1", trials=2000, seed=h, horizon=YEAR_END)
        row = bt.forecasts.set_index("metric").loc["new_starts"]
        assert row["outcome"] == starts.sum()
        exact = float(stats.binom.sf(target - 1, n, reach))
        assert row["p_attain"] == pytest.approx(exact, abs=0.05)
        rows.append(row)
    f = pd.DataFrame(rows)
    q10, q90 = stats.binom.ppf([0.1, 0.9], n, reach)
    c_star = stats.binom.cdf(q90, n, reach) - stats.binom.cdf(q10 - 1, n, reach)
    coverage = float(((f["p10"] <= f["outcome"]) & (f["outcome"] <= f["p90"])).mean())
    assert 0.78 < c_star < 0.86
    assert abs(coverage - c_star) <= 3 * np.sqrt(c_star * (1 - c_star) / histories)
    pa, met = f["p_attain"].to_numpy(float), f["met"].to_numpy(float)
    brier, expected = np.mean((pa - met) ** 2), np.mean(pa * (1 - pa))
    sd = np.sqrt(np.sum(pa * (1 - pa) * (1 - 2 * pa) ** 2)) / histories
    assert abs(brier - expected) <= 3 * sd, (brier, expected, sd)


def test_the_sample_forecasts_from_its_q1_snapshot_with_arrivals_cut():
    """The sample ledger is dated 2020-06-30 and keeps its 2020Q1 snapshot: the backtest starts
    from the snapshot (not the June ledger replayed), with the arrivals up to March only."""
    zone = sample_zone()
    bt = backtest(zone, trials=300, seed=3)
    assert bt.horizon == AS_OF and set(bt.forecasts["quarter"]) == {"2020Q1"}
    assert set(bt.forecasts["source"]) == {"snapshot"}
    snap = load_ledger(find_snapshots(zone.ledger.ledger_path)[0].path)
    q1 = dt.date(2020, 3, 31)
    past = zone_at(zone, q1, snap)
    assert len(past.ledger.projects) == len(snap.projects) != len(zone.ledger.projects)
    assert past.ledger.arrivals["month"].max() == pd.Timestamp(2020, 3, 1)
    facts = actuals(zone.params, past.ledger, q1)
    f = bt.forecasts.set_index("metric")
    for metric, value in facts.items():
        assert f.loc[metric, "actual_to_date"] == pytest.approx(value)
    direct = Engine(past, as_of=q1, trials=300, seed=3).forecast()
    fan = direct.fan("new_starts").set_index("month")
    assert f.loc["new_starts", "p50"] == fan.loc[pd.Timestamp(2020, 6, 1), "p50"]
    assert f.loc["new_starts", "outcome"] == actuals(zone.params, zone.ledger, AS_OF)["new_starts"]


@pytest.mark.parametrize(
    ("quarters", "message"),
    [
        ("2020Q2", "quarter 2020Q2 ends on 2020-06-30, not before 2020-06-30"),
        ("2019Q4", "quarter 2019Q4 is outside the plan year 2020"),
        ("2020Q3-2020Q1", "ends before it starts"),
        ("Q1", "quarter must look like 2020Q2"),
    ],
)
def test_bad_quarters_are_one_clear_error(quarters, message):
    with pytest.raises(InputError, match=message):
        backtest(sample_zone(), quarters, trials=10)


def test_cli_prints_the_table_and_strict_json(capsys):
    sample = "params/jining-2020.yaml"
    assert main(["backtest", sample, "--trials", "300"]) == 0
    out = capsys.readouterr().out
    assert "预测回测" in out and "季度快照" in out and "Brier评分" in out and "P10–P90" in out
    assert main(["backtest", sample, "--trials", "300", "--json", "--quarters", "2020Q1"]) == 0
    text = capsys.readouterr().out
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert set(data) == {"forecasts", "brier", "coverage_p10_p90"}
    n_targets = len(load_params(sample).targets.items())  # the ten built-ins and the zone's own
    assert len(data["forecasts"]) == n_targets and {r["quarter"] for r in data["forecasts"]} == {
        "2020Q1"
    }
    assert all(isinstance(r["met"], bool) for r in data["forecasts"])
    assert main(["backtest", sample, "--trials", "300", "--json", "--as-of", "2020-05-31"]) == 0
    may = {r["metric"]: r for r in json.loads(capsys.readouterr().out)["forecasts"]}
    truth = actuals(sample_zone().params, sample_zone().ledger, dt.date(2020, 5, 31))
    assert may["new_starts"]["outcome"] == truth["new_starts"]
    assert main(["backtest", sample, "--quarters", "2020Q3", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: quarter 2020Q3 ends on 2020-09-30") and err.count("\n") == 1


def test_a_bad_snapshot_is_one_clear_message_naming_file_row_and_column(tmp_path, capsys):
    """Calibration and the backtest both read the snapshot: a bad cell in it stops them with the
    reader's message (file, sheet, Excel row, column, expected vs found) and exit code 2."""
    import shutil

    import openpyxl

    from tests.sim_zones import SAMPLE_PARAMS

    shutil.copytree(SAMPLE_PARAMS.parent, tmp_path / "params")
    shutil.copytree(SAMPLE_PARAMS.parent.parent / "data", tmp_path / "data")
    snap = tmp_path / "data" / "jining-2020" / "ledger-2020Q1.xlsx"
    wb = openpyxl.load_workbook(snap)
    ws = wb.active
    stage_col = [c.value for c in ws[2]].index("阶段") + 1
    ws.cell(row=4, column=stage_col, value="已签")
    wb.save(snap)
    params = str(tmp_path / "params" / SAMPLE_PARAMS.name)
    for argv in (["calibrate", params], ["backtest", params, "--trials", "100"]):
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert "ledger-2020Q1.xlsx" in captured.err and "第4行" in captured.err
        assert "阶段" in captured.err and "已签" in captured.err


def test_earlier_snapshots_date_a_stage_the_ledger_leaves_undated():
    """Projects before signing without 阶段日期: one 意向 in every snapshot since the first is
    dated by the first (its age is at least that); one that became 意向 after the first snapshot
    by the middle of the quarter it appeared in; one whose stage changed since is left alone;
    a date the ledger gives is kept; signed projects are not touched."""
    from workbook.zone.snapshots import fill_stage_dates

    q1, q2 = dt.date(2020, 3, 31), dt.date(2020, 6, 30)

    def frame(rows):
        p = pd.DataFrame(rows, columns=["project_id", "stage", "stage_date"])
        p["stage_date"] = pd.to_datetime(p["stage_date"])
        return p

    earlier = [
        (q1, frame([("OLD", "intent", None), ("MOVED", "negotiating", None)])),
        (q2, frame([("OLD", "intent", None), ("NEW", "intent", None), ("MOVED", "intent", None)])),
    ]
    now = frame(
        [
            ("OLD", "intent", None),
            ("NEW", "intent", None),
            ("MOVED", "intent", None),
            ("GIVEN", "intent", "2019-05-01"),
            ("LATE", "intent", None),
            ("S", "signed", None),
        ]
    )
    got = fill_stage_dates(now, earlier).set_index("project_id")["stage_date"]
    mid_q2 = pd.Timestamp(q1) + (pd.Timestamp(q2) - pd.Timestamp(q1)) / 2
    assert got["OLD"] == pd.Timestamp(q1)
    assert got["NEW"] == mid_q2 and got["MOVED"] == mid_q2  # 意向 since the second snapshot
    assert got["GIVEN"] == pd.Timestamp("2019-05-01")
    assert pd.isna(got["LATE"]) and pd.isna(got["S"])
    assert now["stage_date"].isna().sum() == 5  # the input is not modified


def test_central_80_is_the_share_of_an_outcomes_randomized_rank_inside_the_band():
    """An outcome's rank among its trials, uniform on [P(X < y), P(X <= y)]: a tie spread over
    [0.05, 0.25] is inside [0.1, 0.9] for 0.15 / 0.2 of it; a point rank counts whole or not
    at all; the mean over forecasts is the backtest's central-80% coverage."""
    from workbook.forecast.backtest import Backtest, _ranks, central_80

    f = pd.DataFrame(
        {
            "below": [0.05, 0.5, 0.95, 0.0, 0.0],
            "at_or_below": [0.25, 0.5, 0.95, 1.0, 0.1],
        }
    )
    assert central_80(f).tolist() == pytest.approx([0.75, 1.0, 0.0, 0.8, 0.0])
    bt = Backtest(f, YEAR_END, 100, 1)
    assert bt.coverage_central_80 == pytest.approx((0.75 + 1 + 0 + 0.8 + 0) / 5)
    # ranks among trials, to float rounding: 3 below, 2 tied (one 1e-9 off), 5 above
    values = np.array([1, 2, 3, 4, 4 + 1e-9, 5, 6, 7, 8, 9], float)
    assert _ranks(values, 4.0) == {"below": 0.3, "at_or_below": 0.5}

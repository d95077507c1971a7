"""The synthetic-truth generator (tests/synth_truth.py) against the documented model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tests import synth_truth as st
from workbook.zone.ledger import load_ledger
from workbook.zone.loader import load_zone
from workbook.zone.metrics import actuals


def fresh(kind: str, n: int) -> st.Design:
    """n projects that all entered `kind` at the year start, no offices' leads."""
    return st.Design(
        kind=np.full(n, kind, dtype=object),
        entered=np.zeros(n),
        total=np.full(n, 2.0),
        planned=np.full(n, 1.2),
        foreign=np.zeros(n, bool),
        leads_per_quarter=(0.0, 0.0),
    )


def test_fresh_intent_projects_sign_at_the_stage_probability_after_its_mean_lag():
    """20,000 fresh 意向 projects: the share that ever signs is 0.5 (binomial sd 0.0035; checked
    within 4 sd, 0.014), the mean lag to signing 3 months (lognormal, sd of the mean
    3·sqrt(e^0.36 − 1)/sqrt(10,000) ≈ 0.019; within 0.08), and the lag's log-sd 0.6."""
    h = st.draw_history(np.random.default_rng(7), fresh("intent", 20_000))
    signed = h["t_sign"].dropna()
    assert len(signed) / len(h) == pytest.approx(0.5, abs=0.014)
    assert signed.mean() == pytest.approx(3.0, abs=0.08)
    assert np.log(signed).std() == pytest.approx(0.6, abs=0.02)
    started = h["t_start"].notna().sum() / len(signed)
    assert started == pytest.approx(0.7, abs=0.02)  # P(start | signed), sd 0.0046


def test_a_started_project_pays_pace_times_plan_over_12_every_month_from_its_start_month():
    """Signed cohort starting at known times: each pays X·P/12 in every month from the month
    holding its start (January if before the year) to December, nothing before; X has the
    arrival ratio's mean 0.6 (Beta(3.6, 2.4), sd of the mean of 2,000 ≈ 0.0042)."""
    d = fresh("signed", 2000)
    h = st.draw_history(np.random.default_rng(3), d)
    money = st.monthly_arrivals(h)
    t_start = h["t_start"].to_numpy()
    for i in range(200):
        row = money[i]
        if not np.isfinite(t_start[i]) or t_start[i] > 12:
            assert (row == 0).all()
            continue
        first = max(int(np.ceil(t_start[i])), 1)
        assert (row[: first - 1] == 0).all()
        assert row[first - 1 :] == pytest.approx(np.full(13 - first, h["monthly_cny"].iat[i]))
    pace = h["monthly_cny"].to_numpy() * 12 / d.planned
    assert pace.mean() == pytest.approx(0.6, abs=0.017)


def test_dates_fall_in_the_month_holding_their_time():
    assert st.to_date(0.5) == dt.date(2020, 1, 16)
    assert st.to_date(1e-9) == dt.date(2020, 1, 1)
    assert st.to_date(3.0) == dt.date(2020, 3, 31)
    assert st.to_date(-0.01) == dt.date(2019, 12, 31)
    assert st.to_date(-11.99) == dt.date(2019, 1, 1)
    assert st.to_date(float("nan")) is None


def test_written_zone_loads_and_its_final_ledger_shows_the_drawn_truth(tmp_path):
    """The files pass the project's own readers; what the final ledger and arrivals count
    (`actuals` at the year end) is the generator's year-end truth; each snapshot holds only
    what was known at its quarter end, with every project's stage entry date by then."""
    z = st.make_zone(tmp_path, 5)
    zone = load_zone(z.params)
    assert zone.params.drivers.shared_shock == 0 and zone.params.drivers.driver_spread == 0
    got = actuals(zone.params, zone.ledger, dt.date(2020, 12, 31))
    for metric, value in z.truth.items():
        assert got[metric] == pytest.approx(value, abs=1e-6), metric
    final = zone.ledger.projects.set_index("project_id")
    for quarter, tau in st.QUARTER_ENDS.items():
        snap = load_ledger(tmp_path / f"ledger-{quarter}.xlsx")
        end = pd.Timestamp(st.to_date(tau))
        p = snap.projects.set_index("project_id")
        assert set(p.index) <= set(final.index)
        for col in ("signed_date", "start_date", "production_date"):
            assert (p[col].dropna() <= end).all()
            later = final.loc[p.index, col]
            known = later <= end
            assert (p.loc[known, col] == later[known]).all(), (quarter, col)
        entry = snap.projects["stage_date"]  # read by the ledger as its stage_date column
        assert (entry <= end).all() and entry.notna().all()

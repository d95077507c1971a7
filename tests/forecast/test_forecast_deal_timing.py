"""New deals are timed within their month (README, "New deals"): an event's leads arrive
through the month it is held in, a channel's through every month after the as-of date, and a
deal signs a lag after its lead arrives (it used to count leads at the end of their month)."""

from __future__ import annotations

import pytest

from tests.sim_zones import AS_OF, event, make_zone


def _signings(tmp_path, lag: float, month: int, trials: int = 20_000) -> tuple[float, float]:
    """(in-year new signings per trial, the expected number of deals)."""
    from workbook.forecast.engine import Engine

    events = [event("EV1", lag_months=lag, expected_leads=20.0, conversion=0.1)]
    drivers = {"lag_sigma": 0, "channels": {"conversion": 0}, "shared_shock": 0}
    metrics = {"signings": {"label": "新签约", "count": "signed"}}
    targets = {"domestic_capital": {"annual": 1}, "signings": {"annual": 1}}
    zone = make_zone(
        tmp_path,
        [],
        targets=targets,
        metrics=metrics,
        events=events,
        drivers={**drivers, "driver_spread": 0},
        event_plan=[{"event_id": "EV1", "month": month}],
    )
    fc = Engine(zone, as_of=AS_OF, trials=trials, seed=9).forecast()
    return float(fc.year_end("signings").mean()), 20.0 * 0.1


@pytest.mark.parametrize(
    "lag, month, share",
    [
        (1.5, 11, 0.5),  # leads through November + 1.5 months: half sign in December
        (0.5, 12, 0.5),  # a December event, half a month: half sign before the year ends
        (2.0, 10, 1.0),  # two months after a time in October: in December
        (2.5, 11, 0.0),  # two and a half months after a time in November: next year
        (1.0, 9, 1.0),  # a month after a time in September: in October
    ],
)
def test_a_deal_signs_a_lag_after_a_lead_within_the_month(tmp_path, lag, month, share):
    mean, expected = _signings(tmp_path, lag, month)
    assert mean == pytest.approx(share * expected, abs=0.03)

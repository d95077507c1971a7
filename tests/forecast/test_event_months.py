"""An event's draws do not depend on its month (workbook.forecast.setup.Source.key): the same
event held a month later has the same leads, sizes and lags, later, so in every trial it adds no
more by December than held earlier; a second holding of the same event in one plan has draws of
its own."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbook.forecast.engine import Engine
from workbook.zone.loader import load_zone

METRICS = ["domestic_capital", "foreign_capital"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    zone = load_zone("params/jining-2020.yaml")
    return Engine(zone, as_of=dt.date(2020, 3, 31), trials=3000, seed=5)


def _plan(*rows: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"event_id": [e for e, _ in rows], "month": [m for _, m in rows]})


@pytest.mark.parametrize("event_id", ["EV04", "EV07", "EV18"])
def test_an_event_held_later_never_adds_more_in_any_trial(engine, event_id):
    months = [4, 5, 6, 7, 8]
    plan = _plan(*((event_id, m) for m in months))
    every = engine.event_values(None, plan, METRICS)  # (trials, months, metrics)
    assert every.shape == (3000, len(months), len(METRICS))
    assert (every[:, 0, 0] > 0).mean() > 0.1  # the event does add something in many trials
    for i in range(len(months) - 1):
        assert (every[:, i + 1, :] <= every[:, i, :] + 1e-9).all()
    # the same luck, later: a trial where May's holding adds nothing is one where it did not
    # land in time, never one whose leads were drawn again
    later, earlier = every[:, 1, 0], every[:, 0, 0]
    assert np.corrcoef(later, earlier)[0, 1] > 0.8


def test_each_row_measured_alone_equals_that_row_held_alone(engine):
    """`event_values` gives each row as if it were the only holding: the new-deal part with
    that row held, less the part with none."""
    none = engine.new_deal_values(None, _plan(), METRICS)
    rows = [("EV04", 4), ("EV04", 6), ("EV07", 5)]
    every = engine.event_values(None, _plan(*rows), METRICS)
    for i, row in enumerate(rows):
        alone = engine.new_deal_values(None, _plan(row), METRICS) - none
        assert np.abs(every[:, i, :] - alone).max() < 1e-9


def test_a_second_holding_of_the_same_event_has_draws_of_its_own(engine):
    none = engine.new_deal_values(None, _plan(), METRICS)
    april = engine.new_deal_values(None, _plan(("EV04", 4)), METRICS) - none
    june = engine.new_deal_values(None, _plan(("EV04", 6)), METRICS) - none
    both = engine.new_deal_values(None, _plan(("EV04", 4), ("EV04", 6)), METRICS) - none
    second = both - april  # what holding it again in June adds to April's holding
    # the first holding of the year is April's, whatever order the rows are given in
    again = engine.new_deal_values(None, _plan(("EV04", 6), ("EV04", 4)), METRICS) - none
    assert np.abs(again - both).max() < 1e-9
    # June held again is June's law (same mean within Monte Carlo error) on new draws: not a
    # copy of June held alone, nor of April
    x, y = second[:, 0], june[:, 0]
    se = np.sqrt(x.var() / len(x) + y.var() / len(y))
    assert abs(x.mean() - y.mean()) < 4 * se
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.15
    assert abs(np.corrcoef(x, april[:, 0])[0, 1]) < 0.15


def test_a_rows_values_are_the_same_to_the_last_bit_whatever_else_the_plan_holds(engine):
    """Each row of `event_values` is summed on its own (its deals in their own order, the two
    halves run at once sharing no row): the rows given in another order, or one row alone,
    give exactly the same numbers, and a rerun too."""
    rows = [("EV04", 4), ("EV07", 5), ("EV18", 6), ("EV04", 6), ("EV10", 7)]
    every = engine.event_values(None, _plan(*rows), METRICS)
    assert ((every > 0).mean(axis=0) > 0.001).all(axis=0).any()  # each row adds in some trials
    reversed_ = engine.event_values(None, _plan(*rows[::-1]), METRICS)
    assert np.array_equal(every, reversed_[:, ::-1, :])
    for i, row in enumerate(rows[:3]):
        alone = engine.event_values(None, _plan(row), METRICS)
        assert np.array_equal(every[:, i, :], alone[:, 0, :])
    assert np.array_equal(every, engine.event_values(None, _plan(*rows), METRICS))

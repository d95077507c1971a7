"""A metric's `where` mask is worked out once per ledger frame (workbook.zone.metrics): the
same answer as the conditions checked afresh, a copy the caller may change, and made again
when the frame's columns change or a new frame takes its place."""

from __future__ import annotations

import gc

import pandas as pd

from workbook.zone.declarations import Condition
from workbook.zone.metrics import condition_mask, where_mask


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "industry": ["新材料", " 新材料", "医药", None, "新材料"],
            "total_investment": [10.0, 35.0, None, 120.0, 30.0],
        }
    )


WHERE = (
    Condition(column="industry", op="==", value="新材料"),
    Condition(column="total_investment", op=">=", value=30.0),
)


def test_the_mask_is_the_conditions_and_a_copy_each_time():
    p = _frame()
    first = where_mask(p, WHERE)
    assert first.tolist() == [False, True, False, False, True]
    fresh = condition_mask(p, WHERE[0]) & condition_mask(p, WHERE[1])
    assert first.tolist() == fresh.tolist()
    first &= False  # a caller narrowing its mask in place
    assert where_mask(p, WHERE).tolist() == [False, True, False, False, True]
    assert where_mask(p, ()).tolist() == [True] * 5


def test_a_changed_or_new_frame_is_judged_afresh():
    p = _frame()
    assert where_mask(p, WHERE).tolist() == [False, True, False, False, True]
    p["stage"] = "signed"  # the loader adds columns to a frame it made
    p.loc[:, "total_investment"] = [50.0, 1.0, 1.0, 1.0, 1.0]
    assert where_mask(p, WHERE).tolist() == [True, False, False, False, False]
    del p
    gc.collect()
    q = _frame()  # may take the id of the frame gone
    q["total_investment"] = [0.0] * 5
    q["stage"] = "signed"
    assert where_mask(q, WHERE).tolist() == [False] * 5


def test_a_value_that_does_not_hash_is_checked_every_time():
    p = _frame()
    where = (Condition(column="industry", op="in", value=["医药", "新材料"]),)
    assert where_mask(p, where).tolist() == [True, True, True, False, True]
    p["x"] = 1
    assert where_mask(p, where).tolist() == [True, True, True, False, True]

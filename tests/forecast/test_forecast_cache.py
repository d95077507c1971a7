"""What an engine keeps between forecasts never goes stale: every leaf of `Drivers` (nested
models included, each given a valid changed value derived from its type and bounds) and every
kind of change to an event plan, forecast by an engine that kept the results of earlier
forecasts, gives bit for bit what a fresh engine gives. The caches are keyed by exclusion
(workbook.forecast.cachekeys), so a driver added later is walked here too."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

import annotated_types
import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

from tests.sim_zones import AS_OF, event, make_zone, project, sample_zone
from workbook.forecast.cachekeys import leaves
from workbook.forecast.engine import Engine
from workbook.forecast.protocol import DealForecaster
from workbook.zone.drivers import Drivers

TRIALS = 600


def _bounds(metadata: list[Any]) -> tuple[float, float, bool]:
    """(lowest, highest, strict low) allowed by a field's constraints."""
    lo, hi, strict = 0.0, float("inf"), False
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            lo = float(m.ge)
        elif isinstance(m, annotated_types.Gt):
            lo, strict = float(m.gt), True
        elif isinstance(m, annotated_types.Le):
            hi = float(m.le)
        elif isinstance(m, annotated_types.Lt):
            hi = float(m.lt) - 1e-9
    return lo, hi, strict


def _example(model: type[BaseModel]) -> BaseModel:
    """A valid instance of a model whose first tuple-of-literals field holds its first literal."""
    for name, info in model.model_fields.items():
        args = typing.get_args(info.annotation)
        if args and typing.get_origin(args[0]) is typing.Literal:
            return model(**{name: (typing.get_args(args[0])[0],)})
    raise AssertionError(f"no way to build a {model.__name__}: extend _example")


def _changed(value: Any, annotation: Any, metadata: list[Any]) -> Any:
    """A valid value other than `value` for a field of this type and these bounds."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        if value is None:  # an optional number: set it
            lo, hi, _ = _bounds(metadata)
            return min(lo + 1.5, hi)
        return None
    if typing.get_origin(annotation) is tuple and isinstance(args[0], type):
        assert issubclass(args[0], BaseModel), annotation
        return (*value, _example(args[0]))
    lo, hi, strict = _bounds(metadata)
    hi = min(hi, 2 * abs(value) + 1)
    if annotation is int:
        return value + 1 if value + 1 <= hi else value - 1
    assert annotation is float, f"a leaf of type {annotation}: extend _changed"
    new = value + (hi - value) / 2 if hi > value else (value + lo) / 2
    assert new != value and lo <= new <= hi and not (strict and new == lo)
    return new


def driver_changes(
    model: type[BaseModel] = Drivers, value: BaseModel | None = None, prefix: str = ""
) -> Iterator[tuple[str, Any]]:
    """(dotted path, changed value) for every leaf of the drivers, from the model's fields."""
    value = value if value is not None else Drivers()
    for name, info in model.model_fields.items():
        current = getattr(value, name)
        if isinstance(current, BaseModel):
            yield from driver_changes(type(current), current, f"{prefix}{name}.")
        else:
            yield prefix + name, _changed(current, info.annotation, info.metadata)


def test_the_walk_covers_every_leaf_of_the_drivers():
    paths = [p for p, _ in driver_changes()]
    assert paths == [p for p, _ in leaves(Drivers())]
    assert len(paths) >= 40


def _small_zone(tmp_path):
    """Projects at every stage (some that waited in their stage, a started one with arrivals,
    a plan), offices that bring leads, three kinds of events, a metric judged on the start
    month (so new deals' marks read the start and production drivers)."""
    metrics = {
        "late_starts": {
            "label": "8月起开工",
            "count": "started",
            "where": {"start_date": ">= 2020-08-01"},
        },
        "all_signed": {"label": "签约", "count": "signed"},
    }
    projects = [
        project("A", "lead"),
        project("B", "visit", stage_date="2020-03-01"),
        project("C", "intent", stage_date="2020-05-01", planned_inflow=0.5),
        project("D", "signed", signed_date="2020-04-01", planned_inflow=1.0),
        project(
            "E",
            "started",
            signed_date="2020-01-10",
            start_date="2020-02-01",
            capital_type="foreign",
        ),
        project(
            "F",
            "producing",
            signed_date="2019-05-01",
            start_date="2019-06-01",
            production_date="2019-12-01",
        ),
    ]
    arrivals = [{"project_id": "E", "month": f"2020-0{m}-01", "amount": 0.1} for m in (2, 3, 4)]
    offices = [
        {
            "id": "yrd",
            "name": "驻长三角",
            "name_en": "YRD",
            "region": "长三角",
            "leads_per_quarter": 6,
        },
        {
            "id": "eu",
            "name": "驻欧洲",
            "name_en": "EU",
            "region": "欧洲",
            "leads_per_quarter": 3,
            "overseas": True,
        },
    ]
    events = [
        event("E1", lag_months=1),
        event("E2", kind="overseas", channel="eu", foreign_share=0.8),
        event("E3", kind="cloud", expected_leads=30),
    ]
    targets = {"domestic_capital": {"annual": 5}, "foreign_capital": {"annual": 1},
               **{k: {"annual": 2} for k in metrics}}  # fmt: skip
    plan = [
        {"event_id": "E1", "month": 7},
        {"event_id": "E2", "month": 9},
        {"event_id": "E3", "month": 8},
    ]
    return make_zone(
        tmp_path, projects, arrivals, targets=targets, metrics=metrics, offices=offices,
        events=events, event_plan=plan,
    )  # fmt: skip


@pytest.fixture(params=["sample", "small"])
def zone(request, tmp_path):
    return sample_zone() if request.param == "sample" else _small_zone(tmp_path)


def _same(kept, fresh, what) -> None:
    assert np.array_equal(kept._future, fresh._future), what
    for name, part in fresh.setup.parts.items():
        assert np.array_equal(kept.setup.parts[name], part), (what, name)
    for metric in ("domestic_capital", kept.engine.keys[-1]):
        assert kept.fan(metric).equals(fresh.fan(metric)), (what, metric)


def test_every_driver_kept_or_fresh_gives_the_same_forecast(zone):
    base = zone.params.drivers
    engine = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=5)
    assert isinstance(engine, DealForecaster)
    plan, metrics = engine.base_plan, [engine.keys[0], engine.keys[-1]]
    moved = []
    steps = [(p, v) for p, v in driver_changes(Drivers, base)]
    steps.append(("shared_shock", 0.0))  # the climate off, then on again
    for path, value in steps:
        drivers = base.replace(path, value)
        engine.forecast(base).fan("domestic_capital")  # what is kept: the base forecast's
        kept = engine.forecast(drivers)
        other = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=5)
        fresh = other.forecast(drivers)
        _same(kept, fresh, path)
        engine.new_deal_values(base, plan, metrics)  # the roadshow's part alone, kept
        new = engine.new_deal_values(drivers, plan, metrics)
        assert np.array_equal(new, other.new_deal_values(drivers, plan, metrics)), path
        moved.append(not np.array_equal(fresh._future, engine.forecast(base)._future))
    # the changes are felt: the walk exercises the caches rather than passing by them
    assert sum(moved) >= len(steps) - 8, [s for s, m in zip(steps, moved, strict=True) if not m]


def _plans(plan: pd.DataFrame, engine: Engine) -> Iterator[tuple[str, pd.DataFrame]]:
    future = plan[plan["month"] > engine.month].reset_index(drop=True)
    first = future.iloc[0]
    months = [m for m in engine.zone.events.set_index("event_id").loc[first["event_id"], "months"]
              if m > engine.month and m != first["month"]]  # fmt: skip
    yield "without its first event", future.iloc[1:].reset_index(drop=True)
    moved = future.copy()
    moved.loc[0, "month"] = months[0]
    yield "its first event moved", moved
    yield "its first event twice", pd.concat([future, future.iloc[:1]], ignore_index=True)
    yield (
        "another event added",
        pd.concat(
            [future, pd.DataFrame({"event_id": [str(first["event_id"])], "month": [months[-1]]})],
            ignore_index=True,
        ),
    )
    yield "no events", future.iloc[:0]
    yield "reversed", future.iloc[::-1].reset_index(drop=True)


def test_every_kind_of_plan_change_kept_or_fresh_gives_the_same_forecast(zone):
    engine = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=5)
    base = engine.base_plan
    for what, plan in _plans(base, engine):
        engine.forecast(plan=base)
        kept = engine.forecast(plan=plan)
        fresh = Engine(zone, as_of=AS_OF, trials=TRIALS, seed=5).forecast(plan=plan)
        _same(kept, fresh, what)

"""Drivers and scenarios in a params file: defaults, overrides, and bad values named by key."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import SAMPLE_PARAMS, small_ledger_rows, write_params, write_xlsx
from workbook.text.errors import ParamsError
from workbook.zone.drivers import Drivers
from workbook.zone.params import load_params


def params_with(tmp_path, **sections):
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    return write_params(tmp_path / "zone.yaml", ledger, **sections)


def problems(path) -> list[str]:
    with pytest.raises(ParamsError) as err:
        load_params(path)
    return err.value.lines("en")


def test_drivers_default_when_left_out(tmp_path):
    p = load_params(params_with(tmp_path))
    assert p.drivers == Drivers()
    assert p.drivers.stage_probability.intent == 0.65
    assert p.scenarios == {} and p.event_plan == ()


def test_sample_scenarios_apply_over_the_drivers():
    p = load_params(SAMPLE_PARAMS)
    assert list(p.scenarios) == ["基准", "疫情延迟", "乐观"]
    covid = p.drivers.apply(p.scenarios["疫情延迟"].drivers)
    assert covid.slip_months == 3
    assert covid.events.is_cancelled("EV09", "overseas", "japan", 6)
    assert not covid.events.is_cancelled("EV09", "overseas", "japan", 7)
    assert covid.stage_probability == p.drivers.stage_probability  # untouched keys stay
    hopeful = p.drivers.apply(p.scenarios["乐观"].drivers)
    assert hopeful.stage_probability.intent == 0.75
    assert hopeful.stage_probability.lead == p.drivers.stage_probability.lead
    assert hopeful.arrival_ratio.mean == 0.7
    assert hopeful.arrival_ratio.concentration == p.drivers.arrival_ratio.concentration
    assert len(p.event_plan) == 10


def test_probability_above_one_names_the_key(tmp_path):
    path = params_with(tmp_path, drivers={"stage_probability": {"visit": 1.3}})
    assert problems(path) == [f"{path}: drivers.stage_probability.visit must be <= 1, got 1.3"]


def test_negative_lag_names_the_key(tmp_path):
    path = params_with(
        tmp_path, drivers={"months_to_start": -2, "channels": {"months_to_sign": -1}}
    )
    assert problems(path) == [
        f"{path}: drivers.months_to_start must be >= 0, got -2",
        f"{path}: drivers.channels.months_to_sign must be >= 0, got -1",
    ]


def test_bad_scenario_override_names_the_scenario_and_key(tmp_path):
    path = params_with(
        tmp_path,
        scenarios={"乐观": {"drivers": {"stage_probability": {"visit": 1.3}, "slip_months": -1}}},
    )
    assert problems(path) == [
        f"{path}: scenarios.乐观.drivers.stage_probability.visit must be <= 1, got 1.3",
        f"{path}: scenarios.乐观.drivers.slip_months must be >= 0, got -1",
    ]


def test_misspelt_driver_lists_the_valid_keys(tmp_path):
    path = params_with(tmp_path, drivers={"stage_probabilty": {"visit": 0.3}})
    (line,) = problems(path)
    assert line.startswith(f"{path}: drivers: unknown key 'stage_probabilty' (valid keys: ")
    assert "stage_probability, months_to_sign, start_probability" in line
    path = params_with(tmp_path, drivers={"stage_probability": {"site_visit": 0.3}})
    assert problems(path) == [
        f"{path}: drivers.stage_probability: unknown key 'site_visit' "
        "(valid keys: lead, contact, visit, negotiating, intent)"
    ]


def test_bad_cancellation_and_plan_month(tmp_path):
    path = params_with(
        tmp_path,
        scenarios={"x": {"drivers": {"events": {"cancelled": [{"months": [1, 2]}]}}}},
        event_plan=[{"event_id": "EV1", "month": 13}],
    )
    assert problems(path) == [
        f"{path}: scenarios.x.drivers.events.cancelled.0: a cancellation must name kinds, "
        "events or channels",
        f"{path}: event_plan.0.month must be <= 12, got 13",
    ]


def test_replace_and_get_by_path():
    d = Drivers()
    assert d.replace("channels.conversion", 0.1).channels.conversion == 0.1
    assert d.replace("channels.conversion", 0.1).channels.size_median == d.channels.size_median
    assert d.get("arrival_ratio.mean") == 0.6
    with pytest.raises(KeyError):
        d.get("arrival_ratio.median")
    with pytest.raises(ValueError, match="less than or equal to 1"):
        d.replace("start_probability", 1.5)
    assert d.replace("start_probability", 0.5) != d and d.start_probability == 0.7  # frozen


def test_sample_params_yaml_keeps_every_driver_key():
    """The sample file spells out the drivers it sets; each is a real key."""
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    assert set(data["drivers"]) <= set(Drivers.model_fields)

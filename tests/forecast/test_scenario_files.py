"""Saved scenario files: only what differs is written, the file reads back to the same drivers,
an existing file is never replaced without overwrite=True, and writes are atomic."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tests.conftest import SAMPLE_PARAMS
from workbook.forecast.scenario_files import (
    check_name,
    driver_overrides,
    load_scenario_file,
    make_scenario,
    save_scenario,
    saved_scenarios,
    scenario_dir,
)
from workbook.text.errors import InputError, ParamsError
from workbook.zone.drivers import Drivers
from workbook.zone.params import load_params


@pytest.fixture
def params(tmp_path):
    """The sample params copied into a temp folder (so scenarios/ lands there)."""
    src = SAMPLE_PARAMS.parent.parent
    shutil.copytree(src / "data" / "jining-2020", tmp_path / "data" / "jining-2020")
    (tmp_path / "params").mkdir()
    shutil.copy(SAMPLE_PARAMS, tmp_path / "params" / SAMPLE_PARAMS.name)
    return load_params(tmp_path / "params" / SAMPLE_PARAMS.name)


def test_driver_overrides_hold_only_what_changed():
    base = Drivers()
    new = base.replace("slip_months", 3).replace("arrival_ratio.mean", 0.4)
    assert driver_overrides(base, new) == {"slip_months": 3, "arrival_ratio": {"mean": 0.4}}
    assert driver_overrides(base, base) == {}


def test_saved_scenario_reads_back_to_the_same_drivers(params):
    drivers = params.drivers.replace("slip_months", 2).replace("channels.conversion", 0.05)
    sc = make_scenario(params, drivers, description="试一试")
    path = save_scenario(params, "延迟两月", sc)
    assert path == scenario_dir(params) / "延迟两月.yaml"
    assert path.parent == params.source.parent / "scenarios" / "jining-2020"
    name, back = load_scenario_file(path)
    assert name == "延迟两月"
    assert params.drivers.apply(back.drivers) == drivers
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["params"] == "../../jining-2020.yaml"
    assert doc["scenario"]["drivers"] == {"slip_months": 2, "channels": {"conversion": 0.05}}
    assert saved_scenarios(params) == {"延迟两月": path}


def test_existing_file_is_not_replaced_without_overwrite(params):
    first = make_scenario(params, params.drivers.replace("slip_months", 1))
    second = make_scenario(params, params.drivers.replace("slip_months", 5))
    path = save_scenario(params, "A", first)
    before = path.read_bytes()
    with pytest.raises(InputError, match="already saved"):
        save_scenario(params, "A", second)
    assert path.read_bytes() == before
    save_scenario(params, "A", second, overwrite=True)
    assert load_scenario_file(path)[1].drivers.slip_months == 5
    assert [p.name for p in path.parent.iterdir()] == ["A.yaml"]  # no temp file left behind


def test_a_params_scenario_name_or_a_bad_file_name_is_refused(params):
    sc = make_scenario(params, params.drivers)
    with pytest.raises(InputError, match="scenario of the params"):
        save_scenario(params, "疫情延迟", sc)
    for bad in ("", "  ", "a/b", "..x", 'a"b'):
        with pytest.raises(InputError):
            check_name(bad)
    assert check_name(" 乐观-加强 ") == "乐观-加强"


def test_a_broken_scenario_file_names_file_and_key(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("name: x\nscenario:\n  drivers: {slip_months: -1}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"x\.yaml: scenario: drivers\.slip_months"):
        load_scenario_file(path)
    path.write_text("just text\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="expected keys"):
        load_scenario_file(path)

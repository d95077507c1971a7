"""The app's audit log and the kernel's distrust of page values, without a server: lines are
appended (never rewritten), owner-only, escaped when shown; a kernel learns its user from the
owner file the app writes; a control value out of its range is refused beside the control."""

from __future__ import annotations

import datetime as dt
import json
import math
import stat

import pytest

from tests.conftest import SAMPLE_PARAMS
from workbook.planners import audit
from workbook.planners.driver_controls import check_values
from workbook.planners.home import audit_html
from workbook.text.errors import InputError


def test_audit_lines_are_appended_owner_only_and_read_back(tmp_path):
    params = tmp_path / "jining-2020.yaml"
    audit.record(params, "login", "wang", address="10.0.0.2")
    audit.record(params, "save", "wang", what="延迟五个月")
    audit.record(params, "overwrite", "zhao", what="延迟五个月")
    path = tmp_path / "audit" / "jining-2020.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["event"] for x in lines] == ["login", "save", "overwrite"]
    first = json.loads(lines[0])
    assert first["user"] == "wang" and first["zone"] == "jining-2020"
    assert dt.datetime.fromisoformat(first["at"]).tzinfo is not None
    with path.open("a", encoding="utf-8") as out:
        out.write("not json\n")
    assert [x["user"] for x in audit.read_audit(params)] == ["wang", "wang", "zhao"]
    with pytest.raises(ValueError):
        audit.record(params, "delete", "wang")


def test_audit_page_escapes_what_it_shows():
    page = audit_html(
        "济宁高新区", [{"at": "t", "event": "save", "user": "<b>x</b>", "what": "<i>"}]
    )
    assert "<td>保存情景</td>" in page and "&lt;b&gt;x&lt;/b&gt;" in page and "<i>" not in page


def test_a_kernel_learns_its_user_from_the_owner_file(tmp_path, monkeypatch):
    audit.write_owner(tmp_path, "abc-1", "wang", "plan")
    assert json.loads(audit.owner_file(tmp_path, "abc-1").read_text()) == {
        "user": "wang",
        "role": "plan",
    }
    monkeypatch.delenv(audit.ENV_OWNERS, raising=False)
    assert audit.this_kernels_owner() is None  # not under the app


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ({"conversion": 40.0}, "conversion：须在 0.3 到 2 之间，实际为 40.0"),
        ({"conversion": math.nan}, "conversion：须在 0.3 到 2 之间，实际为 nan"),
        ({"slip_months": 2.5}, "slip_months：须在 0 到 12 之间，实际为 2.5"),
        ({"fx": -1.0}, "fx：须在 5.5 到 8 之间，实际为 -1.0"),
    ],
)
def test_control_values_out_of_range_are_refused(values, shown):
    with pytest.raises(InputError) as exc:
        check_values(values)
    assert exc.value.lines("zh") == [shown]


def test_in_range_values_pass():
    check_values({"conversion": 2.0, "slip_months": 12.0, "fx": 5.5, "leads_cloud": 0.0})


def test_the_scenario_planner_refuses_a_value_beyond_its_slider_beside_the_controls(tmp_path):
    """What a crafted comm message does: move the slider's max, then its value."""
    from workbook.forecast.engine import Engine
    from workbook.planners.scenario import ScenarioPlanner
    from workbook.zone.loader import load_zone

    engine = Engine(load_zone(SAMPLE_PARAMS), as_of=dt.date(2020, 6, 30), trials=500, seed=1)
    planner = ScenarioPlanner(engine, save_dir=tmp_path / "saved")
    before = planner.drivers
    slider = planner.controls["conversion"]
    slider.max = 100
    slider.value = 40
    assert (
        planner.errors.text
        == f"{planner._control_label('conversion')}：须在 0.3 到 2 之间，实际为 40.0。"
    )
    assert "conversion" not in planner.errors.text  # the control's own (Chinese) label

    from workbook.planners.roadshow import RoadshowPlanner

    roadshow = RoadshowPlanner(engine, out_dir=tmp_path / "plans")
    plan = roadshow.plan
    top = roadshow.budget.max
    roadshow.budget.max = 10**9
    roadshow.budget.value = 10**9
    assert roadshow.errors.text.endswith(f"须在 0 到 {top:g} 之间，实际为 1000000000。")
    assert roadshow.plan is plan  # not replanned with it
    assert planner.drivers == before  # nothing computed with it


def test_exports_go_to_the_users_own_folder_under_the_app(monkeypatch, tmp_path):
    from workbook.planners.controls import user_folder

    assert user_folder(tmp_path) == tmp_path  # JupyterLab, papermill: the folder as given
    monkeypatch.setattr(audit, "this_kernels_owner", lambda: {"user": "wang", "role": "plan"})
    assert user_folder(tmp_path) == tmp_path / "wang"

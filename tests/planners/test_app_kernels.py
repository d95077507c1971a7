"""Kernel seats without a server: the caps per user and for the server count kernels handed to
pages and pages being opened (so pages opened at once cannot overshoot), and a kernel shut down
frees its seat."""

from __future__ import annotations

from workbook.planners.kernels import KernelSeats


def test_caps_per_user_and_for_the_server():
    seats = KernelSeats(max_kernels=3, per_user=2)
    a1, a2 = seats.reserve("wang"), seats.reserve("wang")
    assert a1 is not None and a2 is not None
    assert seats.reserve("wang") is None  # wang's two pages are being opened
    seats.claim(a1, "k1")
    assert seats.held("wang") == 2 and seats.held() == 2  # counted once, as its kernel
    seats.release(a1)  # the page is done: its seat is its kernel now
    assert seats.held("wang") == 2
    seats.release(a2)  # a page that failed before it had a kernel gives its seat back
    assert seats.held("wang") == 1
    b = seats.reserve("zhao")
    seats.claim(b, "k2")
    c = seats.reserve("wang")
    seats.claim(c, "k3")
    assert seats.held() == 3
    assert seats.reserve("li") is None  # the server is full
    assert seats.owner("k2") == "zhao" and seats.owner("k9") is None
    seats.forget("k2")  # zhao's page closed: its kernel shut down
    assert seats.reserve("li") is not None


def test_a_view_only_kernel_disables_and_refuses_save_and_export(monkeypatch, tmp_path):
    """A page `workbook app` opened for a 查看 user (WORKBOOK_ROLE=view): the save and export
    buttons are disabled, and a click sent to the kernel anyway (a comm message) is refused
    beside the control, with nothing written."""
    import datetime as dt

    from tests.conftest import SAMPLE_PARAMS
    from workbook.forecast.engine import Engine
    from workbook.planners.roadshow import RoadshowPlanner
    from workbook.planners.scenario import ScenarioPlanner
    from workbook.planners.zones import ENV_ROLE
    from workbook.zone.loader import load_zone

    monkeypatch.setenv(ENV_ROLE, "view")
    engine = Engine(load_zone(SAMPLE_PARAMS), as_of=dt.date(2020, 6, 30), trials=500, seed=1)
    scenario = ScenarioPlanner(engine, save_dir=tmp_path / "saved")
    assert scenario.save_button.disabled
    scenario.save_name.value = "延迟五个月"
    scenario.save_button.click()  # what a crafted comm message does
    assert scenario.save_errors.text == "仅可查看：保存情景和导出需要“规划”权限。"
    assert not (tmp_path / "saved").exists()
    roadshow = RoadshowPlanner(engine, out_dir=tmp_path / "plans")
    assert roadshow.xlsx_button.disabled and roadshow.ics_button.disabled
    roadshow.xlsx_button.click()
    assert roadshow.export_errors.text == "仅可查看：保存情景和导出需要“规划”权限。"
    assert not (tmp_path / "plans").exists()
    monkeypatch.delenv(ENV_ROLE)
    assert not ScenarioPlanner(engine, save_dir=tmp_path / "saved").save_button.disabled

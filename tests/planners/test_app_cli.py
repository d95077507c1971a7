"""`workbook app`: its Voila command line (localhost only, code hidden, our CDN-free template)
and its bad input (exit 2, one line), without starting a server."""

from __future__ import annotations

import datetime as dt

import pytest

from workbook.cli import main
from workbook.planners import app as app
from workbook.text.errors import InputError


def test_voila_serves_the_planner_notebooks_on_localhost_with_code_hidden():
    argv = app.voila_argv(8899)
    assert argv[0] == str(app.NOTEBOOKS_DIR)
    assert "--port=8899" in argv and "--Voila.ip=127.0.0.1" in argv
    assert "--VoilaConfiguration.strip_sources=True" in argv
    assert "--no-browser" in argv
    assert f"--template={app.TEMPLATE}" in argv
    assert "--no-browser" not in app.voila_argv(8899, open_browser=True)
    for name in app.APP_NOTEBOOKS:
        assert (app.NOTEBOOKS_DIR / name).is_file()


def test_the_template_drops_voilas_cdn_links_and_extends_lab():
    folder = app.JUPYTER_DIR / "voila" / "templates" / app.TEMPLATE
    assert '"base_template": "lab"' in (folder / "conf.json").read_text()
    text = (folder / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in text and "fontawesome" in text


def test_app_environment_carries_zone_date_and_language(tmp_path):
    params = tmp_path / "z.yaml"
    params.write_text("x: 1\n")
    env = app.app_environment(params, dt.date(2020, 6, 30), "en")
    assert env == {
        app.ENV_PARAMS: str(params.resolve()),
        app.ENV_AS_OF: "2020-06-30",
        app.ENV_LANG: "en",
    }
    assert app.app_environment() == {}
    with pytest.raises(InputError, match="not found"):
        app.app_environment(tmp_path / "missing.yaml")


def test_bad_port_or_params_exit_2_with_one_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["app", "--port", "70000"])
    assert exc.value.code == 2
    assert "参数 --port：须在 1 到 65,535 之间，实际为 70,000" in capsys.readouterr().err
    assert main(["app", "--params", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml：参数文件不存在" in capsys.readouterr().err
    assert main(["app", "--params", str(tmp_path / "nope.yaml"), "--lang", "en"]) == 2
    assert "nope.yaml: params file not found" in capsys.readouterr().err


def test_kernels_are_preheated_per_planner_and_culled_when_their_page_is_gone():
    argv = app.voila_argv(8899, cull_idle=300)
    assert "--VoilaConfiguration.preheat_kernel=True" in argv
    kernels = "workbook.planners.voila_app.WorkbookKernelManager"
    assert f"--VoilaConfiguration.multi_kernel_manager_class={kernels}" in argv
    assert "--VoilaConfiguration.default_pool_size=2" in argv  # --warm's default
    assert "--VoilaConfiguration.default_pool_size=5" in app.voila_argv(8899, warm=5)
    assert "--VoilaKernelManager.fill_delay=300" in argv  # refilled once the pages are drawn
    assert "--VoilaKernelManager.fill_delay=1" in app.voila_argv(8899, refill_delay=1)
    assert "--VoilaExecutor.iopub_timeout=120" in argv  # a slow cell's widgets are kept
    assert "--VoilaKernelManager.preheat_denylist=['quarterly_review.ipynb']" in argv
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv
    assert "--MappingKernelManager.cull_interval=30" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv  # an open page keeps its kernel
    assert "--MappingKernelManager.cull_idle_timeout=600" in app.voila_argv(8899)
    assert app.cull_interval(600) == 60 and app.cull_interval(8) == 1


def test_bad_cull_idle_exits_2_with_one_line(capsys):
    """An argument error like every other number's: in Chinese by default, English on request."""
    with pytest.raises(SystemExit) as exc:
        main(["app", "--cull-idle", "0"])
    assert exc.value.code == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("参数 --cull-idle：须在 1 到 604,800 之间，实际为 0")
    )
    with pytest.raises(SystemExit):
        main(["app", "--cull-idle", "0", "--lang", "en"])
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("--cull-idle: must be between 1 and 604,800, got 0")
    )


def test_params_repeated_or_a_folder_name_the_zones(tmp_path):
    from tests.conftest import REPO

    with pytest.raises(InputError, match="two params files are named jining-2020"):
        app.zone_files([REPO / "params" / "jining-2020.yaml", REPO / "params"])
    files = app.zone_files([REPO / "params"])
    assert [f.name for f in files] == ["jining-2020.yaml", "zoucheng-2020.yaml"]
    zones = app.load_zones(files, "zh")
    assert [(z.id, z.name) for z in zones] == [
        ("jining-2020", "济宁高新区"),
        ("zoucheng-2020", "邹城经济开发区"),
    ]
    with pytest.raises(InputError, match="no params file"):
        app.zone_files([tmp_path])
    root = app.zone_notebooks(zones, tmp_path / "nb")
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.ipynb")) == [
        f"{z}/{n}" for z in ("jining-2020", "zoucheng-2020") for n in sorted(app.APP_NOTEBOOKS)
    ]
    import json

    nb = json.loads((root / "zoucheng-2020" / "scenario_planner.ipynb").read_text("utf-8"))
    assert nb["metadata"]["title"] == "情景规划 · 邹城经济开发区"  # the browser tab's title
    assert "--HTMLExporter.language_code=zh" in app.voila_argv(8899)  # <html lang="zh">
    assert "--HTMLExporter.language_code=en" in app.voila_argv(8899, lang="en")


def test_warm_is_checked_against_max_kernels_exit_2_with_one_line(capsys):
    """--warm 0 … --max-kernels: more warm kernels of one planner than pages may be open at once
    is refused before anything starts, in the command's language."""
    assert main(["app", "--no-login", "--warm", "11"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "--warm 须在 0 到 --max-kernels（10）之间，实际为 11：每个规划页面预热的内核不能多于同时可打开的页面数"
        )
    )
    assert main(["app", "--no-login", "--warm", "4", "--max-kernels", "3", "--lang", "en"]) == 2
    assert "--warm must be between 0 and --max-kernels (3), got 4" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["app", "--no-login", "--warm", "-1"])
    assert exc.value.code == 2
    assert "参数 --warm：须在 0 到 1,000 之间，实际为 -1" in capsys.readouterr().err
    assert app.check_warm(0, 10) == 0 and app.check_warm(10, 10) == 10

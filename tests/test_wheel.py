"""`pip install .` (a wheel, not editable) gives a working `workbook plan`, `workbook review` and
`workbook app`, run from a folder of the user's own with a params file of their own.

The wheel is built (pip, build isolation) from a copy of the source tree and installed into a fresh virtualenv. The
quick version (the suite's) installs it with `--no-deps` and finds the dependencies through a
`.pth` line pointing at this environment's site-packages (the wheel's own `workbook` comes
first) and their data files (share/jupyter: nbconvert's and Voila's templates) through a link; `WORKBOOK_FULL_WHEEL_TEST=1` installs the wheel with its dependencies instead (pip's
cache and find-links, several minutes).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_PARAMS
from tests.processes import free_port, stop_group

pytestmark = [pytest.mark.slow, pytest.mark.wheel]

FULL = os.environ.get("WORKBOOK_FULL_WHEEL_TEST") == "1"
IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "reports", "test-artifacts", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".ruff_cache",
)  # fmt: skip
ZONE = "测试开发区"


def _run(cmd: list[str], cwd: Path, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw)
    assert out.returncode == 0, (
        f"{cmd} exited {out.returncode}:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    )
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel of this tree installed: its bin/ folder."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--no-deps", "-q", "-w", str(root), str(src)], root)
    (wheel,) = root.glob("workbook-*.whl")
    venv = root / "venv"
    py = venv / "bin" / "python"
    if FULL:
        _run([sys.executable, "-m", "venv", str(venv)], root)
        _run([str(py), "-m", "pip", "install", "-q", str(wheel)], root, timeout=1800)
    else:
        # No pip of its own (ensurepip takes seconds): this environment's pip installs into it.
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], root)
        site = Path(
            _run(
                [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root
            ).stdout.strip()
        )
        (site / "workbook-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        # The dependencies' data files (nbconvert's and Voila's templates) live beside them.
        (venv / "share").mkdir(exist_ok=True)
        (venv / "share" / "jupyter").symlink_to(
            Path(sysconfig.get_paths()["data"]) / "share" / "jupyter"
        )
        _run(
            [*pip, "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
            root,
        )
    return venv / "bin"


@pytest.fixture(scope="module")
def user_folder(tmp_path_factory) -> Path:
    """A planner's own folder: their params file (another zone name) and data beside it."""
    folder = tmp_path_factory.mktemp("bureau")
    shutil.copytree(REPO / "data" / "jining-2020", folder / "zone" / "data")
    text = SAMPLE_PARAMS.read_text(encoding="utf-8")
    text = text.replace("zone: 济宁高新区", f"zone: {ZONE}").replace(
        "../data/jining-2020/", "data/"
    )
    (folder / "zone" / "my-zone.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_wheel_holds_the_notebooks_and_the_voila_template(installed, tmp_path):
    code = (
        "import json, workbook, workbook.text.resources as r, workbook.planners.app as a;"
        "t = a.JUPYTER_DIR / 'voila' / 'templates' / a.TEMPLATE;"
        "print(json.dumps([workbook.__file__, str(r.notebooks_dir()),"
        " sorted(p.name for p in r.notebooks_dir().glob('*.ipynb')),"
        " sorted(p.name for p in t.iterdir())]))"
    )
    where, notebooks, names, template = json.loads(
        _run([str(installed / "python"), "-c", code], tmp_path).stdout
    )
    venv = str(installed.parent)
    assert where.startswith(venv) and notebooks.startswith(venv)  # not this checkout
    assert names == ["quarterly_review.ipynb", "roadshow_planner.ipynb", "scenario_planner.ipynb"]
    assert template == ["conf.json", "index.html.j2"]


def test_installed_plan_review_and_app_work_from_the_users_folder(installed, user_folder):
    wb = str(installed / "workbook")
    params = "zone/my-zone.yaml"
    _run([wb, "plan", params, "--budget", "200", "--out", "plans", "--trials", "500"], user_folder)
    assert (user_folder / "plans" / "plan.xlsx").is_file()
    assert (user_folder / "plans" / "plan.ics").is_file()
    review = "reports/my-zone/2020Q2"
    _run(
        [wb, "review", params, "--quarter", "2020Q2", "--out", review, "--trials", "500"],
        user_folder,
    )
    page = (user_folder / review / "review.html").read_text(encoding="utf-8")
    assert ZONE in page

    # Without --params an installed app has no sample zone to fall back on: it says so.
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_")}
    bare = subprocess.run([wb, "app"], cwd=user_folder, capture_output=True, text=True, env=env)
    assert bare.returncode == 2
    assert bare.stderr.strip() == "error: 没有参数文件：请用 --params FILE 指定本园区的参数 YAML"

    port = free_port()
    log = (user_folder / "app.log").open("w")
    proc = subprocess.Popen(
        [wb, "app", "--params", params, "--port", str(port), "--cull-idle", "60", "--no-login"]
        + ["--warm", "1", "--refill-delay", "1"],
        cwd=user_folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its kernels are stopped with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        home = _get(base + "/z/my-zone/", proc, user_folder / "app.log")
        assert f"<h1>{ZONE} 招商引资规划</h1>" in home
        assert "reports/2020Q2/review.html" in home  # the review just written
        # Both planners ran from the wheel's notebooks with the user's params: warm.
        warm = _get(base + "/api/workbook/warm", proc, user_folder / "app.log", want=200)
        assert json.loads(warm) == {
            "my-zone/roadshow_planner.ipynb": True,
            "my-zone/scenario_planner.ipynb": True,
            "pools": {
                "my-zone/roadshow_planner.ipynb": {"warm": 1, "of": 1},
                "my-zone/scenario_planner.ipynb": {"warm": 1, "of": 1},
            },
        }
        rendered = _get(base + "/z/my-zone/scenario", proc, user_folder / "app.log")
        assert "application/vnd.jupyter.widget-view+json" in rendered
        assert "application/vnd.jupyter.stderr" not in rendered  # no cell failed
        assert "Traceback (most recent call last)" not in rendered
    finally:
        stop_group(proc)
        log.close()


def _get(url: str, proc: subprocess.Popen, log: Path, want: int = 200, timeout: float = 400) -> str:
    """The body of url once it answers `want` (the app starts, then warms its kernels)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"workbook app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=120) as r:
            if r.status == want:
                return r.read().decode("utf-8")
        time.sleep(1)
    pytest.fail(f"{url} did not answer {want} in {timeout} s:\n{log.read_text()[-3000:]}")

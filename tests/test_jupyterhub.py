"""Smoke test of deploy/jupyterhub/jupyterhub_config.py: a real JupyterHub on this machine.

The hub runs the recipe unchanged, with its dummy login (one password) and the simple local
spawner; the test logs in over HTTP through the hub's login form, starts the planner's server
and asks for the scenario planner through the hub's proxy. Not in the default run (marker
`hub`); `make hub-test` installs what it needs (the `hub` extra, configurable-http-proxy).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

requests = pytest.importorskip("requests")
pytest.importorskip("jupyterhub")
pytest.importorskip("jupyterhub_idle_culler")

pytestmark = pytest.mark.hub

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
USER = "planner1"
PASSWORD = "smoke-test-password"
START_S = 180  # the hub, then the planner's server, then the planner's first page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_command() -> str:
    """configurable-http-proxy: WORKBOOK_HUB_PROXY_COMMAND, else on the PATH."""
    found = os.environ.get("WORKBOOK_HUB_PROXY_COMMAND") or shutil.which("configurable-http-proxy")
    if not found:
        pytest.skip("configurable-http-proxy not found (npm install -g configurable-http-proxy)")
    return found


def wait_for(url: str, session, deadline: float) -> None:
    """Until `url` answers 200 (the proxy answers 404 until the hub has told it its route)."""
    while time.monotonic() < deadline:
        try:
            if session.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no 200 from {url}")


def stop(pid: int) -> None:
    """SIGTERM, then SIGKILL after 30 s, to the process group `pid` leads (if still there)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(300):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


@pytest.fixture
def hub(tmp_path):
    """A running hub (base URL) on a free port; stopped with its proxy and servers after."""
    port, internal, api = free_port(), free_port(), free_port()
    env = dict(
        os.environ,
        WORKBOOK_HUB_IP="127.0.0.1",
        WORKBOOK_HUB_PORT=str(port),
        WORKBOOK_HUB_INTERNAL_PORT=str(internal),
        WORKBOOK_HUB_PROXY_API_PORT=str(api),
        WORKBOOK_HUB_STATE_DIR=str(tmp_path),
        WORKBOOK_HUB_AUTH="dummy",
        WORKBOOK_HUB_DUMMY_PASSWORD=PASSWORD,
        WORKBOOK_HUB_ALLOWED_USERS=USER,
        WORKBOOK_HUB_ADMIN_USERS="",
        WORKBOOK_HUB_NOTEBOOKS_DIR=str(ROOT / "notebooks"),
        WORKBOOK_HUB_PARAMS=str(ROOT / "params" / "jining-2020.yaml"),
        WORKBOOK_HUB_PROXY_COMMAND=proxy_command(),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    # With cleanup_servers, a hub stopped with SIGTERM stops the planner's server and its
    # proxy; all of them run in the hub's process group, which the end of the test stops too.
    log = (tmp_path / "hub.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterhub",
            "-f",
            str(CONFIG),
            "--JupyterHub.cleanup_servers=True",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stop(proc.pid)  # whatever the hub left in its group: the proxy, a server
        pid_file = tmp_path / "jupyterhub-proxy.pid"  # a hub stopped while starting up
        pid = pid_file.read_text().strip() if pid_file.is_file() else ""
        cmdline = Path(f"/proc/{pid}/cmdline")
        if (
            pid.isdigit()
            and cmdline.is_file()
            and b"configurable-http-proxy" in (cmdline.read_bytes())
        ):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)
        log.close()
        print((tmp_path / "hub.log").read_text(errors="replace")[-4000:])


def test_login_spawns_a_planner_server_behind_the_hub(hub):
    deadline = time.monotonic() + START_S
    session = requests.Session()
    wait_for(f"{hub}/hub/login", session, deadline)

    # The login form carries the hub's _xsrf token (a hidden field and a cookie).
    form = session.get(f"{hub}/hub/login", timeout=10)
    assert form.status_code == 200
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
    assert xsrf, "no _xsrf field in the hub's login form"

    wrong = session.post(
        f"{hub}/hub/login",
        data={"username": USER, "password": "not-it", "_xsrf": xsrf.group(1)},
        timeout=10,
    )
    assert wrong.status_code == 403
    assert "Invalid username or password" in wrong.text
    assert not any(c.name == "jupyterhub-hub-login" for c in session.cookies)

    form = session.get(f"{hub}/hub/login", timeout=10)
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
    login = session.post(
        f"{hub}/hub/login",
        data={"username": USER, "password": PASSWORD, "_xsrf": xsrf.group(1)},
        timeout=60,
        allow_redirects=False,
    )
    assert login.status_code == 302, login.text[:500]
    assert any(c.name == "jupyterhub-hub-login" for c in session.cookies)

    # /hub/spawn starts the server (the simple local spawner); the hub then sends the browser
    # on to the server's default page, the scenario planner, through the proxy.
    page = None
    while time.monotonic() < deadline:
        page = session.get(f"{hub}/hub/spawn", timeout=120)
        if page.url.startswith(f"{hub}/user/{USER}/voila/"):
            break
        time.sleep(1)  # the spawn-pending page: ask again
    assert page is not None and page.url == (
        f"{hub}/user/{USER}/voila/render/scenario_planner.ipynb"
    ), page.url if page is not None else None
    assert page.status_code == 200
    # Voila's page, in the workbook template, with the code stripped.
    assert "voila" in page.text.lower()
    assert "scenario_planner" in page.text
    assert "import workbook" not in page.text
    # The planner's notebook ran in the user's kernel, every cell (Voila counts them), with no
    # error, and its last cell drew the planner's widget (its state comes over the websocket).
    done = re.findall(r"voila_process\((\d+), (\d+)\)", page.text)
    assert done and done[-1][0] == done[-1][1], done
    assert "error when executing" not in page.text
    assert "application/vnd.jupyter.widget-view+json" in page.text

    # The roadshow planner too; and nothing but the planners: no JupyterLab, no terminal.
    roadshow = session.get(f"{hub}/user/{USER}/voila/render/roadshow_planner.ipynb", timeout=120)
    assert roadshow.status_code == 200
    assert "roadshow_planner" in roadshow.text
    assert "application/vnd.jupyter.widget-view+json" in roadshow.text
    for path in ("lab", "terminals/1"):
        assert session.get(f"{hub}/user/{USER}/{path}", timeout=30).status_code == 404, path
    # Logged out, the planner's server answers with the hub's login, not the page.
    outsider = requests.get(f"{hub}/user/{USER}/voila/render/scenario_planner.ipynb", timeout=30)
    assert outsider.url.startswith(f"{hub}/hub/login")
    assert "scenario_planner" not in outsider.text

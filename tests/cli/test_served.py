"""The warm server behind the quick commands (workbook.cli.served), as a planner meets it: the
first command runs in its own process and leaves a server; the next ones are answered by a
copy of that server with the same output, messages and exit codes, Ctrl-C and kill reach the
copy, and a server leaves when idle. Each test has its own runtime directory, so its servers
are its own (the rest of the suite runs with WORKBOOK_SERVER=0: tests/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_PARAMS
from workbook.cli import served
from workbook.text.messages import Message

# A client that notes whether its own process imported pandas (a served command does not).
CLIENT = """
import atexit, runpy, sys
from pathlib import Path

note = Path(sys.argv.pop(1))
atexit.register(lambda: note.write_text("pandas" if "pandas" in sys.modules else "light"))
runpy.run_module("workbook", run_name="__main__", alter_sys=True)
"""


@pytest.fixture
def runtime(tmp_path):
    """An environment whose servers live in a runtime directory of its own (short: a socket's
    path is at most ~100 bytes, and tmp_path can be longer), stopped at the end."""
    run = Path(tempfile.mkdtemp(prefix="wb-"))
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(run),
        "WORKBOOK_SERVER": "1",
        "WORKBOOK_SERVER_IDLE": "120",
        "PYTHONPATH": str(REPO),
    }
    (tmp_path / "client.py").write_text(CLIENT, encoding="utf-8")
    yield env
    base = run / "workbook"
    if base.exists():
        served.stop_all(base)
        _wait(lambda: not list(base.glob("*.sock")), 30)
    shutil.rmtree(run, ignore_errors=True)


def _wait(ready, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ready():
            return True
        time.sleep(0.05)
    return ready()


def _client(tmp_path: Path, env: dict[str, str], *args: str, note: str = "note"):
    return subprocess.run(
        [sys.executable, str(tmp_path / "client.py"), str(tmp_path / note), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )


def _server_pid(env: dict[str, str]) -> int:
    base = Path(env["XDG_RUNTIME_DIR"]) / "workbook"
    assert _wait(lambda: list(base.glob("*.sock")), 90), "no server started"
    (lock,) = base.glob("*.lock")
    return int(lock.read_text())


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_a_served_command_prints_what_its_own_process_prints(tmp_path, runtime):
    args = ("simulate", str(SAMPLE_PARAMS), "--trials", "300", "--projects", "3")
    alone = _client(tmp_path, {**runtime, "WORKBOOK_SERVER": "0"}, *args)
    assert alone.returncode == 0, alone.stderr
    assert (tmp_path / "note").read_text() == "pandas"

    first = _client(tmp_path, runtime, *args)  # no server yet: runs here, then starts one
    assert (tmp_path / "note").read_text() == "pandas"
    _server_pid(runtime)
    again = _client(tmp_path, runtime, *args)
    assert (tmp_path / "note").read_text() == "light"  # answered by the server's copy
    for r in (first, again):
        assert (r.returncode, r.stdout, r.stderr) == (0, alone.stdout, alone.stderr)

    # a planner's mistake: the same message on stderr and the same exit code
    bad = ("status", str(tmp_path / "missing.yaml"), "--lang", "en")
    wrong = _client(tmp_path, runtime, *bad)
    assert (tmp_path / "note").read_text() == "light"
    direct = _client(tmp_path, {**runtime, "WORKBOOK_SERVER": "0"}, *bad)
    assert wrong.returncode == direct.returncode == 2
    assert wrong.stderr == direct.stderr and "missing.yaml" in wrong.stderr
    usage = _client(tmp_path, runtime, "simulate", "--trials", "x")  # argparse's own exit
    alone = _client(tmp_path, {**runtime, "WORKBOOK_SERVER": "0"}, "simulate", "--trials", "x")
    assert (usage.returncode, usage.stderr) == (alone.returncode, alone.stderr) == (2, alone.stderr)
    assert "--trials" in usage.stderr


def test_compiled_forecasts_served_print_what_they_print_alone(tmp_path, runtime):
    """The server sets numba up before it forks its copies (`compiled.warm`); `compare` (a
    forecast per scenario) and a simulate of many trials run numba's kernels in a copy and
    print the same bytes as alone."""
    _client(tmp_path, runtime, "validate", str(SAMPLE_PARAMS))  # runs here, starts a server
    pid = _server_pid(runtime)
    # numba's compiler is in the server already (its LLVM library mapped), not in each copy
    assert "llvmlite" in Path(f"/proc/{pid}/maps").read_text()
    for args in (
        ("compare", str(SAMPLE_PARAMS), "--trials", "12000", "--json"),
        ("simulate", str(SAMPLE_PARAMS), "--trials", "20000", "--json"),
    ):
        got = _client(tmp_path, runtime, *args)
        assert (tmp_path / "note").read_text() == "light"  # answered by the server's copy
        alone = _client(tmp_path, {**runtime, "WORKBOOK_SERVER": "0"}, *args)
        assert alone.returncode == 0, alone.stderr
        assert (got.returncode, got.stdout, got.stderr) == (0, alone.stdout, alone.stderr)
        assert json.loads(got.stdout)


def test_two_commands_at_once_are_served_side_by_side(tmp_path, runtime):
    _client(tmp_path, runtime, "validate", str(SAMPLE_PARAMS))
    _server_pid(runtime)
    cmd = [sys.executable, str(tmp_path / "client.py")]
    procs = [
        subprocess.Popen(
            [*cmd, str(tmp_path / f"note{i}"), "status", str(SAMPLE_PARAMS), "--as-of", day],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=runtime,
        )
        for i, day in enumerate(("2020-03-31", "2020-06-30"))
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outs[0][0].splitlines()[0].endswith("2020-03-31")
    assert outs[1][0].splitlines()[0].endswith("2020-06-30")
    assert [(tmp_path / f"note{i}").read_text() for i in range(2)] == ["light", "light"]


def _served_long_run(tmp_path, runtime):
    """A served forecast of many trials (seconds of work), its output in files: a pipe would
    be held open by the copy and wait for it."""
    _client(tmp_path, runtime, "validate", str(SAMPLE_PARAMS))
    server = _server_pid(runtime)
    before = set(_children(server))
    with open(tmp_path / "out", "w") as out, open(tmp_path / "err", "w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(tmp_path / "client.py"), str(tmp_path / "long")]
            + ["simulate", str(SAMPLE_PARAMS), "--trials", "400000", "--lang", "en"],
            stdout=out,
            stderr=err,
            cwd=REPO,
            env=runtime,
        )
    assert _wait(lambda: set(_children(server)) - before, 60), "no copy ran the command"
    (copy,) = set(_children(server)) - before
    time.sleep(0.5)  # into the forecast
    return proc, server, copy


def test_ctrl_c_reaches_the_served_command(tmp_path, runtime):
    proc, server, copy = _served_long_run(tmp_path, runtime)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    assert _wait(lambda: copy not in _children(server), 5), "the copy ran on"
    assert (tmp_path / "out").read_text() == ""  # no forecast printed after the interrupt
    assert (tmp_path / "err").read_text() == "error: " + Message("interrupted").render("en") + "\n"


def test_a_term_signal_ends_the_served_command_as_it_ends_one_alone(tmp_path, runtime):
    proc, server, copy = _served_long_run(tmp_path, runtime)
    proc.terminate()
    assert proc.wait(timeout=60) == -signal.SIGTERM  # `simulate` alone dies of it too
    assert _wait(lambda: copy not in _children(server), 5), "the copy ran on"
    assert (tmp_path / "out").read_text() == ""


def test_a_killed_command_takes_its_copy_with_it(tmp_path, runtime):
    proc, server, copy = _served_long_run(tmp_path, runtime)
    proc.kill()
    proc.wait(timeout=60)
    assert _wait(lambda: copy not in _children(server), 5), "the copy ran on"
    assert (tmp_path / "out").read_text() == ""


def test_a_server_leaves_when_idle(tmp_path, runtime):
    env = {**runtime, "WORKBOOK_SERVER_IDLE": "2"}
    _client(tmp_path, env, "validate", str(SAMPLE_PARAMS))
    pid = _server_pid(env)
    base = Path(env["XDG_RUNTIME_DIR"]) / "workbook"
    assert _wait(lambda: not Path(f"/proc/{pid}").exists(), 60)
    assert list(base.iterdir()) == []  # its socket and lock gone with it


def test_only_the_quick_commands_go_to_a_server(monkeypatch):
    monkeypatch.setenv("WORKBOOK_SERVER", "1")
    assert served.enabled(["simulate", "x.yaml"]) and served.enabled(["validate"])
    for argv in (["review", "x.yaml"], ["plan", "x.yaml"], ["app"], ["batch"], []):
        assert not served.enabled(argv)
    monkeypatch.setenv("WORKBOOK_SERVER", "0")
    assert not served.enabled(["simulate", "x.yaml"])


def test_another_environment_or_a_changed_file_is_another_server():
    path, env = list(sys.path), dict(os.environ)
    first = served.key(path, env)
    assert served.key(path, {**env, "WORKBOOK_TEST_SETTING": "1"}) != first
    assert served.key([*path, "/elsewhere"], env) != first
    assert served.key(path, {**env, "PWD": "/elsewhere"}) == first  # a shell's bookkeeping
    file = REPO / "workbook" / "cli" / "served.py"
    st = file.stat()
    try:
        os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert served.key(path, env) != first  # an edited file: the old server's code is stale
    finally:
        os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert served.key(path, env) == first


def test_a_relative_import_path_is_the_folder_it_names_where_the_command_runs(monkeypatch):
    """PYTHONPATH=. in two folders: two import paths, two servers."""
    monkeypatch.setenv("WORKBOOK_SERVER", "1")
    run = Path(tempfile.mkdtemp(prefix="wb-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setattr(sys, "path", [".", *sys.path])
    try:
        monkeypatch.chdir(REPO)
        here = served.address(["validate"])
        monkeypatch.chdir(REPO / "params")
        there = served.address(["validate"])
    finally:
        shutil.rmtree(run)
    assert here is not None and there is not None
    assert (here.sys_path[0], there.sys_path[0]) == (str(REPO), str(REPO / "params"))
    assert here.socket_path != there.socket_path


def test_a_directory_others_can_enter_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "workbook").mkdir(mode=0o700)
    assert served.directory() == tmp_path / "workbook"
    os.chmod(tmp_path / "workbook", 0o777)
    assert served.directory() is None
    os.chmod(tmp_path / "workbook", 0o700)
    (tmp_path / "workbook").rmdir()
    (tmp_path / "workbook").symlink_to(tmp_path)
    assert served.directory() is None


def test_a_runtime_directory_too_deep_for_a_socket_means_no_server(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_SERVER", "1")
    deep = tmp_path / ("d" * 60)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert served.address(["validate"]) is None  # the command runs in its own process
    short = Path(tempfile.mkdtemp(prefix="wb-"))
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
        where = served.address(["validate"])
        assert where is not None and where.socket_path.parent == short / "workbook"
    finally:
        shutil.rmtree(short)


def test_a_server_that_cannot_start_is_not_tried_again_and_again(tmp_path, runtime):
    """A setting the server cannot read: the commands run alone, as before, and not every one
    of them starts another server to fail."""
    env = {**runtime, "WORKBOOK_SERVER_IDLE": "twenty minutes"}
    base = Path(env["XDG_RUNTIME_DIR"]) / "workbook"
    bad = ("status", str(tmp_path / "missing.yaml"), "--lang", "en")
    first = _client(tmp_path, env, *bad)
    assert first.returncode == 2 and "missing.yaml" in first.stderr
    assert _wait(lambda: list(base.glob("*.failed")), 90), "no failure noted"
    (failed,) = base.glob("*.failed")
    assert "twenty minutes" in failed.read_text()
    assert not list(base.glob("*.sock"))
    before = failed.stat().st_mtime_ns
    again = _client(tmp_path, env, *bad)
    assert (again.returncode, again.stderr) == (2, first.stderr)
    assert (tmp_path / "note").read_text() == "pandas"  # it ran alone
    time.sleep(2)  # a server started by this command would have failed by now
    assert failed.stat().st_mtime_ns == before

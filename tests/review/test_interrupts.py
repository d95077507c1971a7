"""Interrupts, sent by process id: Ctrl-C (SIGINT) of `review` at any moment exits 130 with one
line, leaves no kernel and the previous run folder as it was; SIGINT of `batch` is one line
and stops every worker; `kill -9` of `batch` leaves no worker or kernel running, and the
rerun skips the runs that finished."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from tests.review_helpers import JINING, REPO, ZOUCHENG

pytestmark = [pytest.mark.slow, pytest.mark.notebook]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under folder (hidden ones too) with a file's bytes (None for a folder)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def start(*args: str, tmpdir: Path | None = None) -> subprocess.Popen:
    """The CLI in its own process, SIGINT handled as in a terminal (not ignored); `tmpdir`:
    its temp folder (where its kernels' sockets go)."""
    return subprocess.Popen(
        [sys.executable, "-m", "workbook", *args],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(tmpdir)} if tmpdir is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kernels(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def wait_for_kernels(proc: subprocess.Popen, n: int = 1, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while len(kernels(descendants(proc.pid))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no kernel started"
        time.sleep(0.2)


def all_gone(procs: list[psutil.Process], timeout: float = 20) -> list[psutil.Process]:
    """Those of procs still running after timeout seconds (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    alive = procs
    while time.monotonic() < deadline:
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return []
        time.sleep(0.2)
    return alive


def finished_runs(root: Path) -> set[Path]:
    """The runs under a batch's folder whose manifest says ok (relative to the folder); a run
    still in its hidden temporary folder is not finished."""
    done = set()
    for m in root.rglob("manifest.json"):
        run = m.parent.relative_to(root)
        if m.parent == root or any(part.startswith(".") for part in run.parts):
            continue
        with contextlib.suppress(OSError, ValueError):  # one being written is not finished
            if json.loads(m.read_text(encoding="utf-8"))["status"] == "ok":
                done.add(run)
    return done


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("earlier") / "2020Q2"
    r = subprocess.run(
        [sys.executable, "-m", "workbook", "review", str(JINING), "--quarter", "2020Q2"]
        + ["--trials", "1000", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize(
    ("moment", "sig"),
    [
        ("starting", signal.SIGINT),
        ("kernel running", signal.SIGINT),
        ("kernel running", signal.SIGTERM),
    ],
)
def test_ctrl_c_of_review_keeps_the_previous_run_and_leaves_no_kernel(
    earlier_run, tmp_path, moment, sig
):
    target = tmp_path / "2020Q2"
    shutil.copytree(earlier_run, target)
    before = snapshot(tmp_path)
    sockets = Path(tempfile.mkdtemp(prefix="wbk"))  # short: a socket's path has <= 107 bytes
    proc = start(
        "review", str(JINING), "--quarter", "2020Q2", "--trials", "20000", "--seed", "7",
        "--out", str(target), tmpdir=sockets,
    )  # fmt: skip
    if moment == "starting":  # the run folder is locked and being prepared, no kernel yet
        lock = tmp_path / ".2020Q2.lock"
        deadline = time.monotonic() + 120
        while not lock.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.01)
    else:
        wait_for_kernels(proc)
    family = descendants(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err == "error: 已中断：没有替换任何运行结果，此前的结果保持不变\n"
    assert all_gone(family) == []
    assert snapshot(tmp_path) == before  # previous run intact, no temp copy, no lock file
    assert sorted(p.name for p in sockets.iterdir()) == []  # no kernel socket or file left
    sockets.rmdir()


def test_ctrl_c_of_batch_is_one_line_and_stops_every_worker(tmp_path):
    root = tmp_path / "reports"
    proc = start(
        "batch", str(JINING), str(ZOUCHENG), "--quarters", "2020Q2", "--trials", "20000",
        "--jobs", "2", "--out", str(root), "--no-progress", "--lang", "en",
    )  # fmt: skip
    wait_for_kernels(proc, n=1)
    family = descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.splitlines() == [
        "error: interrupted: runs finished before are in place, the others were left as they "
        "were (run again to do the rest)"
    ]
    assert all_gone(family) == []
    hidden = [p.name for p in root.rglob(".*")] + [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".")
    ]
    assert hidden == []


def test_kill_9_of_batch_leaves_no_worker_and_the_rerun_skips_finished_runs(tmp_path):
    root = tmp_path / "reports"
    args = ["batch", str(JINING), str(ZOUCHENG), "--quarters", "2020Q1-2020Q2"]
    args += ["--trials", "1000", "--jobs", "2", "--out", str(root), "--no-progress"]
    proc = start(*args)
    # Killed once a run has finished and another is running: the rerun must skip the one and
    # do the others again.
    deadline = time.monotonic() + 300
    while not (finished_runs(root) and kernels(descendants(proc.pid))):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no run finished"
        time.sleep(0.2)
    family = descendants(proc.pid)
    assert len(family) >= 3  # two workers and a kernel at least
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert all_gone(family, timeout=30) == []  # workers watch their parent; kernels theirs
    finished = finished_runs(root)
    assert finished  # at least the run seen finished before the kill
    rerun = subprocess.run(
        [sys.executable, "-m", "workbook", *args], cwd=REPO, capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    # each run's line: status (完成 / 已完成(跳过), Chinese by default), run, seconds, report path
    lines = [
        x.split() for x in rerun.stdout.splitlines() if x.startswith(("完成  ", "已完成(跳过)  "))
    ]
    assert len(lines) == 4
    skipped = {Path(x[-1]).parent.relative_to(root) for x in lines if x[0] == "已完成(跳过)"}
    assert skipped == finished
    assert [p for p in tmp_path.rglob(".*")] == []  # the stale lock and temp copies cleared

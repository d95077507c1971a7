"""Starting `workbook app` in its own process group (`start_new_session=True`) and stopping a
server started so."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    folder: Path, args: list[str], env: dict[str, str], log: Path
) -> tuple[subprocess.Popen, str]:
    """`workbook app --port <free port> ARGS` run from `folder` (its home page lists the reviews
    under reports/ there) in a process group of its own, output to `log`: (process, base URL).
    Stop it with `stop_group`."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbook", "app", "--port", str(port), *args],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, f"http://127.0.0.1:{port}"


def stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM to the whole group (the app stops its kernels), SIGKILL if it does not end."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

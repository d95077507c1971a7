"""Work done in a forked copy of a review kernel while the kernel goes on with other work.

A review kernel writes review.xlsx and summary.json, and review.docx, one after the other, at
its end; each takes about half a second of one core, and the machine has a second. `Beside`
runs one of them in a forked copy of the kernel (which has every result already, so nothing
is sent across) while the kernel writes the other. The copy writes nothing to the kernel's
output streams (they are the notebook's), and ends without running any of the kernel's exit
handlers. When the copy did not finish cleanly (an error, a crash, or no answer in
`timeout` seconds), `join` does the work again in the kernel itself, so an error is raised
where it always was, with its traceback, and the files are those of the work done here.

Only in a kernel the review runner started (BATCH_KERNEL) and where `os.fork` exists: a
notebook a person runs writes its files one after the other, as before.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

from workbook.review.environment import in_batch_kernel

TIMEOUT = 120.0  # seconds the forked copy may take before the work is done here instead


def forking() -> bool:
    """Whether `Beside` forks here (a batch kernel on a system with fork)."""
    return hasattr(os, "fork") and in_batch_kernel()


class Beside:
    """fn() in a forked copy of this process, started now; `join()` waits for it. Where
    nothing forks, fn() runs at once, here (module docstring)."""

    def __init__(self, fn: Callable[[], object], timeout: float = TIMEOUT) -> None:
        self.fn = fn
        self.timeout = timeout
        self.pid: int | None = None
        pid = None
        if forking():
            try:
                pid = os.fork()
            except OSError:  # no memory or no process left for a copy
                pid = None
        if pid == 0:
            _child(fn)  # never returns
        if pid is None:
            fn()  # no copy: the work is done here and now, before what follows
        self.pid = pid
        self.forked = pid is not None

    def join(self) -> None:
        """Wait for the copy; when it did not finish cleanly, run fn() here."""
        pid, self.pid = self.pid, None
        if pid is not None and not _waited(pid, self.timeout):
            self.fn()


def _child(fn: Callable[[], object]) -> None:
    code = 1
    try:
        # The kernel's streams (and its file descriptors 1 and 2) feed the notebook's outputs.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        fn()
        code = 0
    finally:
        os._exit(code)  # no exit handlers of the kernel: they are the kernel's, not the copy's


def _waited(pid: int, timeout: float) -> bool:
    """Whether the child ended with exit code 0 within `timeout` seconds (killed otherwise)."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) == 0
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
    except ChildProcessError:  # reaped elsewhere: its outcome is unknown
        return False
    except BaseException:  # interrupted: the copy goes too
        _kill(pid)
        raise
    _kill(pid)
    return False


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


__all__ = ["TIMEOUT", "Beside", "forking"]

"""A part of a computation run in a forked copy of this process while this one goes on with
another part: the machine's second core at work on the same solve (workbook.roadshow.relax).

The copy has every input already (nothing is sent to it), runs fn() and sends its result back
pickled through a pipe, writes nothing to this process's output streams and ends without
running any of this process's exit handlers. A copy that fails, crashes or gives no answer in
time has no result (None): the caller treats the part as not done. An interrupt here (or an
error) kills the copy; a copy is killed too once its result is no longer wanted. Where there
is no `os.fork` or only one core, nothing forks (`forks()`): the caller does the work here.
`Forked` (with `outcome`, which tells a failed copy from a None result), `child` and `reaped`
are shared with `workbook.review.beside` (the review kernel's copies).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


_state = {"copy": False}  # this process is a forked copy (`child`)


def forks() -> bool:
    """Whether a part can run beside this process (fork exists and there are two cores, and
    this process is not itself a copy: a copy is the second core's work already, and one of
    its own would take the core of the process it was forked from, e.g. a review kernel's)."""
    if not hasattr(os, "fork") or _state["copy"]:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) >= 2


class Forked(Generic[T]):
    """fn() in a forked copy of this process, started now; `result(timeout)` gives its value
    or None (module docstring). Only where `forks()`."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self.pid: int | None = None
        self._read: int | None = None
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no memory or no process left for a copy: no result
            os.close(read)
            os.close(write)
            return
        if pid == 0:
            os.close(read)
            child(lambda: send(write, fn()))  # never returns
        os.close(write)
        self.pid, self._read = pid, read

    @property
    def started(self) -> bool:
        """Whether a copy was started (it may have failed since)."""
        return self.pid is not None

    def result(self, timeout: float) -> T | None:
        """The copy's value, or None when it failed or gave none within `timeout` seconds
        (the copy is killed then). An interrupt while waiting kills the copy too."""
        got = self.outcome(timeout)
        return got[0] if got else None

    def outcome(self, timeout: float) -> list[T]:
        """[the copy's value], or [] when it failed (an error, a crash, a value that does not
        unpickle) or gave none within `timeout` seconds (killed then): a None value told
        apart from no value. An interrupt while waiting kills the copy too."""
        pid, read = self.pid, self._read
        self.pid = self._read = None
        if pid is None or read is None:
            return []
        try:
            data = received(read, time.monotonic() + max(timeout, 0.0))
        except BaseException:
            kill(pid)
            raise
        finally:
            os.close(read)
        if data is None:  # no whole answer in time
            kill(pid)
            return []
        if not reaped(pid, timeout):
            return []
        try:
            value: T = pickle.loads(data)  # noqa: S301 - our own forked copy's result
        except Exception:
            return []
        return [value]

    def cancel(self) -> None:
        """Kill the copy, if any: its result is not wanted."""
        pid, read = self.pid, self._read
        self.pid = self._read = None
        if read is not None:
            os.close(read)
        if pid is not None:
            kill(pid)


def shared(
    parts: Sequence[Callable[[], T]],
    timeout: float,
    first: Callable[[], bool] | None = None,
) -> list[T | None] | None:
    """Every part() once, here and in a forked copy of this process at once: each takes the
    next part no one has taken yet (in the order given: the longest first keeps both busy to
    the end), so the two end about together however long each part takes. The results in
    order; None for a part whose copy failed or gave no answer within `timeout` seconds of
    this process's own last part. Without a copy (no fork), every part here in turn.

    `first`: run here before this process takes any part, while the copy already takes
    them (its core would idle otherwise); when it returns True the parts are not wanted: None,
    and the copy is killed."""
    if len(parts) > 4096:
        raise ValueError("at most 4096 parts")  # the pipe holds every token at once
    read, write = os.pipe()  # two bytes a part, taken by whoever reads them first
    os.write(write, b"".join(i.to_bytes(2, "little") for i in range(len(parts))))
    os.close(write)

    def take(done: dict[int, T]) -> dict[int, T]:
        while token := os.read(read, 2):  # a read of two bytes from a pipe is never split
            i = int.from_bytes(token, "little")
            done[i] = parts[i]()
        return done

    copy: Forked[dict[int, T]] | None = None
    try:
        if forks() and len(parts) > 1:
            copy = Forked(lambda: take({}))
        if first is not None and first():
            return None
        here = take({})
        there = copy.result(timeout) if copy is not None else None
    finally:
        if copy is not None:
            copy.cancel()
        os.close(read)
    out = {**(there or {}), **here}
    return [out.get(i) for i in range(len(parts))]


def send(fd: int, value: object) -> None:
    """Write `value`, pickled, to the pipe `fd` and close it (a forked copy's result)."""
    view = memoryview(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


def received(fd: int, deadline: float) -> bytes | None:
    """Everything written to the pipe `fd` until its writer closed it (None at `deadline`)."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def child(fn: Callable[[], object]) -> None:
    """In a forked copy: fn() with this process's output streams and interrupt handlers not
    the copy's, then exit at once (0 when fn returned) without this process's exit handlers."""
    code = 1
    _state["copy"] = True
    try:
        null = os.open(os.devnull, os.O_WRONLY)  # this process's streams are not the copy's
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        fn()
        code = 0
    finally:
        os._exit(code)  # none of this process's exit handlers: they are not the copy's


def reaped(pid: int, timeout: float) -> bool:
    """Whether the copy `pid` ended with exit code 0 within `timeout` seconds (killed
    otherwise; an interrupt while waiting kills it too)."""
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
    except BaseException:
        kill(pid)
        raise
    kill(pid)
    return False


def kill(pid: int) -> None:
    """Kill a forked copy and reap it (nothing if it is gone)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


__all__ = ["Forked", "child", "forks", "kill", "reaped", "received", "send", "shared"]

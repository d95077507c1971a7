"""Clean interrupts: Ctrl-C (SIGINT), SIGTERM or the death of a batch's parent process stop a
review at any moment with no kernel left running and the previous run folder intact.

papermill runs the notebook in a helper thread while the main thread waits, so an interrupt
reaches our code (nbclient would otherwise take SIGINT for itself and run on). On an
interrupt the kernels this process started are killed (`kill_kernels`), the helper thread
ends, and KeyboardInterrupt goes on up: the run folder's temporary copy is removed on the
way, and the command prints one line and exits 130.

Batch workers (`worker_init`) leave SIGINT to the batch process, which stops them with
SIGTERM; each also watches its parent and stops by itself when the parent is gone (killed
with -9), so no worker goes on running reviews for nobody.

An interrupt can land while the main thread runs a weak-reference callback or a `__del__`
(importlib drops its module locks that way); Python then prints "Exception ignored in …"
and drops the KeyboardInterrupt. `deliver_lost_interrupts` hands such an interrupt to the
main thread again a moment later, with no traceback on the planner's terminal.
"""

from __future__ import annotations

import _thread
import contextlib
import logging
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

LIVE_KERNELS: weakref.WeakSet[Any] = weakref.WeakSet()  # kernel managers with a process
PARENT_POLL_SECONDS = 0.5
_state = {"in_run": False, "stopping": False}
# Held while a kernel's process is started and put in LIVE_KERNELS, and while kernels are
# killed: a kill that comes as a kernel starts waits until its process is recorded, then
# kills it too (re-entrant: a kill may come in the thread that launches).
_LAUNCH = threading.RLock()


class StoppingError(RuntimeError):
    """A kernel was to start in a batch worker being stopped."""


@contextlib.contextmanager
def launching(km: Any) -> Iterator[None]:
    """Around the start of a kernel's process (`km`: its kernel manager): the process is in
    LIVE_KERNELS from the moment it exists, before any interrupt can be handled, and a batch
    worker being stopped starts no kernel (StoppingError). Without this, Ctrl-C of a batch
    that came as a worker's kernel was starting missed that kernel: the worker ended, and the
    kernel ran on until it saw its parent gone ("Parent appears to have exited")."""
    with _LAUNCH:
        if _state["stopping"]:
            raise StoppingError("this batch worker is stopping: no kernel is started")
        try:
            yield
        finally:
            prov = getattr(km, "provisioner", None)
            if getattr(prov, "process", None) is not None:
                LIVE_KERNELS.add(km)  # killed at once if the run is interrupted


def kill_kernel(km: Any) -> None:
    """Kill the kernel of one kernel manager (its whole process group) at once, and remove
    the files it talked through. A kernel being started is killed once its process exists."""
    with _LAUNCH:
        _kill(km)


def _kill(km: Any) -> None:
    prov = getattr(km, "provisioner", None)
    proc = getattr(prov, "process", None)
    pgid = getattr(prov, "pgid", None)
    try:
        if pgid and hasattr(os, "killpg"):
            os.killpg(pgid, signal.SIGKILL)
        elif proc is not None:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    # its connection file and IPC sockets: a kernel stopped the usual way has them removed
    for cleanup in ("cleanup_connection_file", "cleanup_ipc_files"):
        with contextlib.suppress(Exception):
            getattr(km, cleanup, lambda: None)()
    LIVE_KERNELS.discard(km)


def kill_kernels() -> None:
    """Kill every kernel this process started (its whole process group) at once, those being
    started included (`launching`)."""
    with _LAUNCH:
        for km in list(LIVE_KERNELS):
            _kill(km)


def wait_interruptibly(helper: threading.Thread, box: dict[str, Any], grace: float = 15.0) -> Any:
    """Wait for `helper` to end, then return its `box["value"]` (or raise its `box["error"]`);
    an interrupt of the waiting main thread kills this process's kernels, lets the helper end
    (up to `grace` seconds) and re-raises KeyboardInterrupt."""
    try:
        while helper.is_alive():
            helper.join(0.1)
    except KeyboardInterrupt:
        logging.disable(logging.CRITICAL)  # no kernel/ZMQ noise while the kernel goes
        try:
            kill_kernels()
            helper.join(grace)
            kill_kernels()  # one the helper started after the first kill, if any
        finally:
            logging.disable(logging.NOTSET)
        raise
    if "error" in box:
        raise box["error"]
    return box["value"]


# ---- interrupts Python would drop ---------------------------------------------------------

REDELIVER_SECONDS = 0.05


def _redeliver(unraisable: Any) -> None:
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    # SIGTERM in a batch worker being stopped (its handler raised it), SIGINT elsewhere
    signum = signal.SIGTERM if _state["stopping"] else signal.SIGINT
    timer = threading.Timer(REDELIVER_SECONDS, _thread.interrupt_main, args=(signum,))
    timer.daemon = True
    timer.start()


def deliver_lost_interrupts() -> None:
    """A KeyboardInterrupt raised inside a weak-reference callback or `__del__` (which Python
    would print and drop) reaches the main thread again a moment later."""
    sys.unraisablehook = _redeliver


# ---- batch workers -------------------------------------------------------------------------


def _on_sigterm(signum: int, frame: Any) -> None:
    _state["stopping"] = True
    if not _state["in_run"]:
        os._exit(1)  # idle: nothing to clean up
    raise KeyboardInterrupt  # a review is running: clean it up on the way out


def worker_init(parent_pid: int) -> None:
    """Initialise a batch worker process: SIGINT is the batch's to handle; SIGTERM stops
    the worker cleanly; a thread stops it when its parent process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    deliver_lost_interrupts()

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
        os._exit(1)  # the clean stop did not end the process: end it anyway

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class in_run:  # noqa: N801 - used as a context manager
    """Marks a worker busy with a review (SIGTERM then cleans it up instead of exiting)."""

    def __enter__(self) -> None:
        _state["in_run"] = True

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        _state["in_run"] = False
        if exc_type is KeyboardInterrupt or _state["stopping"]:
            # stopped: the run was cleaned up on the way here; take no more (and no kernel
            # outlives the worker, even one a helper thread started during the clean-up)
            _state["stopping"] = True
            kill_kernels()
            os._exit(1)

"""An interrupt that lands inside a weak-reference callback is not dropped: Python would print
"Exception ignored in …" and run on (CI once showed that traceback from a batch worker stopped
by SIGTERM while importlib dropped a module lock). The interrupt reaches the main code a moment
later and nothing is printed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, time, weakref
    from workbook.review import interrupt

    mode = sys.argv[1]
    if mode == "worker":
        interrupt.worker_init(os.getppid())
        interrupt._state["in_run"] = True  # a review is running
        signum = signal.SIGTERM
    else:
        from workbook.cli._common import interrupt_on_sigterm
        interrupt_on_sigterm()
        signum = signal.SIGINT if mode == "sigint" else signal.SIGTERM

    class Lock:
        pass

    def callback(ref):  # the signal arrives while this callback runs
        os.kill(os.getpid(), signum)
        time.sleep(0.5)

    try:
        lock = Lock()
        ref = weakref.ref(lock, callback)
        del lock  # the callback runs here
        for _ in range(60):
            time.sleep(0.05)
        print("ran on")
    except KeyboardInterrupt:
        print("interrupted")
    """
)


@pytest.mark.parametrize("mode", ["worker", "sigint", "sigterm"])
def test_an_interrupt_inside_a_weakref_callback_reaches_the_main_code_silently(mode):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.stderr == ""
    assert proc.stdout == "interrupted\n"


def test_other_unraisable_errors_are_still_printed():
    script = textwrap.dedent(
        """
        import weakref
        from workbook.review.interrupt import deliver_lost_interrupts
        deliver_lost_interrupts()

        class Thing:
            pass

        def callback(ref):
            raise ValueError("seen")

        thing = Thing()
        ref = weakref.ref(thing, callback)
        del thing
        print("ran on")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.stdout == "ran on\n"
    assert "Exception ignored in" in proc.stderr and "ValueError: seen" in proc.stderr

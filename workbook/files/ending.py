"""How a process of ours ends once its work is done: as the interpreter ends one, but for its
last step.

`wind_down` is what Python does first at its exit: threads joined and the handlers of
`threading` and `atexit` run (a kernel's history, temporary folders, logs); then the output
flushed. `exit_now` then leaves with `os._exit`: the interpreter's teardown that a normal exit
goes on to, freeing every object of every module one by one, writes nothing and takes a
while: 0.1–0.2 s for a command after a forecast, ~1.1 s for a review's kernel (pandas, scipy,
Altair, python-docx loaded), which the review waits for as the kernel shuts down.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def wind_down() -> None:
    """Threads joined, `threading`'s and `atexit`'s handlers run, the output flushed."""
    shutdown = getattr(threading, "_shutdown", None)  # what Python runs first at exit
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # a reader gone (`| head`) or a closed stream: the process's own code all the same
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()


def exit_now(code: int) -> NoReturn:
    """`wind_down`, then leave with `code` at once."""
    wind_down()
    os._exit(code)

"""Work done in a forked copy of a review kernel while the kernel goes on with other work.

A review kernel writes review.xlsx and summary.json, and review.docx, one after the other, at
its end; each takes about half a second of one core, and the machine has a second. `Beside`
runs one of them in a forked copy of the kernel (which has every result already, so nothing
is sent across) while the kernel writes the other. The copy writes nothing to the kernel's
output streams (they are the notebook's), and ends without running any of the kernel's exit
handlers. When the copy did not finish cleanly (an error, a crash, or no answer in
`timeout` seconds), `join` does the work again in the kernel itself, so an error is raised
where it always was, with its traceback, and the files are those of the work done here.

`Aside` does the same for work whose result the kernel needs later (the next-quarter plan,
started once the forecast engine is built and collected when its section is computed): the
copy sends the result back pickled through a pipe; when the copy did not finish cleanly,
`result` computes it here, as the kernel always did.

Only in a kernel the review runner started (BATCH_KERNEL) and where `os.fork` exists: a
notebook a person runs writes its files one after the other, and computes each result when it
is asked for, as before. A copy is in its kernel's process group: a kernel killed (its run
interrupted, or stopped at its end) takes its copies with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Generic, TypeVar

from workbook.review.environment import in_batch_kernel
from workbook.roadshow.forked import Forked, child, reaped

TIMEOUT = 120.0  # seconds the forked copy may take before the work is done here instead
T = TypeVar("T")


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
            child(fn)  # never returns
        if pid is None:
            fn()  # no copy: the work is done here and now, before what follows
        self.pid = pid
        self.forked = pid is not None

    def join(self) -> None:
        """Wait for the copy; when it did not finish cleanly, run fn() here."""
        pid, self.pid = self.pid, None
        if pid is not None and not reaped(pid, self.timeout):
            self.fn()


class Aside(Generic[T]):
    """fn() in a forked copy of this process, started now; `result()` returns its value (sent
    back pickled). Where nothing forks, fn() runs when `result()` is first asked for, here
    (module docstring)."""

    def __init__(self, fn: Callable[[], T], timeout: float = TIMEOUT) -> None:
        self.fn = fn
        self.timeout = timeout
        self._copy: Forked[T] | None = Forked(fn) if forking() else None
        # whether a copy was started (its result may still be redone here); none when the
        # fork failed (no memory or no process left): computed here when asked
        self.forked = self._copy is not None and self._copy.started

    @property
    def pid(self) -> int | None:
        """The copy's process, until its result is collected or it is cancelled."""
        return None if self._copy is None else self._copy.pid

    def result(self) -> T:
        """The copy's result; fn() here when there is no copy or it did not finish cleanly
        (an error, a crash, a result that does not unpickle, no answer in `timeout` s)."""
        copy, self._copy = self._copy, None
        got = copy.outcome(self.timeout) if copy is not None else []
        return got[0] if got else self.fn()

    def cancel(self) -> None:
        """Kill the copy, if any (its result will not be asked for)."""
        copy, self._copy = self._copy, None
        if copy is not None:
            copy.cancel()


__all__ = ["TIMEOUT", "Aside", "Beside", "forking"]

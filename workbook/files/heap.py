"""The process's C heap (glibc's malloc): a forecast command keeps the memory it frees, for
what it makes next; a planner's kernel gives it back after each answer.

A forecast makes and drops arrays of megabytes pass by pass. glibc's malloc gives a freed block
above its threshold (128 KB at first, then up to 32 MB as such blocks are freed) back to the
system at once, and trims the top of its heap as soon as 128 KB of it are free: the next array
is then mapped afresh, and each of its pages is faulted in and zeroed again by the kernel (about
a third of a second of system time in a 100,000-trial `workbook simulate`). A command lives for
one forecast, so it keeps what it frees: blocks below 512 MB come from its heap, and the heap is
not trimmed until 1 GB of it is free. The same pages serve one span of trials after another.

Only in a command's own process (`workbook …`, or the warm server's copy that answers it: they
say so with `own_process`), never in a process that goes on (the app's kernels, a server, a
test run calling `main`): it would hold on to its peak memory. Outside glibc (macOS, musl,
Windows) nothing is done.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import cast

_M_TRIM_THRESHOLD = -1  # mallopt's parameters (glibc's malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_BELOW = 512 << 20  # blocks smaller than this come from the heap
_TRIM_ABOVE = 1 << 30  # the heap's top is given back once this much of it is free


_own = False  # whether this process ends with its command


def own_process() -> None:
    """This process ends with the command it runs (the `workbook` command, a served copy)."""
    global _own
    _own = True


def keep_freed_memory() -> bool:
    """In a command's own process, set its malloc to keep freed memory for reuse (see the
    module); whether it was done (glibc only)."""
    if not _own or not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: the `workbook` command's client side stays light

    try:
        libc = ctypes.CDLL(None)  # the C library this process runs on
        libc.gnu_get_libc_version  # noqa: B018 - glibc's alone: musl's mallopt does nothing
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_BELOW)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_ABOVE)
    )


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes

    try:
        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (AttributeError, OSError):  # not glibc
        return None


def give_back_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's `malloc_trim`, 1–8 ms): a forecast
    frees ~70 MB of temporaries that glibc would otherwise keep, counted against the planner's
    page for as long as it is open. Nothing where malloc is not glibc's."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)

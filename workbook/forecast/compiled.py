"""Compiled kernels loaded only when a forecast needs them: `njit` as numba's, but lazy.

`workbook.forecast.fused` decorates its loops with this `njit`. Importing the module (as the
engine, `validate` and `status` do) costs nothing. A kernel given a `twin` (the same function
written with numpy, the same numbers: workbook.forecast.plain) calls its twin until the module
is loaded: a forecast of a few thousand trials never imports numba (about a second of a
command's start-up, even from numba's on-disk cache). `load(module)` (an engine with many
trials calls it), or the first call of a kernel without a twin, imports numba, turns every
kernel of that module into a numba dispatcher with its options (loaded from numba's on-disk
cache when it has one) and puts them in the module's namespace, where kernels calling each
other find dispatchers, as numba needs. Later calls through the module go straight to the
dispatchers; a name imported before then calls through its stand-in, one dictionary look-up
more.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.Lock()


class Lazy:
    """A kernel not compiled yet: `fn` and the numba options it will be compiled with."""

    def __init__(
        self,
        fn: Callable[..., Any],
        options: dict[str, Any],
        twin: Callable[..., Any] | None = None,
    ):
        self.fn = fn
        self.options = options
        self.twin = twin  # the same numbers with numpy, called until the module is loaded
        self.target: Callable[..., Any] | None = None  # the dispatcher, once loaded
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.target is None:
            if self.twin is not None:
                return self.twin(*args, **kwargs)
            load(self.fn.__module__)
        assert self.target is not None
        return self.target(*args, **kwargs)


def njit(
    twin: Callable[..., Any] | None = None, **options: Any
) -> Callable[[Callable[..., Any]], Lazy]:
    """numba.njit(**options), applied when the module is loaded; `twin` (the same numbers
    with numpy) called instead until then."""

    def wrap(fn: Callable[..., Any]) -> Lazy:
        return Lazy(fn, options, twin)

    return wrap


def load(module: str) -> dict[str, Any]:
    """The namespace of `module` with every Lazy kernel replaced by its numba dispatcher."""
    space = vars(sys.modules[module])
    with _LOCK:  # all at once: a kernel compiled later must find its callees as dispatchers
        lazy = {name: v for name, v in space.items() if isinstance(v, Lazy)}
        if lazy:
            import numba

            for value in lazy.values():
                value.target = numba.njit(**value.options)(value.fn)
            for name, value in lazy.items():
                space[name] = value.target
    return space


def _successor(x: int) -> int:
    return x + 1


def warm() -> None:
    """Import numba and set up its compiler, without loading any module's kernels: what the
    first compiled call of a process pays before any kernel of its own (~0.3 s to import,
    ~0.6 s more to set up, on a 2-core PC). A process that forks copies for forecasts
    (workbook.cli.served) does it once; a copy's first compiled forecast then only loads its
    kernels from numba's cache (a few ms each), and a small forecast still calls the numpy
    twins (the modules stay unloaded)."""
    import numba

    numba.njit(nogil=True)(_successor)(1)


def loaded(module: str) -> bool:
    """Whether the kernels of `module` are dispatchers already (numba imported for them)."""
    return not any(isinstance(v, Lazy) for v in vars(sys.modules[module]).values())


__all__ = ["Lazy", "load", "loaded", "njit", "warm"]

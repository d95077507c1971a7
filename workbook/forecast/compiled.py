"""Compiled kernels (and scipy) loaded only when a forecast runs: `njit` as numba's, but lazy.

`workbook.forecast.fused` decorates its loops with this `njit`. Importing the module (as the
engine, `validate` and `status` do) costs nothing: the first call of any of its kernels imports
numba (about a second of a command's start-up), turns every kernel of that module into a
numba dispatcher with its options (loaded from numba's on-disk cache when it has one) and puts
them in the module's namespace, where kernels calling each other find dispatchers, as numba
needs. Later calls through the module go straight to the dispatchers; a name imported before
then calls through its stand-in, one dictionary look-up more.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.Lock()


class Lazy:
    """A kernel not compiled yet: `fn` and the numba options it will be compiled with."""

    def __init__(self, fn: Callable[..., Any], options: dict[str, Any]):
        self.fn = fn
        self.options = options
        self.target: Callable[..., Any] | None = None  # the dispatcher, once loaded
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.target is None:
            load(self.fn.__module__)
        assert self.target is not None
        return self.target(*args, **kwargs)


def njit(**options: Any) -> Callable[[Callable[..., Any]], Lazy]:
    """numba.njit(**options), applied at the first call of a kernel of the module."""

    def wrap(fn: Callable[..., Any]) -> Lazy:
        return Lazy(fn, options)

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


def loaded(module: str) -> bool:
    """Whether the kernels of `module` are dispatchers already (numba imported for them)."""
    return not any(isinstance(v, Lazy) for v in vars(sys.modules[module]).values())


class LazyModule:
    """A module imported at its first attribute read (scipy.special for the draws: the
    commands that only check or count never need it)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


__all__ = ["Lazy", "LazyModule", "load", "loaded", "njit"]

"""Strict JSON for every file and `--json` output: NaN and ±Infinity are not JSON.

Python's json writes them as `NaN`/`Infinity` by default, which strict parsers (browsers'
JSON.parse, jq, most languages) refuse. `dumps` first turns every value into plain JSON
(through `default` for dates, numpy scalars and the like) with a non-finite float as null,
then writes with `allow_nan=False`, so a stray one is an error here, never a broken file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

_SCALARS = (str, int, bool, type(None))


def plain(obj: Any, default: Callable[[Any], Any] | None = None, _depth: int = 0) -> Any:
    """obj as JSON-ready values: non-finite floats as None; other types through `default`."""
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, dict):
        return {k: plain(v, default, _depth) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v, default, _depth) for v in obj]
    if default is None or _depth > 20:
        raise TypeError(f"cannot write {type(obj).__name__} as JSON")
    return plain(default(obj), default, _depth + 1)


def dumps(obj: Any, default: Callable[[Any], Any] | None = None, **kwargs: Any) -> str:
    """json.dumps of `plain(obj, default)` with allow_nan=False."""
    return json.dumps(plain(obj, default), allow_nan=False, **kwargs)

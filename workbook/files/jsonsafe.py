"""Strict JSON for every file and `--json` output: NaN and ±Infinity are not JSON.

Python's json writes them as `NaN`/`Infinity` by default, which strict parsers (browsers'
JSON.parse, jq, most languages) refuse. `plain` turns a value into plain JSON (numpy scalars
as Python numbers, dates as ISO text, a missing or non-finite number as null); `dumps` writes
it with `allow_nan=False`, so a stray one is an error here, never a broken file.

No pandas or numpy import: their values are recognised by what they do (`.item()` of a
numpy scalar; pandas' NA and NaT only once pandas is loaded), so `import workbook.cli` stays
light.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Callable, Mapping
from typing import Any

_SCALARS = (str, int, type(None))  # bool is an int


def _missing(v: Any) -> bool:
    """pandas' NA or NaT (no value can be one before pandas is imported)."""
    pd = sys.modules.get("pandas")
    return pd is not None and (v is pd.NA or v is pd.NaT)


def plain(v: Any, default: Callable[[Any], Any] | None = None, _depth: int = 0) -> Any:
    """v as JSON has it: NaN, ±Infinity, NA and NaT as None; a datetime or Timestamp as its
    ISO date, a date as ISO text; numpy scalars as Python; mappings and sequences item by
    item. Any other type through `default` (TypeError without one)."""
    if isinstance(v, float):  # numpy's float64 too
        return float(v) if math.isfinite(v) else None
    if isinstance(v, _SCALARS):
        return v
    if _missing(v):
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {k: plain(x, default, _depth) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [plain(x, default, _depth) for x in v]
    if getattr(v, "ndim", None) == 0 and hasattr(v, "item"):  # a numpy scalar
        return plain(v.item(), default, _depth)
    if default is None or _depth > 20:
        raise TypeError(f"cannot write {type(v).__name__} as JSON")
    return plain(default(v), default, _depth + 1)


def records(df: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as JSON-ready dicts, every value through `plain`."""
    return [{k: plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def dumps(obj: Any, default: Callable[[Any], Any] | None = None, **kwargs: Any) -> str:
    """json.dumps of `plain(obj, default)` with allow_nan=False."""
    return json.dumps(plain(obj, default), allow_nan=False, **kwargs)

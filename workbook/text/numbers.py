"""A figure as every table and sentence shows it in its target's unit (亿元, 亿美元, 个).

One rule for the CLI, the review and the planners' pages: a count whole, money with two
decimals, thousands separated; a count's phased target (a share of the year's) with one.
No pandas or numpy import: anything `float()` takes is a figure.
"""

from __future__ import annotations

import math
from typing import Any


def figure(value: Any, unit: str | None, column: str | None = None) -> str:
    """`value` in `unit` ("count" or a currency): '1,234' for a count, '56.00' for money,
    '12.5' for a count's `phased_target`; "" when the value is missing or not finite."""
    try:
        v = float(value)
    except (TypeError, ValueError):  # None, pandas' NA and NaT
        return ""
    if not math.isfinite(v):
        return ""
    if unit == "count":
        return f"{v:,.1f}" if column == "phased_target" else f"{v:,.0f}"
    return f"{v:,.2f}"

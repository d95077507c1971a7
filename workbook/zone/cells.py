"""Table cells as Python numbers, for code that reads pandas values one at a time.

pandas' type hints give a single cell (`df.at[...]`, `s.iat[i]`, an item of a row) the union of
every scalar a frame can hold (text, bytes, dates, intervals ...). The workbook's numeric
columns hold numbers, checked when the table was read (workbook.zone.tabular). `num` and
`whole` say so at the point of reading; at run time they are exactly `float()` and `int()`.
"""

from __future__ import annotations

from typing import SupportsFloat, SupportsInt, cast


def num(value: object) -> float:
    """A numeric cell as a float (`float(value)`)."""
    return float(cast(SupportsFloat, value))


def whole(value: object) -> int:
    """A whole-number cell as an int (`int(value)`)."""
    return int(cast(SupportsInt, value))

"""A chart as its structure and its data, so that a redraw of the same structure needs no Altair.

A chart function of the live planners returns `ChartParts`: `key` holds everything its spec
depends on besides the layers' data and the title texts (same key, same spec apart from those),
`layers` the data of each layer in the order Altair writes them, `title` and `subtitle` the
top-level title texts, and `chart()` builds the Altair chart from exactly these frames.
`rows()` gives the rows Altair would put in the spec's `datasets` (equal data sets once, in the
order first used), computed with plain pandas: no chart is built, nothing is validated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import altair as alt
import numpy as np
import pandas as pd

Rows = list[dict[str, Any]]
C = TypeVar("C", bound=alt.TopLevelMixin)  # the kind of chart the parts build


def layer(*charts: alt.Chart | alt.LayerChart, **kwargs: Any) -> alt.LayerChart:
    """`alt.layer`, typed as what it gives here. Altair 6 types its result `LayerChart |
    FacetChart` (a facet encoding shared by every layer is hoisted into a facet); the
    workbook's layers have none, so the result is a LayerChart."""
    chart = alt.layer(*charts, **kwargs)
    if not isinstance(chart, alt.LayerChart):
        raise TypeError("layers with a shared facet encoding make a FacetChart")
    return chart


@dataclass(frozen=True)
class ChartParts(Generic[C]):
    key: tuple[Any, ...] | None  # everything else the spec depends on (None: not known)
    layers: tuple[pd.DataFrame, ...]  # each layer's data, in the order of the spec's layers
    build: Callable[[], C]  # the chart, from these frames
    title: Any = None  # the top-level title's text (str or list of lines)
    subtitle: Any = None

    @classmethod
    def whole(cls, chart: C) -> ChartParts[C]:
        """A chart built already: always drawn whole."""
        return cls(None, (), lambda: chart)

    def chart(self) -> C:
        return self.build()

    def rows(self) -> tuple[tuple[int, ...], list[Rows]]:
        """Each layer's position in the list of data sets, and that list: the layers' rows as
        Altair writes them, equal rows once."""
        data: list[Rows] = []
        where: list[int] = []
        for frame in self.layers:
            rows = records(frame)
            for i, seen in enumerate(data):
                if seen == rows:
                    where.append(i)
                    break
            else:
                where.append(len(data))
                data.append(rows)
        return tuple(where), data


def records(df: pd.DataFrame) -> Rows:
    """A DataFrame's rows as Altair's `to_values` gives them (index dropped; floats as Python
    floats with NaN and infinities as None; integers as ints; dates as full ISO strings)."""
    columns: list[list[Any]] = []
    for name in df.columns:
        col = df[name]
        dtype = str(col.dtype)
        if dtype in ("category", "string", "str", "boolean") or dtype[0] in "IUF":
            columns.append([None if pd.isna(x) else x for x in col.astype(object).tolist()])
        elif col.dtype.kind == "M":
            columns.append(["" if pd.isna(x) else x.isoformat() for x in col])
        elif col.dtype.kind == "f":
            values = col.to_numpy()
            floats = values.tolist()
            if not np.isfinite(values).all():
                floats = [None if math.isnan(v) or math.isinf(v) else v for v in floats]
            columns.append(floats)
        else:  # integers and booleans as Python values; objects as they are
            columns.append(col.tolist())
    names = [str(n) for n in df.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

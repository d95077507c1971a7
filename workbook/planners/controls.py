"""What every planner shares: the notebook's settings (explicit, else the app's environment,
else the sample zone), the error area, the guard that shows a callback's exception there, chart
slots that replace a chart in place, and the house slider."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import altair as alt
import ipywidgets as W

from workbook.forecast import scenarios as scenarios
from workbook.planners.app import ENV_AS_OF, ENV_LANG, ENV_PARAMS
from workbook.text.errors import InputError, WorkbookError
from workbook.text.labels import check_lang, label
from workbook.text.messages import BadValue, Message
from workbook.zone.tabular import parse_date

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PARAMS = REPO / "params" / "jining-2020.yaml"
# svg: crisp text (Chinese in the viewer's fonts) and a DOM a browser test can read.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}

F = TypeVar("F", bound=Callable[..., Any])


def _t(key: str, lang: str, **fmt: Any) -> str:
    text = label("planner", key, lang)
    return text.format(**fmt) if fmt else text


# ---- what the notebook asked for ----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Resolved notebook parameters: explicit value, else the app's environment, else default."""

    params_path: Path
    as_of: dt.date | None
    lang: str


def resolve_settings(
    params_path: str | Path | None = None,
    as_of: str | dt.date | None = None,
    lang: str | None = None,
) -> Settings:
    """Fill parameters left at None from WORKBOOK_PARAMS / WORKBOOK_AS_OF / WORKBOOK_LANG (set
    by `workbook app`), then the sample zone and Chinese; an as-of date left at None stays
    None (the engine takes the end of the last month with arrivals)."""
    path = Path(params_path or os.environ.get(ENV_PARAMS) or SAMPLE_PARAMS)
    raw_as_of = as_of if as_of is not None else os.environ.get(ENV_AS_OF) or None
    date = None
    if raw_as_of is not None:
        try:
            date = parse_date(raw_as_of)
        except BadValue as exc:  # the date formats, in the report language
            raise InputError(Message("at", where="as_of", body=exc.message)) from None
    return Settings(path, date, check_lang(lang or os.environ.get(ENV_LANG) or "zh"))


# ---- shared pieces ------------------------------------------------------------------------------


class ErrorArea:
    """Where a failing callback's error goes: its message (and the traceback, folded)."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang  # the language WorkbookError messages are shown in
        self.widget = W.HTML(value="")
        self.widget.add_class("wb-error-area")
        self.last: BaseException | None = None
        self.lines: list[str] = []

    def show(self, exc: BaseException) -> None:
        self.last = exc
        lines = (
            exc.lines(self.lang)
            if isinstance(exc, WorkbookError)
            else [f"{type(exc).__name__}: {exc}"]
        )
        self.lines = lines
        body = "<br>".join(html.escape(line) for line in lines)
        tb = html.escape("".join(traceback.format_exception(exc)))
        self.widget.value = (
            '<div class="wb-error" style="border:1px solid #c0392b;background:#fdecea;'
            'color:#922b21;padding:6px 10px;margin:4px 0;border-radius:4px">'
            f"<b>⚠</b> {body}"
            f'<details><summary style="cursor:pointer">traceback</summary><pre '
            f'style="font-size:11px;white-space:pre-wrap">{tb}</pre></details></div>'
        )

    def clear(self) -> None:
        self.last = None
        self.lines: list[str] = []
        self.widget.value = ""

    @property
    def text(self) -> str:
        """The message shown, '' when there is none."""
        return "\n".join(self.lines)


def guarded(method: F) -> F:
    """Run a planner callback; on an exception show it in the planner's error area (and the
    log) instead of letting ipywidgets swallow it. A success clears the error area."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(self, *args, **kwargs)
        except Exception as exc:  # shown to the planner, not swallowed
            if isinstance(exc, WorkbookError):  # the planner's input: the message says it all
                log.info("callback %s: %s", method.__name__, exc)
            else:
                log.exception("callback %s failed", method.__name__)
            self.errors.show(exc)
            return None
        self.errors.clear()
        return result

    return wrapper  # type: ignore[return-value]


class ChartSlot:
    """One chart on the page: an offline `alt.JupyterChart` whose chart is replaced in place."""

    def __init__(self, name: str, chart: alt.TopLevelMixin) -> None:
        self.name = name
        self.widget = alt.JupyterChart(chart, embed_options=EMBED_OPTIONS)
        self.widget.add_class("wb-chart")
        self.widget.layout.margin = "0 16px 16px 0"
        self.widget.add_class(f"wb-chart-{name}")
        self.draws = 1

    def show(self, chart: alt.TopLevelMixin) -> None:
        """Replace the chart in place."""
        self.put(self.spec_of(chart))

    @staticmethod
    def spec_of(chart: alt.TopLevelMixin) -> dict[str, Any]:
        """The spec a slot is sent. The planners' charts hold no params or selections, so the
        spec goes as it is; the schema was checked when the slot was made (and by the chart
        functions' tests), which halves the cost of a redraw."""
        return chart.to_dict(validate=False)

    def put(self, spec: dict[str, Any]) -> None:
        """Replace the chart by a spec built beforehand (`spec_of`)."""
        with self.widget.hold_sync():
            self.widget.spec = spec
        self.draws += 1

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self.widget.spec or {})


def enable_offline() -> None:
    """Serve the Vega bundle from vl-convert (no CDN); once per process (~1 s)."""
    alt.JupyterChart.enable_offline()


@contextlib.contextmanager
def _timer(store: dict[str, float], key: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        store[key] = (time.perf_counter() - t0) * 1000


def _slider(
    cls: type[W.FloatSlider] | type[W.IntSlider],
    key: str,
    description: str,
    value: float,
    lo: float,
    hi: float,
    step: float,
    fmt: str | None = None,
) -> W.Widget:
    kwargs: dict[str, Any] = {
        "value": value,
        "min": lo,
        "max": hi,
        "step": step,
        "description": description,
        "continuous_update": False,  # one recompute per release, none while dragging
        "style": {"description_width": "11em"},
        "layout": W.Layout(width="30em"),
    }
    if fmt is not None:
        kwargs["readout_format"] = fmt
    s = cls(**kwargs)
    s.add_class("wb-control")
    s.add_class(f"wb-driver-{key}")
    return s

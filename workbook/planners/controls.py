"""What every planner shares: the notebook's settings (explicit, else the app's environment,
else the sample zone), the error area, the guard that shows a callback's exception there, chart
slots that replace a chart in place, and the house slider."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import altair as alt
import ipywidgets as W
import traitlets

from workbook.charts.parts import ChartParts
from workbook.files.heap import give_back_memory
from workbook.forecast import scenarios as scenarios
from workbook.planners.app import ENV_AS_OF, ENV_CHART_JS, ENV_LANG, ENV_PARAMS
from workbook.planners.live_chart import LiveDraw, LiveSpec
from workbook.planners.zones import ENV_ROLE
from workbook.text.catalogue import label, say
from workbook.text.errors import InputError, WorkbookError
from workbook.text.labels import check_lang
from workbook.text.messages import BadValue, Message
from workbook.text.resources import CHECKOUT, sample_params
from workbook.text.writing import sentences
from workbook.zone.tabular import parse_date

log = logging.getLogger(__name__)


def _log_to_the_server() -> None:
    """Under `workbook app`, the workbook's log records (a callback's traceback) go to the
    kernel process's own stderr, which is the app's log, and never to the page (ipykernel sends
    what is written to sys.stderr to the browser)."""
    from workbook.planners.audit import ENV_OWNERS

    logger = logging.getLogger("workbook")
    if not os.environ.get(ENV_OWNERS) or getattr(logger, "_workbook_server_log", False):
        return
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(
        logging.Formatter("[workbook kernel %(process)d] %(levelname)s %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # a mark on the logger itself: its server-log handler is installed once per process
    logger._workbook_server_log = True  # type: ignore[attr-defined]


_log_to_the_server()

REPO = CHECKOUT
SAMPLE_PARAMS = sample_params()  # a source checkout's sample zone
# svg: crisp text (Chinese in the viewer's fonts) and a DOM a browser test can read.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}

F = TypeVar("F", bound=Callable[..., Any])


def planner_text(key: str, lang: str, **fmt: Any) -> str:
    """The planner label `key` in `lang`, formatted with `fmt` when given."""
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
    """Where the errors of some controls go, placed next to those controls: one sentence in the
    page's language saying what is wrong and what to do. The traceback goes to the log only."""

    def __init__(self, lang: str = "zh", name: str = "") -> None:
        self.lang = lang  # the language WorkbookError messages are shown in
        self.widget = W.HTML(value="")
        self.widget.add_class("wb-error-area")
        if name:
            self.widget.add_class(f"wb-error-{name}")
        self.last: BaseException | None = None
        self.lines: list[str] = []

    def show(self, exc: BaseException) -> None:
        self.last = exc
        if isinstance(exc, WorkbookError):
            lines = exc.lines(self.lang)
        else:  # a fault of the tool: say so, and what to do; details are in the log
            lines = [Message("planner.internal", kind=type(exc).__name__).render(self.lang)]
        self.lines = lines
        self.widget.value = (
            '<div class="wb-error" role="alert" style="border:1px solid #c0392b;'
            "background:#fdecea;color:#922b21;padding:6px 10px;margin:4px 0;border-radius:4px;"
            f'white-space:normal;overflow-wrap:anywhere">⚠ {html.escape(one_text(lines, self.lang))}'
            "</div>"
        )

    def clear(self) -> None:
        self.last = None
        self.lines = []
        self.widget.value = ""

    @property
    def text(self) -> str:
        """The message shown, '' when there is none."""
        return one_text(self.lines, self.lang) if self.lines else ""


def one_text(lines: list[str], lang: str) -> str:
    """Lines of a message as one text: sentences ended and joined as the language writes them."""
    return sentences(lines, lang)


def may_write() -> bool:
    """Whether this page's user may save scenarios and export (not when `workbook app` started
    the kernel for a user who may only look: WORKBOOK_ROLE=view, or handed it to one)."""
    from workbook.planners.audit import this_kernels_owner

    if os.environ.get(ENV_ROLE) == "view":
        return False
    owner = this_kernels_owner()
    return owner is None or owner.get("role") != "view"


def user_folder(folder: Path) -> Path:
    """Under `workbook app`, `folder/<user>` (each planner's exports apart); else `folder`."""
    from workbook.planners.audit import this_kernels_owner

    owner = this_kernels_owner()
    user = owner.get("user") if owner else None
    return (
        folder / user
        if isinstance(user, str) and user.isprintable() and "/" not in user
        else folder
    )


def audit(params_file: Any, event: str, **what: Any) -> None:
    """Under `workbook app`: one line in the zone's audit log (who did what, when). A log that
    cannot be written is said in the server's log, never to the page."""
    from workbook.planners.audit import ENV_OWNERS, record, this_kernels_owner

    if not os.environ.get(ENV_OWNERS) or params_file is None:
        return  # JupyterLab, papermill: no app, no audit log
    owner = this_kernels_owner() or {}
    try:
        record(params_file, event, str(owner.get("user", "?")), **what)
    except OSError:
        log.exception("audit log not written: %s %s", event, what)


def check_may_write() -> None:
    """Refuse a save or export on a view-only page (the buttons are disabled there too; this
    holds against a message sent to the kernel directly)."""
    if not may_write():
        raise InputError(Message("control.view_only"))


def guarded(method: F | None = None, *, area: str = "errors") -> Any:
    """Run a planner callback; on an exception show it in the planner's error area named `area`
    (an ErrorArea attribute placed next to the control) and log it, instead of letting
    ipywidgets swallow it. A success clears that area. `@guarded` or `@guarded(area=...)`."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            errors: ErrorArea = getattr(self, area)
            try:
                result = func(self, *args, **kwargs)
            except Exception as exc:  # shown to the planner, not swallowed
                if isinstance(exc, WorkbookError):  # the planner's input: the message says it all
                    log.info("callback %s: %s", func.__name__, exc)
                else:
                    log.exception("callback %s failed", func.__name__)
                errors.show(exc)
                return None
            finally:
                give_back_memory()  # after the page has its answer
            errors.clear()
            return result

        return cast(F, wrapper)  # functools.wraps keeps func's signature

    return decorate(method) if method is not None else decorate


def boxed(widget: W.Widget) -> W.Widget:
    """Let a wide output (a table) scroll inside its own box instead of being cut off by the
    page or a narrow column (1366-pixel screens, JupyterLab with its sidebar open)."""
    widget.layout.max_width = "100%"
    widget.layout.overflow = "auto"
    widget.add_class("wb-box")
    return widget


def details_html(body_html: str, lang: str) -> str:
    """Developer detail (timings) folded behind a 详情 / Details toggle."""
    summary = say("planner.details", lang)
    return (
        '<details class="wb-details" style="color:#888;font-size:11px">'
        f'<summary style="cursor:pointer">{html.escape(summary)}</summary>{body_html}</details>'
    )


@dataclass
class Redraw:
    """A chart slot's next draw, built before anything is replaced: an update of the chart the
    page shows (from the chart's parts alone) or a whole spec."""

    parts: ChartParts
    update: dict[str, Any] | None = None
    spec: dict[str, Any] | None = None


class ChartSlot:
    """One chart on the page: an offline `alt.JupyterChart` whose chart is replaced in place.
    Under `workbook app` the chart keeps its Vega view: a chart of the same structure as the one
    drawn goes as its changed data and titles only (`workbook.planners.live_chart`), and a chart
    given as parts with the key of the one drawn is not even built."""

    def __init__(self, name: str, chart: alt.TopLevelMixin | ChartParts) -> None:
        self.name = name
        parts = _parts(chart)
        built = parts.chart()
        self.widget = chart_class()(built, embed_options=EMBED_OPTIONS)
        self.widget.add_class("wb-chart")
        self.widget.layout.margin = "0 16px 16px 0"
        self.widget.add_class(f"wb-chart-{name}")
        self._live: LiveDraw | None = None
        self._parts = parts
        self._spec: dict[str, Any] | None = None
        self._gen = 0
        self.embeds = 1  # specs sent to the page (the rest went as data)
        self.draws = 0
        if isinstance(self.widget, AppChart):
            self.embeds = 0
            self.put(Redraw(parts, spec=self.spec_of(built)))
        self.draws = 1

    def show(self, chart: alt.TopLevelMixin | ChartParts) -> None:
        """Replace the chart in place."""
        self.put(self.prepare(chart))

    @staticmethod
    def spec_of(chart: alt.TopLevelMixin) -> dict[str, Any]:
        """The spec a slot is sent. The planners' charts hold no params or selections, so the
        spec goes as it is; the schema was checked when the slot was made (and by the chart
        functions' tests), which halves the cost of a redraw."""
        return chart.to_dict(validate=False)

    def prepare(self, chart: alt.TopLevelMixin | ChartParts) -> Redraw:
        """The next draw of `chart` (nothing sent yet): in the app, parts with the key of the
        chart the page shows go as an update, without building the chart."""
        parts = _parts(chart)
        if isinstance(self.widget, AppChart) and self._live is not None:
            update = self._live.update_from(parts)
            if update is not None:
                return Redraw(parts, update=update)
        return Redraw(parts, spec=self.spec_of(parts.chart()))

    def put(self, redraw: Redraw) -> None:
        """Replace the chart by a draw prepared beforehand (`prepare`): in the app, only what
        changed when the structure is the same."""
        self.draws += 1
        self._parts, self._spec = redraw.parts, redraw.spec
        if not isinstance(self.widget, AppChart):
            assert redraw.spec is not None  # `prepare` gives an update only to the app's chart
            with self.widget.hold_sync():
                self.widget.spec = redraw.spec
            return
        update = redraw.update
        new = None
        if update is None and redraw.spec is not None:
            new = LiveSpec.of(redraw.spec)
            update = self._live.update_for(new) if self._live is not None else None
        if update is not None:
            self.widget._wb_update = update
            return
        assert new is not None
        self._gen += 1
        self._live = LiveDraw.of(new, self._gen, redraw.parts)
        with self.widget.hold_sync():
            self.widget.spec = new.embeddable(self._gen)
        self.embeds += 1

    @property
    def spec(self) -> dict[str, Any]:
        """The spec of the chart shown (as built; in the app the page may have it as a spec
        drawn before plus data changes, and a chart sent as an update is built here on demand)."""
        if not isinstance(self.widget, AppChart):
            return dict(self.widget.spec or {})
        if self._spec is None:
            self._spec = self.spec_of(self._parts.chart())
        return dict(self._spec)


def _parts(chart: alt.TopLevelMixin | ChartParts) -> ChartParts:
    return chart if isinstance(chart, ChartParts) else ChartParts.whole(chart)


# The chart widget's code when `workbook app` serves the Vega bundle itself: a few lines that
# import it from the app (the browser loads it once per page and caches it) instead of sending
# the ~0.9 MB bundle inside every chart widget's state.
SHARED_CHART_ESM = """
const config = JSON.parse(document.getElementById("jupyter-config-data").textContent);
const url = new URL((config.baseUrl || "/") + "%s", window.location.href);
const loading = import(url.href);
async function render(ctx) { return (await loading).default.render(ctx); }
export default { render };
"""


class AppChart(alt.JupyterChart):
    """`alt.JupyterChart` whose code (`live_chart.CHART_JS` with the Vega bundle) comes from the
    app, shared by every chart; `_wb_update` carries data and title changes to its view."""

    _esm = ""
    _wb_update = traitlets.Any(None, allow_none=True).tag(sync=True)


def enable_offline() -> None:
    """Serve the Vega bundle from vl-convert (no CDN); once per process (~1 s). Under
    `workbook app` the charts import the bundle the app serves (one download per page)."""
    shared = os.environ.get(ENV_CHART_JS)
    if shared:
        AppChart._esm = SHARED_CHART_ESM % shared.lstrip("/")
        return
    alt.JupyterChart.enable_offline()


def chart_class() -> type[alt.JupyterChart]:
    return AppChart if AppChart._esm else alt.JupyterChart


@contextlib.contextmanager
def timed(store: dict[str, float], key: str) -> Iterator[None]:
    """Time the block: its milliseconds go to `store[key]`."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        store[key] = (time.perf_counter() - t0) * 1000


def house_slider(
    cls: type[W.FloatSlider] | type[W.IntSlider],
    key: str,
    description: str,
    value: float,
    lo: float,
    hi: float,
    step: float,
    fmt: str | None = None,
) -> W.Widget:
    """The house slider: one recompute per release, the description in a wide column, CSS
    classes `wb-control` and `wb-driver-<key>`."""
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
    s._wb_range = (lo, hi)  # the range as built: the page may move the slider's own min and max
    return s


def slider_value(slider: W.Widget) -> float:
    """A house slider's value, checked in the kernel against the range it was built with (a
    message sent to the widget can carry any number); an InputError naming the control."""
    lo, hi = slider._wb_range
    try:
        v = float(slider.value)
    except (TypeError, ValueError):
        v = math.nan
    if not lo <= v <= hi:  # NaN fails too
        name = slider.description
        raise InputError(
            Message("control.out_of_range", name=name, lo=lo, hi=hi, found=slider.value)
        )
    return v

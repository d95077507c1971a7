"""The interactive planners (ipywidgets + Altair): every widget of the workbook lives here.

`scenario_planner(...)` and `roadshow_planner(...)` are what the notebooks call; each returns a
planner object that displays as one widget tree. A control move recomputes from the engine's
cached draws (common random numbers) and updates numbers and charts in place: tables are HTML
widgets whose value is replaced, charts are `alt.JupyterChart` widgets whose chart is
replaced (offline: the Vega bundle comes from vl-convert, never a CDN). Sliders act on
release (`continuous_update=False`), so a drag costs one recompute; several controls set at
once (a scenario picked) recompute once. Every control change is recomputed in full, in order:
nothing is skipped or coalesced on this side, so the last value set is the one every output
shows. A redraw builds all of its tables and chart specs first and only then replaces them,
one right after the other, so numbers and charts reach the page together and a failure while
building leaves every output at the previous, consistent state. An exception in a callback is
shown in the planner's error area, never swallowed; the next successful update clears it.

Everything here is testable without a browser: set a control's `.value` and the model
(`planner.drivers`, `planner.forecast`) and the outputs (`planner.table.value`, the charts'
specs) change.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import html
import logging
import math
import os
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import altair as alt
import ipywidgets as W
import numpy as np
import pandas as pd

from workbook import scenarios
from workbook.app import ENV_AS_OF, ENV_LANG, ENV_PARAMS
from workbook.charts import roadshow as cr
from workbook.charts import scenario as cs
from workbook.drivers import Drivers
from workbook.errors import InputError, WorkbookError
from workbook.forecast import Forecast
from workbook.i18n import check_lang, label
from workbook.messages import BadValue, Message
from workbook.pacing import status as pacing_status
from workbook.plan_export import display_table, plan_ics, plan_xlsx, write_files
from workbook.roadshow import (
    Plan,
    RoadshowProblem,
    build_problem,
    constraint_groups,
    greedy_plan,
    min_cost,
    scenario_drivers,
    solve,
)
from workbook.roadshow_judge import compare_plans, p_attain_frontier, plans_for_comparison
from workbook.roadshow_params import Restriction, RoadshowSettings
from workbook.scenario_files import (
    load_scenario_file,
    make_scenario,
    save_scenario,
    saved_scenarios,
)
from workbook.simulate import Engine, plan_frame
from workbook.tabular import parse_date
from workbook.zone import load_zone

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
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


# ---- driver controls ----------------------------------------------------------------------------

EVENT_KINDS: tuple[str, ...] = ("domestic", "overseas", "conference", "platform", "cloud")


@dataclass(frozen=True)
class Control:
    """One driver slider: its key (label `ctl_<key>`), whole numbers or not, range, step and
    readout format."""

    key: str
    integer: bool
    lo: float
    hi: float
    step: float
    fmt: str = ".2f"


DRIVER_CONTROLS: tuple[Control, ...] = (
    Control("conversion", False, 0.3, 2.0, 0.05),
    Control("slip_months", True, 0, 12, 1, "d"),
    Control("arrival_ratio", False, 0.05, 1.0, 0.05),
    Control("fx", False, 5.5, 8.0, 0.05),
    Control("channel_leads", False, 0.0, 3.0, 0.1, ".1f"),
    Control("overseas_leads", False, 0.0, 3.0, 0.1, ".1f"),
    *(Control(f"leads_{k}", False, 0.0, 3.0, 0.1, ".1f") for k in EVENT_KINDS),
)
MANUAL_CANCEL = "manual"
# The tornado ranks the drivers the planner can move here (the engine's steps for them).
TORNADO_DRIVERS: tuple[str, ...] = (
    "stage_probability.negotiating",
    "stage_probability.intent",
    "channels.conversion",
    "events.conversion_multiplier",
    "slip_months",
    "start_probability",
    "arrival_ratio.mean",
    "fx_cny_per_usd",
    "channels.lead_multiplier",
)
TORNADO_STEPS = tuple(s for s in scenarios.STEPS if s.driver in TORNADO_DRIVERS)


def tornado_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The engine's sensitivity table as the tornado chart reads it: DataFrame[driver (its
    label, with the step), metric, delta_down, delta_up] (changes in P(attain))."""

    def step(v: float) -> str:
        return f"{v:g}"

    return pd.DataFrame(
        {
            "driver": [
                f"{lab} (±{step(st)})"
                for lab, st in zip(table["label"], table["step"], strict=True)
            ],
            "metric": table["metric"].to_numpy(),
            "delta_down": (table["p_low"] - table["p_base"]).to_numpy(dtype=float),
            "delta_up": (table["p_high"] - table["p_base"]).to_numpy(dtype=float),
        }
    )


def control_values(drivers: Drivers, fx_default: float) -> dict[str, float]:
    """The slider values that show a set of drivers (conversion is relative: 1 = as given)."""
    values: dict[str, float] = {
        "conversion": 1.0,
        "slip_months": drivers.slip_months,
        "arrival_ratio": drivers.arrival_ratio.mean,
        "fx": drivers.fx_cny_per_usd or fx_default,
        "channel_leads": drivers.channels.lead_multiplier,
        "overseas_leads": drivers.channels.overseas_lead_multiplier,
    }
    for k in EVENT_KINDS:
        values[f"leads_{k}"] = drivers.events.lead_multiplier.of(k)
    return values


def what_if(
    base: Drivers,
    values: dict[str, float],
    cancelled: tuple[str, ...] = (),
    reason: str = MANUAL_CANCEL,
    fx_default: float | None = None,
) -> Drivers:
    """`base` with the sliders' values laid over it (checked): `conversion` multiplies every
    signing probability (capped at 1), the channels' conversion and the events' conversion
    multiplier; `cancelled` event ids are added to the events cancelled. An `fx` equal to
    the rate the drivers already use (theirs, else `fx_default`) leaves the rate unset."""
    m = float(values.get("conversion", 1.0))
    over: dict[str, Any] = {}
    if m != 1.0:
        sp = base.stage_probability
        over["stage_probability"] = {s: min(1.0, getattr(sp, s) * m) for s in type(sp).model_fields}
        over["channels"] = {"conversion": min(1.0, base.channels.conversion * m)}
        over["events"] = {"conversion_multiplier": min(10.0, base.events.conversion_multiplier * m)}
    if "slip_months" in values:
        over["slip_months"] = int(values["slip_months"])
    if "arrival_ratio" in values:
        over["arrival_ratio"] = {"mean": float(values["arrival_ratio"])}
    if "fx" in values and float(values["fx"]) != (base.fx_cny_per_usd or fx_default):
        over["fx_cny_per_usd"] = float(values["fx"])
    channels = over.setdefault("channels", {})
    if "channel_leads" in values:
        channels["lead_multiplier"] = float(values["channel_leads"])
    if "overseas_leads" in values:
        channels["overseas_lead_multiplier"] = float(values["overseas_leads"])
    events = over.setdefault("events", {})
    kinds = {k: float(values[f"leads_{k}"]) for k in EVENT_KINDS if f"leads_{k}" in values}
    if kinds:
        events["lead_multiplier"] = kinds
    if cancelled:
        rule = {"events": list(cancelled), "reason": reason}
        events["cancelled"] = [*(c.model_dump() for c in base.events.cancelled), rule]
    return base.apply(over)


# ---- the scenario planner -----------------------------------------------------------------------


class ScenarioPlanner:
    """Drivers as sliders over a named scenario; every target's outlook, updated in place.

    `drivers` and `forecast` are the current what-if and its forecast; `table`, `headline`
    and the `charts` (p_attain, fan, hist, tornado, compare) show them.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        scenario: str | None = None,
        lang: str = "zh",
        save_dir: str | Path | None = None,
    ) -> None:
        self.engine = engine
        self.zone = engine.zone
        self.params = engine.params
        self.lang = check_lang(lang)
        self.save_dir = Path(save_dir) if save_dir is not None else None
        self.errors = ErrorArea(self.lang)
        self.timings: dict[str, float] = {}
        self.updates = 0
        self._holding = False
        metrics = self._metrics()
        self.metric = "domestic_capital" if "domestic_capital" in metrics else metrics[0]
        self.status = pacing_status(self.params, self.zone.ledger, engine.as_of, self.lang)

        self.choices = self._scenario_choices()
        start = self._initial_choice(scenario)
        self.base_drivers, self.base_plan = self._choice_drivers(start)
        self.drivers = self.base_drivers
        self.plan = self.base_plan
        self._tornado_key: tuple[int, str] | None = None
        # The control values the forecast was made from (what the headline says was changed).
        self._used: tuple[dict[str, float], tuple[str, ...]] = (
            control_values(self.drivers, self.params.fx_cny_per_usd),
            (),
        )
        with _timer(self.timings, "engine_ms"):
            self.forecast: Forecast = engine.forecast(self.drivers, self.plan)
        self._chart_data()
        self.base_forecast = self.forecast
        self.scenario_table = self._scenario_table()
        self.sensitivity: pd.DataFrame | None = None

        self._build_controls(start)
        self._refresh_tornado()
        self._build_outputs()
        self._render(charts=False)
        self.widget = self._layout()

    # -- choices of scenario ---------------------------------------------------------------

    def _metrics(self) -> list[str]:
        return [k for k, _ in self.params.targets.items()]

    def _scenario_choices(self) -> list[tuple[str, tuple[str, str]]]:
        out: list[tuple[str, tuple[str, str]]] = []
        for key, sc in self.params.scenarios.items():
            out.append((sc.display(key, self.lang), ("params", key)))
        if not self.params.scenarios:
            out.append((_t("params_drivers", self.lang), ("params", "")))
        for name, path in saved_scenarios(self.params, self.save_dir).items():
            out.append((f"{name} {_t('saved_mark', self.lang)}", ("file", str(path))))
        return out

    def _initial_choice(self, scenario: str | None) -> tuple[str, str]:
        if scenario is None:
            return self.choices[0][1]
        if scenario in self.params.scenarios or any(
            scenario == sc.name_en for sc in self.params.scenarios.values()
        ):
            return ("params", self.engine.scenario_key(scenario))
        for _, value in self.choices:
            if value[0] == "file" and Path(value[1]).stem == scenario:
                return value
        valid = [Path(v[1]).stem if v[0] == "file" else v[1] for _, v in self.choices]
        raise InputError(
            f"unknown scenario {scenario!r} (expected one of {', '.join(v for v in valid if v)})"
        )

    def _choice_drivers(self, choice: tuple[str, str]) -> tuple[Drivers, pd.DataFrame]:
        kind, key = choice
        if kind == "params":
            if not key:
                return self.params.drivers, self.engine.base_plan
            return self.engine.scenario_drivers(key), self.engine.scenario_plan(key)
        _, sc = load_scenario_file(key)
        try:
            drivers = self.params.drivers.apply(sc.drivers)
        except ValueError as exc:
            raise InputError(f"{key}: {exc}") from None
        plan = plan_frame(sc.event_plan) if sc.event_plan is not None else self.engine.base_plan
        return drivers, plan

    def _scenario_table(self) -> pd.DataFrame:
        """P(attain) of every target under each of the params' scenarios (engine.compare)."""
        if not self.params.scenarios:
            return pd.DataFrame()
        return scenarios.compare(self.engine).drop(index=scenarios.ALL, errors="ignore")

    # -- controls --------------------------------------------------------------------------

    def _build_controls(self, start: tuple[str, str]) -> None:
        lang = self.lang
        self.scenario = W.Dropdown(
            options=self.choices,
            value=start,
            description=_t("scenario", lang),
            style={"description_width": "11em"},
            layout=W.Layout(width="30em"),
        )
        self.scenario.add_class("wb-scenario")
        self.scenario.observe(self._on_scenario, names="value")
        values = control_values(self.drivers, self.params.fx_cny_per_usd)
        self.controls: dict[str, W.Widget] = {}
        for c in DRIVER_CONTROLS:
            cls = W.IntSlider if c.integer else W.FloatSlider
            s = _slider(
                cls, c.key, self._control_label(c.key), values[c.key], c.lo, c.hi, c.step, c.fmt
            )
            s.observe(self._on_control, names="value")
            self.controls[c.key] = s
        self.cancel_boxes: dict[str, W.Checkbox] = {}
        self._build_cancel_boxes()
        self.metric_pick = W.Dropdown(
            options=[(label("metric", m, lang), m) for m in self._metrics()],
            value=self.metric,
            description=_t("chart_metric", lang),
            style={"description_width": "11em"},
            layout=W.Layout(width="30em"),
        )
        self.metric_pick.add_class("wb-metric")
        self.metric_pick.observe(self._on_metric, names="value")
        self.reset_button = W.Button(
            description=_t("reset", lang), icon="undo", layout=W.Layout(width="auto")
        )
        self.reset_button.add_class("wb-reset")
        self.reset_button.on_click(self._on_reset)
        self.tornado_button = W.Button(
            description=_t("refresh_tornado", lang), icon="refresh", layout=W.Layout(width="auto")
        )
        self.tornado_button.add_class("wb-tornado-refresh")
        self.tornado_button.on_click(self._on_tornado)
        # Save scenario: a name, an explicit overwrite choice, a button, a status line.
        self.save_name = W.Text(placeholder=_t("save_name", lang), description=_t("name", lang))
        self.save_name.add_class("wb-save-name")
        self.save_description = W.Text(
            placeholder=_t("save_description", lang), description=_t("description", lang)
        )
        self.save_overwrite = W.Checkbox(
            value=False, description=_t("overwrite", lang), indent=False
        )
        self.save_overwrite.add_class("wb-save-overwrite")
        self.save_button = W.Button(
            description=_t("save", lang), icon="save", button_style="primary"
        )
        self.save_button.add_class("wb-save")
        self.save_button.on_click(self._on_save)
        self.save_status = W.HTML("")
        self.save_status.add_class("wb-save-status")
        self.saved_path: Path | None = None

    def _control_label(self, key: str) -> str:
        if key.startswith("leads_"):
            return _t("leads_event", self.lang, kind=label("event_kind", key[6:], self.lang))
        return _t(f"ctl_{key}", self.lang)

    def _future_plan(self) -> pd.DataFrame:
        p = self.base_plan
        return p[p["month"] > self.engine.month].reset_index(drop=True)

    def _build_cancel_boxes(self) -> None:
        names = {}
        if self.zone.events is not None:
            names = dict(zip(self.zone.events["event_id"], self.zone.events["name"], strict=True))
        boxes = {}
        for eid, month in zip(
            self._future_plan()["event_id"], self._future_plan()["month"], strict=True
        ):
            month_text = f"{month}月" if self.lang == "zh" else f"M{month}"
            box = W.Checkbox(
                value=False,
                description=f"{month_text} {names.get(eid, eid)}",
                indent=False,
                layout=W.Layout(width="30em"),
            )
            box.add_class("wb-cancel")
            box.add_class(f"wb-cancel-{eid}")
            box.observe(self._on_control, names="value")
            boxes[eid] = box
        self.cancel_boxes = boxes
        self.cancel_area = W.VBox(list(boxes.values()))

    @property
    def cancelled(self) -> tuple[str, ...]:
        return tuple(eid for eid, box in self.cancel_boxes.items() if box.value)

    def values(self) -> dict[str, float]:
        return {k: float(w.value) for k, w in self.controls.items()}

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Set several controls with one recompute at the end (not one per control)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    # -- callbacks -------------------------------------------------------------------------

    @guarded
    def _on_control(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self.recompute()

    @guarded
    def _on_metric(self, change: dict[str, Any]) -> None:
        self.metric = change["new"]
        self._chart_data()
        self._render(numbers=False)

    @guarded
    def _on_scenario(self, change: dict[str, Any]) -> None:
        self.base_drivers, self.base_plan = self._choice_drivers(change["new"])
        self._set_controls(self.base_drivers)
        self._build_cancel_boxes()
        self.cancel_holder.children = [self.cancel_area]
        self._forecast()
        self._chart_data()
        self.base_forecast = self.forecast
        self._refresh_tornado()
        self._render()

    @guarded
    def _on_reset(self, _: Any = None) -> None:
        self._set_controls(self.base_drivers)
        for box in self.cancel_boxes.values():
            with self.hold():
                box.value = False
        self.recompute()

    @guarded
    def _on_tornado(self, _: Any = None) -> None:
        self._refresh_tornado()
        self._render(numbers=False)

    @guarded
    def _on_save(self, _: Any = None) -> None:
        self.save_status.value = ""
        scenario = make_scenario(
            self.params,
            self.drivers,
            description=self.save_description.value.strip(),
            event_plan=None if self._plan_is_params() else self.plan,
        )
        path = save_scenario(
            self.params,
            self.save_name.value,
            scenario,
            folder=self.save_dir,
            overwrite=self.save_overwrite.value,
        )
        self.saved_path = path
        self.save_overwrite.value = False
        current = self.scenario.value
        self.choices = self._scenario_choices()
        with self.hold():
            self.scenario.unobserve(self._on_scenario, names="value")
            self.scenario.options = self.choices
            self.scenario.value = current
            self.scenario.observe(self._on_scenario, names="value")
        self.save_status.value = (
            f'<span class="wb-saved" style="color:#1e8449">{html.escape(_t("saved", self.lang))}'
            f" {html.escape(str(path))}</span>"
        )

    def _plan_is_params(self) -> bool:
        base = self.engine.base_plan
        return len(base) == len(self.plan) and bool(
            (base.reset_index(drop=True) == self.plan.reset_index(drop=True)).all().all()
        )

    def _set_controls(self, drivers: Drivers) -> None:
        values = control_values(drivers, self.params.fx_cny_per_usd)
        with self.hold():
            for key, w in self.controls.items():
                w.value = values[key]

    # -- computing -------------------------------------------------------------------------

    def recompute(self) -> Forecast:
        """Forecast the current controls from the engine's cached draws and redraw: the numbers
        and the all-target charts go out first, then the chosen target's fan and histogram
        (the fan is a second, monthly pass over the same draws)."""
        self._forecast()
        self._render(metric=False)
        self._chart_data()
        self._render(numbers=False)
        return self.forecast

    def _forecast(self) -> None:
        values, cancelled = self.values(), self.cancelled
        with _timer(self.timings, "drivers_ms"):
            self.drivers = what_if(
                self.base_drivers,
                values,
                cancelled,
                _t("cancel_reason", self.lang),
                fx_default=self.params.fx_cny_per_usd,
            )
        with _timer(self.timings, "engine_ms"):
            self.forecast = self.engine.forecast(self.drivers, self.plan)
        self._used = (values, cancelled)

    def _chart_data(self) -> None:
        """The aggregated data the charts of the chosen metric need (a second engine pass for
        the monthly fan; the year-end histogram binned in pandas, never trial by trial)."""
        with _timer(self.timings, "fan_ms"):
            self.fan_data = self.forecast.fan(self.metric)
            self.bins = cs.year_end_bins(self.forecast.year_end(self.metric))

    def _refresh_tornado(self) -> None:
        """One-at-a-time sensitivity of the current settings (the engine's, on the same draws)."""
        with _timer(self.timings, "tornado_ms"):
            table = scenarios.sensitivity(self.engine, self.drivers, self.plan, steps=TORNADO_STEPS)
        self.sensitivity = tornado_frame(table)
        self.sensitivity_drivers = self.drivers

    # -- drawing ---------------------------------------------------------------------------

    def _build_outputs(self) -> None:
        self.title = W.HTML(self._title_html())
        self.headline = W.HTML()
        self.headline.add_class("wb-headline")
        self.table = W.HTML()
        self.table.add_class("wb-table")
        self.timing = W.HTML()
        self.timing.add_class("wb-timing")
        self.tornado_note = W.HTML()
        self.charts: dict[str, ChartSlot] = {}
        for name, chart in self._charts().items():
            self.charts[name] = ChartSlot(name, chart)
        self._tornado_key = self._tornado_now()
        self.cancel_holder = W.VBox([self.cancel_area])

    def _title_html(self) -> str:
        p, e, lang = self.params, self.engine, self.lang
        title = _t("scenario_title", lang, zone=p.zone_name(lang), year=p.year)
        sub = _t("subtitle", lang, as_of=e.as_of.isoformat(), trials=e.trials, seed=e.seed)
        return (
            f'<h2 style="margin:4px 0">{html.escape(title)}</h2>'
            f'<div style="color:#666;margin-bottom:6px">{html.escape(sub)}</div>'
        )

    def _charts(self, numbers: bool = True, metric: bool = True) -> dict[str, alt.TopLevelMixin]:
        """The charts to (re)draw: those of every target (`numbers`) and those of the chosen
        target (`metric`); the tornado only when its data or target changed."""
        fc, lang, m = self.forecast, self.lang, self.metric
        out: dict[str, alt.TopLevelMixin] = {}
        if numbers:
            out["p_attain"] = cs.p_attain_chart(fc.targets, lang)
            out["compare"] = cs.compare_chart(self.compare_frame(), lang)
        if metric:
            row = fc.targets.loc[m]
            stretch = None if pd.isna(row["stretch"]) else float(row["stretch"])
            target, unit = float(row["target"]), str(row["unit"])
            fan = cs.fan_chart(self.fan_data, metric=m, target=target, unit=unit, lang=lang)
            # The subtitle says which outlook the fan draws: the same P(attain) as the headline.
            out["fan"] = fan.properties(
                title=alt.TitleParams(text=fan.title, subtitle=self._fan_note(row))
            )
            out["hist"] = cs.histogram_chart(
                self.bins, metric=m, target=target, stretch=stretch, unit=unit, lang=lang
            )
            if self._tornado_now() != self._tornado_key:  # a driver move leaves it as it is
                sens = self.sensitivity if self.sensitivity is not None else cs.empty_sensitivity()
                out["tornado"] = cs.tornado_chart(sens, metric=m, lang=lang)
        return out

    def _tornado_now(self) -> tuple[int, str]:
        """What the tornado must show: the sensitivity table and the chosen target."""
        return (id(self.sensitivity), self.metric)

    def _fan_note(self, row: pd.Series) -> str:
        unit = str(row["unit"])
        p50 = float(row["p50"])
        return _t(
            "fan_note",
            self.lang,
            p=float(row["p_attain"]),
            p50=f"{p50:,.0f}" if unit == "count" else f"{p50:,.2f}",
            unit=label("unit", unit, self.lang),
        )

    def compare_frame(self) -> pd.DataFrame:
        """P(attain) per target under each params scenario and the current settings, long form
        DataFrame[scenario, metric, p_attain] in display order."""
        rows = []
        for key, sc in self.params.scenarios.items():
            for metric, p in self.scenario_table[key].items():
                rows.append(
                    {"scenario": sc.display(key, self.lang), "metric": metric, "p_attain": p}
                )
        current = _t("current", self.lang)
        for metric, p in self.forecast.targets["p_attain"].items():
            rows.append({"scenario": current, "metric": metric, "p_attain": float(p)})
        return pd.DataFrame(rows, columns=["scenario", "metric", "p_attain"])

    def _render(self, numbers: bool = True, metric: bool = True, charts: bool = True) -> None:
        """Replace in place what changed: the numbers (headline, table) and the charts of every
        target, and/or the charts of the chosen target."""
        t0 = time.perf_counter()
        # Everything is built before anything is replaced (see the module's docstring).
        headline = self._headline_html() if numbers else None
        table = self._table_html() if numbers else None
        note = self._tornado_note_html()
        specs: dict[str, dict[str, Any]] = {}
        if charts:
            specs = {n: ChartSlot.spec_of(c) for n, c in self._charts(numbers, metric).items()}
        if headline is not None and table is not None:
            self.headline.value = headline
            self.table.value = table
        self.tornado_note.value = note
        for name, spec in specs.items():
            self.charts[name].put(spec)
        if "tornado" in specs:
            self._tornado_key = self._tornado_now()
        took = (time.perf_counter() - t0) * 1000
        self.timings["draw_ms"] = took if numbers else self.timings.get("draw_ms", 0) + took
        self.updates += 1
        self.timing.value = (
            '<span style="color:#888;font-size:11px">'
            + html.escape(
                _t(
                    "timing",
                    self.lang,
                    engine=self.timings.get("engine_ms", 0),
                    fan=self.timings.get("fan_ms", 0),
                    draw=self.timings["draw_ms"],
                    trials=self.engine.trials,
                )
            )
            + "</span>"
        )

    def _headline_html(self) -> str:
        fc, base, lang = self.forecast, self.base_forecast, self.lang
        parts = []
        for metric in self._metrics()[:2]:
            p = float(fc.targets.at[metric, "p_attain"])
            d = p - float(base.targets.at[metric, "p_attain"])
            parts.append(
                _big_number(
                    label("metric", metric, lang) + " " + _t("p_attain", lang),
                    f'<span class="wb-p-attain" data-metric="{metric}">{p:.1%}</span>',
                    _delta_text(d, lang),
                )
            )
        d_all = fc.p_all - base.p_all
        parts.append(
            _big_number(
                _t("p_all", lang),
                f'<span class="wb-p-all">{fc.p_all:.1%}</span>',
                _delta_text(d_all, lang),
            )
        )
        return (
            '<div style="display:flex;gap:28px;margin:6px 0 10px 0">'
            + "".join(parts)
            + "</div>"
            + self._adjusted_html()
        )

    def adjusted(self) -> list[str]:
        """What the numbers shown were computed with that differs from the chosen scenario: one
        `label old→new` per control moved, and the number of events cancelled."""
        values, cancelled = self._used
        base = control_values(self.base_drivers, self.params.fx_cny_per_usd)
        items = []
        for c in DRIVER_CONTROLS:
            old, new = float(base[c.key]), float(values[c.key])
            if abs(new - old) > 1e-9:
                items.append(f"{self._control_label(c.key)} {_fmt(old, c)}→{_fmt(new, c)}")
        if cancelled:
            items.append(_t("cancelled_n", self.lang, n=len(cancelled)))
        return items

    def _adjusted_html(self) -> str:
        items = self.adjusted()
        if not items:
            return ""
        text = _t("adjusted", self.lang, items=("；" if self.lang == "zh" else "; ").join(items))
        return (
            '<div class="wb-adjusted" style="color:#555;font-size:12px;margin:-4px 0 8px 0">'
            f"{html.escape(text)}</div>"
        )

    def _table_html(self) -> str:
        return targets_table_html(self.forecast.targets, self.status, self.lang)

    def _tornado_note_html(self) -> str:
        if self.sensitivity is None:
            return ""
        stale = self.sensitivity_drivers != self.drivers
        text = _t("tornado_stale" if stale else "tornado_fresh", self.lang)
        color = "#b9770e" if stale else "#888"
        return f'<span style="color:{color};font-size:11px">{html.escape(text)}</span>'

    def _layout(self) -> W.Widget:
        lang = self.lang
        c = self.controls
        controls = W.VBox(
            [
                self.scenario,
                W.HTML(f"<b>{html.escape(_t('drivers', lang))}</b>"),
                c["conversion"],
                c["slip_months"],
                c["arrival_ratio"],
                c["fx"],
                W.HTML(f"<b>{html.escape(_t('leads', lang))}</b>"),
                c["channel_leads"],
                c["overseas_leads"],
                *(c[f"leads_{k}"] for k in EVENT_KINDS),
                W.HTML(f"<b>{html.escape(_t('cancel_events', lang))}</b>"),
                self.cancel_holder,
                W.HBox([self.reset_button]),
                W.HTML(f"<b>{html.escape(_t('chart_options', lang))}</b>"),
                self.metric_pick,
                W.HTML(f"<b>{html.escape(_t('save_title', lang))}</b>"),
                self.save_name,
                self.save_description,
                W.HBox([self.save_overwrite, self.save_button]),
                self.save_status,
            ],
            layout=W.Layout(width="32em", min_width="32em", padding="0 12px 0 0"),
        )
        ch = self.charts
        wrap = W.Layout(display="flex", flex_flow="row wrap", align_items="flex-start")
        results = W.VBox(
            [
                self.headline,
                self.table,
                self.timing,
                W.Box([ch["fan"].widget, ch["hist"].widget], layout=wrap),
            ],
            layout=W.Layout(flex="1 1 auto", overflow="auto"),
        )
        more = W.Box(
            [
                ch["p_attain"].widget,
                ch["compare"].widget,
                W.VBox([ch["tornado"].widget, W.HBox([self.tornado_button, self.tornado_note])]),
            ],
            layout=wrap,
        )
        root = W.VBox(
            [
                self.title,
                self.errors.widget,
                W.HBox([controls, results], layout=W.Layout(align_items="flex-start")),
                more,
            ]
        )
        root.add_class("wb-scenario-planner")
        return root

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _big_number(title: str, value_html: str, sub: str) -> str:
    return (
        '<div><div style="color:#555;font-size:12px">'
        + html.escape(title)
        + '</div><div style="font-size:26px;font-weight:600">'
        + value_html
        + '</div><div style="color:#777;font-size:11px">'
        + html.escape(sub)
        + "</div></div>"
    )


def _fmt(value: float, control: Control) -> str:
    """A control's value as its slider shows it."""
    if control.fmt == "d":
        return str(int(round(value)))
    return format(value, control.fmt)


def _delta_text(d: float, lang: str) -> str:
    pts = d * 100
    if abs(pts) < 0.05:
        return _t("same_as_scenario", lang)
    return _t("delta", lang, pts=pts)


def targets_table_html(targets: pd.DataFrame, status: pd.DataFrame, lang: str = "zh") -> str:
    """Every target as an HTML table: floor, stretch, actual to date, phased target and pace
    verdict (from `status`), P(attain), P(stretch), P10/P50/P90 of the year end."""
    pace = status.set_index("metric")
    heads = [
        ("metric", "left"),
        ("unit", "left"),
        ("target", "right"),
        ("stretch", "right"),
        ("actual", "right"),
        ("phased_target", "right"),
        ("verdict", "left"),
        ("p_attain", "right"),
        ("p_stretch", "right"),
        ("p10", "right"),
        ("p50", "right"),
        ("p90", "right"),
    ]
    th = "".join(
        f'<th style="text-align:{a};padding:3px 8px;border-bottom:2px solid #999;'
        f'white-space:nowrap">'
        f"{html.escape(_t('col_' + k, lang))}</th>"
        for k, a in heads
    )
    rows = []
    for metric, r in targets.iterrows():
        unit = str(r["unit"])

        def num(v: Any, unit: str = unit) -> str:
            if v is None or pd.isna(v):
                return ""
            return f"{v:,.0f}" if unit == "count" else f"{v:,.2f}"

        p = pace.loc[metric] if metric in pace.index else None
        verdict = "" if p is None else label("verdict", str(p["verdict"]), lang)
        v_color = {"ahead": "#1e8449", "on_pace": "#2e86c1", "behind": "#c0392b"}.get(
            "" if p is None else str(p["verdict"]), "#333"
        )
        pa = float(r["p_attain"])
        p_color = "#1e8449" if pa >= 0.8 else "#b9770e" if pa >= 0.5 else "#c0392b"
        ps = "" if pd.isna(r["p_stretch"]) else f"{float(r['p_stretch']):.1%}"
        cells = [
            (html.escape(label("metric", str(metric), lang)), "left", ""),
            (html.escape(label("unit", unit, lang)), "left", ""),
            (num(r["target"]), "right", ""),
            (num(r["stretch"]), "right", ""),
            (num(r["actual_to_date"]), "right", ""),
            (num(None if p is None else p["phased_target"]), "right", ""),
            (html.escape(verdict), "left", f"color:{v_color}"),
            (
                f'<span class="wb-p-cell" data-metric="{metric}">{pa:.1%}</span>',
                "right",
                f"color:{p_color};font-weight:600",
            ),
            (ps, "right", ""),
            (num(r["p10"]), "right", ""),
            (num(r["p50"]), "right", ""),
            (num(r["p90"]), "right", ""),
        ]
        rows.append(
            "<tr>"
            + "".join(
                f'<td style="text-align:{a};padding:2px 8px;border-bottom:1px solid #eee;'
                f'white-space:nowrap;{s}">{v}</td>'
                for v, a, s in cells
            )
            + "</tr>"
        )
    return (
        '<table style="border-collapse:collapse;font-size:13px">'
        f"<thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def scenario_planner(
    params_path: str | Path | None = None,
    *,
    scenario: str | None = None,
    as_of: str | dt.date | None = None,
    trials: int = 20_000,
    seed: int = 1,
    lang: str | None = None,
    save_dir: str | Path | None = None,
) -> ScenarioPlanner:
    """The scenario planner of a zone (what `notebooks/scenario_planner.ipynb` shows)."""
    s = resolve_settings(params_path, as_of, lang)
    zone = load_zone(s.params_path)
    engine = Engine(zone, as_of=s.as_of, trials=int(trials), seed=int(seed), lang=s.lang)
    enable_offline()
    return ScenarioPlanner(engine, scenario=scenario, lang=s.lang, save_dir=save_dir)


# ---- the roadshow planner -----------------------------------------------------------------------

FRONTIER_METRICS: tuple[str, ...] = (
    "domestic_capital",
    "foreign_capital",
    "global500_signings",
    "china500_signings",
)
FRONTIER_POINTS = 7
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_STYLE = (
    "<style>table.wb-plan, table.wb-compare {border-collapse:collapse;font-size:13px}"
    " .wb-plan th, .wb-plan td, .wb-compare th, .wb-compare td"
    " {padding:2px 8px;white-space:nowrap;border-bottom:1px solid #eee;text-align:left}"
    " .wb-plan th, .wb-compare th {border-bottom:2px solid #999}</style>"
)


class RoadshowPlanner:
    """Budget and constraints as controls; the optimal plan, its calendar, what it buys in
    P(attain) (judged by the engine on common random numbers) and the budget frontier.

    `plan` and `greedy` are the current optimal and greedy plans, `comparison` the P(attain)
    table (none / baseline / greedy / optimal), `frontier` the budget -> P(attain) data.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        scenario: str | None = None,
        budget: float | None = None,
        lang: str = "zh",
        out_dir: str | Path | None = None,
    ) -> None:
        self.engine = engine
        self.zone = engine.zone
        self.params = engine.params
        self.lang = check_lang(lang)
        self.scenario_key = engine.scenario_key(scenario) if scenario is not None else None
        self.out_dir = Path(out_dir) if out_dir is not None else self._default_out_dir()
        self.errors = ErrorArea(self.lang)
        self.timings: dict[str, float] = {}
        self.updates = 0
        self._fixed: dict[tuple, Any] = {}  # forecasts that a budget move does not change
        self.settings0 = self.params.roadshow
        self.drivers = scenario_drivers(self.params, self.scenario_key)
        self.problem = self._problem(budget)
        self.plan: Plan | None = None
        self.greedy: Plan | None = None
        self.comparison: pd.DataFrame | None = None
        self.frontier = pd.DataFrame()
        self._solve()
        self._compute_frontier()
        self._build_controls()
        self._build_outputs()
        self.widget = self._layout()

    def _default_out_dir(self) -> Path:
        stem = self.params.source.stem if self.params.source else "zone"
        return REPO / "reports" / "plans" / stem

    # -- the problem from the controls -----------------------------------------------------

    def _problem(self, budget: float | None = None, settings: Any = None) -> RoadshowProblem:
        return build_problem(
            self.params,
            self.zone.events,
            settings=settings if settings is not None else self.settings0,
            budget=budget,
            as_of=self.engine.as_of,
            drivers=self.drivers,
        )

    def settings(self) -> RoadshowSettings:
        """The roadshow settings the controls say (budget included)."""
        s0 = self.settings0
        active = tuple(
            r for r, box in zip(s0.restrictions, self.restriction_boxes, strict=True) if box.value
        )
        if self.no_overseas.value:
            active += (Restriction(kinds=("overseas",), reason=_t("rs_no_overseas", self.lang)),)
        return s0.model_copy(
            update={
                "budget": float(self.budget.value),
                "each_office_runs_one": bool(self.each_office.value),
                "min_cloud_events": int(self.min_cloud.value),
                "max_events_per_month": int(self.max_per_month.value),
                "staff_days_per_month": float(self.staff_days.value),
                "blocked_holidays": s0.blocked_holidays if self.avoid_holidays.value else (),
                "restrictions": active,
            }
        )

    # -- controls --------------------------------------------------------------------------

    def _build_controls(self) -> None:
        lang, s0 = self.lang, self.settings0
        top = max(
            2 * s0.budget,
            float(self.zone.events["cost"].sum()) if self.zone.events is not None else 0.0,
        )
        top = min(top, 4 * max(s0.budget, 100.0), 10_000.0)
        top = float(max(100.0, math.ceil(max(top, self.problem.budget) / 50) * 50))
        self.budget = _slider(
            W.IntSlider,
            "budget",
            _t("rs_budget", lang),
            int(round(self.problem.budget)),
            0,
            int(top),
            10,
            "d",
        )
        self.budget.add_class("wb-budget")
        self.staff_days = _slider(
            W.IntSlider,
            "staff_days",
            _t("rs_staff_days", lang),
            int(s0.staff_days_per_month),
            10,
            int(max(300, 2 * s0.staff_days_per_month)),
            10,
            "d",
        )
        self.max_per_month = _slider(
            W.IntSlider,
            "max_per_month",
            _t("rs_max_per_month", lang),
            s0.max_events_per_month,
            1,
            max(8, s0.max_events_per_month),
            1,
            "d",
        )
        n_cloud = (
            0 if self.zone.events is None else int((self.zone.events["kind"] == "cloud").sum())
        )
        self.min_cloud = _slider(
            W.IntSlider,
            "min_cloud",
            _t("rs_min_cloud", lang),
            s0.min_cloud_events,
            0,
            max(n_cloud, s0.min_cloud_events, 1),
            1,
            "d",
        )
        self.each_office = W.Checkbox(
            value=s0.each_office_runs_one, description=_t("rs_each_office", lang), indent=False
        )
        self.avoid_holidays = W.Checkbox(
            value=bool(s0.blocked_holidays), description=_t("rs_holidays", lang), indent=False
        )
        self.restriction_boxes = [
            W.Checkbox(
                value=True,
                description=r.reason or _restriction_text(r, lang),
                indent=False,
                layout=W.Layout(width="30em"),
            )
            for r in s0.restrictions
        ]
        self.no_overseas = W.Checkbox(
            value=False, description=_t("rs_no_overseas", lang), indent=False
        )
        toggles = (self.each_office, self.avoid_holidays, self.no_overseas, *self.restriction_boxes)
        for w in toggles:
            w.add_class("wb-control")
        self.each_office.add_class("wb-toggle-each-office")
        self.avoid_holidays.add_class("wb-toggle-holidays")
        self.no_overseas.add_class("wb-toggle-no-overseas")
        self.scenario = W.Dropdown(
            options=[(_t("params_drivers", lang), "")]
            + [(sc.display(k, lang), k) for k, sc in self.params.scenarios.items()],
            value=self.scenario_key or "",
            description=_t("scenario", lang),
            style={"description_width": "11em"},
            layout=W.Layout(width="30em"),
        )
        self.scenario.add_class("wb-scenario")
        self.scenario.observe(self._on_scenario, names="value")
        self.budget.observe(self._on_budget, names="value")
        for w in (self.staff_days, self.max_per_month, self.min_cloud, *toggles):
            w.observe(self._on_constraint, names="value")
        auto = W.Layout(width="auto")
        self.xlsx_button = W.Button(
            description=_t("rs_export_xlsx", lang), icon="file-excel-o", layout=auto
        )
        self.ics_button = W.Button(
            description=_t("rs_export_ics", lang), icon="calendar", layout=auto
        )
        self.xlsx_button.add_class("wb-export-xlsx")
        self.ics_button.add_class("wb-export-ics")
        self.xlsx_button.on_click(self._on_export_xlsx)
        self.ics_button.on_click(self._on_export_ics)
        self.export_status = W.HTML("")
        self.export_status.add_class("wb-export-status")
        self.exported: dict[str, Path] = {}

    # -- callbacks -------------------------------------------------------------------------

    @guarded
    def _on_budget(self, change: dict[str, Any]) -> None:
        self.recompute(frontier=False)

    @guarded
    def _on_constraint(self, change: dict[str, Any]) -> None:
        self.recompute(frontier=True)

    @guarded
    def _on_scenario(self, change: dict[str, Any]) -> None:
        self.scenario_key = change["new"] or None
        self.drivers = scenario_drivers(self.params, self.scenario_key)
        self.recompute(frontier=True)

    @guarded
    def _on_export_xlsx(self, _: Any = None) -> None:
        self._export("xlsx")

    @guarded
    def _on_export_ics(self, _: Any = None) -> None:
        self._export("ics")

    # -- computing -------------------------------------------------------------------------

    def recompute(self, frontier: bool = False) -> Plan | None:
        """Solve for the controls' budget and constraints, judge the plan, redraw."""
        settings = self.settings()
        with _timer(self.timings, "problem_ms"):
            self.problem = self._problem(settings=settings)
        self.plan = self.greedy = self.comparison = None
        try:
            self._solve()
            if frontier:
                self._compute_frontier()
        finally:
            self._render()
        return self.plan

    def _solve(self) -> None:
        with _timer(self.timings, "solve_ms"):
            best = solve(self.problem, lang=self.lang)
            greedy = greedy_plan(self.problem, lang=self.lang)
        self.plan, self.greedy = best, greedy
        with _timer(self.timings, "engine_ms"):
            plans = plans_for_comparison(self.problem, self.params, best, greedy, self.scenario_key)
            self.comparison = self._compare(plans)

    def _compare(self, plans: dict[str, Any]) -> pd.DataFrame:
        """compare_plans, with the plans a budget move cannot change (none, baseline) judged once."""
        columns = {}
        first = None
        for key, plan in plans.items():
            fixed = key in ("none", "baseline")
            cache_key = (key, self.problem.months, id(self.drivers))
            if fixed and cache_key in self._fixed:
                col = self._fixed[cache_key]
            else:
                col = compare_plans(self.engine, {key: plan}, drivers=self.drivers, lang=self.lang)
                if fixed:
                    self._fixed[cache_key] = col
            first = col if first is None else first
            columns[key] = col[key]
        assert first is not None
        out = first[["label", "target"]].copy()
        for key, col in columns.items():
            out[key] = col
        return out

    def _compute_frontier(self) -> None:
        """Budget -> P(attain) from the least budget any plan meeting the other constraints
        needs (below it nothing is feasible) up to twice the params' budget."""
        others = [g.name for g in constraint_groups(self.problem) if g.name != "budget"]
        least = min_cost(self.problem, others)
        metrics = [m for m in FRONTIER_METRICS if m in dict(self.params.targets.items())]
        if least is None:
            self.frontier = p_attain_frontier(self.engine, self.problem, [], metrics=metrics)
            return
        lo = math.ceil(least / 10) * 10
        top = max(2 * self.settings0.budget, self.problem.budget, lo + 100.0)
        budgets = sorted({float(round(b / 10) * 10) for b in np.linspace(lo, top, FRONTIER_POINTS)})
        with _timer(self.timings, "frontier_ms"):
            self.frontier = p_attain_frontier(
                self.engine, self.problem, budgets, drivers=self.drivers, metrics=metrics
            )

    # -- drawing ---------------------------------------------------------------------------

    def _build_outputs(self) -> None:
        p, e, lang = self.params, self.engine, self.lang
        title = _t("roadshow_title", lang, zone=p.zone_name(lang), year=p.year)
        sub = _t("subtitle", lang, as_of=e.as_of.isoformat(), trials=e.trials, seed=e.seed)
        self.title = W.HTML(
            f'<h2 style="margin:4px 0">{html.escape(title)}</h2>'
            f'<div style="color:#666;margin-bottom:6px">{html.escape(sub)}</div>'
        )
        self.summary = W.HTML()
        self.summary.add_class("wb-plan-summary")
        self.table = W.HTML()
        self.table.add_class("wb-plan-table")
        self.compare_table = W.HTML()
        self.compare_table.add_class("wb-plan-compare")
        self.timing = W.HTML()
        self.timing.add_class("wb-timing")
        self.charts = {name: ChartSlot(name, chart) for name, chart in self._charts().items()}
        self._render(charts=False)

    def _charts(self) -> dict[str, alt.TopLevelMixin]:
        lang = self.lang
        table = self.plan.table if self.plan is not None else _empty_plan_table()
        gantt = cr.plan_chart(
            table,
            lang=lang,
            holidays=cr.holiday_frame(self.problem.holiday_weeks),
            title=_t("rs_gantt_title", lang, budget=self.problem.budget),
        )
        metrics = list(dict.fromkeys(self.frontier["metric"])) if len(self.frontier) else None
        frontier_data = self.frontier if len(self.frontier) else _empty_frontier()
        # The current budget: a dashed rule, labelled with its value on the side with room.
        budget = float(self.problem.budget)
        budgets = frontier_data["budget"]
        right = len(budgets) > 0 and budget > (budgets.min() + budgets.max()) / 2
        marker = pd.DataFrame(
            {"budget": [budget], "text": [_t("rs_current_budget", lang, budget=budget)]}
        )
        rule = (
            alt.Chart(marker)
            .mark_rule(color="black", strokeDash=[2, 2])
            .encode(x=alt.X("budget:Q"))
        )
        rule_label = rule.mark_text(
            align="right" if right else "left", baseline="top", dx=-4 if right else 4, dy=2
        ).encode(x=alt.X("budget:Q"), y=alt.YValue(0), text=alt.Text("text:N"))
        frontier = alt.layer(
            cr.frontier_chart(frontier_data, lang=lang, metrics=metrics),
            rule,
            rule_label,
            title=_t("rs_frontier_title", lang),
        )
        return {"gantt": gantt, "frontier": frontier}

    def _render(self, charts: bool = True) -> None:
        """Replace the numbers, tables and charts by those of the current plan: all are built
        first, then replaced one right after the other (see the module's docstring)."""
        t0 = time.perf_counter()
        summary, table, compare = self._summary_html(), self._table_html(), self._compare_html()
        specs = {n: ChartSlot.spec_of(c) for n, c in self._charts().items()} if charts else {}
        self.summary.value = summary
        self.table.value = table
        self.compare_table.value = compare
        for name, spec in specs.items():
            self.charts[name].put(spec)
        self.timings["draw_ms"] = (time.perf_counter() - t0) * 1000
        self.updates += 1
        self.timing.value = (
            '<span style="color:#888;font-size:11px">'
            + html.escape(
                _t(
                    "rs_timing",
                    self.lang,
                    solve=self.timings.get("solve_ms", 0),
                    engine=self.timings.get("engine_ms", 0),
                    draw=self.timings["draw_ms"],
                )
            )
            + "</span>"
        )

    def _summary_html(self) -> str:
        lang = self.lang
        if self.plan is None:
            return f'<div class="wb-plan-none" style="color:#c0392b">{html.escape(_t("rs_no_plan", lang))}</div>'
        best, greedy = self.plan, self.greedy
        assert greedy is not None and self.comparison is not None
        ratio = greedy.objective / best.objective if best.objective > 0 else 1.0
        p = (
            float(self.comparison.at["domestic_capital", "optimal"])
            if "domestic_capital" in self.comparison.index
            else float("nan")
        )
        p0 = (
            float(self.comparison.at["domestic_capital", "none"])
            if "domestic_capital" in self.comparison.index
            else float("nan")
        )
        head = _big_number(
            label("metric", "domestic_capital", lang) + " " + _t("p_attain", lang),
            f'<span class="wb-plan-p" data-metric="domestic_capital">{p:.1%}</span>',
            _t("rs_vs_none", lang, pts=(p - p0) * 100),
        )
        facts = _t(
            "rs_summary",
            lang,
            events=len(best.table),
            cost=best.cost,
            budget=self.problem.budget,
            capital=best.expected_capital,
            e500=best.expected_500,
            ratio=ratio,
        )
        return (
            f'<div style="display:flex;gap:28px;align-items:flex-end">{head}'
            f'<div class="wb-plan-facts" style="max-width:44em">{html.escape(facts)}</div></div>'
        )

    def _table_html(self) -> str:
        if self.plan is None:
            return ""
        t = display_table(self.plan, self.lang)
        return TABLE_STYLE + t.to_html(index=False, border=0, classes="wb-plan", na_rep="")

    def _compare_html(self) -> str:
        if self.comparison is None:
            return ""
        c = self.comparison.copy()
        lang = self.lang
        keys = [k for k in ("none", "baseline", "greedy", "optimal") if k in c.columns]
        out = pd.DataFrame({_t("col_metric", lang): c["label"]})
        for k in keys:
            out[label("plan", k, lang)] = [f"{v:.1%}" for v in c[k]]
        title = f"<b>{html.escape(_t('rs_compare_title', lang))}</b>"
        return title + TABLE_STYLE + out.to_html(index=False, border=0, classes="wb-compare")

    # -- export ----------------------------------------------------------------------------

    def _export(self, kind: str) -> Path:
        if self.plan is None:
            raise InputError(_t("rs_no_plan", self.lang))
        p, lang = self.params, self.lang
        title = _t("rs_file_title", lang, zone=p.zone_name(lang), year=p.year)
        if kind == "xlsx":
            comparison = None
            if self.comparison is not None:
                comparison = self.comparison.reset_index().rename(columns={"metric": "metric_id"})
                comparison.columns = [
                    label("plan", c, lang) if c in ("none", "baseline", "greedy", "optimal") else c
                    for c in comparison.columns
                ]
            data = plan_xlsx(self.plan, title=title, comparison=comparison, lang=lang)
            name, mime = "plan.xlsx", XLSX_MIME
        else:
            data = plan_ics(self.plan, calendar_name=title, lang=lang)
            name, mime = "plan.ics", "text/calendar"
        (path,) = write_files(self.out_dir, {name: data})
        self.exported[kind] = path
        href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self.export_status.value = (
            f'<span class="wb-exported" style="color:#1e8449">'
            f"{html.escape(_t('saved', lang))} {html.escape(str(path))}</span> "
            f'<a download="{name}" href="{href}">{html.escape(_t("rs_download", lang))} {name}</a>'
        )
        return path

    # -- layout ----------------------------------------------------------------------------

    def _layout(self) -> W.Widget:
        lang = self.lang
        controls = W.VBox(
            [
                self.scenario,
                W.HTML(f"<b>{html.escape(_t('rs_budget_title', lang))}</b>"),
                self.budget,
                W.HTML(f"<b>{html.escape(_t('rs_constraints', lang))}</b>"),
                self.staff_days,
                self.max_per_month,
                self.min_cloud,
                self.each_office,
                self.avoid_holidays,
                self.no_overseas,
                *self.restriction_boxes,
                W.HTML(f"<b>{html.escape(_t('rs_export', lang))}</b>"),
                W.HBox([self.xlsx_button, self.ics_button]),
                self.export_status,
            ],
            layout=W.Layout(width="32em", min_width="32em", padding="0 12px 0 0"),
        )
        results = W.VBox(
            [self.summary, self.table, self.timing],
            layout=W.Layout(flex="1 1 auto", overflow="auto"),
        )
        charts = W.Box(
            [self.charts["gantt"].widget, self.charts["frontier"].widget, self.compare_table],
            layout=W.Layout(display="flex", flex_flow="row wrap", align_items="flex-start"),
        )
        root = W.VBox(
            [
                self.title,
                self.errors.widget,
                W.HBox([controls, results], layout=W.Layout(align_items="flex-start")),
                charts,
            ]
        )
        root.add_class("wb-roadshow-planner")
        return root

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _restriction_text(r: Restriction, lang: str) -> str:
    what = [*(label("event_kind", k, lang) for k in r.kinds), *r.events, *r.channels]
    months = ",".join(str(m) for m in r.months) or ("全年" if lang == "zh" else "all year")
    return f"{'、'.join(what)}: {months}"


def _empty_plan_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": pd.Series([], dtype=object),
            "name": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "office": pd.Series([], dtype=object),
            "first_day": pd.Series([], dtype=object),
            "last_day": pd.Series([], dtype=object),
            "cost": pd.Series([], dtype=float),
            "expected_leads": pd.Series([], dtype=float),
            "expected_capital": pd.Series([], dtype=float),
        }
    )


def _empty_frontier() -> pd.DataFrame:
    return pd.DataFrame({"budget": [], "metric": [], "p_attain": [], "plan": []})


def roadshow_planner(
    params_path: str | Path | None = None,
    *,
    scenario: str | None = None,
    as_of: str | dt.date | None = None,
    budget: float | None = None,
    trials: int = 5_000,
    seed: int = 1,
    lang: str | None = None,
    out_dir: str | Path | None = None,
) -> RoadshowPlanner:
    """The roadshow planner of a zone (what `notebooks/roadshow_planner.ipynb` shows)."""
    s = resolve_settings(params_path, as_of, lang)
    zone = load_zone(s.params_path)
    engine = Engine(zone, as_of=s.as_of, trials=int(trials), seed=int(seed), lang=s.lang)
    enable_offline()
    return RoadshowPlanner(engine, scenario=scenario, budget=budget, lang=s.lang, out_dir=out_dir)

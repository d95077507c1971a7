"""The scenario planner (ipywidgets + Altair): drivers as sliders, every target's forecast live.

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

import contextlib
import datetime as dt
import html
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as W
import pandas as pd

from workbook.charts import scenario as cs
from workbook.charts.parts import ChartParts
from workbook.files.heap import give_back_memory
from workbook.forecast import scenarios as scenarios
from workbook.forecast.engine import Engine
from workbook.forecast.explain import why
from workbook.forecast.results import Forecast
from workbook.forecast.scenario_files import (
    load_scenario_file,
    make_scenario,
    save_scenario,
    saved_scenarios,
)
from workbook.forecast.setup import plan_frame
from workbook.planners.controls import (
    ChartSlot,
    ErrorArea,
    Redraw,
    audit,
    boxed,
    check_may_write,
    details_html,
    enable_offline,
    guarded,
    house_slider,
    may_write,
    planner_text,
    resolve_settings,
    timed,
)
from workbook.planners.driver_controls import (
    DRIVER_CONTROLS,
    EVENT_KINDS,
    TORNADO_STEPS,
    Control,
    control_values,
    tornado_frame,
    what_if,
)
from workbook.planners.scenario_charts import compare_frame, planner_charts
from workbook.planners.tables import big_number_html, targets_table_html
from workbook.text.catalogue import label, say
from workbook.text.errors import InputError
from workbook.text.labels import check_lang
from workbook.text.messages import Message
from workbook.zone.cells import num
from workbook.zone.drivers import Drivers
from workbook.zone.loader import load_zone
from workbook.zone.pacing import status as pacing_status


def _fmt(value: float, control: Control) -> str:
    """A control's value as its slider shows it."""
    if control.fmt == "d":
        return str(int(round(value)))
    return format(value, control.fmt)


def _delta_text(d: float, lang: str) -> str:
    pts = d * 100
    if abs(pts) < 0.05:
        return planner_text("same_as_scenario", lang)
    return planner_text("delta", lang, pts=pts)


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
        self.save_errors = ErrorArea(self.lang, "save")  # beside the save button
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
        with timed(self.timings, "engine_ms"):
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
            out.append((planner_text("params_drivers", self.lang), ("params", "")))
        for name, path in saved_scenarios(self.params, self.save_dir).items():
            out.append((f"{name} {planner_text('saved_mark', self.lang)}", ("file", str(path))))
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
            Message("err.unknown_scenario", name=scenario, valid=", ".join(v for v in valid if v))
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
            raise InputError(Message("at", where=key, body=Message.text(str(exc)))) from None
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
            description=planner_text("scenario", lang),
            style={"description_width": "11em"},
            layout=W.Layout(width="30em"),
        )
        self.scenario.add_class("wb-scenario")
        self.scenario.observe(self._on_scenario, names="value")
        values = control_values(self.drivers, self.params.fx_cny_per_usd)
        self.controls: dict[str, W.Widget] = {}
        for c in DRIVER_CONTROLS:
            cls = W.IntSlider if c.integer else W.FloatSlider
            s = house_slider(
                cls, c.key, self._control_label(c.key), values[c.key], c.lo, c.hi, c.step, c.fmt
            )
            s.observe(self._on_control, names="value")
            self.controls[c.key] = s
        self.cancel_boxes: dict[str, W.Checkbox] = {}
        self._build_cancel_boxes()
        self.metric_pick = W.Dropdown(
            options=[
                (label("metric", m, lang, self.params.metric_labels), m) for m in self._metrics()
            ],
            value=self.metric,
            description=planner_text("chart_metric", lang),
            style={"description_width": "11em"},
            layout=W.Layout(width="30em"),
        )
        self.metric_pick.add_class("wb-metric")
        self.metric_pick.observe(self._on_metric, names="value")
        self.reset_button = W.Button(
            description=planner_text("reset", lang), icon="undo", layout=W.Layout(width="auto")
        )
        self.reset_button.add_class("wb-reset")
        self.reset_button.on_click(self._on_reset)
        self.tornado_button = W.Button(
            description=planner_text("refresh_tornado", lang),
            icon="refresh",
            layout=W.Layout(width="auto"),
        )
        self.tornado_button.add_class("wb-tornado-refresh")
        self.tornado_button.on_click(self._on_tornado)
        # Save scenario: a name, an explicit overwrite choice, a button, a status line.
        self.save_name = W.Text(
            placeholder=planner_text("save_name", lang), description=planner_text("name", lang)
        )
        self.save_name.add_class("wb-save-name")
        self.save_description = W.Text(
            placeholder=planner_text("save_description", lang),
            description=planner_text("description", lang),
        )
        self.save_overwrite = W.Checkbox(
            value=False, description=planner_text("overwrite", lang), indent=False
        )
        self.save_overwrite.add_class("wb-save-overwrite")
        self.save_button = W.Button(
            description=planner_text("save", lang), icon="save", button_style="primary"
        )
        self.save_button.add_class("wb-save")
        self.save_button.disabled = not may_write()
        self.save_button.on_click(self._on_save)
        self.save_status = W.HTML("")
        self.save_status.add_class("wb-save-status")
        self.saved_path: Path | None = None

    def _control_label(self, key: str) -> str:
        if key.startswith("leads_"):
            return planner_text(
                "leads_event", self.lang, kind=label("event_kind", key[6:], self.lang)
            )
        return planner_text(f"ctl_{key}", self.lang)

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
            month_text = say("month.numbered", self.lang, m=month)
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

    @guarded(area="save_errors")
    def _on_save(self, _: Any = None) -> None:
        self.save_status.value = ""
        check_may_write()
        before = set(saved_scenarios(self.params, self.save_dir).values())
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
        audit(self.params.source, "overwrite" if path in before else "save", what=path.stem)
        self.save_overwrite.value = False
        current = self.scenario.value
        self.choices = self._scenario_choices()
        with self.hold():
            self.scenario.unobserve(self._on_scenario, names="value")
            self.scenario.options = self.choices
            self.scenario.value = current
            self.scenario.observe(self._on_scenario, names="value")
        self.save_status.value = (
            f'<span class="wb-saved" style="color:#1e8449">{html.escape(planner_text("saved", self.lang))}'
            f" {html.escape(path.name)}</span>"  # no server path on the page
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
        with timed(self.timings, "drivers_ms"):
            self.drivers = what_if(
                self.base_drivers,
                values,
                cancelled,
                planner_text("cancel_reason", self.lang),
                fx_default=self.params.fx_cny_per_usd,
                label=self._control_label,
            )
        with timed(self.timings, "engine_ms"):
            self.forecast = self.engine.forecast(self.drivers, self.plan)
        self._used = (values, cancelled)

    def _chart_data(self) -> None:
        """The aggregated data the charts of the chosen metric need (a second engine pass for
        the monthly fan; the year-end histogram binned in pandas, never trial by trial)."""
        with timed(self.timings, "fan_ms"):
            self.fan_data = self.forecast.fan(self.metric)
            self.bins = cs.year_end_bins(self.forecast.year_end(self.metric))

    def _refresh_tornado(self) -> None:
        """One-at-a-time sensitivity of the current settings (the engine's, on the same draws)."""
        with timed(self.timings, "tornado_ms"):
            table = scenarios.sensitivity(self.engine, self.drivers, self.plan, steps=TORNADO_STEPS)
            # The sensitivity's one-off forecasts leave their new deals' arrays kept (~100 MB
            # at 20,000 trials, for as long as the page is open); the next move makes what it
            # needs again (it moves the drivers, so it would anyway).
            self.engine.deal_pass.forget()
        self.sensitivity = tornado_frame(table)
        self.sensitivity_drivers = self.drivers

    # -- drawing ---------------------------------------------------------------------------

    def _build_outputs(self) -> None:
        self.title = W.HTML(self._title_html())
        self.headline = W.HTML()
        self.headline.add_class("wb-headline")
        self.why = W.HTML()  # the chosen target's forecast in one line, by its sources
        self.why.add_class("wb-why")
        self.table = boxed(W.HTML())
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
        title = planner_text("scenario_title", lang, zone=p.zone_name(lang), year=p.year)
        sub = planner_text(
            "subtitle", lang, as_of=e.as_of.isoformat(), trials=e.trials, seed=e.seed
        )
        return (
            f'<h2 style="margin:4px 0">{html.escape(title)}</h2>'
            f'<div style="color:#666;margin-bottom:6px">{html.escape(sub)}</div>'
        )

    def _charts(self, numbers: bool = True, metric: bool = True) -> dict[str, ChartParts]:
        return planner_charts(self, numbers, metric)

    def _tornado_now(self) -> tuple[int, str]:
        """What the tornado must show: the sensitivity table and the chosen target."""
        return (id(self.sensitivity), self.metric)

    def compare_frame(self) -> pd.DataFrame:
        """P(attain) per target under each params scenario and the current settings, long form
        DataFrame[scenario, metric, p_attain] in display order."""
        return compare_frame(self.params, self.scenario_table, self.forecast.targets, self.lang)

    def _render(self, numbers: bool = True, metric: bool = True, charts: bool = True) -> None:
        """Replace in place what changed: the numbers (headline, table) and the charts of every
        target, and/or the charts of the chosen target."""
        t0 = time.perf_counter()
        # Everything is built before anything is replaced (see the module's docstring).
        headline = self._headline_html() if numbers else None
        table = self._table_html() if numbers else None
        note = self._tornado_note_html()
        why_line = html.escape(
            f"{label('metric', self.metric, self.lang, self.params.metric_labels)}: "
            f"{why(self.forecast, self.metric, self.lang)}"
        )
        draws: dict[str, Redraw] = {}
        if charts:
            draws = {n: self.charts[n].prepare(c) for n, c in self._charts(numbers, metric).items()}
        if headline is not None and table is not None:
            self.headline.value = headline
            self.table.value = table
        self.tornado_note.value = note
        self.why.value = f'<div style="margin:0 0 8px 0">{why_line}</div>'
        for name, draw in draws.items():
            self.charts[name].put(draw)
        if "tornado" in draws:
            self._tornado_key = self._tornado_now()
        took = (time.perf_counter() - t0) * 1000
        self.timings["draw_ms"] = took if numbers else self.timings.get("draw_ms", 0) + took
        self.updates += 1
        if not metric:  # the chosen target's charts follow: the timing is shown once, after them
            return
        self.timing.value = details_html(
            "<span>"
            + html.escape(
                planner_text(
                    "timing",
                    self.lang,
                    engine=self.timings.get("engine_ms", 0),
                    fan=self.timings.get("fan_ms", 0),
                    draw=self.timings["draw_ms"],
                    trials=self.engine.trials,
                )
            )
            + "</span>",
            self.lang,
        )

    def _headline_html(self) -> str:
        fc, base, lang = self.forecast, self.base_forecast, self.lang
        parts = []
        for metric in self._metrics()[:2]:
            p = num(fc.targets.at[metric, "p_attain"])
            d = p - num(base.targets.at[metric, "p_attain"])
            parts.append(
                big_number_html(
                    label("metric", metric, lang, self.params.metric_labels)
                    + " "
                    + planner_text("p_attain", lang),
                    f'<span class="wb-p-attain" data-metric="{metric}">{p:.1%}</span>',
                    _delta_text(d, lang),
                )
            )
        d_all = fc.p_all - base.p_all
        parts.append(
            big_number_html(
                planner_text("p_all", lang),
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
            items.append(planner_text("cancelled_n", self.lang, n=len(cancelled)))
        return items

    def _adjusted_html(self) -> str:
        items = self.adjusted()
        if not items:
            return ""
        text = planner_text("adjusted", self.lang, items=say("sep.clause", self.lang).join(items))
        return (
            '<div class="wb-adjusted" style="color:#555;font-size:12px;margin:-4px 0 8px 0">'
            f"{html.escape(text)}</div>"
        )

    def _table_html(self) -> str:
        return targets_table_html(
            self.forecast.targets, self.status, self.lang, self.params.metric_labels
        )

    def _tornado_note_html(self) -> str:
        if self.sensitivity is None:
            return ""
        stale = self.sensitivity_drivers != self.drivers
        text = planner_text("tornado_stale" if stale else "tornado_fresh", self.lang)
        color = "#b9770e" if stale else "#888"
        return f'<span style="color:{color};font-size:11px">{html.escape(text)}</span>'

    def _layout(self) -> W.Widget:
        lang = self.lang
        c = self.controls
        controls = W.VBox(
            [
                self.scenario,
                W.HTML(f"<b>{html.escape(planner_text('drivers', lang))}</b>"),
                c["conversion"],
                c["slip_months"],
                c["arrival_ratio"],
                c["fx"],
                W.HTML(f"<b>{html.escape(planner_text('leads', lang))}</b>"),
                c["channel_leads"],
                c["overseas_leads"],
                *(c[f"leads_{k}"] for k in EVENT_KINDS),
                W.HTML(f"<b>{html.escape(planner_text('cancel_events', lang))}</b>"),
                self.cancel_holder,
                W.HBox([self.reset_button]),
                W.HTML(f"<b>{html.escape(planner_text('chart_options', lang))}</b>"),
                self.metric_pick,
                W.HTML(f"<b>{html.escape(planner_text('save_title', lang))}</b>"),
                self.save_name,
                self.save_description,
                W.HBox([self.save_overwrite, self.save_button]),
                self.save_errors.widget,
                self.save_status,
            ],
            layout=W.Layout(width="32em", min_width="32em", padding="0 12px 0 0"),
        )
        ch = self.charts
        wrap = W.Layout(display="flex", flex_flow="row wrap", align_items="flex-start")
        results = W.VBox(
            [
                self.headline,
                self.why,
                self.table,
                self.timing,
                W.Box([ch["fan"].widget, ch["hist"].widget], layout=wrap),
            ],
            layout=W.Layout(flex="1 1 auto", overflow="auto", min_width="0"),
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
    planner = ScenarioPlanner(engine, scenario=scenario, lang=s.lang, save_dir=save_dir)
    give_back_memory()  # what building it freed (workbook.files.heap)
    return planner

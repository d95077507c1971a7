"""The scenario planner's driver controls: the sliders, what they map to in the drivers, and
the tornado's steps for the drivers on the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbook.forecast import scenarios as scenarios
from workbook.text.errors import InputError
from workbook.text.messages import Message
from workbook.zone.drivers import Drivers

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


CONTROLS_BY_KEY = {c.key: c for c in DRIVER_CONTROLS}


def check_values(values: dict[str, float], label: Callable[[str], str] = str) -> None:
    """Every slider value within its control's range (and whole where the control is): the
    kernel trusts no value from a page (a message sent to the widget directly can carry any
    number, or move the slider's own min and max). An InputError naming the control."""
    for key, value in values.items():
        c = CONTROLS_BY_KEY.get(key)
        if c is None:
            raise InputError(f"unknown control {key!r}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        if not c.lo <= v <= c.hi or (c.integer and v != int(v)):  # NaN fails both
            raise InputError(
                Message("control.out_of_range", name=label(key), lo=c.lo, hi=c.hi, found=value)
            )


def what_if(
    base: Drivers,
    values: dict[str, float],
    cancelled: tuple[str, ...] = (),
    reason: str = MANUAL_CANCEL,
    fx_default: float | None = None,
    label: Callable[[str], str] = str,
) -> Drivers:
    """`base` with the sliders' values laid over it (checked): `conversion` multiplies every
    signing probability (capped at 1), the channels' conversion and the events' conversion
    multiplier; `cancelled` event ids are added to the events cancelled. An `fx` equal to
    the rate the drivers already use (theirs, else `fx_default`) leaves the rate unset."""
    check_values(values, label)
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

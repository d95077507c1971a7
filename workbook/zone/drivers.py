"""Drivers of the forecast (预测参数) and named scenarios: frozen values only.

The `drivers:` section of a params file says how the pipeline moves: the chance that a project
at each stage before signing signs (and how many months it takes), the chance that a signed
project starts and a started one produces, how much of the planned in-year inflow arrives,
how often offices, platforms and events bring new deals, and what those deals look like.
Every key has a default from the public cohorts (DESIGN.md §2), so the section may be left out.

A scenario (`scenarios:`) names a partial set of driver overrides and, optionally, its own
event plan; `Drivers.apply(scenario.drivers)` gives the scenario's drivers. Overrides are
checked as they are read, with the same key paths and messages as the drivers themselves:
``params/x.yaml: scenarios.乐观.drivers.stage_probability.visit must be <= 1, got 1.3``.

This module sits in the values layer: it imports nothing but `workbook.zone.frozen.Frozen` (the base
of `workbook.zone.params`), so it loads in any order.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, create_model, model_validator

from workbook.text.catalogue import Entry
from workbook.text.messages import BadValue, Message
from workbook.zone.frozen import Frozen, Label

Probability = Annotated[float, Field(ge=0, le=1)]
Months = Annotated[float, Field(ge=0, le=120)]
Multiplier = Annotated[float, Field(ge=0, le=10)]


class StageProbability(Frozen):
    """P(the project signs), by its stage before signing (线索 … 意向)."""

    lead: Probability = 0.05
    contact: Probability = 0.10
    visit: Probability = 0.25
    negotiating: Probability = 0.40
    intent: Probability = 0.65


class StageMonths(Frozen):
    """Mean months from the as-of date to signing, by stage before signing."""

    lead: Months = 12.0
    contact: Months = 9.0
    visit: Months = 6.0
    negotiating: Months = 4.0
    intent: Months = 2.0


class Share(Frozen):
    """A share drawn per project and trial from Beta(mean·c, (1 − mean)·c), c = concentration.

    A mean of exactly 0 or 1 makes the share that constant.
    """

    mean: Probability
    concentration: float = Field(default=7.0, gt=0, le=10_000)


class KindMultiplier(Frozen):
    """A multiplier for each kind of event in the catalogue."""

    domestic: Multiplier = 1.0
    overseas: Multiplier = 1.0
    conference: Multiplier = 1.0
    platform: Multiplier = 1.0
    cloud: Multiplier = 1.0

    def of(self, kind: str) -> float:
        return float(getattr(self, kind))


class ChannelDrivers(Frozen):
    """New deals from the resident offices and partner platforms (params offices/platforms).

    Each channel brings `leads_per_quarter / 3` leads a month (times the multipliers); a share
    `conversion` of them sign, `months_to_sign` after the lead, with a lognormal size around
    `size_median` 亿元 (spread `Drivers.size_sigma`).
    """

    lead_multiplier: Multiplier = 1.0
    overseas_lead_multiplier: Multiplier = 1.0
    conversion: Probability = 0.03
    months_to_sign: Months = 6.0
    size_median: float = Field(default=1.5, gt=0, le=10_000)
    share_500: Probability = 0.03
    foreign_share_overseas: Probability = 0.85
    foreign_share_domestic: Probability = 0.05


EventKind = Literal["domestic", "overseas", "cloud", "conference", "platform"]


class Cancellation(Frozen):
    """Events not held: those matching any of kinds/events/channels, in `months` (empty: all
    year). The same form as the roadshow's restrictions, e.g. ``{kinds: [overseas], months:
    [1, 2, 3, 4, 5, 6], reason: 疫情期间暂停出境}``."""

    reason: str = ""
    kinds: tuple[EventKind, ...] = ()
    events: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = ()

    @model_validator(mode="after")
    def _selects_something(self) -> Cancellation:
        if not (self.kinds or self.events or self.channels):
            raise BadValue(Message("check.cancellation"))
        return self

    def forbids(self, event_id: str, kind: str, channel: str, month: int) -> bool:
        """True when this cancellation rules out holding the event in the month."""
        if self.months and month not in self.months:
            return False
        return kind in self.kinds or event_id in self.events or channel in self.channels


class EventDrivers(Frozen):
    """New deals from promotion events held (the event plan against the catalogue).

    An event brings `expected_leads x lead_multiplier[kind]` leads, of which `conversion x
    conversion_multiplier` (at most 1) sign; `cancelled` events are not held (same form as the
    roadshow's restrictions, e.g. ``{kinds: [overseas], months: [1, 2, 3, 4, 5, 6]}``).
    """

    lead_multiplier: KindMultiplier = KindMultiplier()
    conversion_multiplier: Multiplier = 1.0
    cancelled: tuple[Cancellation, ...] = ()

    def is_cancelled(self, event_id: str, kind: str, channel: str, month: int) -> bool:
        return any(r.forbids(event_id, kind, channel, month) for r in self.cancelled)


class Drivers(Frozen):
    """Everything the forecast needs beyond the ledger, the arrivals and the event plan."""

    stage_probability: StageProbability = StageProbability()
    months_to_sign: StageMonths = StageMonths()
    start_probability: Probability = 0.7  # P(a signed project starts 开工)
    months_to_start: Months = 4.0
    production_probability: Probability = 0.6  # P(a started project produces 投产)
    months_to_production: Months = 10.0
    lag_sigma: float = Field(default=0.6, ge=0, le=3)  # spread of every lag (lognormal sigma)
    slip_months: int = Field(default=0, ge=0, le=24)  # added to every project's next milestone
    # Share of the remaining planned in-year inflow (年度计划到位) that arrives by December.
    arrival_ratio: Share = Share(mean=0.6, concentration=6.0)
    # Without a planned inflow: the in-year share of total investment, for twelve months' flow.
    unplanned_share: Share = Share(mean=2 / 7, concentration=7.0)
    size_sigma: float = Field(default=1.2, ge=0, le=3)  # spread of new deals' sizes
    four_new_share: Probability = 0.35  # share of new deals that are 四新 projects
    fx_cny_per_usd: float | None = Field(default=None, gt=0)  # None: the params' rate
    # Honest uncertainty, per trial (0 and 0: every trial has the same drivers and every
    # project and source draws on its own). `driver_spread`: the standard deviation of a
    # per-trial shift of each family of drivers (P(sign), P(start) and its lag, P(produce),
    # the arrival ratio, new deals' counts) on the probit scale: the drivers are known only
    # so well. `shared_shock`: the standard deviation of one per-trial climate factor that
    # moves every project's and source's draw together (a pandemic quarter), mean-preserving:
    # each project's own probabilities are unchanged, only the joint spread widens.
    driver_spread: float = Field(default=0.1, ge=0, le=2)
    shared_shock: float = Field(default=0.3, ge=0, le=3)
    channels: ChannelDrivers = ChannelDrivers()
    events: EventDrivers = EventDrivers()

    def apply(self, overrides: Frozen | dict[str, Any] | None) -> Drivers:
        """These drivers with a (partial) set of overrides laid over them, checked again."""
        if overrides is None:
            return self
        if isinstance(overrides, Frozen):
            overrides = overrides.model_dump(exclude_unset=True)
        merged = _merge(self.model_dump(), overrides)
        return Drivers.model_validate(merged)

    def get(self, path: str) -> Any:
        """The value at a dotted key path, e.g. 'stage_probability.visit'."""
        value: Any = self
        for part in path.split("."):
            if not isinstance(value, Frozen) or part not in type(value).model_fields:
                raise KeyError(path)
            value = getattr(value, part)
        return value

    def replace(self, path: str, value: Any) -> Drivers:
        """A copy with the value at a dotted key path replaced (and checked)."""
        self.get(path)
        update: Any = value
        for part in reversed(path.split(".")):
            update = {part: update}
        return self.apply(update)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _partial(model: type[Frozen]) -> type[Frozen]:
    """The same model with every key optional (and nested models partial): an override set."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, Frozen) and ann is not Cancellation:
            fields[name] = (_partial(ann) | None, None)
        else:
            # A type built at run time for create_model, not a static annotation.
            inner: Any = Annotated[ann, *info.metadata] if info.metadata else ann
            fields[name] = (inner | None, None)
    return create_model(
        f"{model.__name__}Overrides",
        __base__=Frozen,
        __doc__=f"Any subset of {model.__name__}'s keys.",
        **fields,
    )


DriverOverrides: type[Frozen] = _partial(Drivers)


class PlannedEvent(Frozen):
    """One catalogue event held in one month of the plan year."""

    event_id: str
    month: int = Field(ge=1, le=12)


class Scenario(Frozen):
    """A named what-if: driver overrides over the params' drivers, and optionally its own plan."""

    name_en: Label | None = None
    description: str = ""
    # A model built at run time (`_partial`): pydantic validates against it; to mypy a
    # variable is not a type, so it cannot see the model's fields.
    drivers: DriverOverrides = DriverOverrides()  # type: ignore[valid-type]
    event_plan: tuple[PlannedEvent, ...] | None = None

    def display(self, key: str, lang: str = "zh") -> str:
        return Entry(key, self.name_en or key).text(lang)

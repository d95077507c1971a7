"""The roadshow plan's settings (the `roadshow:` section of a params file): frozen values only.

Budget, staff capacity, how many events a month can take, which events must be held (each
resident office at least one, at least M cloud events), how much an expected 500强 signing
is worth beside arrived capital, which official holidays no event may touch, and standing
restrictions (events or kinds that may not be held in given months). How signed deals turn
into arrived capital is the forecast's business: the `drivers:` section (workbook.zone.drivers).

This module sits in the values layer: it imports nothing above `workbook.zone.frozen.Frozen`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from workbook.text.messages import BadValue, Message
from workbook.zone.frozen import Frozen

EventKind = Literal["domestic", "overseas", "cloud", "conference", "platform"]
EVENT_KIND_ORDER: tuple[str, ...] = ("domestic", "overseas", "conference", "platform", "cloud")


def _check_months(v: tuple[int, ...]) -> tuple[int, ...]:
    bad = [m for m in v if not 1 <= m <= 12]
    if bad:
        raise BadValue(Message("check.months", value=list(v)))
    return tuple(sorted(set(v)))


class Restriction(Frozen):
    """Events that may not be held: those matching any of kinds/events/channels, in `months`.

    An empty `months` means the whole year. E.g. ``{kinds: [overseas], months: [1, 2, 3, 4, 5,
    6], reason: 疫情期间暂停出境}``.
    """

    reason: str = ""
    kinds: tuple[EventKind, ...] = ()
    events: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    months: tuple[int, ...] = ()

    @field_validator("months")
    @classmethod
    def _months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        return _check_months(v)

    @model_validator(mode="after")
    def _selects_something(self) -> Restriction:
        if not (self.kinds or self.events or self.channels):
            raise BadValue(Message("check.restriction"))
        return self

    def forbids(self, event_id: str, kind: str, channel: str, month: int) -> bool:
        """True when this restriction rules out holding the event in the month."""
        if self.months and month not in self.months:
            return False
        return kind in self.kinds or event_id in self.events or channel in self.channels


class EventDays(Frozen):
    """How many consecutive days an event of each kind takes (dates for the calendar)."""

    domestic: int = Field(default=2, ge=1, le=20)
    overseas: int = Field(default=5, ge=1, le=20)
    conference: int = Field(default=2, ge=1, le=20)
    platform: int = Field(default=1, ge=1, le=20)
    cloud: int = Field(default=1, ge=1, le=20)

    def of(self, kind: str) -> int:
        return int(getattr(self, kind))


class RoadshowSettings(Frozen):
    """Constraints and weights of the roadshow plan (money in 万元, capital in 亿元)."""

    budget: float = Field(default=300, ge=0)
    staff_days_per_month: float = Field(default=120, gt=0)
    max_events_per_month: int = Field(default=4, ge=1)
    min_cloud_events: int = Field(default=2, ge=0)
    each_office_runs_one: bool = True
    # 亿元 of in-year arrived capital that one expected 500强 signing is worth.
    weight_500: float = Field(default=5.0, ge=0)
    # Official holidays (chinese_calendar.Holiday names) no event day may fall in.
    blocked_holidays: tuple[str, ...] = ("spring_festival", "national_day")
    event_days: EventDays = EventDays()
    restrictions: tuple[Restriction, ...] = ()

    @field_validator("blocked_holidays")
    @classmethod
    def _holiday_names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from chinese_calendar import Holiday

        valid = list(Holiday.__members__)
        bad = [h for h in v if h not in valid]
        if bad:
            names = ", ".join(repr(b) for b in bad)
            raise BadValue(Message("check.holiday", names=names, valid=", ".join(valid)))
        return v

"""Official PRC holiday weeks and working days, from the maintained `chinesecalendar` package.

The State Council publishes each year's holiday arrangement (with swapped working weekends,
and exceptions such as the Spring Festival 2020 extension); `chinese_calendar` tracks it, so
nothing here is a hand-kept list. A holiday week is the run of official days off of one
holiday (e.g. National Day 2020: 1-8 October); the swapped working weekends around it are
working days, not part of the week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from workbook.text.catalogue import Entry
from workbook.text.errors import InputError
from workbook.text.messages import Message


@dataclass(frozen=True)
class HolidayWeek:
    """One official holiday period: its chinese_calendar name, first and last day off."""

    holiday: str
    first: dt.date
    last: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


_LABEL_ZH = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "抗战胜利70周年纪念日",
}


def holiday_label(holiday: str, lang: str = "zh") -> str:
    """'national_day' -> 国庆节 (zh) or 'National Day' (en)."""
    english = holiday.replace("_", " ").title().replace("'S", "'s")
    return Entry(_LABEL_ZH.get(holiday, holiday), english).text(lang)


def _days(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


@lru_cache(maxsize=32)
def _year_calendar(year: int) -> tuple[tuple[dt.date, bool, str | None], ...]:
    """(day, is working day, holiday name if an official day off) for every day of the year."""
    import chinese_calendar
    from chinese_calendar import Holiday

    by_value = {h.value: h.name for h in Holiday}
    out = []
    try:
        for day in _days(year):
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            holiday = by_value.get(name) if on_holiday and name else None
            out.append((day, bool(chinese_calendar.is_workday(day)), holiday))
    except NotImplementedError as exc:
        raise InputError(Message("err.holiday_calendar", year=year, error=str(exc))) from None
    return tuple(out)


def holiday_weeks(year: int, holidays: Iterable[str]) -> tuple[HolidayWeek, ...]:
    """The official holiday periods of the named holidays that touch `year`, in date order."""
    wanted = set(holidays)
    weeks: list[HolidayWeek] = []
    current: list[dt.date] = []
    current_name: str | None = None
    for day, _work, name in _year_calendar(year):
        if name is not None and name in wanted and name == current_name:
            current.append(day)
            continue
        if current and current_name is not None:
            weeks.append(HolidayWeek(current_name, current[0], current[-1]))
        current, current_name = ([day], name) if name in wanted else ([], None)
    if current and current_name is not None:
        weeks.append(HolidayWeek(current_name, current[0], current[-1]))
    return tuple(weeks)


def is_workday(day: dt.date) -> bool:
    """Official working day (weekends swapped to working days count as working days)."""
    return _year_calendar(day.year)[day.timetuple().tm_yday - 1][1]


def month_days(year: int, month: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


def event_windows(
    year: int,
    month: int,
    days: int,
    blocked: tuple[HolidayWeek, ...],
    workdays_only: bool,
) -> list[tuple[dt.date, dt.date]]:
    """Every (first, last) run of `days` consecutive days inside the month that touches no
    blocked holiday week; with `workdays_only`, every day must also be an official working day
    (events at home), otherwise only the first day must be (trips abroad span weekends)."""
    cal = month_days(year, month)
    ok = [not any(d in w for w in blocked) for d in cal]
    work = [is_workday(d) for d in cal]
    out = []
    for i in range(len(cal) - days + 1):
        span = range(i, i + days)
        if not all(ok[j] for j in span) or not work[i]:
            continue
        if workdays_only and not all(work[j] for j in span):
            continue
        out.append((cal[i], cal[i + days - 1]))
    return out

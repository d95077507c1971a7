"""Dates and months as a leader reads them: 2020年6月30日, 2020年6月 (English: 30 June 2020,
June 2020); quarters as `workbook.text.labels.quarter_words` says them (2020年第二季度).

`day_name` and `month_name` take a `datetime.date`; `Dated` is a day, month or quarter as a
value that renders in either language (what a `Message` argument may be).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from workbook.text.labels import quarter_words

_ZH_QUARTERS = ("一", "二", "三", "四")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_name(day: dt.date, lang: str = "zh") -> str:
    """2020年6月30日 / 30 June 2020."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def month_name(day: dt.date, lang: str = "zh") -> str:
    """The month of `day`: 2020年6月 / June 2020."""
    if lang == "zh":
        return f"{day.year}年{day.month}月"
    return f"{_EN_MONTHS[day.month - 1]} {day.year}"


def month_word(month: int, lang: str = "zh") -> str:
    """A month of no year in particular: 6月 / June."""
    if lang == "zh":
        return f"{month}月"
    return _EN_MONTHS[month - 1]


@dataclass(frozen=True)
class Dated:
    """A day, month or quarter that renders in the reader's language (`kind`: "day", "month"
    or "quarter"; a quarter's `day` is any day inside it)."""

    day: dt.date
    kind: str = "day"

    def render(self, lang: str = "zh") -> str:
        if self.kind == "month":
            return month_name(self.day, lang)
        if self.kind == "quarter":
            return quarter_words(f"{self.day.year}Q{(self.day.month - 1) // 3 + 1}", lang)
        return day_name(self.day, lang)

    def __str__(self) -> str:
        return self.render("en")


__all__ = ["Dated", "day_name", "leader_words", "month_name", "month_word"]


# ---- dates in prose (review.docx): as a leader reads them ----------------------------------------

_DATE = re.compile(r"(?<![A-Za-z0-9\-])(\d{4})-(\d{2})-(\d{2})(?![\d\-])")
_MONTH = re.compile(r"(?<![A-Za-z0-9\-])(\d{4})-(0[1-9]|1[0-2])(?![\d\-])")
# not inside an id or a file name (JN2020-002, ledger-2020Q1.xlsx)
_QUARTER = re.compile(r"(?<![A-Za-z0-9_.\-])(\d{4})Q([1-4])(?![A-Za-z0-9_\-]|\.[A-Za-z])")
_RANGE = re.compile(r"(\d日)\s*至\s*(\d{4}年)")


def leader_words(text: str, lang: str) -> str:
    """Dates and quarters of a Chinese prose text as a leader reads them: 2020-06-30 →
    2020年6月30日, 2020-06 → 2020年6月, 2020Q2 → 2020年第二季度 (English text as it is)."""
    if lang != "zh":
        return text
    text = _DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)
    text = _MONTH.sub(lambda m: f"{m[1]}年{int(m[2])}月", text)
    text = _QUARTER.sub(lambda m: quarter_words(m[0], "zh"), text)
    return _RANGE.sub(r"\1至\2", text)

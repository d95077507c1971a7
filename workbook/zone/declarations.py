"""Targets as declarations: what a metric counts (`metrics:`) and 百日攻坚 campaigns (`campaigns:`).

A metric either counts projects reaching a stage (`count: signed | started | producing`, or a
list: a project counts once, at the first of them) or sums the capital that arrived from
matching projects (`money: domestic | foreign | all`). `where:` narrows the projects: every
condition must hold; a condition is a comparison on an amount (亿元) or a date (">= 10",
"< 2020-07-01", "!= none"), a list (one of) or a plain value (equal), on any ledger column:
one the workbook knows (English name or any of its Chinese headers), or one of the ledger's
own (备注, …; `extra`: checked against the ledger when the zone is loaded, compared as text,
or as a number or date when the comparison is >, >=, <, <=).

The ten built-in metrics are declared here the same way (`BUILTIN`); a params file may
override any of their fields, e.g. `metrics: {big_projects_30: {where: {total_investment:
">= 25"}}}` (a `where` given for a built-in replaces the conditions on the columns it names).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, Literal

from pydantic import Field, field_validator

from workbook.text.catalogue import Entry
from workbook.text.clean import one_line
from workbook.text.messages import BadValue, Message
from workbook.zone.frozen import Frozen, Label

COUNT_STAGES = ("signed", "started", "producing")
Stage = Literal["signed", "started", "producing"]

# Ledger columns a `where` may name, by kind: how its values compare.
AMOUNT_COLUMNS = ("total_investment", "planned_inflow")
DATE_COLUMNS = ("signed_date", "start_date", "production_date", "milestone_date")
BOOL_COLUMNS = ("new_500_signing", "four_new")
TEXT_COLUMNS = (
    "project_id",
    "name",
    "investor",
    "capital_type",
    "list_flag",
    "region",
    "sector",
    "channel",
    "team",
    "owner",
    "stage",
    "next_milestone",
)
WHERE_COLUMNS = (*TEXT_COLUMNS, *AMOUNT_COLUMNS, *DATE_COLUMNS, *BOOL_COLUMNS)
# Columns a new deal of the simulation carries (the others match with a probability).
DEAL_COLUMNS = ("total_investment", "capital_type", "list_flag", "new_500_signing", "four_new")

MAX_ONE_OF = 1_000  # values of one `where` list (one of)
MAX_CONDITIONS = 50  # conditions of one `where`

_COMPARISON = re.compile(r"^\s*(>=|<=|!=|==|>|<|=)\s*(.+?)\s*$")


class Condition(Frozen):
    """One `where` condition, parsed: `column op value`, or `column in values`."""

    column: str
    op: str  # one of >=, <=, >, <, ==, !=, in
    value: Any
    extra: bool = False  # a column of the ledger the schema does not know (备注, …)

    def text(self) -> str:
        if self.op == "in":
            return f"{self.column} in [{', '.join(str(v) for v in self.value)}]"
        return f"{self.column} {self.op} {self.value}"


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_condition(column: str, raw: Any) -> Condition:
    """A `where` entry as a Condition; BadValue naming what was expected when it does not parse."""
    name = _header_of().get(column, column)
    if name not in WHERE_COLUMNS:
        return _extra_condition(name, raw)
    if isinstance(raw, list | tuple):
        _check_list(column, raw)
        values = dict.fromkeys(_scalar(name, v, raw) for v in raw)  # each once, in file order
        return Condition(column=name, op="in", value=tuple(values))
    if isinstance(raw, str):
        m = _COMPARISON.match(raw)
        if m:
            op = "==" if m.group(1) == "=" else m.group(1)
            return Condition(column=name, op=op, value=_scalar(name, m.group(2), raw, op))
    return Condition(column=name, op="==", value=_scalar(name, raw, raw))


def _check_list(column: str, raw: list[Any] | tuple[Any, ...]) -> None:
    if not raw:
        raise BadValue(Message("decl.empty_list", column=column))
    if len(raw) > MAX_ONE_OF:
        raise BadValue(Message("decl.list_long", column=column, count=len(raw), limit=MAX_ONE_OF))


def _extra_condition(column: str, raw: Any) -> Condition:
    """A condition on a column the schema does not know: text, or a number or a date when
    compared by order."""
    if isinstance(raw, list | tuple):
        _check_list(column, raw)
        values = dict.fromkeys(str(v).strip() for v in raw)
        return Condition(column=column, op="in", value=tuple(values), extra=True)
    m = _COMPARISON.match(raw) if isinstance(raw, str) else None
    op = ("==" if m.group(1) == "=" else m.group(1)) if m else "=="
    text = m.group(2) if m else raw
    if op in ("==", "!="):
        value: Any = str(text).strip()
    else:
        value = (
            text if isinstance(text, int | float | dt.date) and not isinstance(text, bool) else None
        )
        value = value if value is not None else _number(str(text))
        value = value if value is not None else _date(str(text))
        if value is None:
            raise BadValue(Message("decl.comparison", column=column, value=one_line(raw, 200)))
    return Condition(column=column, op=op, value=value, extra=True)


def check_extra_columns(decls: dict[str, MetricDecl], known: list[str]) -> list[tuple[str, str]]:
    """(metric, column) of every condition on a column neither the schema nor the ledger has."""
    return [
        (key, c.column)
        for key, d in decls.items()
        for c in d.where
        if c.extra and c.column not in known
    ]


def _bad(column: str, raw: Any) -> BadValue:
    return BadValue(Message("decl.comparison", column=column, value=one_line(raw, 200)))


def _scalar(column: str, v: Any, raw: Any, op: str = "==") -> Any:
    """One value of a condition, typed by its column's kind (constant work per value: the
    error, which shows the whole condition, is built only when raised)."""
    if column in AMOUNT_COLUMNS:
        if isinstance(v, bool):
            raise _bad(column, raw)
        x = v if isinstance(v, int | float) else _number(str(v))
        if x is None:
            raise _bad(column, raw)
        return float(x)
    if column in DATE_COLUMNS:
        d = v if isinstance(v, dt.date) else _date(str(v))
        if d is None:
            raise _bad(column, raw)
        return d
    if column in BOOL_COLUMNS:
        if isinstance(v, bool) and op in ("==", "!="):
            return v
        yes_no = {"true": True, "false": False, "是": True, "否": False}
        if isinstance(v, str) and v.strip().lower() in yes_no and op in ("==", "!="):
            return yes_no[v.strip().lower()]
        raise _bad(column, raw)
    if op not in ("==", "!=", "in") or isinstance(v, dict | list):
        raise _bad(column, raw)  # text columns: equal, not equal or one of
    text = str(v).strip()
    words = _category_words().get(column)
    if words is None:
        return text
    code = words.get(text, words.get(text.lower()))
    if code is None:  # 签约 / signed, 外资 / 港澳台 / foreign, 世界500强 / global500, ...
        valid = ", ".join(dict.fromkeys(words))
        raise BadValue(Message("decl.category", column=column, value=text, valid=valid))
    return code


@functools.cache
def _header_of() -> dict[str, str]:
    """The ledger's headers (项目编号, 产业链, 总投资, …) -> column names, accepted in `where`."""
    from workbook.zone.ledger import LEDGER_SCHEMA

    return {alias: c.name for c in LEDGER_SCHEMA for alias in c.aliases}


@functools.cache
def _category_words() -> dict[str, dict[str, str]]:
    """The ledger's words for its coded columns (the ledger stores the codes)."""
    from workbook.zone.ledger import CAPITAL_WORDS, LIST_WORDS, STAGE_WORDS

    return {"stage": STAGE_WORDS, "capital_type": CAPITAL_WORDS, "list_flag": LIST_WORDS}


class MetricDecl(Frozen):
    """A metric as declared: a count of projects reaching a stage, or arrived money."""

    label: Label | None = None
    label_en: Label | None = None
    count: Stage | tuple[Stage, ...] | None = None
    money: Literal["domestic", "foreign", "all"] | None = None
    currency: Literal["CNY", "USD"] | None = None  # money: the default unit of its target
    where: tuple[Condition, ...] = ()

    @field_validator("where", mode="before")
    @classmethod
    def _where(cls, v: Any) -> Any:
        if v is None:
            return ()
        if not isinstance(v, dict):
            raise BadValue(Message("decl.where_map", value=str(v)[:200]))
        if len(v) > MAX_CONDITIONS:
            raise BadValue(Message("decl.too_many", count=len(v), limit=MAX_CONDITIONS))
        return tuple(parse_condition(str(col), raw) for col, raw in v.items())

    @field_validator("count", mode="before")
    @classmethod
    def _count(cls, v: Any) -> Any:
        if v is None:
            return v
        stages = list(v) if isinstance(v, list | tuple) else [v]
        for s in stages:
            if s not in COUNT_STAGES:
                raise BadValue(Message("decl.stage", value=str(s), valid=", ".join(COUNT_STAGES)))
        return stages[0] if len(stages) == 1 else tuple(stages)

    @property
    def kind(self) -> str:
        return "money" if self.money is not None else "count"

    @property
    def stages(self) -> tuple[str, ...]:
        if self.count is None:
            return ()
        return (self.count,) if isinstance(self.count, str) else tuple(self.count)


def _decl(**kw: Any) -> MetricDecl:
    return MetricDecl.model_validate(kw)


# The ten built-in metrics (workbook.zone.metrics has the table), as declarations.
BUILTIN: dict[str, MetricDecl] = {
    "domestic_capital": _decl(money="domestic", currency="CNY"),
    "foreign_capital": _decl(money="foreign", currency="USD"),
    "global500_signings": _decl(
        count="signed", where={"new_500_signing": True, "list_flag": "global500"}
    ),
    "china500_signings": _decl(
        count="signed", where={"new_500_signing": True, "list_flag": "china500"}
    ),
    "bonus_500": _decl(count=["signed", "started", "producing"], where={"list_flag": "!= none"}),
    "big_projects_30": _decl(count="signed", where={"total_investment": ">= 30"}),
    "projects_100": _decl(count="signed", where={"total_investment": ">= 100"}),
    "new_starts": _decl(count="started"),
    "new_production": _decl(count="producing"),
    "four_new": _decl(count="started", where={"four_new": True}),
}


def resolve(key: str, raw: MetricDecl, fields: set[str]) -> MetricDecl:
    """A declaration as used: a built-in's default with the fields the params give over it
    (a `where` replaces the default's conditions on the columns it names)."""
    base = BUILTIN.get(key)
    if base is None:
        return raw
    update: dict[str, Any] = {f: getattr(raw, f) for f in fields if f != "where"}
    if "where" in fields:
        named = {c.column for c in raw.where}
        update["where"] = (*(c for c in base.where if c.column not in named), *raw.where)
    if "count" in update and update["count"] is not None:
        update["money"] = None
    if "money" in update and update["money"] is not None:
        update["count"] = None
    return base.model_copy(update=update)


class Campaign(Frozen):
    """A 百日攻坚-style window with goals of its own: `days` days from `start` (day 1)."""

    name: Label = Field(min_length=1)
    name_en: Label | None = None
    start: dt.date
    days: int = Field(ge=1)
    goals: dict[str, float]

    @field_validator("goals")
    @classmethod
    def _goals(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise BadValue(Message("decl.no_goals"))
        for key, goal in v.items():
            if goal <= 0:
                raise BadValue(Message("decl.goal", key=key, value=goal))
        return v

    @property
    def end(self) -> dt.date:
        """The window's last day."""
        return self.start + dt.timedelta(days=self.days - 1)

    def display(self, lang: str = "zh") -> str:
        return Entry(self.name, self.name_en or self.name).text(lang)


def check_metric(key: str, decl: MetricDecl) -> None:
    """A declared metric counts or sums, not both and not neither."""
    if (decl.count is None) == (decl.money is None):
        raise BadValue(Message("decl.kind", key=key))
    if decl.count is not None and not decl.stages:
        raise BadValue(Message("decl.kind", key=key))

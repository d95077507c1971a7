"""A zone's parameters for one year: one YAML file validated into frozen pydantic models.

Errors name the file and the key path, say what was expected and what was found, and list
the valid keys when a key is unknown, e.g.
``params/jining-2020.yaml: targets.domestic_capital.annual must be > 0, got -56`` (in Chinese
``params/jining-2020.yaml：targets.domestic_capital.annual 必须 > 0，实际为 -56``).
Paths inside the file are relative to the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workbook.errors import ParamsError
from workbook.frozen import Frozen  # the base of every model here (defined apart: no import cycle)
from workbook.messages import MESSAGES, BadValue, Message

Currency = Literal["CNY", "USD"]


class Target(Frozen):
    """One assessed target: a floor (`annual`), an optional stretch and quarterly phasing."""

    annual: float = Field(gt=0)
    stretch: float | None = Field(default=None, gt=0)
    currency: Currency | None = None
    # Cumulative share of the annual target due by the end of Q1..Q4, e.g. [0.2, 0.45, 0.75, 1].
    # None: phased by elapsed share of the year.
    phasing: tuple[float, float, float, float] | None = None

    @field_validator("phasing")
    @classmethod
    def _phasing(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is None:
            return v
        if any(not 0 <= x <= 1 for x in v):
            raise BadValue(Message("check.phasing_range", value=list(v)))
        if any(b < a for a, b in zip(v, v[1:], strict=False)):
            raise BadValue(Message("check.phasing_order", value=list(v)))
        if abs(v[-1] - 1) > 1e-9:
            raise BadValue(Message("check.phasing_end", value=v[-1]))
        return v

    @model_validator(mode="after")
    def _stretch_above_floor(self) -> Target:
        if self.stretch is not None and self.stretch < self.annual:
            raise BadValue(Message("check.stretch", annual=self.annual, stretch=self.stretch))
        return self

    @property
    def floor(self) -> float:
        return self.annual


class Targets(Frozen):
    """The zone's assessed targets (考核指标); a metric left out is not assessed."""

    domestic_capital: Target
    foreign_capital: Target | None = None
    global500_signings: Target | None = None
    china500_signings: Target | None = None
    bonus_500: Target | None = None
    big_projects_30: Target | None = None
    projects_100: Target | None = None
    new_starts: Target | None = None
    new_production: Target | None = None
    four_new: Target | None = None

    def items(self) -> list[tuple[str, Target]]:
        """(metric, target) for every assessed metric, in the file's canonical order."""
        return [(k, getattr(self, k)) for k in type(self).model_fields if getattr(self, k)]


_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Channel(Frozen):
    """A resident office (驻外招商机构) or partner platform (招商平台) that brings leads."""

    id: str
    name: str
    name_en: str
    region: str
    overseas: bool = False
    leads_per_quarter: float = Field(ge=0)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise BadValue(Message("check.channel_id", value=v))
        return v

    def display(self, lang: str = "zh") -> str:
        return self.name if lang == "zh" else self.name_en


class DataFiles(Frozen):
    """Where the zone's own data lives; relative paths are taken from the params file's folder."""

    ledger: Path
    arrivals: Path | None = None
    events: Path | None = None

    @field_validator("ledger", "arrivals", "events", mode="before")
    @classmethod
    def _resolve(cls, v: Any, info: ValidationInfo) -> Any:
        if v is None:
            return v
        if not isinstance(v, str | Path):
            raise BadValue(Message("check.path", value=v))
        path = Path(v)
        base = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        path = path.resolve()
        if path.is_dir():
            raise BadValue(Message("check.file_is_folder", path=path))
        if not path.is_file():
            raise BadValue(Message("check.file_not_found", path=path))
        return path


# Sections kept in their own values modules subclass Frozen, so they are imported after it.
from workbook.drivers import Drivers, PlannedEvent, Scenario  # noqa: E402
from workbook.roadshow_params import RoadshowSettings  # noqa: E402


class ZoneParams(Frozen):
    """Everything the workbook knows about one zone and year, before the data files are read."""

    zone: str
    zone_en: str
    year: int = Field(ge=2000, le=2100)
    fx_cny_per_usd: float = Field(gt=0)
    pacing_tolerance: float = Field(default=0.05, ge=0, le=0.5)
    targets: Targets
    offices: tuple[Channel, ...] = ()
    platforms: tuple[Channel, ...] = ()
    data: DataFiles
    roadshow: RoadshowSettings = RoadshowSettings()
    # The forecast (workbook.simulate): drivers, named scenarios and the baseline event plan.
    drivers: Drivers = Drivers()
    scenarios: dict[str, Scenario] = {}
    event_plan: tuple[PlannedEvent, ...] = ()
    source: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_channel_ids(self) -> ZoneParams:
        seen: set[str] = set()
        for ch in (*self.offices, *self.platforms):
            if ch.id in seen:
                raise BadValue(Message("check.channel_twice", id=ch.id))
            seen.add(ch.id)
        return self

    @property
    def channels(self) -> tuple[Channel, ...]:
        return (*self.offices, *self.platforms)

    def zone_name(self, lang: str = "zh") -> str:
        return self.zone if lang == "zh" else self.zone_en


# ---- loading -------------------------------------------------------------------------------

# pydantic's error kinds with a message of their own: "rule.<kind>" in workbook.messages.
_RULES = {key.removeprefix("rule.") for key in MESSAGES if key.startswith("rule.")}


def _plain(v: Any) -> Any:
    """0.0 -> 0 and 1.0 -> 1 in messages; everything else as it is."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _rule(kind: str, err: dict[str, Any]) -> Message:
    """What the value must be, for one pydantic error kind."""
    ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
    if kind == "literal_error":  # pydantic's "'CNY' or 'USD'"
        expected = str(ctx["expected"])
        ctx["expected"] = Message("pick", en=expected, zh=expected.replace(" or ", " 或 "))
    if kind in _RULES:
        return Message(f"rule.{kind}", **ctx)
    return Message.text(err["msg"][0].lower() + err["msg"][1:])  # pydantic's English


def _describe(err: dict[str, Any]) -> Message:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "value_error":
        error = err.get("ctx", {}).get("error")
        if isinstance(error, BadValue):
            body = error.message
        else:
            body = Message.text(str(error) if error is not None else err["msg"])
        return Message("at", where=loc, body=body) if loc else body
    body = _rule(kind, err)
    if kind != "missing":
        got = repr(err["input"]) if isinstance(err["input"], str) else str(err["input"])
        body = Message("params.got", rule=body, got=got)
    return Message("params.key", key=loc, body=body) if loc else body


def format_validation_error(source: str | Message, exc: ValidationError) -> list[Message]:
    """One message per pydantic error: '<file>: <key.path> <what was expected>, got <found>'."""
    return [Message("at", where=source, body=_describe(e)) for e in exc.errors(include_url=False)]


def parse_params(data: Any, source: str = "<params>", base_dir: Path | None = None) -> ZoneParams:
    """Validate a parsed YAML mapping into ZoneParams, raising ParamsError with every problem."""
    if not isinstance(data, dict):
        top = Message("params.top", type=type(data).__name__)
        raise ParamsError([Message("at", where=source, body=top)])
    try:
        params = ZoneParams.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ParamsError(format_validation_error(source, exc)) from None
    return params


def load_params(path: str | Path) -> ZoneParams:
    """Read and validate a params YAML file. The file is only read."""
    path = Path(path)
    if not path.is_file():
        found = Message("file.is_folder" if path.is_dir() else "params.not_found")
        raise ParamsError([Message("at", where=str(path), body=found)])
    from workbook.yamlsafe import load_yaml

    data = load_yaml(path)
    params = parse_params(data, source=str(path), base_dir=path.parent)
    return params.model_copy(update={"source": path.resolve()})

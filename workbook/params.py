"""A zone's parameters for one year: one YAML file validated into frozen pydantic models.

Errors name the file and the key path, say what was expected and what was found, and list
the valid keys when a key is unknown, e.g.
``params/jining-2020.yaml: targets.domestic_capital.annual must be > 0, got -56``.
Paths inside the file are relative to the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workbook.errors import ParamsError
from workbook.frozen import Frozen  # the base of every model here (defined apart: no import cycle)

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
            raise ValueError(f"phasing shares must be between 0 and 1, got {list(v)}")
        if any(b < a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError(f"phasing must be cumulative (non-decreasing), got {list(v)}")
        if abs(v[-1] - 1) > 1e-9:
            raise ValueError(f"phasing must reach 1 by Q4, got {v[-1]}")
        return v

    @model_validator(mode="after")
    def _stretch_above_floor(self) -> Target:
        if self.stretch is not None and self.stretch < self.annual:
            raise ValueError(f"stretch must be >= annual ({self.annual:g}), got {self.stretch:g}")
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
            raise ValueError(f"id must be lower-case letters, digits and _, got {v!r}")
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
            raise ValueError(f"must be a file path, got {v!r}")
        path = Path(v)
        base = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        path = path.resolve()
        if not path.is_file():
            raise ValueError(f"file not found: {path}")
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
                raise ValueError(f"channel id {ch.id!r} is used twice in offices/platforms")
            seen.add(ch.id)
        return self

    @property
    def channels(self) -> tuple[Channel, ...]:
        return (*self.offices, *self.platforms)

    def zone_name(self, lang: str = "zh") -> str:
        return self.zone if lang == "zh" else self.zone_en


# ---- loading -------------------------------------------------------------------------------

_CONSTRAINT_MSG = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "missing": "is required",
    "literal_error": "must be one of {expected}",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "model_type": "must be a mapping of keys",
    "dict_type": "must be a mapping of keys",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "too_short": "must have {min_length} items",
    "too_long": "must have {max_length} items",
}


def _plain(v: Any) -> Any:
    """0.0 -> 0 and 1.0 -> 1 in messages; everything else as it is."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "value_error":
        msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        return f"{loc}: {msg}" if loc else msg
    template = _CONSTRAINT_MSG.get(kind)
    if template is None:
        text = err["msg"][0].lower() + err["msg"][1:]
    else:
        text = template.format(**{k: _plain(v) for k, v in (err.get("ctx") or {}).items()})
    if kind != "missing":
        text += (
            f", got {err['input']!r}" if isinstance(err["input"], str) else f", got {err['input']}"
        )
    return f"{loc} {text}" if loc else text


def format_validation_error(source: str, exc: ValidationError) -> list[str]:
    """One line per pydantic error: '<file>: <key.path> <what was expected>, got <found>'."""
    return [f"{source}: {_describe(e)}" for e in exc.errors(include_url=False)]


def parse_params(data: Any, source: str = "<params>", base_dir: Path | None = None) -> ZoneParams:
    """Validate a parsed YAML mapping into ZoneParams, raising ParamsError with every problem."""
    if not isinstance(data, dict):
        raise ParamsError(
            [f"{source}: expected a mapping of keys at the top, got {type(data).__name__}"]
        )
    try:
        params = ZoneParams.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ParamsError(format_validation_error(source, exc)) from None
    return params


def load_params(path: str | Path) -> ZoneParams:
    """Read and validate a params YAML file. The file is only read."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError([f"{path}: params file not found"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ParamsError(
            [f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}"]
        ) from None
    params = parse_params(data, source=str(path), base_dir=path.parent)
    return params.model_copy(update={"source": path.resolve()})

"""A zone's parameters for one year: one YAML file validated into frozen pydantic models.

Errors name the file and the key path, say what was expected and what was found, and list
the valid keys when a key is unknown, e.g.
``params/jining-2020.yaml: targets.domestic_capital.annual must be > 0, got -56`` (in Chinese
``params/jining-2020.yaml：targets.domestic_capital.annual 必须 > 0，实际为 -56``).
Paths inside the file are relative to the file.
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from workbook.text.catalogue import Entry
from workbook.text.clean import strip_controls
from workbook.text.errors import ParamsError
from workbook.text.messages import MESSAGES, BadValue, Message
from workbook.zone.declarations import BUILTIN, Campaign, MetricDecl, check_metric, resolve
from workbook.zone.drivers import Drivers, PlannedEvent, Scenario
from workbook.zone.frozen import Frozen, Label, check_label  # the base of every model here
from workbook.zone.roadshow_settings import RoadshowSettings

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
    # Targets of the zone's own metrics (declared under `metrics:`), checked by ZoneParams.
    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, Target] = Field(init=False)

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        return data  # any key may name a declared metric: ZoneParams checks them

    def items(self) -> list[tuple[str, Target]]:
        """(metric, target) for every assessed metric: the built-ins in their canonical order,
        then the zone's own in file order."""
        builtin = [(k, getattr(self, k)) for k in type(self).model_fields if getattr(self, k)]
        return builtin + list((self.__pydantic_extra__ or {}).items())


_ID = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_KEY = 64  # characters of a metric key
MAX_METRICS = 200  # metrics a params file declares (beside the ten built-ins)
MAX_CAMPAIGNS = 50
MAX_SCENARIOS = 100


class Channel(Frozen):
    """A resident office (驻外招商机构) or partner platform (招商平台) that brings leads."""

    id: str
    name: Label
    name_en: Label
    region: Label
    overseas: bool = False
    leads_per_quarter: float = Field(ge=0)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise BadValue(Message("check.channel_id", value=v))
        return v

    def display(self, lang: str = "zh") -> str:
        return Entry(self.name, self.name_en).text(lang)


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


class ZoneParams(Frozen):
    """Everything the workbook knows about one zone and year, before the data files are read."""

    zone: Label
    zone_en: Label
    bureau: Label | None = (
        None  # the office that issues the zone's documents (review.docx's author)
    )
    year: int = Field(ge=2000, le=2100)
    fx_cny_per_usd: float = Field(gt=0)
    pacing_tolerance: float = Field(default=0.05, ge=0, le=0.5)
    targets: Targets
    offices: tuple[Channel, ...] = ()
    platforms: tuple[Channel, ...] = ()
    data: DataFiles
    roadshow: RoadshowSettings = RoadshowSettings()
    # The forecast (workbook.forecast.engine): drivers, named scenarios and the baseline event plan.
    drivers: Drivers = Drivers()
    scenarios: dict[str, Scenario] = {}
    event_plan: tuple[PlannedEvent, ...] = ()
    # The zone's own metrics (and overrides of the built-ins') and its 百日攻坚 campaigns.
    metrics: dict[str, MetricDecl] = {}
    campaigns: tuple[Campaign, ...] = ()
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("metrics", "campaigns", "scenarios", mode="before")
    @classmethod
    def _bounded(cls, v: Any, info: ValidationInfo) -> Any:
        """At most so many, checked before any is read (work stays bounded)."""
        limit = {"metrics": MAX_METRICS, "campaigns": MAX_CAMPAIGNS}.get(
            info.field_name or "", MAX_SCENARIOS
        )
        if isinstance(v, dict | list | tuple) and len(v) > limit:
            raise BadValue(Message("decl.too_many", count=len(v), limit=limit))
        return v

    @model_validator(mode="after")
    def _declarations(self) -> ZoneParams:
        for name in self.scenarios:  # a scenario's name is shown and may name a file
            try:
                check_label(name)
            except BadValue as exc:
                where = f"scenarios.{strip_controls(name)[:40]}"
                raise BadValue(Message("at", where=where, body=exc.message)) from None
        for key, decl in self.metrics.items():
            if len(key) > MAX_KEY:
                body = Message("decl.key_long", length=len(key), limit=MAX_KEY)
                raise BadValue(Message("at", where=f"metrics.{key[:40]}…", body=body))
            if not _ID.match(key):
                raise BadValue(Message("decl.metric_id", key=key))
            if key not in BUILTIN and not decl.label:
                raise BadValue(
                    Message("at", where=f"metrics.{key}", body=Message("decl.needs_label", key=key))
                )
            resolved = resolve(key, decl, set(decl.model_fields_set))
            try:
                check_metric(key, resolved)
            except BadValue as exc:
                raise BadValue(Message("at", where=f"metrics.{key}", body=exc.message)) from None
        custom = [k for k in self.metrics if k not in BUILTIN]
        known = [*BUILTIN, *custom]
        for key, _ in self.targets.items():
            if key not in known:
                body = Message("params.unknown_key", keys=repr(key), valid=", ".join(known))
                raise BadValue(Message("at", where="targets", body=body))
        year_days = 366 if calendar.isleap(self.year) else 365
        names: set[str] = set()
        for i, c in enumerate(self.campaigns):
            where = f"campaigns.{i}"
            if c.name in names:
                raise BadValue(
                    Message("at", where=where, body=Message("decl.campaign_twice", name=c.name))
                )
            names.add(c.name)
            for key in c.goals:
                if key not in known:
                    body = Message("decl.unknown_goal", key=key, valid=", ".join(known))
                    raise BadValue(Message("at", where=f"{where}.goals.{key}", body=body))
            if c.start.year != self.year:
                body = Message("decl.start_year", start=c.start, year=self.year)
                raise BadValue(Message("at", where=f"{where}.start", body=body))
            if c.days > year_days:
                body = Message("decl.window_long", days=c.days, year=self.year, year_days=year_days)
                raise BadValue(Message("at", where=f"{where}.days", body=body))
            if c.start.year != self.year or c.end.year != self.year:
                body = Message("decl.window", start=c.start, end=c.end, year=self.year)
                raise BadValue(Message("at", where=where, body=body))
        return self

    def metric_decls(self) -> dict[str, MetricDecl]:
        """Every metric's declaration as used: the built-ins (with the params' overrides),
        then the zone's own, in file order."""
        out = {}
        for key, decl in {**BUILTIN, **self.metrics}.items():
            raw = self.metrics.get(key)
            out[key] = resolve(key, raw, set(raw.model_fields_set)) if raw is not None else decl
        return out

    def campaign(self, name: str) -> Campaign:
        """A campaign by its name (or English name); InputError-ready ValueError otherwise."""
        for c in self.campaigns:
            if name in (c.name, c.name_en):
                return c
        valid = ", ".join(c.name for c in self.campaigns) or "-"
        raise BadValue(Message("decl.unknown_campaign", name=name, valid=valid))

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

    @property
    def metric_labels(self) -> dict[str, Entry]:
        """The labels these params give metrics (their own, and built-ins they rename), in both
        languages: what `workbook.text.catalogue.label(..., declared=)` names them by."""
        return {
            key: Entry(decl.label, decl.label_en or decl.label)
            for key, decl in self.metrics.items()
            if decl.label
        }

    def zone_name(self, lang: str = "zh") -> str:
        return Entry(self.zone, self.zone_en).text(lang)


# ---- loading -------------------------------------------------------------------------------

# pydantic's error kinds with a message of their own: "rule.<kind>" in workbook.text.messages.
_RULES = {key.removeprefix("rule.") for key in MESSAGES if key.startswith("rule.")}


def _plain(v: Any) -> Any:
    """0.0 -> 0 and 1.0 -> 1 in messages; everything else as it is."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _rule(kind: str, err: ErrorDetails) -> Message:
    """What the value must be, for one pydantic error kind."""
    ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
    if kind == "literal_error":  # pydantic's "'CNY' or 'USD'"
        expected = str(ctx["expected"])
        first, _, last = expected.rpartition(" or ")
        ctx["expected"] = Message("words.or", first=first, last=last) if first else expected
    if kind in _RULES:
        return Message(f"rule.{kind}", **ctx)
    return Message.text(err["msg"][0].lower() + err["msg"][1:])  # pydantic's English


def _describe(err: ErrorDetails) -> Message:
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
    from workbook.files.yamlsafe import load_yaml

    data = load_yaml(path)
    params = parse_params(data, source=str(path), base_dir=path.parent)
    return params.model_copy(update={"source": path.resolve()})

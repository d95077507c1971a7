"""Scenarios saved by planners as their own small YAML files beside a zone's params file.

The scenario planner's "save scenario" writes `params/scenarios/<params stem>/<name>.yaml`:

    params: ../../jining-2020.yaml   # the params file the scenario goes with
    name: 疫情延迟-加强
    scenario:                        # a `scenarios:` entry, ready to paste into the params file
      description: ...
      drivers: {slip_months: 4, ...} # only what differs from the params' drivers

A file is written to a temporary name in the same folder and moved into place, so a failure
leaves nothing half-written; an existing file is never replaced unless `overwrite=True`
(without it the move itself refuses, so two planners saving the same name cannot both win).
Saved files are read back with the same checks as the params' own scenarios.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workbook.text.clean import strip_controls
from workbook.text.errors import InputError, ParamsError
from workbook.text.messages import Message
from workbook.zone.drivers import Drivers, Scenario
from workbook.zone.params import ZoneParams, format_validation_error

SCENARIO_DIR = "scenarios"
_BAD_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]')
# A file name holds at most 255 bytes; the temporary ".<name>.XXXXXXXX.tmp" adds 14 to the name.
# 240 bytes is 80 Chinese characters (3 bytes each in UTF-8), 60 emoji (4 bytes each).
NAME_BYTES = 240


def scenario_dir(params: ZoneParams) -> Path:
    """Where a zone's saved scenarios live: params/scenarios/<params file stem>/."""
    if params.source is None:
        raise InputError(Message("err.params_not_from_file"))
    return params.source.parent / SCENARIO_DIR / params.source.stem


def check_name(name: str) -> str:
    """A scenario name usable as a file name (Chinese is fine); an InputError otherwise."""
    clean = name.strip()
    if not clean:
        raise InputError(Message("scenario.no_name"))
    too_long = len(clean) > 80 or len(clean.encode("utf-8", "surrogatepass")) > NAME_BYTES
    if _BAD_CHARS.search(clean) or clean.startswith(".") or too_long:
        raise InputError(Message("scenario.bad_name", name=strip_controls(name)[:100]))
    return clean


def driver_overrides(base: Drivers, drivers: Drivers) -> dict[str, Any]:
    """The keys of `drivers` that differ from `base`, nested as in a params file."""
    return _diff(base.model_dump(mode="json"), drivers.model_dump(mode="json"))


def _diff(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in new.items():
        old = base.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            sub = _diff(old, value)
            if sub:
                out[key] = sub
        elif value != old:
            out[key] = value
    return out


def make_scenario(
    params: ZoneParams,
    drivers: Drivers,
    *,
    description: str = "",
    name_en: str | None = None,
    event_plan: Any = None,
) -> Scenario:
    """A Scenario holding what `drivers` change against the params' drivers (checked)."""
    data: dict[str, Any] = {"description": description}
    if name_en:
        data["name_en"] = name_en
    overrides = driver_overrides(params.drivers, drivers)
    if overrides:
        data["drivers"] = overrides
    if event_plan is not None:
        data["event_plan"] = [
            {"event_id": str(e), "month": int(m)}
            for e, m in zip(event_plan["event_id"], event_plan["month"], strict=True)
        ]
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ParamsError(format_validation_error("scenario", exc)) from None


def scenario_document(params: ZoneParams, name: str, scenario: Scenario, folder: Path) -> str:
    """The YAML text of a saved scenario file."""
    rel = (
        os.path.relpath(params.source, folder) if params.source is not None else "<params>"
    ).replace(os.sep, "/")
    doc = {
        "params": rel,
        "name": name,
        "scenario": scenario.model_dump(mode="json", exclude_unset=True, exclude_defaults=False),
    }
    header = (
        f"# Scenario {name!r} saved by the scenario planner for {rel}.\n"
        "# The `scenario:` block can be pasted under `scenarios:` in the params file.\n"
    )
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def save_scenario(
    params: ZoneParams,
    name: str,
    scenario: Scenario,
    *,
    folder: str | Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a named scenario file (atomically); an InputError if it exists and not overwrite."""
    name = check_name(name)
    if name in params.scenarios:
        raise InputError(Message("scenario.in_params", name=name))
    folder = Path(folder) if folder is not None else scenario_dir(params)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    if path.exists() and not overwrite:
        raise InputError(Message("scenario.exists", name=name, path=str(path)))
    text = scenario_document(params, name, scenario, folder)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the name was taken meanwhile: never clobbers
            except FileExistsError:
                raise InputError(Message("scenario.exists", name=name, path=str(path))) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return path


def load_scenario_file(path: str | Path) -> tuple[str, Scenario]:
    """Read one saved scenario file: (name, Scenario); a ParamsError naming file and key."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        body = Message("params.scenario_unreadable", error=str(exc))
        raise ParamsError([Message("at", where=str(path), body=body)]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("scenario"), dict):
        raise ParamsError([Message("at", where=str(path), body=Message("params.scenario_keys"))])
    name = str(doc.get("name") or path.stem)
    try:
        return name, Scenario.model_validate(doc["scenario"])
    except ValidationError as exc:
        where = Message("at", where=str(path), body="scenario")
        raise ParamsError(format_validation_error(where, exc)) from None


def saved_scenarios(params: ZoneParams, folder: str | Path | None = None) -> dict[str, Path]:
    """Saved scenario files of a zone by name, in name order ({} when there are none)."""
    try:
        folder = Path(folder) if folder is not None else scenario_dir(params)
    except InputError:
        return {}
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}

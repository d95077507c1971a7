"""The base of every parameter model: frozen pydantic, unknown keys listed with the valid ones.

Kept apart from `workbook.zone.params` so that the sections it assembles (drivers, roadshow) can
subclass it without importing `params` (and without an import cycle); `params.Frozen` is
this class.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from workbook.text.messages import BadValue, Message


class Frozen(BaseModel):
    """Base of every parameter model: immutable, unknown keys are errors listing the valid ones."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            valid = list(cls.model_fields)
            unknown = [k for k in data if k not in valid]
            if unknown:
                keys = ", ".join(repr(k) for k in unknown)
                raise BadValue(Message("params.unknown_key", keys=keys, valid=", ".join(valid)))
        return data

"""The base of every parameter model: frozen pydantic, unknown keys listed with the valid ones.

Kept apart from `workbook.zone.params` so that the sections it assembles (drivers, roadshow) can
subclass it without importing `params` (and without an import cycle); `params.Frozen` is
this class.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workbook.text.clean import has_controls, visible
from workbook.text.messages import BadValue, Message

MAX_LABEL = 100  # characters of a name or label a page, a cell or a file name shows


def check_label(v: str) -> str:
    """A name or label: at most MAX_LABEL characters, no control characters or bidi overrides."""
    if len(v) > MAX_LABEL:
        raise BadValue(Message("decl.label_long", length=len(v), limit=MAX_LABEL))
    if has_controls(v):
        raise BadValue(Message("decl.label_controls", value=visible(v)))
    return v


Label = Annotated[str, AfterValidator(check_label)]


@functools.cache
def _numeric(annotation: Any) -> str | None:
    """'number' when a field holds a number (int or float), 'items' when it holds numbers
    (a list or a mapping of them), else None: where YAML's true/false must not count as 1/0."""
    if annotation in (int, float):
        return "number"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _numeric(args[0])
    if origin in (typing.Union, types.UnionType):
        if bool in args:
            return None  # true/false is one of the values meant
        kinds = {_numeric(a) for a in args if a is not type(None)}
        return "number" if "number" in kinds else ("items" if "items" in kinds else None)
    if origin in (tuple, list, dict) and args:
        items = args[-1] if origin is dict else args[0]
        return "items" if _numeric(items) == "number" else None
    return None


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

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, v: Any, info: ValidationInfo) -> Any:
        """`annual: true` or `days: false` is a mistake, never 1 or 0."""
        field = cls.model_fields.get(info.field_name or "")
        try:
            annotation: Any = None if field is None else field.annotation
            kind = _numeric(annotation) if annotation is not None else None
        except TypeError:  # an annotation that cannot be cached: not one of ours to check
            kind = None
        if kind is None:
            return v
        if kind == "number" and isinstance(v, bool):
            raise BadValue(Message("decl.bool_number", value=str(v).lower()))
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for key, x in items:
            if isinstance(x, bool):
                where = f"[{key}]" if isinstance(key, int) else str(key)
                body = Message("decl.bool_number", value=str(x).lower())
                raise BadValue(Message("at", where=where, body=body))
        return v

"""Keys of what an engine keeps between forecasts, by exclusion: everything in the drivers
except the fields known not to matter to that cache.

A cache keyed by a hand-made list of driver fields silently goes stale when a new driver that
moves its values is left out of the list. Here a forecast's drivers are read once into a flat
tuple of (path, value) leaves (`leaves`: every field of `Drivers`, nested models included), and
each cache's key is that tuple less the few paths listed below as not mattering to it. A new
driver is in every key until someone shows it does not matter (tests/forecast/test_forecast_cache.py
changes every leaf and compares a kept engine with a fresh one).

The caches and what they leave out:

- `DEAL_RESULT` (what new deals add, per months and metrics: `DealPass.part`): the ledger's
  own drivers, which new deals never read (chances and months of signing by stage before
  signing, the planned pace).
- `DEALS` (each span's new deals, their counts and marks: `DealPass.deals`): also the
  unplanned pace and the FX rate (read after the marks, by `DEAL_RESULT`), and the offices',
  platforms' and events' drivers, which reach deals only through their `Source` (expected
  signings, lag, size, shares), itself in the key. `DEALS_SIGN_ONLY` adds the drivers of
  starting and producing when no metric judges a new deal's start or production month.
- `MILESTONES` (the ledger projects' simulated milestones per span: `LedgerPass`): the
  drivers of money and of new deals.

The event plan enters the deal keys through the sources it makes (`Setup.sources`)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, TypeAlias

from pydantic import BaseModel

Key: TypeAlias = tuple[Hashable, ...]  # a cache key: driver values, names, sizes

DEAL_RESULT: frozenset[str] = frozenset({"stage_probability", "months_to_sign", "arrival_ratio"})
DEALS: frozenset[str] = DEAL_RESULT | {"unplanned_share", "fx_cny_per_usd", "channels", "events"}
DEALS_SIGN_ONLY: frozenset[str] = DEALS | {
    "start_probability",
    "months_to_start",
    "production_probability",
    "months_to_production",
}
MILESTONES: frozenset[str] = frozenset(
    {
        "arrival_ratio",
        "unplanned_share",
        "fx_cny_per_usd",
        "size_sigma",
        "four_new_share",
        "channels",
        "events",
    }
)


def leaves(model: BaseModel, prefix: str = "") -> tuple[tuple[str, Any], ...]:
    """Every field of a (nested) model as (dotted path, value), in field order. A value that is
    not a model (a number, None, a tuple of cancellations) is a leaf."""
    out: list[tuple[str, Any]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = prefix + name
        if isinstance(value, BaseModel):
            out.extend(leaves(value, path + "."))
        else:
            out.append((path, value))
    return tuple(out)


def key_without(items: tuple[tuple[str, Any], ...], exclude: frozenset[str]) -> Key:
    """The values of `items` whose path is not in `exclude` nor under a path in it."""
    return tuple(v for p, v in items if p not in exclude and p.split(".", 1)[0] not in exclude)


class DriverKeys:
    """One forecast's drivers as cache keys: the leaves read once, each key made once."""

    def __init__(self, drivers: BaseModel):
        self.items = leaves(drivers)
        self._keys: dict[frozenset[str], Key] = {}

    def without(self, exclude: frozenset[str]) -> Key:
        hit = self._keys.get(exclude)
        if hit is None:
            hit = self._keys[exclude] = key_without(self.items, exclude)
        return hit

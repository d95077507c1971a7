"""One catalogue for two languages: every text a planner reads, keyed by id.

`CATALOGUE` maps an id to an `Entry` holding the Chinese and the English of one text (a
`str.format` template). Ids are dotted:

- messages about bad input: their `workbook.text.messages.MESSAGES` key (`cell.empty`);
- labels: `label.<kind>.<key>` for the tables of `workbook.text.labels`
  (`label.stage.lead`, `label.review.title`), read with `label(kind, key, lang)`;
- phrases of the planners, the roadshow and the commands (`workbook.text.phrases`).

Those modules add their entries here when they are imported (`workbook.text` imports them
all, so the catalogue is whole before any lookup). `say(id, lang, **fields)` fills the
template of `lang`; a field that can render itself (a `Message`) is rendered in the same
language. Logic never asks which language it speaks: it names an id.

Labels of a zone's own metrics are not in the catalogue: they belong to the zone's params
(`ZoneParams.metric_labels`) and are passed to `label(..., declared=...)` by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

LANGS = ("zh", "en")  # the report languages: Chinese first


class Entry(NamedTuple):
    """One text in both languages."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        """The template of `lang` ("zh" or "en")."""
        return self[LANGS.index(check(lang))]


CATALOGUE: dict[str, Entry] = {}
KINDS: set[str] = set()  # the label kinds: a label's id is "label.<kind>.<key>"


def check(lang: str) -> str:
    """`lang` if it is one of LANGS, else ValueError naming the valid ones."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGS)})")
    return lang


def add(entries: Mapping[str, Entry]) -> None:
    """Put entries into the catalogue; an id given twice with other text is a programming error."""
    for key, entry in entries.items():
        old = CATALOGUE.setdefault(key, entry)
        assert old == entry, f"catalogue id {key!r} given twice with different text"


def add_labels(kind: str, en: Mapping[str, str], zh: Mapping[str, str]) -> None:
    """Put one table of labels (`kind`, keyed alike in both languages) into the catalogue."""
    KINDS.add(kind)
    add({f"label.{kind}.{key}": Entry(zh.get(key, ""), en.get(key, "")) for key in {**zh, **en}})


def say(id: str, lang: str = "zh", /, **fields: Any) -> str:
    """The text `id` in `lang`, its `{fields}` filled (Messages among them rendered in `lang`)."""
    template = CATALOGUE[id].text(lang)
    return template.format(**{k: render(v, lang) for k, v in fields.items()})


def render(value: Any, lang: str = "zh") -> Any:
    """A Message (anything with `render(lang)`) in `lang`; any other value as it is."""
    return value.render(lang) if hasattr(value, "render") else value


def label(
    kind: str, key: str, lang: str = "zh", declared: Mapping[str, Entry] | None = None
) -> str:
    """The label of `key` in table `kind` ('stage', 'metric', ...) in `lang`, unformatted; the
    key itself if unknown. `declared` holds the labels a zone's params give its own metrics
    (`ZoneParams.metric_labels`): they name metrics before the built-in ones."""
    if kind not in KINDS:
        raise KeyError(f"no label kind {kind!r} in the catalogue")
    if declared is not None and kind == "metric" and key in declared:
        return declared[key].text(lang)
    entry = CATALOGUE.get(f"label.{kind}.{key}")
    if entry is None:
        check(lang)
        return key
    return entry.text(lang)

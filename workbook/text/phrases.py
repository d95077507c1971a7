"""Phrases of the roadshow, the planners, the charts and the commands, in both languages.

Entries of the one catalogue (`workbook.text.catalogue`), keyed by id: `say(id, lang, **fields)`.
"""

from __future__ import annotations

from workbook.text.catalogue import Entry, add

PHRASES: dict[str, Entry] = {
}

add(PHRASES)

"""Text from a file or a control made safe to show: no control characters, one line, bounded.

A label, a name or a library's error message may hold terminal escape sequences
(`\\x1b]0;…\\x07`), newlines, or bidirectional overrides that make a line read differently
from what it holds. Wherever such text reaches a terminal, an Excel cell, a page or a file
name it goes through `strip_controls` (or `one_line` for one line of an error): C0 and C1
control characters, DEL, and the bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069) are removed; tabs and line breaks become one space.
"""

from __future__ import annotations

import re

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + BIDI + "]")
_BREAKS = re.compile("[\t\n\r\u2028\u2029\x85]+")


def has_controls(text: str) -> bool:
    """True when `text` holds a character `strip_controls` would remove or replace."""
    return bool(_CONTROLS.search(text) or _BREAKS.search(text))


def strip_controls(text: str) -> str:
    """`text` without control characters or bidi overrides; tabs and line breaks as one space."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", text))


def one_line(text: object, limit: int = 300) -> str:
    """Any value as one clean line of at most `limit` characters (an ellipsis marks a cut)."""
    line = strip_controls(str(text)).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def visible(text: str, limit: int = 80) -> str:
    """`text` with each control character or bidi mark written as its escape (\\x1b, \\u202e),
    the rest as it is (Chinese stays Chinese): what a message shows of a refused value."""
    out = "".join(
        (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        if _CONTROLS.match(ch) or _BREAKS.match(ch)
        else ch
        for ch in text[:limit]
    )
    return out + ("…" if len(text) > limit else "")

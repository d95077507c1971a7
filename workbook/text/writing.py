"""How each language writes sentences: what ends one, what joins two, whether it opens with
a capital. Used to put the lines of a message into one text (`sentences`)."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.text.catalogue import check


@dataclass(frozen=True)
class Writing:
    """The sentence conventions of one language."""

    stop: str  # ends a sentence that does not end itself, before the next one
    ends: str  # characters that already end a sentence
    gap: str  # after a sentence that ended itself, before the next one
    capital: bool  # a sentence opens with a capital letter


WRITING = {
    "zh": Writing(stop="。", ends="。！？；：.!?", gap="", capital=False),
    "en": Writing(stop=". ", ends=".!?;:", gap=" ", capital=True),
}


def sentences(lines: list[str], lang: str) -> str:
    """Lines of a message as one text: sentences ended and joined as `lang` writes them."""
    w = WRITING[check(lang)]
    parts = [line.strip() for line in lines if line.strip()]
    out = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if w.capital:
            part = part[0].upper() + part[1:]
        if part.endswith(tuple(w.ends)):
            out += part + ("" if last else w.gap)
        else:
            out += part + (w.stop.strip() if last else w.stop)
    return out

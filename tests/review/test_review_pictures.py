"""review.docx's chart pictures are drawn once per chart spec: a second review with the same
charts takes them from the cache by spec hash, byte for byte (workbook.review.word)."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import vl_convert

from workbook.review import word


def _spec(title: str) -> str:
    data = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    return json.dumps(alt.Chart(data, title=title).mark_line().encode(x="x", y="y").to_dict())


def test_a_picture_is_drawn_once_per_spec_and_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    drawn: list[str] = []
    real = vl_convert.vegalite_to_png

    def counting(spec, **kw):
        drawn.append(spec["title"])
        return real(spec, **kw)

    monkeypatch.setattr(vl_convert, "vegalite_to_png", counting)
    a, b = _spec("甲"), _spec("乙")
    first = word._images([a, b, a])
    assert sorted(drawn) == sorted(["甲", "乙"])  # the same spec twice in one review: drawn once
    assert first[0] == first[2] and first[0] != first[1]
    assert all(p.startswith(word.PNG_SIGNATURE) for p in first)
    assert len(list(word.png_cache().glob("*.png"))) == 2
    again = word._images([b, a])
    assert sorted(drawn) == sorted(["甲", "乙"]) and again == [first[1], first[0]]


def test_a_damaged_cached_picture_is_drawn_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    spec = _spec("丙")
    (good,) = word._images([spec])
    (path,) = word.png_cache().glob("*.png")
    path.write_bytes(b"not a picture")
    assert word._images([spec]) == [good]
    assert path.read_bytes() == good

"""Reading a planner's YAML so that any file gives a value or one located message.

`load_yaml(path)` reads UTF-8 text (a GBK, UTF-16 or binary file is an error saying so, with
the byte where it stops being UTF-8), refuses a key written twice in one mapping (YAML's
loaders let the later one win silently) naming both lines, and refuses nesting deeper than
MAX_DEPTH (a file nested thousands deep would otherwise exhaust Python's stack). Every
problem is a ParamsError "<file>: <what>" in the report language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from workbook.text.errors import ParamsError
from workbook.text.messages import Message

MAX_DEPTH = 64


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, first: int, second: int) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key, self.first, self.second = key, first, second


class _UniqueKeys:
    """A SafeLoader's constructor that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            # a mixin: construct_object comes from the SafeLoader it is mixed into
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            try:
                hash(key)
            except TypeError:
                continue  # SafeLoader itself reports an unhashable key
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(key, seen[key], line)
            seen[key] = line
        # the SafeLoader this is mixed into has construct_mapping; the mixin alone does not
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """SafeLoader (pure Python) that refuses a key written twice in one mapping: its messages
    are the ones a planner reads."""


# libyaml's parser when PyYAML has it (several times faster on a params file); any problem is
# parsed again by the pure-Python loader, so messages stay the same.
_FastLoader = (
    type("_FastLoader", (_UniqueKeys, yaml.CSafeLoader), {})
    if getattr(yaml, "__with_libyaml__", False)
    else None
)


def _parse(text: str) -> Any:
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
        except (yaml.YAMLError, RecursionError):
            pass  # said below, in the pure-Python loader's words
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader


def _fail(path: Path, body: Message) -> ParamsError:
    return ParamsError([Message("at", where=str(path), body=body)])


def _depth(doc: Any) -> int:
    """The deepest nesting of lists and mappings (iterative: no recursion on deep input)."""
    deepest, stack, seen = 0, [(doc, 0)], set()
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(value, dict | list) and id(value) not in seen:
            seen.add(id(value))
            items = value.values() if isinstance(value, dict) else value
            stack.extend((v, depth + 1) for v in items)
    return deepest


def load_yaml(path: Path) -> Any:
    """The parsed YAML document of a file, or ParamsError naming the file and the problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, Message("params.unreadable", error=exc.strerror or str(exc))) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(path, Message("params.encoding", encoding="UTF-16", at=0))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        body = Message("params.encoding", encoding=_guess(raw), at=exc.start)
        raise _fail(path, body) from None
    try:
        return _checked(_parse(text))
    except _DuplicateKey as exc:
        body = Message("params.duplicate_key", key=str(exc.key), first=exc.first, second=exc.second)
        raise _fail(path, body) from None
    except RecursionError:
        raise _fail(path, Message("params.too_deep", depth=MAX_DEPTH)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc)  # PyYAML's own words, in English
        body = (
            Message("params.yaml_at", line=mark.line + 1, column=mark.column + 1, problem=problem)
            if mark
            else Message("params.yaml", problem=problem)
        )
        raise _fail(path, body) from None


def _guess(raw: bytes) -> Message:
    """What a file that is not UTF-8 probably is: GBK text (Chinese Windows) or not text."""
    if b"\x00" not in raw:
        try:
            raw.decode("gbk")
            return Message("params.gbk")
        except UnicodeDecodeError:
            pass
    return Message("params.binary")


def _checked(doc: Any) -> Any:
    if _depth(doc) > MAX_DEPTH:
        raise RecursionError
    return doc

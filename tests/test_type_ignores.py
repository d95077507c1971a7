"""Every `# type: ignore` in the package says why (mypy itself checks that it names its error
code and is still needed: `ignore-without-code`, `warn_unused_ignores` in pyproject.toml)."""

from __future__ import annotations

import re

from tests.conftest import REPO

IGNORE = re.compile(r"#\s*type:\s*ignore\b")


def unexplained_ignores(text: str) -> list[int]:
    """Line numbers of type-ignores with no comment giving a reason: one after the ignore on its
    line, or a comment line right above it."""
    lines = text.splitlines()
    out = []
    for n, line in enumerate(lines, start=1):
        m = IGNORE.search(line)
        if m is None:
            continue
        after = line[m.end() :]
        after = re.sub(r"^\[[^\]]*\]", "", after)
        inline = re.search(r"#\s*\S", after) and not re.fullmatch(r"\s*#\s*noqa\b.*", after)
        above = n > 1 and lines[n - 2].lstrip().startswith("#")
        if not (inline or above):
            out.append(n)
    return out


def test_every_type_ignore_in_the_package_gives_its_reason():
    found = {
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "workbook").rglob("*.py"))
        for n in unexplained_ignores(path.read_text(encoding="utf-8"))
    }
    assert sorted(found) == []


def test_the_check_tells_a_bare_ignore_from_an_explained_one():
    src = (
        "a = f()  # type: ignore[arg-type]\n"
        "b = f()  # type: ignore[arg-type]  # the stubs miss the default\n"
        "# the stubs miss the default\n"
        "c = f()  # type: ignore[arg-type]\n"
        "d = f()  # type: ignore[arg-type]  # noqa: E501\n"
        "x = 1\n"
        "e = f()  # type: ignore\n"
    )
    assert unexplained_ignores(src) == [1, 5, 7]

"""Parts of a computation shared between this process and a forked copy of it
(workbook.roadshow.forked): every part done once, the results in order, the copy gone after."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from workbook.roadshow.forked import Forked, forks, shared

pytestmark = pytest.mark.skipif(
    not forks() or not Path("/proc/self/task").is_dir(), reason="needs os.fork, two cores, /proc"
)


def _children() -> set[int]:
    """This process's children, running or not reaped yet (Linux: /proc)."""
    out: set[int] = set()
    for f in Path("/proc/self/task").glob("*/children"):
        out.update(int(x) for x in f.read_text().split())
    return out


_BEFORE: set[int] = set()  # the children other tests of this run left (a browser's driver)


@pytest.fixture(autouse=True)
def _children_before():
    _BEFORE.clear()
    _BEFORE.update(_children())


def _no_child_left() -> bool:
    """No child of this process but those it had before the test: every copy the test forked
    is gone and reaped."""
    return _children() <= _BEFORE


def test_every_part_is_done_once_and_the_results_come_in_order():
    """Twelve parts, each its own square: the results in the order of the parts whoever took
    them, and no copy left running."""
    parts = [lambda i=i: i * i for i in range(12)]
    assert shared(parts, timeout=30.0) == [i * i for i in range(12)]
    assert _no_child_left()


def test_a_first_step_that_is_enough_ends_the_copy_and_gives_no_parts():
    """`first` returning True: the parts are not wanted (None) and the copy is killed."""
    parts = [lambda: sum(range(10**9)) for _ in range(3)]  # would run for minutes
    assert shared(parts, timeout=30.0, first=lambda: True) is None
    assert _no_child_left()


def test_the_copy_takes_parts_while_the_first_step_runs_here(tmp_path):
    """`first` runs here while the copy already takes parts (its core would idle otherwise):
    a first step that waits for a part to be done sees one, and every part is still done
    once, in order."""

    def part(i: int) -> int:
        (tmp_path / f"part-{i}").write_text("done")
        return i + 100

    seen: list[bool] = []

    def first() -> bool:
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and not any(tmp_path.iterdir()):
            time.sleep(0.01)
        seen.append(any(tmp_path.iterdir()))
        return False

    parts = [lambda i=i: part(i) for i in range(6)]
    assert shared(parts, timeout=30.0, first=first) == [i + 100 for i in range(6)]
    assert seen == [True]
    assert _no_child_left()


def test_a_copy_that_fails_gives_no_result():
    """A part that raises in the copy: None, never an exception here; a value comes back
    pickled."""

    def fail() -> int:
        raise ValueError("in the copy")

    assert Forked(fail).result(timeout=30.0) is None
    assert Forked(lambda: {"a": (1, 2.5)}).result(timeout=30.0) == {"a": (1, 2.5)}
    # `outcome` tells a failed copy (no value) from a copy whose value is None
    assert Forked(fail).outcome(timeout=30.0) == []
    assert Forked(lambda: None).outcome(timeout=30.0) == [None]
    assert _no_child_left()


def test_a_copy_that_gives_no_answer_in_time_is_killed_and_gives_no_value():
    t0 = time.monotonic()
    assert Forked(lambda: time.sleep(60)).outcome(timeout=0.5) == []
    assert time.monotonic() - t0 < 30  # killed at its timeout, not waited out
    assert _no_child_left()


def test_a_copy_does_not_fork_copies_of_its_own():
    """A forked copy runs its parts in turn: a copy of its own would take the core of the
    process it was forked from (a review kernel computing its sections)."""
    assert forks()
    assert Forked(forks).result(30.0) is False
    parts = [lambda i=i: i + 1 for i in range(5)]
    assert Forked(lambda: shared(parts, timeout=30.0)).result(30.0) == [1, 2, 3, 4, 5]
    assert _no_child_left()

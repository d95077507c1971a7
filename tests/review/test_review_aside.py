"""Work started aside in a forked copy of a batch kernel (workbook.review.beside.Aside): the
next-quarter plan computed there is the one the kernel computes itself; a copy that fails, dies
or is not collected leaves no process behind and the result is computed here; an interrupt
while the kernel waits for it takes the copy with it."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from tests.conftest import SAMPLE_PARAMS
from workbook.review import BATCH_KERNEL
from workbook.review.beside import Aside
from workbook.review.params import review_params
from workbook.review.report import SECTIONS, build_review
from workbook.review.section import Section


def _copies() -> list[psutil.Process]:
    """This process's children still running (a reaped or killed copy is not one)."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.fixture
def batch(monkeypatch):
    monkeypatch.setenv(BATCH_KERNEL, "1")
    before = {p.pid for p in _copies()}
    yield
    assert [p for p in _copies() if p.pid not in before] == []


def test_in_a_batch_kernel_the_result_is_computed_by_a_copy(batch):
    parent = os.getpid()
    work = Aside(lambda: (os.getpid(), [1.5, "二"]))
    pid, value = work.result()
    assert work.forked and pid != parent and value == [1.5, "二"]


def test_elsewhere_the_result_is_computed_here_when_asked(monkeypatch):
    monkeypatch.delenv(BATCH_KERNEL, raising=False)
    ran: list[int] = []
    work = Aside(lambda: ran.append(os.getpid()) or len(ran))
    assert ran == [] and not work.forked  # nothing before it is asked for, as before
    assert work.result() == 1 and ran == [os.getpid()]


def test_a_copy_that_fails_has_the_result_computed_here_with_its_error(batch):
    def fail() -> None:
        raise ValueError("no plan today")

    work = Aside(fail)
    with pytest.raises(ValueError, match="no plan today"):
        work.result()


def test_a_copy_that_is_killed_has_the_result_computed_here(batch):
    parent = os.getpid()

    def slow_in_the_copy() -> int:
        if os.getpid() != parent:
            time.sleep(600)
        return os.getpid()

    work = Aside(slow_in_the_copy)
    assert work.pid is not None
    os.kill(work.pid, signal.SIGKILL)
    assert work.result() == parent


def test_a_copy_that_hangs_is_killed_and_the_result_computed_here(batch):
    parent = os.getpid()

    def hang_in_the_copy() -> int:
        if os.getpid() != parent:
            time.sleep(600)
        return os.getpid()

    work = Aside(hang_in_the_copy, timeout=0.5)
    assert work.result() == parent


def test_a_cancelled_copy_is_gone(batch):
    work = Aside(lambda: time.sleep(600))
    copy = psutil.Process(work.pid)
    work.cancel()
    assert not copy.is_running() or copy.status() == psutil.STATUS_ZOMBIE


def test_an_interrupt_while_waiting_takes_the_copy_with_it(batch):
    work = Aside(lambda: time.sleep(600))
    copy = psutil.Process(work.pid)

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            work.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not copy.is_running() or copy.status() == psutil.STATUS_ZOMBIE


def test_a_copy_forked_after_a_parallel_forecast_runs_its_own_threads(batch):
    """The forecast's thread pool is not the copy's: a copy forked after a forecast ran on it
    makes its own instead of waiting on threads it does not have (the copy answers, not the
    fallback here after the timeout)."""
    from workbook.forecast.fused import in_parallel

    chunks = [(0, 1), (1, 2), (2, 3)]
    assert in_parallel(lambda a, b: a + b, chunks) == [1, 3, 5]  # the pool made here
    parent = os.getpid()
    work = Aside(lambda: (os.getpid(), in_parallel(lambda a, b: a * b, chunks)), timeout=60)
    pid, value = work.result()
    assert pid != parent and value == [0, 2, 6]


def _plan_of(review) -> tuple:
    nq = review["next_quarter"]
    return nq.budget, nq.plan, nq.plan_problems, nq.p_with_plan, nq.objective, nq.time_limit


@pytest.mark.slow
def test_the_plan_computed_aside_is_the_one_the_kernel_computes(monkeypatch):
    """Bit for bit: the plan's table, P(attain) with it held, how it was chosen."""
    rp = review_params(SAMPLE_PARAMS, "2020Q2", trials=2000)
    monkeypatch.delenv(BATCH_KERNEL, raising=False)
    here = build_review(rp)
    assert not here.context.ahead["next_quarter"].forked
    monkeypatch.setenv(BATCH_KERNEL, "1")
    aside = build_review(rp)
    assert aside.context.ahead["next_quarter"].forked
    a, b = _plan_of(here), _plan_of(aside)
    assert a[0] == b[0] and a[2] == b[2] and a[4] == b[4] and a[5] == b[5]
    assert a[1].equals(b[1]) and a[3].equals(b[3])
    assert list(a[1].dtypes) == list(b[1].dtypes) and a[3].dtype == b[3].dtype
    assert here.summary() == aside.summary()


class _Fails(Section):
    name = "fails"

    def compute(self, ctx, done):
        raise RuntimeError("a section before the plan failed")


@pytest.mark.slow
def test_a_section_that_fails_before_the_plan_leaves_no_copy_behind(batch):
    rp = review_params(SAMPLE_PARAMS, "2020Q2", trials=2000)
    sections = (*SECTIONS[:2], _Fails(), *SECTIONS[2:])
    with pytest.raises(RuntimeError, match="a section before the plan failed"):
        build_review(rp, sections=sections)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_plan_stopped_by_the_reviews_time_limit_says_so_with_its_gap(monkeypatch, lang):
    """The appendix names the time limit the review gave the solver and the gap left when the
    proof did not finish by then (before, it said nothing of the plan then); a proven plan
    keeps its sentence."""
    import dataclasses

    from workbook.review.sections.next_quarter import PLAN_SECONDS

    monkeypatch.delenv(BATCH_KERNEL, raising=False)
    rv = build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=2000, lang=lang))
    nq = rv["next_quarter"]
    assert nq.time_limit == PLAN_SECONDS and not nq.objective["time_limit_hit"]
    proven = rv.section_html("appendix")
    cut = {**nq.objective, "time_limit_hit": True, "gap": 0.0957}
    rv = rv.with_results(next_quarter=dataclasses.replace(nq, objective=cut))
    text = rv.section_html("appendix")
    samples = f"{nq.objective['samples']:,}"
    if lang == "zh":
        assert "最优性差距0.00%" in proven and "时限" not in proven
        assert f"在{samples}次模拟上求解混合整数规划" in text
        assert f"求解到本评估给定的{PLAN_SECONDS:g}秒时限仍未证明最优，最优性差距9.57%" in text
    else:
        assert "optimality gap 0.00%" in proven and "time limit" not in proven
        assert f"time limit of {PLAN_SECONDS:g} s without proving the plan best" in text
        assert "optimality gap 9.57%" in text

"""Kernel seats without a server: the caps per user and for the server count kernels handed to
pages and pages being opened (so pages opened at once cannot overshoot), and a kernel shut down
frees its seat."""

from __future__ import annotations

from workbook.planners.kernels import KernelSeats


def test_caps_per_user_and_for_the_server():
    seats = KernelSeats(max_kernels=3, per_user=2)
    a1, a2 = seats.reserve("wang"), seats.reserve("wang")
    assert a1 is not None and a2 is not None
    assert seats.reserve("wang") is None  # wang's two pages are being opened
    seats.claim(a1, "k1")
    assert seats.held("wang") == 2 and seats.held() == 2  # counted once, as its kernel
    seats.release(a1)  # the page is done: its seat is its kernel now
    assert seats.held("wang") == 2
    seats.release(a2)  # a page that failed before it had a kernel gives its seat back
    assert seats.held("wang") == 1
    b = seats.reserve("zhao")
    seats.claim(b, "k2")
    c = seats.reserve("wang")
    seats.claim(c, "k3")
    assert seats.held() == 3
    assert seats.reserve("li") is None  # the server is full
    assert seats.owner("k2") == "zhao" and seats.owner("k9") is None
    seats.forget("k2")  # zhao's page closed: its kernel shut down
    assert seats.reserve("li") is not None

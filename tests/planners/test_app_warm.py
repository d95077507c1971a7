"""The health check `/api/workbook/warm` counts, for each zone's planners, how many kernels of
its pool have run the notebook to the end ("warm" of "of": the app's --warm), without a server:
the handler reads a kernel manager holding pools as Voila keeps them (tasks giving the render
task), some finished, some still running."""

from __future__ import annotations

import asyncio
import json

from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from tests.conftest import SAMPLE_PARAMS
from workbook.planners.voila_app import WarmHandler
from workbook.planners.zones import Zone

ZONE = Zone("jining-2020", "济宁高新区", SAMPLE_PARAMS)
SCENARIO, ROADSHOW = "jining-2020/scenario_planner.ipynb", "jining-2020/roadshow_planner.ipynb"


class _Pools:
    """What the handler reads of Voila's kernel manager: its pools."""

    def __init__(self) -> None:
        self._pools: dict[str, list[asyncio.Future]] = {}


def _entry(loop: asyncio.AbstractEventLoop, rendered: bool) -> asyncio.Future:
    """A pool entry: a kernel started and its notebook run (or still running)."""
    render = loop.create_future()
    if rendered:
        render.set_result(None)
    entry = loop.create_future()
    entry.set_result({"task": render, "kernel_id": "k"})
    return entry


class WarmCountTest(AsyncHTTPTestCase):
    def get_app(self) -> Application:
        self.km = _Pools()
        return Application(
            [(r"/api/workbook/warm", WarmHandler, {"zones": (ZONE,), "size": 3})],
            kernel_manager=self.km,
        )

    def _ask(self) -> tuple[int, dict]:
        reply = self.fetch("/api/workbook/warm")
        return reply.code, json.loads(reply.body)

    def test_counts_warm_kernels_of_n_and_is_healthy_only_when_every_pool_is_full(self):
        loop = self.io_loop.asyncio_loop  # type: ignore[attr-defined]
        starting = loop.create_future()  # a kernel still starting
        self.km._pools = {
            SCENARIO: [_entry(loop, True), _entry(loop, True), _entry(loop, False)],
            ROADSHOW: [_entry(loop, True), starting, _entry(loop, True)],
        }
        code, body = self._ask()
        assert code == 503
        assert body == {
            SCENARIO: False,
            ROADSHOW: False,
            "pools": {SCENARIO: {"warm": 2, "of": 3}, ROADSHOW: {"warm": 2, "of": 3}},
        }
        self.km._pools[SCENARIO][2] = _entry(loop, True)  # the refill has run the notebook
        self.km._pools[ROADSHOW][1] = _entry(loop, True)
        code, body = self._ask()
        assert code == 200
        assert body["pools"] == {SCENARIO: {"warm": 3, "of": 3}, ROADSHOW: {"warm": 3, "of": 3}}
        assert body[SCENARIO] is True and body[ROADSHOW] is True

    def test_a_pool_not_made_yet_counts_none_warm(self):
        code, body = self._ask()
        assert code == 503
        assert body["pools"][SCENARIO] == {"warm": 0, "of": 3}


class NoWarmTest(AsyncHTTPTestCase):
    """--warm 0: no pool to wait for, healthy at once (every page starts its own kernel)."""

    def get_app(self) -> Application:
        self.km = _Pools()
        return Application(
            [(r"/api/workbook/warm", WarmHandler, {"zones": (ZONE,), "size": 0})],
            kernel_manager=self.km,
        )

    def test_zero_of_zero_is_warm(self):
        reply = self.fetch("/api/workbook/warm")
        assert reply.code == 200
        assert json.loads(reply.body)["pools"][ROADSHOW] == {"warm": 0, "of": 0}

"""A bureau at once: N planners (Playwright browser contexts, each its own session) open the
app and move a control for D seconds against one `workbook app`; then they close their pages.

Recorded in test-artifacts/load-test.json: redraw latency p50/p95 (key press → the numbers and
the chart of that value shown), errors, peak memory of the app and its kernels, the warm baseline
and the memory once the closed pages' kernels are culled. Asserted: no error in any page, every
move redrawn, and after the cull time the kernels are back to the warm pool and memory to the
baseline. Times are recorded, never asserted (the machine is shared).

The suite runs 3 planners for 20 s; `WORKBOOK_LOADTEST=full` (or `make loadtest`) runs 10
planners for 2 minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import threading
import time
from collections.abc import Iterator

import psutil
import pytest

from tests.app_login import ACCOUNTS, logged_in, make_users, zone_copies
from tests.conftest import SAMPLE_PARAMS
from tests.planners.test_app_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FAN_SUBTITLE,
    LOCAL,
    WARM,
    _wait_for_http,
    _wait_warm,
)
from tests.processes import start_app, stop_group
from workbook.planners.app import ENV_AS_OF, ENV_LANG, ENV_PARAMS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.load]

FULL = os.environ.get("WORKBOOK_LOADTEST") == "full"
PLANNERS = 10 if FULL else 3
SECONDS = 120 if FULL else 20
CULL_IDLE_S = 10
STEP_TIMEOUT_MS = 120_000
OPEN_TIMEOUT_MS = 600_000  # the pages beyond the warm pool wait for a kernel to start
# Each planner logs in with an account of their own.
PLANNER_ACCOUNTS = {
    f"planner{i}": (f"planner-password-{i}", {"jining-2020": "plan"}) for i in range(PLANNERS)
}


def _tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of the app and all its kernels in bytes, number of kernel processes)."""
    root = psutil.Process(pid)
    total, kernels = root.memory_info().rss, 0
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
            kernels += "ipykernel_launcher" in " ".join(child.cmdline())
    return total, kernels


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("load")
    log = folder / "voila.log"
    users = make_users(folder, {**ACCOUNTS, **PLANNER_ACCOUNTS})
    jining, _ = zone_copies(folder)
    env = {**os.environ, ENV_PARAMS: str(SAMPLE_PARAMS), ENV_AS_OF: "2020-06-30", ENV_LANG: "zh"}
    proc, base = start_app(
        folder,
        ["--cull-idle", str(CULL_IDLE_S), "--users", str(users), "--params", str(jining)]
        + ["--warm", "1", "--refill-delay", "1"],
        env,
        log,
    )
    try:
        _wait_for_http(base + "/", proc, log)
        _wait_warm(base, log)
        yield base, proc.pid
    finally:
        stop_group(proc)


class Sampler(threading.Thread):
    """Samples the app's memory (app + kernels) every half second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(psutil.NoSuchProcess):
                self.peak = max(self.peak, _tree_rss(self.pid)[0])
            self.stop.wait(0.5)


ADJUSTED = "(t) => (document.querySelector('.wb-headline .wb-adjusted') || {}).innerText === t"
BUDGET = """b => {
    const g = document.querySelector('.wb-chart-gantt');
    const f = [...document.querySelectorAll('.wb-chart-frontier text')].map(t => t.textContent);
    return document.querySelector('.wb-plan-facts').innerText.includes('预算' + b + '万元')
        && [...g.querySelectorAll('.role-title-text')].some(t => t.textContent.includes('预算' + b + '万元'))
        && f.includes('当前预算' + b + '万元');
}"""


async def _planner(browser, base: str, i: int, seconds: float, out: dict) -> None:
    """One planner: its own browser context; once the page is drawn, moves a control back and
    forth for `seconds`, timing key press → numbers and chart of the new value drawn."""
    scenario = i % 2 == 0
    context = await browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
    page = await context.new_page()
    errors: list[str] = out["errors"]
    page.on("pageerror", lambda e: errors.append(f"planner {i}: {e}"))
    page.on(
        "console",
        lambda m: (
            out["console"].append(f"planner {i}: {m.text}"[:300]) if m.type == "error" else None
        ),
    )
    page.on(
        "websocket",
        lambda ws: ws.on(
            "close",
            lambda _: out["console"].append(f"planner {i}: ws closed {time.monotonic():.0f}"),
        ),
    )

    async def route(r) -> None:
        if r.request.url.startswith(LOCAL):
            await r.continue_()
        else:
            errors.append(f"planner {i}: request left the machine: {r.request.url}")
            await r.abort()

    await page.route("**/*", route)
    name = "scenario_planner" if scenario else "roadshow_planner"
    t0 = time.perf_counter()
    await page.goto(f"{base}/login", timeout=OPEN_TIMEOUT_MS)  # as a planner logs in
    await page.fill("#wb-name", f"planner{i}")
    await page.fill("#wb-password", PLANNER_ACCOUNTS[f"planner{i}"][0])
    async with page.expect_navigation(timeout=OPEN_TIMEOUT_MS):
        await page.click("button[type=submit]")
    await page.goto(f"{base}/z/jining-2020/{name.split('_')[0]}", timeout=OPEN_TIMEOUT_MS)
    ready = ".wb-chart-fan svg .mark-area" if scenario else ".wb-chart-gantt svg .mark-rect"
    await page.wait_for_selector(ready, timeout=OPEN_TIMEOUT_MS)
    out["open_s"].append(time.perf_counter() - t0)
    handle = ".wb-driver-arrival_ratio .noUi-handle" if scenario else ".wb-budget .noUi-handle"
    await page.locator(handle).focus()
    until = time.monotonic() + seconds
    left = True
    while time.monotonic() < until:
        t1 = time.perf_counter()
        await page.keyboard.press("ArrowLeft" if left else "ArrowRight")
        try:
            if scenario:  # 0.60 -> 0.55 -> 0.50 -> 0.55 -> 0.50 ...
                value = "0.50" if left else "0.55"
                if out["moves"][i] == 0:
                    value = "0.55"
                await page.wait_for_function(
                    ADJUSTED, arg=f"已调整：计划资金到位比例 0.60→{value}", timeout=STEP_TIMEOUT_MS
                )
                p = await page.inner_text(
                    '.wb-headline .wb-p-attain[data-metric="domestic_capital"]'
                )
                await page.wait_for_function(FAN_SUBTITLE, arg=p, timeout=STEP_TIMEOUT_MS)
            else:  # 300 -> 290 -> 280 -> 290 -> 280 ...
                budget = 280 if left else 290
                if out["moves"][i] == 0:
                    budget = 290
                await page.wait_for_function(BUDGET, arg=budget, timeout=STEP_TIMEOUT_MS)
        except Exception as exc:  # a move not redrawn is an error of the run
            errors.append(f"planner {i}: move {out['moves'][i]} not redrawn: {exc}"[:300])
            break
        out["latency_ms"].append((time.perf_counter() - t1) * 1000)
        if out["moves"][i] > 0:
            left = not left
        out["moves"][i] += 1
        shown = await page.locator(".wb-error").all_inner_texts()
        errors.extend(f"planner {i}: {t}" for t in shown)
    await page.close(run_before_unload=False)  # the tab goes away without a goodbye
    await context.close()


async def _bureau(base: str) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {
        "errors": [],
        "latency_ms": [],
        "open_s": [],
        "moves": [0] * PLANNERS,
        "console": [],
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # Everyone opens the app at once; each moves a control for SECONDS once drawn.
            await asyncio.gather(
                *(_planner(browser, base, i, SECONDS, out) for i in range(PLANNERS))
            )
        finally:
            await browser.close()
    return out


def test_a_bureau_of_planners_at_once_then_memory_back_to_the_warm_baseline(server):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (`make system`)")
    base, pid = server
    baseline, warm_kernels = _tree_rss(pid)
    sampler = Sampler(pid)
    sampler.start()
    t0 = time.monotonic()
    out = asyncio.run(_bureau(base))
    run_s = time.monotonic() - t0
    sampler.stop.set()
    sampler.join()
    closed = time.monotonic()
    # After the cull time the closed pages' kernels are gone: the warm pool is what is left.
    while True:
        rss, kernels = _tree_rss(pid)
        if kernels <= warm_kernels or time.monotonic() - closed > CULL_IDLE_S + 120:
            break
        time.sleep(1)
    back_s = time.monotonic() - closed
    _wait_warm(base)
    rss, kernels = _tree_rss(pid)
    lat = sorted(out["latency_ms"])
    figures = {
        "planners": PLANNERS,
        "seconds_moving": SECONDS,
        "wall_s": round(run_s, 1),
        "moves": sum(out["moves"]),
        "redraw_ms_p50": round(statistics.median(lat)) if lat else None,
        "redraw_ms_p95": round(lat[int(0.95 * (len(lat) - 1))]) if lat else None,
        "page_drawn_s_p50": round(statistics.median(out["open_s"]), 1) if out["open_s"] else None,
        "page_drawn_s_max": round(max(out["open_s"]), 1) if out["open_s"] else None,
        "errors": out["errors"][:20],
        "memory_mb_warm_baseline": round(baseline / 2**20),
        "memory_mb_peak": round(sampler.peak / 2**20),
        "memory_mb_after_cull": round(rss / 2**20),
        "kernels_warm_baseline": warm_kernels,
        "kernels_after_cull": kernels,
        "cull_idle_s": CULL_IDLE_S,
        "closed_to_baseline_s": round(back_s, 1),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "load-test.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data["full" if FULL else "short"] = figures
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(json.dumps(figures, ensure_ascii=False))
    print("\n".join(out["console"][:40]))
    assert out["errors"] == []
    assert all(m >= 2 for m in out["moves"]), out["moves"]  # every planner moved and was redrawn
    assert len(out["open_s"]) == PLANNERS
    assert kernels == warm_kernels, figures  # the closed pages' kernels were culled
    # Memory is back at the warm baseline (the app process itself may keep a little more).
    assert rss <= baseline * 1.15 + 100 * 2**20, figures
    assert sampler.peak > baseline  # the planners' kernels were counted while they ran


def test_warm_endpoint_answers_json(server):
    reply = logged_in(server[0], "admin").request(WARM, timeout=10)
    assert reply.status == 200
    assert json.loads(reply.body) == {
        "jining-2020/roadshow_planner.ipynb": True,
        "jining-2020/scenario_planner.ipynb": True,
        "pools": {
            "jining-2020/roadshow_planner.ipynb": {"warm": 1, "of": 1},
            "jining-2020/scenario_planner.ipynb": {"warm": 1, "of": 1},
        },
    }

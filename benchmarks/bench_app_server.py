"""A bureau's morning meeting, the server's part: N planners open `workbook app` at once, each
page's traffic replayed without a browser, so the figure is what the server (Voila, its
kernels) takes, not what N browsers on the server's own cores take.

    .venv/bin/python benchmarks/bench_app_server.py                  # 10 pages, --warm 5
    .venv/bin/python benchmarks/bench_app_server.py --pages 4 --warm 2

On this 2-core machine `bench_app.py` runs N Chromium pages beside the app: while 10 pages
open, Chromium takes ~10 CPU seconds per page and the app (server and kernels) under one, so
its page-drawn time is mostly the browsers'. Here, as there, the app is started through the real
CLI and every planner's pool is warm first. Then one page of each planner is opened in Chromium
by a 查看 user (its own kernel: the pools stay full) to record what a page asks the server for:
every script, style sheet and font. Then N clients log in and, at the same moment, each does
what its page does: GET the planner's URL, fetch every recorded file (6 at a time, as a browser
does; no cache shared between clients, as between planners' PCs), connect to its kernel's
websocket and ask for every widget's state (ipywidgets' `request_states`), and stops when it has
all of it. Prints, p50/p95 over the pages: the page's HTML, all its files, its widgets' states,
and the whole (the server's part of a page drawn: a browser adds its own work, ~3-5 s alone on
this machine, on the planner's PC); the CPU seconds of the server, the kernels and these
clients; the load average before and after. Nothing is asserted (the machine is shared).

    .venv/bin/python benchmarks/bench_app_server.py --browser scenario --rounds 3

`--browser PLANNER`: what one planner waits for at the meeting, on a PC of their own. In each
of `--rounds` bursts, planner0 opens PLANNER in Chromium (logged in beforehand, as in
bench_app.py) at the same moment as the other N-1 pages are replayed, and the time from its
request to its widgets drawn (the fan's area, the roadshow calendar's bars) is printed per round
and as the median. Its browser still shares this machine's two cores with the server (on the
meeting's PCs it would not), so the figure leans long. Each round starts with every pool full
again; the app runs with `--refill-delay 30` (the pools refill after a burst, not during it) and
`--cull-idle 20` (a round's pages' kernels go).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import struct
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_app import READY, app_env, cpu_seconds, load, percentile, wait_warm  # noqa: E402

from tests.app_login import ACCOUNTS, Client, make_users, zone_copies  # noqa: E402
from tests.planners.test_app_browser import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    _wait_for_http,
)
from tests.processes import start_app, stop_group  # noqa: E402

ZONE = "jining-2020"
RECORDER = "li"  # 查看 on the zone: a kernel of its own, never a warm one
PARALLEL = 6  # files a browser fetches at once from one server
TIMEOUT_S = 600


async def record(base: str) -> dict[str, list[str]]:
    """The files (URLs under the app) one page of each planner asks for, from Chromium."""
    from playwright.async_api import async_playwright

    ready = {"scenario": ".wb-chart-fan svg .mark-area", "roadshow": ".wb-chart-gantt svg"}
    out: dict[str, list[str]] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for planner, selector in ready.items():
                context = await browser.new_context(locale="zh-CN")
                page = await context.new_page()
                urls: list[str] = []
                page.on("request", lambda r, urls=urls: urls.append(r.url))
                await page.goto(base + "/login", timeout=TIMEOUT_S * 1000)
                await page.fill("#wb-name", RECORDER)
                await page.fill("#wb-password", ACCOUNTS[RECORDER][0])
                async with page.expect_navigation(timeout=TIMEOUT_S * 1000):
                    await page.click("button[type=submit]")
                urls.clear()
                await page.goto(f"{base}/z/{ZONE}/{planner}", timeout=TIMEOUT_S * 1000)
                await page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_S * 1000)
                await asyncio.sleep(2)
                static = [
                    u.removeprefix(base)
                    for u in urls
                    if u.startswith(base) and ("/static/" in u or "/labextensions/" in u)
                ]
                out[planner] = list(dict.fromkeys(static))
                await context.close()
        finally:
            await browser.close()
    return out


def _decode(message: str | bytes) -> dict:
    """A kernel websocket message (JSON text, or Jupyter's binary framing with buffers)."""
    if isinstance(message, str):
        return json.loads(message)
    n = struct.unpack("!I", message[:4])[0]
    offsets = struct.unpack(f"!{n}I", message[4 : 4 + 4 * n])
    end = offsets[1] if n > 1 else len(message)
    return json.loads(message[offsets[0] : end].decode("utf-8"))


def _message(kind: str, session: str, content: dict, metadata: dict | None = None) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": kind,
        "session": session,
        "username": "",
        "date": "",
        "version": "5.3",
    }
    return json.dumps(
        {
            "header": header,
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
    )


async def widget_states(base: str, kernel: str, cookie: str) -> int:
    """Connect to the kernel's websocket and ask for every widget's state: the bytes received."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?session_id={session}"
    ws = await websocket_connect(
        HTTPRequest(url, headers={"Cookie": cookie}), max_message_size=2**30
    )
    try:
        comm = uuid.uuid4().hex
        await ws.write_message(
            _message(
                "comm_open",
                session,
                {"comm_id": comm, "target_name": "jupyter.widget.control", "data": {}},
                {"version": "1.0.0"},
            )
        )
        await ws.write_message(
            _message("comm_msg", session, {"comm_id": comm, "data": {"method": "request_states"}})
        )
        received = 0
        while True:
            raw = await ws.read_message()
            if raw is None:
                raise RuntimeError("the kernel's websocket closed")
            received += len(raw)
            msg = _decode(raw)
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                return received
    finally:
        ws.close()


async def one_page(
    base: str,
    i: int,
    client: Client,
    files: dict,
    start: asyncio.Event,
    planner: str | None = None,
) -> dict:
    from tornado.httpclient import AsyncHTTPClient

    planner = planner or ("scenario" if i % 2 == 0 else "roadshow")
    cookie = "; ".join(f"{c.name}={c.value}" for c in client.jar)
    http = AsyncHTTPClient(force_instance=True, max_clients=PARALLEL)
    await start.wait()
    t0 = time.perf_counter()
    page = await http.fetch(
        f"{base}/z/{ZONE}/{planner}", headers={"Cookie": cookie}, request_timeout=TIMEOUT_S
    )
    html_s = time.perf_counter() - t0
    config = re.search(
        rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page.body, re.S
    )
    if config is None:
        raise RuntimeError(f"page {i}: no kernel in the page ({page.code})")
    kernel = json.loads(config[1])["kernelId"]

    async def statics() -> tuple[float, int]:
        replies = await asyncio.gather(
            *(
                http.fetch(base + f, headers={"Cookie": cookie}, request_timeout=TIMEOUT_S)
                for f in files[planner]
            )
        )
        return time.perf_counter() - t0, sum(len(r.body) for r in replies)

    async def states() -> tuple[float, int]:
        n = await widget_states(base, kernel, cookie)
        return time.perf_counter() - t0, n

    (files_s, files_bytes), (states_s, states_bytes) = await asyncio.gather(statics(), states())
    http.close()
    return {
        "planner": planner,
        "kernel": kernel,
        "html_s": html_s,
        "files_s": files_s,
        "states_s": states_s,
        "served_s": max(files_s, states_s),
        "files_kb": files_bytes // 1024,
        "states_kb": states_bytes // 1024,
    }


async def burst(base: str, clients: list[Client], files: dict) -> list[dict]:
    start = asyncio.Event()
    tasks = [asyncio.create_task(one_page(base, i, c, files, start)) for i, c in enumerate(clients)]
    await asyncio.sleep(0.2)
    start.set()
    return await asyncio.gather(*tasks)


async def burst_with_browser(
    base: str, planner: str, password: str, clients: list[Client], files: dict
) -> tuple[float, str, list[dict]]:
    """planner0 opens `planner` in Chromium as the others' pages are replayed: its seconds from
    the request to the widgets drawn, its kernel, and the replayed pages' figures."""
    from playwright.async_api import async_playwright

    start = asyncio.Event()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1600, "height": 1200}, locale="zh-CN"
            )
            page = await context.new_page()
            await page.goto(base + "/login", timeout=TIMEOUT_S * 1000)
            await page.fill("#wb-name", "planner0")
            await page.fill("#wb-password", password)
            async with page.expect_navigation(timeout=TIMEOUT_S * 1000):
                await page.click("button[type=submit]")
            # half the pages each planner in all (more than --warm of one would wait for a
            # kernel started on demand): the others alternate, the other planner first
            other = next(k for k in READY if k != planner)
            kinds = [other if i % 2 else planner for i in range(1, len(clients) + 1)]
            tasks = [
                asyncio.create_task(one_page(base, i, c, files, start, kind))
                for i, (c, kind) in enumerate(zip(clients, kinds, strict=True), start=1)
            ]
            await asyncio.sleep(0.2)
            start.set()
            t0 = time.perf_counter()
            await page.goto(f"{base}/z/{ZONE}/{planner}", timeout=TIMEOUT_S * 1000)
            await page.wait_for_selector(READY[planner], state="attached", timeout=TIMEOUT_S * 1000)
            drawn = time.perf_counter() - t0
            config = json.loads(await page.locator("#jupyter-config-data").text_content())
            replayed = await asyncio.gather(*tasks)
        finally:
            await browser.close()
    return drawn, config["kernelId"], replayed


def browser_rounds(base: str, planner: str, n: int, rounds: int, files: dict) -> list[dict]:
    """`rounds` bursts of n pages, planner0's in Chromium: per round, its seconds to drawn, the
    replayed pages' p50 served, the load at the burst."""
    out = []
    for r in range(rounds):
        wait_warm(base, 1200)
        clients = []
        for i in range(1, n):
            c = Client(base)
            reply = c.login(f"planner{i}", f"planner-pw-{i}")
            assert reply.status == 302, reply.status
            clients.append(c)
        at = load()
        drawn, _, replayed = asyncio.run(
            burst_with_browser(base, planner, "planner-pw-0", clients, files)
        )
        served = statistics.median(p["served_s"] for p in replayed) if replayed else 0.0
        out.append(
            {"drawn_s": round(drawn, 2), "others_served_p50_s": round(served, 2), "load": at}
        )
        print(f"round {r + 1}: {planner} drawn in Chromium {drawn:.2f} s; the other {n - 1} "
              f"pages served p50 {served:.2f} s; load at the burst: {at}")  # fmt: skip
    return out


def report_rounds(figures: dict, planner: str) -> int:
    drawn = [r["drawn_s"] for r in figures["rounds"]]
    figures["drawn_s_median"] = round(statistics.median(drawn), 2)
    print(f"{planner}: page drawn in Chromium, median of {len(drawn)} rounds: "
          f"{figures['drawn_s_median']} s (rounds {', '.join(f'{d:.2f}' for d in drawn)})")  # fmt: skip
    _keep(f"{figures['pages']}-pages-warm-{figures['warm']}-browser-{planner}", figures)
    return 0


def _keep(key: str, figures: dict) -> None:
    """The figures under `key` in artifacts/bench-app-server.json, beside earlier ones."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "bench-app-server.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = figures
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--warm", type=int, default=None, help="default: half the pages, rounded up")
    ap.add_argument(
        "--browser",
        choices=sorted(READY),
        help="planner0 opens this planner in Chromium while the others' pages are replayed",
    )
    ap.add_argument("--rounds", type=int, default=3, help="with --browser: bursts (default 3)")
    args = ap.parse_args()
    n = args.pages
    warm = args.warm if args.warm is not None else (n + 1) // 2
    accounts = {f"planner{i}": (f"planner-pw-{i}", {ZONE: "plan"}) for i in range(n)}
    figures: dict = {"pages": n, "warm": warm, "load_before": load()}
    if args.browser:
        print(
            f"{n} pages: planner0's {args.browser} in Chromium, the others replayed; --warm {warm}"
        )
    else:
        print(f"{n} pages replayed without a browser, --warm {warm}")
    print("load before:", figures["load_before"])
    with tempfile.TemporaryDirectory(prefix="bench-app-server-") as tmp:
        folder = Path(tmp)
        users = make_users(folder, {**ACCOUNTS, **accounts})
        jining, _ = zone_copies(folder)
        env = app_env(str(folder / "draws"))
        log = folder / "app.log"
        options = ["--max-kernels", str(max(10, n) + 2), "--cull-idle", "600"]
        if args.browser:  # rounds: pools refilled at once, a round's pages' kernels culled
            options = ["--max-kernels", str(n * (args.rounds + 1) + 2), "--cull-idle", "20"]
            options += ["--refill-delay", "30"]  # after a burst, not during the next one
        proc, base = start_app(
            folder,
            ["--users", str(users), "--params", str(jining), "--warm", str(warm), *options],
            env,
            log,
        )
        try:
            _wait_for_http(base + "/", proc, log)
            figures["warm_after_start_s"] = round(wait_warm(base, 1200))
            print(f"all pools warm {figures['warm_after_start_s']} s after start")
            files = asyncio.run(record(base))
            figures["files_per_page"] = {k: len(v) for k, v in files.items()}
            wait_warm(base, 60)  # the recorder's pages took no warm kernel
            if args.browser:
                figures["rounds"] = browser_rounds(base, args.browser, n, args.rounds, files)
                return report_rounds(figures, args.browser)
            clients = []
            for i in range(n):
                c = Client(base)
                reply = c.login(f"planner{i}", f"planner-pw-{i}")
                assert reply.status == 302, reply.status
                clients.append(c)
            figures["load_at_burst"] = load()
            cpu_before = cpu_seconds(proc.pid, os.getpid())
            t_open = time.monotonic()
            pages = asyncio.run(burst(base, clients, files))
            wall = time.monotonic() - t_open
            cpu_after = cpu_seconds(proc.pid, os.getpid())
            mine = time.process_time()
        finally:
            figures["load_after"] = load()
            stop_group(proc)
    cpu = {k: round(cpu_after[k] - cpu_before[k], 1) for k in ("server", "kernels", "machine")}
    cpu["clients (this process, all of its run)"] = round(mine, 1)
    cpu["wall"] = round(wall, 1)
    figures["cpu_s_while_opening"] = cpu
    phases = ("html_s", "files_s", "states_s", "served_s")
    figures["p50_s"] = {k: round(statistics.median(p[k] for p in pages), 2) for k in phases}
    figures["p95_s"] = {k: round(percentile([p[k] for p in pages], 0.95), 2) for k in phases}
    figures["kb_per_page"] = {
        planner: {
            k: max(p[k] for p in pages if p["planner"] == planner)
            for k in ("files_kb", "states_kb")
        }
        for planner in ("scenario", "roadshow")
    }
    print(f"files per page: {figures['files_per_page']}; kB per page: {figures['kb_per_page']}")
    print(f"load at the burst: {figures['load_at_burst']}")
    print(f"p50 (s from the request): {figures['p50_s']}")
    print(f"p95: {figures['p95_s']}")
    print(f"CPU seconds while the pages opened: {cpu}")
    print("load after:", figures["load_after"])
    _keep(f"{n}-pages-warm-{warm}", figures)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())

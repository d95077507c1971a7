"""Where one planner page's browser time goes: one Playwright Chromium page at a time opens
each planner of `workbook app` (warm kernels, sample zone as of 2020-06-30, Chinese) and prints

- Chrome's own counters (CDP `Performance.getMetrics`: script, layout, style, task seconds) and
  the CPU seconds of the browser's processes, from the planner URL until the page is quiet (no
  kernel message for 3 s);
- the requests and bytes the page loaded, by kind, and the kernel messages (websocket frames);
- the widgets and charts on the page, and how many times a chart view was drawn;
- the browser's CPU over 10 s once the page is quiet (an animation left running shows here);
- with --profile, the JavaScript functions with the most self time (CDP sampling profiler).

    .venv/bin/python benchmarks/profile_page.py [--profile] [--trace] [--planner scenario|roadshow]
    .venv/bin/python benchmarks/profile_page.py --screenshots DIR   # to compare two versions

--trace: self time by Chrome trace event on the page's main thread (parse, compile, tasks...).

Nothing is asserted (the machine is shared; `uptime` is printed beside the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import psutil  # noqa: E402
from bench_app import READY, app_env, wait_warm  # noqa: E402

from tests.app_login import ACCOUNTS, make_users, zone_copies  # noqa: E402
from tests.planners.test_app_browser import CHROMIUM, CHROMIUM_ARGS, _wait_for_http  # noqa: E402
from tests.processes import start_app, stop_group  # noqa: E402

# Every chart view drawn: a Vega view's root group (`svg > g.mark-group.root`) or canvas added.
COUNT_DRAWS_JS = """
window.__wbDraws = 0;
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType !== 1) continue;
    if (n.matches("svg.marks, canvas.marks")) window.__wbDraws++;
    else window.__wbDraws += n.querySelectorAll("svg.marks, canvas.marks").length;
  }
}).observe(document, {childList: true, subtree: true});
"""
PAGE_COUNTS_JS = """() => ({
  widgets: document.querySelectorAll(".jupyter-widgets").length,
  charts: document.querySelectorAll(".wb-chart").length,
  chart_views: document.querySelectorAll("svg.marks, canvas.marks").length,
  svg_nodes: document.querySelectorAll("svg *").length,
  dom_nodes: document.querySelectorAll("*").length,
  draws: window.__wbDraws,
})"""


def browser_cpu(browser_pid: int, by_type: dict | None = None) -> float:
    """CPU seconds of the browser and all its processes (by process type into `by_type`)."""
    total = 0.0
    procs = [psutil.Process(browser_pid)] + psutil.Process(browser_pid).children(recursive=True)
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
            if by_type is not None:
                kind = next((a[7:] for a in p.cmdline() if a.startswith("--type=")), "browser")
                if kind == "utility":
                    kind = next(
                        (
                            a.split("=")[1]
                            for a in p.cmdline()
                            if a.startswith("--utility-sub-type=")
                        ),
                        kind,
                    )
                by_type[kind] = by_type.get(kind, 0.0) + t.user + t.system
    return total


def chromium_pid() -> int:
    me = psutil.Process()
    for c in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if "chrom" in c.name() and "--type=" not in " ".join(c.cmdline()):
                return c.pid
    raise SystemExit("no chromium")


async def one_page(
    browser,
    base: str,
    planner: str,
    profile: bool,
    out: dict,
    trace: bool = False,
    shots: Path | None = None,
) -> None:
    context = await browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("#wb-name", "wang")
    await page.fill("#wb-password", ACCOUNTS["wang"][0])
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    await page.add_init_script(COUNT_DRAWS_JS)
    cdp = await context.new_cdp_session(page)
    await cdp.send("Performance.enable")
    if profile:
        await cdp.send("Profiler.enable")
        await cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        await cdp.send("Profiler.start")
    requests: collections.Counter = collections.Counter()
    sizes: collections.Counter = collections.Counter()
    urls: list[tuple[int, str]] = []
    frames = {"in": 0, "in_bytes": 0, "out": 0, "last": time.perf_counter()}

    async def on_finished(req) -> None:
        with contextlib.suppress(Exception):
            s = await req.sizes()
            kind = req.resource_type
            requests[kind] += 1
            n = s["responseBodySize"] + s["responseHeadersSize"]
            sizes[kind] += n
            urls.append((n, req.url.split("?")[0].replace(base, "")))

    def on_ws(ws) -> None:
        def got(payload) -> None:
            frames["in"] += 1
            frames["in_bytes"] += len(payload)
            frames["last"] = time.perf_counter()

        def sent(payload) -> None:
            frames["out"] += 1
            frames["last"] = time.perf_counter()

        ws.on("framereceived", got)
        ws.on("framesent", sent)

    page.on("requestfinished", lambda r: asyncio.ensure_future(on_finished(r)))
    page.on("websocket", on_ws)
    if trace:
        await browser.start_tracing(
            page=page,
            categories=[
                "devtools.timeline",
                "v8",
                "v8.execute",
                "blink",
                "loading",
                "disabled-by-default-devtools.timeline",
                "disabled-by-default-v8.compile",
            ],
        )
    before = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    pid = chromium_pid()
    types0: dict = {}
    cpu0 = browser_cpu(pid, types0)
    t0 = time.perf_counter()
    await page.goto(f"{base}/z/jining-2020/{planner}", timeout=300_000)
    await page.wait_for_selector(READY[planner], state="attached", timeout=300_000)
    drawn = time.perf_counter() - t0
    cpu_drawn = browser_cpu(pid) - cpu0
    while time.perf_counter() - frames["last"] < 3:
        await asyncio.sleep(0.2)
    quiet = frames["last"] - t0
    types1: dict = {}
    cpu_quiet = browser_cpu(pid, types1) - cpu0
    by_type = {k: round(v - types0.get(k, 0.0), 2) for k, v in types1.items()}
    after = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    idle0 = browser_cpu(pid)
    await asyncio.sleep(10)
    idle = browser_cpu(pid) - idle0
    counts = await page.evaluate(PAGE_COUNTS_JS)
    if shots is not None:
        await page.screenshot(path=str(shots / f"{planner}.png"), full_page=True)
    keys = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
    metrics = {k: round(after[k] - before.get(k, 0), 2) for k in keys}
    metrics.update(
        {k: int(after[k] - before.get(k, 0)) for k in ("LayoutCount", "RecalcStyleCount")}
    )
    metrics["JSHeapUsedMB"] = round(after["JSHeapUsedSize"] / 2**20, 1)
    res = {
        "planner": planner,
        "drawn_s": round(drawn, 2),
        "quiet_s": round(quiet, 2),
        "browser_cpu_s_drawn": round(cpu_drawn, 2),
        "browser_cpu_s_quiet": round(cpu_quiet, 2),
        "browser_cpu_s_by_process": by_type,
        "browser_cpu_s_idle_10s": round(idle, 2),
        "cdp": metrics,
        "requests": dict(requests),
        "kb": {k: round(v / 1024) for k, v in sizes.items()},
        "ws_frames": frames,
        "page": counts,
        "largest": sorted(urls, reverse=True),
    }
    if trace:
        res["trace"] = trace_summary(json.loads(await browser.stop_tracing()))
    if profile:
        prof = (await cdp.send("Profiler.stop"))["profile"]
        res["top"] = top_functions(prof)
    out[planner] = res
    await context.close()


def trace_summary(data: dict, n: int = 30) -> list[tuple[int, str]]:
    """Self time (ms) by event name on each renderer main thread, top `n`."""
    events = data["traceEvents"] if isinstance(data, dict) else data
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e["args"].get("name") == "CrRendererMain"
    }
    spans: dict = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in main and "dur" in e:
            spans[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"], e["name"]))
    self_us: collections.Counter = collections.Counter()
    for items in spans.values():
        self_times(sorted(items, key=lambda x: (x[0], -x[1])), self_us)
    return [(round(v / 1000), k) for k, v in self_us.most_common(n)]


def self_times(items: list[tuple[float, float, str]], into: collections.Counter) -> None:
    """Add each span's time minus its children's (spans sorted by start, longest first)."""
    stack: list = []  # [end, name, children's time, start]

    def close(until: float) -> None:
        while stack and stack[-1][0] <= until:
            end, name, child, start = stack.pop()
            into[name] += (end - start) - child
            if stack:
                stack[-1][2] += end - start

    for start, end, name in items:
        close(start)
        stack.append([end, name, 0, start])
    close(float("inf"))


def top_functions(prof: dict, n: int = 25) -> list[tuple[float, str]]:
    nodes = {node["id"]: node for node in prof["nodes"]}
    dt = collections.Counter()
    times = prof["timeDeltas"]
    for sample, delta in zip(prof["samples"], times, strict=True):
        dt[sample] += delta
    self_ms: collections.Counter = collections.Counter()
    by_url: collections.Counter = collections.Counter()
    for nid, us in dt.items():
        f = nodes[nid]["callFrame"]
        url = f["url"].rsplit("/", 1)[-1][:40]
        self_ms[f"{f['functionName'] or '(anon)'} {url}:{f['lineNumber']}"] += us / 1000
        by_url[url or f["functionName"]] += us / 1000
    return {
        "functions": [(round(v), k) for k, v in self_ms.most_common(n)],
        "urls": [(round(v), k) for k, v in by_url.most_common(12)],
    }


async def run(
    base: str,
    planners: list[str],
    profile: bool,
    rounds: int,
    trace: bool = False,
    shots: Path | None = None,
) -> list[dict]:
    from playwright.async_api import async_playwright

    results = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for _ in range(rounds):
                for planner in planners:
                    out: dict = {}
                    await one_page(browser, base, planner, profile, out, trace, shots)
                    results.append(out[planner])
                    await asyncio.sleep(3)
        finally:
            await browser.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--planner", choices=("scenario", "roadshow"), action="append")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--trace", action="store_true", help="self time by trace event")
    ap.add_argument("--screenshots", type=Path, help="a full-page screenshot of each planner here")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print whole results as JSON")
    args = ap.parse_args()
    planners = args.planner or ["scenario", "roadshow"]
    print("load before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="profile-page-") as tmp:
        folder = Path(tmp)
        users = make_users(folder)
        jining, _ = zone_copies(folder)
        env = app_env(str(folder / "draws"))
        log = folder / "app.log"
        proc, base = start_app(
            folder,
            ["--users", str(users), "--params", str(jining), "--warm", "1"]
            + ["--max-kernels", "10", "--cull-idle", "600"],
            env,
            log,
        )
        try:
            _wait_for_http(base + "/", proc, log)
            wait_warm(base, 1200)
            results = asyncio.run(
                run(base, planners, args.profile, args.rounds, args.trace, args.screenshots)
            )
        finally:
            stop_group(proc)
    for r in results:
        if args.json:
            print(json.dumps(r, ensure_ascii=False, indent=1))
            continue
        top = r.pop("top", None)
        largest = r.pop("largest")[:8]
        events = r.pop("trace", None)
        print(json.dumps(r, ensure_ascii=False))
        print("  largest:", largest)
        if events:
            print("  trace self ms:", events)
        if top:
            print("  by script:", top["urls"])
            for ms, name in top["functions"]:
                print(f"    {ms:6d} ms  {name}")
    print("load after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())

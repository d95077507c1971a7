"""A bureau's morning meeting: N planners open `workbook app` at once.

    .venv/bin/python benchmarks/bench_app.py                 # 10 pages, --warm 5
    .venv/bin/python benchmarks/bench_app.py --pages 4 --warm 2
    .venv/bin/python benchmarks/bench_app.py --warm 1 --no-shared-draws   # as the app was

Starts the app through the real CLI (sample zone as of 2020-06-30, one account per planner),
waits until every planner's pool is warm (`/api/workbook/warm`), then N Playwright pages in
Debian's Chromium (the machinery of tests/planners/test_app_browser.py and test_app_load.py)
log in and open a planner at the same moment, half the scenario planner, half the roadshow
planner (as the load test does). Prints:
- the time from opening the planner's URL to its widgets drawn (the fan's area, the roadshow
  calendar's bars), p50 and p95 over the pages, and how many pages got a warm kernel;
- the memory of each open page's kernel (PSS: its share of what it maps with other processes,
  the shared draws among them; USS: what it alone holds), from /proc/<pid>/smaps_rollup,
  median and range per planner, beside the warm pool's own kernels;
- the CPU seconds of the app's server, its kernels and the browsers while the pages opened, and
  from the planner URLs opened to the last page drawn, with the browsers' share per page;
- whether the pools refilled to N warm after the pages took theirs, and how long it took;
- the machine's load average (`uptime`) before and after, and the figures measured before
  this version (README) beside.
Writes the same to test-artifacts/bench-app.json. Nothing is asserted (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import psutil  # noqa: E402

from tests.app_login import ACCOUNTS, logged_in, make_users, zone_copies  # noqa: E402
from tests.conftest import SAMPLE_PARAMS  # noqa: E402
from tests.planners.test_app_browser import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    WARM,
    _wait_for_http,
)
from tests.processes import start_app, stop_group  # noqa: E402
from workbook.forecast.shared import ENV_DRAWS_DIR  # noqa: E402
from workbook.planners.app import ENV_AS_OF, ENV_LANG, ENV_PARAMS  # noqa: E402

BEFORE = {  # README, measured with one warm kernel per planner and no shared draws
    "page_drawn_s_p50_10_pages": 96,
    "scenario_page_mb": "520-590 (RSS)",
    "roadshow_page_mb": "420-430 (RSS)",
}
BUDGET = {"page_drawn_s_p50": 10, "page_mb": 250}
OPEN_TIMEOUT_MS = 900_000
DRAW_TIMEOUT_MS = (
    300_000  # a page not drawn by then is recorded (with a screenshot), not waited for
)
# Where a page's time went (navigation timing, seconds from the planner URL's request): the
# server's first byte and last byte of the page, the page's scripts run (DOMContentLoaded) and
# every script, style and font loaded (load); the rest up to drawn is the widgets' connection to
# the kernel and the charts' drawing.
PHASES_JS = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  const s = (t) => Math.round(t) / 1000;
  return {first_byte_s: s(n.responseStart), html_s: s(n.responseEnd),
          scripts_run_s: s(n.domContentLoadedEventEnd), loaded_s: s(n.loadEventEnd),
          html_kb: Math.round(n.transferSize / 1024)};
}"""
READY = {
    "scenario": ".wb-chart-fan svg .mark-area",
    "roadshow": ".wb-chart-gantt svg .mark-rect",
}


def smaps(pid: int) -> dict[str, float]:
    """PSS, USS and RSS of one process in MB (/proc/<pid>/smaps_rollup)."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {
        "pss": round(fields["Pss"] / 1024),
        "uss": round(uss / 1024),
        "rss": round(fields["Rss"] / 1024),
    }


def kernels(server: int) -> dict[str, int]:
    """Kernel id -> pid of every kernel process of the app."""
    out = {}
    for child in psutil.Process(server).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            cmd = child.cmdline()
            if "ipykernel_launcher" in " ".join(cmd):
                conn = next((a for a in cmd if a.endswith(".json")), "")
                out[Path(conn).stem.removeprefix("kernel-")] = child.pid
    return out


def cpu_seconds(server: int, bench: int) -> dict[str, float]:
    """CPU seconds used so far by the app's server, its kernels, this benchmark's Chromium, and
    the whole machine (all processes, others' jobs included)."""
    out = {"server": 0.0, "kernels": 0.0, "chromium": 0.0}
    app = psutil.Process(server).children(recursive=True)
    procs = [(psutil.Process(server), "server")] + [(c, "kernels") for c in app]
    mine = {server} | {c.pid for c in app}
    procs += [
        (c, "chromium") for c in psutil.Process(bench).children(recursive=True) if c.pid not in mine
    ]
    for proc, kind in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = proc.cpu_times()
            out[kind] += t.user + t.system
    machine = psutil.cpu_times()
    out["machine"] = machine.user + machine.system + machine.nice + machine.irq + machine.softirq
    return out


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def warm_state(base: str) -> tuple[int, dict]:
    reply = logged_in(base, "admin").request(WARM, timeout=10)
    return reply.status, json.loads(reply.body)


def wait_warm(base: str, timeout: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with contextlib.suppress(OSError):
            if warm_state(base)[0] == 200:
                return time.monotonic() - t0
        time.sleep(1)
    raise SystemExit(f"the pools were not warm after {timeout:.0f} s: {warm_state(base)[1]}")


async def open_page(browser, base: str, i: int, password: str, out: dict) -> None:
    planner = "scenario" if i % 2 == 0 else "roadshow"
    context = await browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
    page = await context.new_page()
    page.on("pageerror", lambda e: out["errors"].append(f"page {i}: {e}"[:300]))
    await page.goto(f"{base}/login", timeout=OPEN_TIMEOUT_MS)
    await page.fill("#wb-name", f"planner{i}")
    await page.fill("#wb-password", password)
    async with page.expect_navigation(timeout=OPEN_TIMEOUT_MS):
        await page.click("button[type=submit]")
    out["logged_in"] += 1
    await out["start"].wait()  # every page logged in: all open the planner at once
    t0 = time.perf_counter()
    try:
        await page.goto(f"{base}/z/jining-2020/{planner}", timeout=DRAW_TIMEOUT_MS)
        left = DRAW_TIMEOUT_MS - (time.perf_counter() - t0) * 1000
        await page.wait_for_selector(READY[planner], state="attached", timeout=max(left, 1))
    except Exception as exc:  # recorded: a page not drawn is a result of the run
        shot = ARTIFACTS / f"bench-app-page-{i}.png"
        ARTIFACTS.mkdir(exist_ok=True)
        with contextlib.suppress(Exception):
            await page.screenshot(path=str(shot))
        out["errors"].append(f"page {i} ({planner}) not drawn: {exc}"[:300])
        out["contexts"].append(context)
        return
    seconds = time.perf_counter() - t0
    config = json.loads(await page.locator("#jupyter-config-data").text_content())
    phases = await page.evaluate(PHASES_JS)
    out["pages"].append(
        {"planner": planner, "drawn_s": seconds, "kernel": config["kernelId"], **phases}
    )
    out["contexts"].append(context)


async def bureau(base: str, n: int, passwords: dict[str, str], hold, snap) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {
        "pages": [],
        "errors": [],
        "contexts": [],
        "start": asyncio.Event(),
        "logged_in": 0,
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tasks = [
                asyncio.create_task(open_page(browser, base, i, passwords[f"planner{i}"], out))
                for i in range(n)
            ]
            while not all(t.done() for t in tasks):
                # release the pages once they have all logged in (the login is not timed)
                if out["logged_in"] == n and not out["start"].is_set():
                    out["cpu_at_open"] = snap()
                    out["start"].set()
                await asyncio.sleep(0.1)
            for t in tasks:
                t.result()
            out["cpu_at_drawn"] = snap()
            await asyncio.sleep(5)  # let the pages settle before memory is read
            out["memory"], out["cpu_after"] = hold()  # read while every page is still open
        finally:
            await browser.close()
    return out


def app_env(draws: str) -> dict[str, str]:
    """The app's environment: this checkout's code (not an installed copy's), the sample zone
    as of 30 June in Chinese, its shared draws in `draws` ("" for none)."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
        ),
        ENV_PARAMS: str(SAMPLE_PARAMS),
        ENV_AS_OF: "2020-06-30",
        ENV_LANG: "zh",
        ENV_DRAWS_DIR: draws,
    }


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--warm", type=int, default=None, help="default: half the pages, rounded up")
    ap.add_argument("--no-shared-draws", action="store_true")
    ap.add_argument(
        "--no-refill-wait",
        action="store_true",
        help="stop once the pages are drawn (do not wait for the pools to refill)",
    )
    args = ap.parse_args()
    n = args.pages
    warm = args.warm if args.warm is not None else (n + 1) // 2
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing (`make system`)")
    accounts = {f"planner{i}": (f"planner-pw-{i}", {"jining-2020": "plan"}) for i in range(n)}
    figures: dict = {"pages": n, "warm": warm, "shared_draws": not args.no_shared_draws}
    figures["load_before"] = load()
    print(f"{n} pages, --warm {warm}, shared draws {'off' if args.no_shared_draws else 'on'}")
    print("load before:", figures["load_before"])
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        folder = Path(tmp)
        users = make_users(folder, {**ACCOUNTS, **accounts})
        jining, _ = zone_copies(folder)
        env = app_env("" if args.no_shared_draws else str(folder / "draws"))
        log = folder / "app.log"
        proc, base = start_app(
            folder,
            ["--users", str(users), "--params", str(jining), "--warm", str(warm)]
            + ["--max-kernels", str(max(10, n)), "--cull-idle", "600"],
            env,
            log,
        )
        try:
            t0 = time.monotonic()
            _wait_for_http(base + "/", proc, log)
            figures["warm_after_start_s"] = round(wait_warm(base, 1200) + time.monotonic() - t0)
            pool = {k: smaps(pid) for k, pid in kernels(proc.pid).items()}
            figures["pool_kernels_mb"] = sorted(m["pss"] for m in pool.values())
            print(f"all pools warm {figures['warm_after_start_s']} s after start")
            print(f"warm pool kernels PSS MB: {figures['pool_kernels_mb']}")

            def hold() -> tuple[dict, dict]:
                mem = {k: smaps(pid) for k, pid in kernels(proc.pid).items()}
                return mem, cpu_seconds(proc.pid, os.getpid())

            passwords = {name: pw for name, (pw, _) in accounts.items()}
            t_open = time.monotonic()
            cpu_before = cpu_seconds(proc.pid, os.getpid())
            result = asyncio.run(
                bureau(base, n, passwords, hold, lambda: cpu_seconds(proc.pid, os.getpid()))
            )
            opened = time.monotonic()
            figures["cpu_s_while_opening"] = {
                k: round(v - cpu_before.get(k, 0.0), 1) for k, v in result["cpu_after"].items()
            }
            figures["cpu_s_while_opening"]["wall"] = round(opened - t_open, 1)
            # from the planner URLs opened to the last page drawn (no browser start, no login)
            figures["cpu_s_open_to_drawn"] = {
                k: round(v - result["cpu_at_open"][k], 1) for k, v in result["cpu_at_drawn"].items()
            }
            figures["pools_right_after"] = warm_state(base)[1].get("pools")
            if not args.no_refill_wait:
                wait_warm(base, 1200)
                figures["refilled_s_after_pages_drawn"] = round(time.monotonic() - opened)
                figures["refilled_s_after_open"] = round(time.monotonic() - t_open)
        finally:
            figures["load_after"] = load()
            stop_group(proc)
    pages = result["pages"]
    memory = result["memory"]
    per: dict = {}
    for planner in ("scenario", "roadshow"):
        mine = [p for p in pages if p["planner"] == planner]
        if not mine:
            continue
        drawn = [p["drawn_s"] for p in mine]
        mem = [memory[p["kernel"]] for p in mine if p["kernel"] in memory]
        if not mem:
            continue
        per[planner] = {
            "pages": len(mine),
            "drawn_s_p50": round(statistics.median(drawn), 1),
            "drawn_s_max": round(max(drawn), 1),
            "pss_mb_median": round(statistics.median(m["pss"] for m in mem)),
            "pss_mb_range": [min(m["pss"] for m in mem), max(m["pss"] for m in mem)],
            "uss_mb_median": round(statistics.median(m["uss"] for m in mem)),
            "uss_mb_range": [min(m["uss"] for m in mem), max(m["uss"] for m in mem)],
            "rss_mb_median": round(statistics.median(m["rss"] for m in mem)),
        }
    drawn = [p["drawn_s"] for p in pages] or [float("nan")]
    figures.update(
        {
            "page_drawn_s_p50": round(statistics.median(drawn), 1),
            "page_drawn_s_p95": round(percentile(drawn, 0.95), 1),
            "per_planner": per,
            "kernels_while_open": len(memory),
            "errors": result["errors"][:10],
            "before": BEFORE,
            "budget": BUDGET,
        }
    )
    print(f"pages drawn (planner URL -> widgets drawn): p50 {figures['page_drawn_s_p50']} s, "
          f"p95 {figures['page_drawn_s_p95']} s (before: p50 {BEFORE['page_drawn_s_p50_10_pages']} s "
          f"for 10 pages; budget p50 <= {BUDGET['page_drawn_s_p50']} s)")  # fmt: skip
    for planner, f in per.items():
        print(f"  {planner}: {f['pages']} pages, drawn p50 {f['drawn_s_p50']} s (max "
              f"{f['drawn_s_max']} s); memory per open page PSS {f['pss_mb_median']} MB "
              f"{f['pss_mb_range']}, USS {f['uss_mb_median']} MB {f['uss_mb_range']}, RSS "
              f"{f['rss_mb_median']} MB (before: {BEFORE[planner + '_page_mb']} MB)")  # fmt: skip
    phases = ("first_byte_s", "html_s", "scripts_run_s", "loaded_s", "drawn_s")
    figures["phases_s_p50"] = {
        k: round(statistics.median(p[k] for p in pages), 1) for k in phases if pages
    }
    figures["html_kb"] = sorted({p["html_kb"] for p in pages})
    print(f"  phases p50 (s from the request): {figures['phases_s_p50']}; page HTML "
          f"{figures['html_kb']} kB")  # fmt: skip
    print(f"CPU seconds while the pages opened: {figures['cpu_s_while_opening']}")
    drawn_cpu = figures["cpu_s_open_to_drawn"]
    figures["chromium_cpu_s_per_page"] = round(drawn_cpu["chromium"] / max(1, len(pages)), 2)
    print(f"CPU seconds from the planner URLs opened to the last page drawn: {drawn_cpu}; "
          f"Chromium per page {figures['chromium_cpu_s_per_page']} s")  # fmt: skip
    print(f"pools right after: {figures['pools_right_after']}")
    if "refilled_s_after_open" in figures:
        print(f"pools full again {figures['refilled_s_after_open']} s after the pages opened")
    print("load after:", figures["load_after"])
    if result["errors"]:
        print("page errors:", result["errors"][:5])
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "bench-app.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    name = f"{n}-pages-warm-{warm}" + ("-no-shared" if args.no_shared_draws else "")
    data[name] = figures
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

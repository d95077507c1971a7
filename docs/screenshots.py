"""`make screenshots`: the README's pictures, made from the sample zone by the browser test's
machinery (Debian's Chromium through Playwright, `workbook app` started through the real CLI).

Writes docs/scenario_planner.png, docs/roadshow_planner.png (each planner as a 1366x768 screen
shows it once drawn) and docs/review.png (the top of the 2020Q2 review page), each checked to be
under 300 KB so they can live in git, and docs/screenshots.json: the fingerprint of the
review they show (tests/review/test_review_run.py fails when the review has changed since).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.planners.test_app_browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.processes import free_port  # noqa: E402
from tests.review_helpers import review_fingerprint  # noqa: E402

DOCS = REPO / "docs"
# What the pictures show: the fingerprint of the review in docs/review.png (a test compares it
# with the golden review, so pictures older than the review they show fail the suite).
RECORD = DOCS / "screenshots.json"
PARAMS = REPO / "params" / "jining-2020.yaml"
MAX_BYTES = 300 * 1024
VIEWPORT = {"width": 1366, "height": 768}
PLANNERS = {
    "scenario_planner": ".wb-chart-fan svg .mark-area",
    "roadshow_planner": ".wb-chart-gantt svg .mark-rect",
}


def _wait(url: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"workbook app exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as r:
            if r.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {timeout} s")


def _shoot(page, path: Path) -> None:
    page.screenshot(path=str(path))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path}: {size // 1024} KB, more than {MAX_BYTES // 1024} KB")
    print(f"{path.relative_to(REPO)}: {size // 1024} KB")


def main() -> int:
    from playwright.sync_api import sync_playwright

    workbook = [sys.executable, "-m", "workbook"]
    with tempfile.TemporaryDirectory() as tmp:
        review = Path(tmp) / "reports" / "jining-2020" / "2020Q2"
        subprocess.run(
            [*workbook, "review", str(PARAMS), "--quarter", "2020Q2", "--out", str(review)],
            check=True,
            cwd=REPO,
        )
        summary = json.loads((review / "summary.json").read_text(encoding="utf-8"))
        port = free_port()
        env = {**os.environ, "WORKBOOK_AS_OF": "2020-06-30"}
        proc = subprocess.Popen(
            # one person on their own machine: no login page in the pictures
            [*workbook, "app", "--port", str(port), "--params", str(PARAMS), "--no-login"],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base + "/api/workbook/warm", proc)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
                for name, ready in PLANNERS.items():
                    page.goto(f"{base}/z/jining-2020/{name.split('_')[0]}", timeout=600_000)
                    page.wait_for_selector(ready, timeout=600_000)
                    page.wait_for_timeout(1500)  # the last charts settle
                    _shoot(page, DOCS / f"{name}.png")
                page.goto(f"{base}/z/jining-2020/reports/2020Q2/review.html", timeout=120_000)
                page.wait_for_selector("svg", timeout=120_000)
                page.wait_for_timeout(1000)
                _shoot(page, DOCS / "review.png")
                browser.close()
            record = {"review": "2020Q2", "review_fingerprint": review_fingerprint(summary)}
            RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            print(f"{RECORD.relative_to(REPO)}: {record['review_fingerprint']}")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

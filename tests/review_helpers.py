"""Helpers shared by the review's slow tests: sample paths, failing notebooks, the browser."""

from __future__ import annotations

from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
JINING = REPO / "params" / "jining-2020.yaml"
ZOUCHENG = REPO / "params" / "zoucheng-2020.yaml"
NOTEBOOK = REPO / "notebooks" / "quarterly_review.ipynb"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REPORT_FILES = {
    "review.ipynb",
    "review.html",
    "review.xlsx",
    "review.docx",
    "summary.json",
    "manifest.json",
}


def failing_notebook(tmp_path: Path, after: str) -> Path:
    """The review notebook with a cell raising RuntimeError inserted after the cell `after`."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == after) + 1
    bad = nbformat.v4.new_code_cell('raise RuntimeError("deliberate failure for the test")')
    nb.cells.insert(at, bad)
    path = tmp_path / f"failing_after_{after}.ipynb"
    nbformat.write(nb, path)
    return path


def leftovers(folder: Path) -> list[str]:
    """Hidden temp folders or files the runner would leave if it did not clean up."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def open_offline(html: Path, screenshot: Path | None = None) -> dict:
    """Open a report in headless Chromium with the network off; wait until every chart has
    been drawn (or failed); return what the page shows and every non-file request made."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})

            def route(r):  # noqa: ANN001
                url = r.request.url
                if url.startswith("file:"):
                    r.continue_()
                else:
                    requests.append(url)
                    r.abort()

            ctx.route("**/*", route)
            page = ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.resolve().as_uri())
            page.wait_for_function(
                "[...document.querySelectorAll('div.wb-chart')].every(d => d.dataset.rendered)",
                timeout=60_000,
            )
            charts = page.eval_on_selector_all(
                "div.wb-chart",
                """ds => ds.map(d => {
                    const svg = d.querySelector('svg.marks');
                    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                    return {name: d.dataset.chart, rendered: d.dataset.rendered,
                            marks: svg ? svg.querySelectorAll('.role-mark path, .role-mark text,'
                                + ' .role-mark line, .role-mark rect').length : 0,
                            width: box.width, height: box.height,
                            text: svg ? svg.textContent : ''};
                })""",
            )
            text = page.inner_text("body")
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"charts": charts, "requests": requests, "errors": errors, "text": text}


def review_fingerprint(summary: dict) -> str:
    """What the top of a review page shows, as one hash: its abstract and every target's label,
    actual, verdict, chance and median (rounded as the page rounds them). `make screenshots`
    records it for docs/review.png; a test holds it against the golden review."""
    import hashlib
    import json

    shown = {
        "abstract": summary["abstract"],
        "targets": {
            key: [
                t["label"],
                round(t["actual"], 2),
                t["verdict"],
                round(t["p_attain"], 2),
                round(t["p50"], 1),
            ]
            for key, t in summary["targets"].items()
        },
    }
    text = json.dumps(shown, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def page_at_width(html: Path, width: int) -> dict:
    """Open a report at a window `width` px wide (network off), wait for the charts, and
    measure what would make a reader scroll sideways: the page's scroll width, the widest
    chart and table box, how many tables scroll in their own box, and the table cells whose
    text (a name, an id, a date, a figure) wraps onto a second line."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(offline=True, viewport={"width": width, "height": 900})
            page = ctx.new_page()
            page.goto(html.resolve().as_uri())
            page.wait_for_function(
                "[...document.querySelectorAll('div.wb-chart')].every(d => d.dataset.rendered)",
                timeout=60_000,
            )
            return page.evaluate(
                """() => {
                    const right = sel => Math.max(0, ...[...document.querySelectorAll(sel)]
                        .map(e => e.getBoundingClientRect().right));
                    const tables = [...document.querySelectorAll('table.wb-table')];
                    const wrapped = [];
                    for (const td of document.querySelectorAll('table.wb-table td')) {
                        const text = td.textContent.trim();
                        if (!text) continue;
                        const range = document.createRange();
                        range.selectNodeContents(td);
                        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                        if (tops.size > 1) wrapped.push(text);
                    }
                    return {
                        scrollWidth: document.documentElement.scrollWidth,
                        chartRight: right('div.wb-chart svg'),
                        tableRight: right('table.wb-table'),
                        scrolling: tables.filter(t => t.scrollWidth > t.clientWidth + 1).length,
                        tables: tables.length,
                        wrapped: wrapped,
                    };
                }"""
            )
        finally:
            browser.close()

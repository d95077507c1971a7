"""Quarterly review speed: one review beside a bare papermill run, and a batch of 8 reviews.

    .venv/bin/python benchmarks/bench_review.py

Prints, measured in the same run on this machine:
- a bare papermill run of an empty notebook (kernel start and stop: the floor every notebook
  pays), and one full review (`run_review`: kernel, forecast, roadshow plan, sections, charts,
  review.xlsx, summary.json, offline review.html, manifest) -- the review should add <= 3 s;
- a batch of 8 reviews (2 zones x 4 quarters) with 2 jobs, its wall time and its ratio to the
  same 8 reviews run one after another.
Budgets are checked here, not in timed tests (DESIGN.md §6).

The first review runs with an empty picture cache (review.docx's charts drawn by vl-convert),
the next ones with the pictures cached by spec hash, as every review after a zone's first
has them: each run's kernel steps are printed, so the two can be read side by side.

    .venv/bin/python benchmarks/bench_review.py --quick   # the reviews only, no batch
    .venv/bin/python benchmarks/bench_review.py --cli [--runs N] [--baseline DIR]

`--cli` times what a planner types, whole processes (issue 22's budgets): `workbook review
params/jining-2020.yaml --quarter 2020Q2` (and 2020Q1) beside `papermill` of a one-cell
notebook in the same venv; budgets bare + 3 s (2020Q2) and bare + 5 s (2020Q1). With
`--baseline DIR` the same commands run from another checkout (e.g. main before a change),
alternating with this one so machine load falls on both alike. Medians of N runs (default 5),
of wall time and of CPU time (user + sys of the command and its kernel: what a shared machine's
load inflates least), and the load average are printed, with the figures measured before issue 22's work (BEFORE).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402
import papermill as pm  # noqa: E402

from workbook.review.batch import run_batch  # noqa: E402
from workbook.review.params import parse_quarters, review_params  # noqa: E402
from workbook.review.runner import kernel_manager_class, run_review  # noqa: E402

PARAMS = [REPO / "params" / "jining-2020.yaml", REPO / "params" / "zoucheng-2020.yaml"]
REPEAT = 3
BUDGET_S = 3.0
CLI_BUDGET_S = {"2020Q2": 3.0, "2020Q1": 5.0}  # added to a bare papermill run
# Before issue 22's work (main at 5601623, this 2-core machine, shared): the figures the
# issue was opened with.
BEFORE = {
    "bare papermill (one-cell notebook)": "~1.3 s",
    "workbook review 2020Q2": "~12-17 s",
    "kernel: next-quarter plan": "4-5 s",
    "kernel: review.docx (pictures cached)": "1.4-2 s",
    "runner: review.html (nbconvert)": "~0.9 s",
}


def bare_papermill(folder: Path) -> float:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    nb.cells = [
        nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(""),
    ]
    src = folder / "empty.ipynb"
    nbformat.write(nb, src)
    t = time.perf_counter()
    pm.execute_notebook(
        str(src),
        str(folder / "empty.out.ipynb"),
        parameters={"x": 1},
        kernel_name="python3",
        language="python",
        progress_bar=False,
        kernel_manager_class=kernel_manager_class(),
    )
    return time.perf_counter() - t


def one_review(folder: Path, i: int) -> tuple[float, dict]:
    rp = review_params(PARAMS[0], "2020Q2")
    t = time.perf_counter()
    result = run_review(rp, folder / f"review-{i}")
    seconds = time.perf_counter() - t
    if result.status != "ok":
        raise SystemExit(f"review failed: {result.error}")
    import json

    timings = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))["timings"]
    return seconds, timings


CPU: dict[str, list[float]] = {}  # per command: CPU seconds (user + sys, kernels included)


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # a kernel counts: its runner waits for it
    return r.ru_utime + r.ru_stime


def _timed(argv: list[str], cwd: Path, root: Path, key: str = "") -> float:
    env = dict(os.environ, PYTHONPATH=str(root))
    c, t = _cpu(), time.perf_counter()
    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if key:
        CPU.setdefault(key, []).append(_cpu() - c)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return seconds


def _one_cell(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    nb.cells = [nbformat.v4.new_code_cell("x = 0")]
    src = folder / "one-cell.ipynb"
    nbformat.write(nb, src)
    return src


def cli(runs: int, baseline: Path | None) -> int:
    """Whole commands: `workbook review` for 2020Q2 and 2020Q1 beside bare papermill."""
    papermill = Path(sys.executable).parent / "papermill"
    with tempfile.TemporaryDirectory(prefix="bench-review-cli-") as tmp:
        folder = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
        src = _one_cell(folder)
        bare_cmd = [str(papermill), str(src), str(folder / "out.ipynb"), "--no-progress-bar"]
        roots = [("now", REPO)] + ([("before", baseline)] if baseline is not None else [])

        def review_cmd(root: Path, quarter: str, i: int) -> list[str]:
            out = folder / f"r-{root.name}-{quarter}-{i}"
            return [sys.executable, "-m", "workbook", "review", str(root / "params" / "jining-2020.yaml"), "--quarter", quarter, "--out", str(out)]  # fmt: skip

        for _name, root in roots:  # first runs fill the picture cache; not counted
            _timed(review_cmd(root, "2020Q2", -1), folder, root)
        _timed(bare_cmd, folder, REPO)
        times: dict[str, list[float]] = {}
        for i in range(runs):  # interleaved: the same load on every command
            times.setdefault("bare", []).append(_timed(bare_cmd, folder, REPO, "bare"))
            for name, root in roots:
                for quarter in CLI_BUDGET_S:
                    cmd, key = review_cmd(root, quarter, i), f"{name} {quarter}"
                    times.setdefault(key, []).append(_timed(cmd, folder, root, key))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average after the runs: {load} ({os.cpu_count()} cores); medians of {runs}")
        b, bc = statistics.median(times["bare"]), statistics.median(CPU["bare"])
        before = BEFORE["bare papermill (one-cell notebook)"]
        print(f"  bare papermill (one-cell notebook): {b:.2f} s, CPU {bc:.2f} s   before: {before}")
        for key, values in times.items():
            if key == "bare":
                continue
            name, quarter = key.split()
            med = statistics.median(values)
            added = med - b
            verdict = "OK" if added <= CLI_BUDGET_S[quarter] else "over budget"
            print(
                f"  workbook review {quarter} ({name}): {med:.2f} s = bare + {added:.2f} s "
                f"(budget bare + {CLI_BUDGET_S[quarter]:.0f} s: {verdict})  "
                f"runs {', '.join(f'{x:.2f}' for x in values)}; CPU (user + sys, kernel "
                f"included) {statistics.median(CPU[key]):.2f} s = bare + "
                f"{statistics.median(CPU[key]) - bc:.2f} s"
            )
        print("  before issue 22: " + "; ".join(f"{k} {v}" for k, v in BEFORE.items()))
    return 0


def main() -> int:
    args = sys.argv[1:]
    if "--cli" in args:
        runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 5
        base = Path(args[args.index("--baseline") + 1]).resolve() if "--baseline" in args else None
        return cli(runs, base)
    quick = "--quick" in sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        folder = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(folder / "cache")  # the kernel inherits it
        bare_papermill(folder)  # warm the file cache once; not counted
        bare, rev = [], []
        timings: dict = {}
        for i in range(REPEAT):  # interleaved, so both see the same machine load
            bare.append(bare_papermill(folder))
            seconds, timings = one_review(folder, i)
            rev.append(seconds)
            cache = "empty picture cache" if i == 0 else "pictures cached"
            print(f"  review {i + 1} ({cache}): {seconds:.2f} s, kernel {timings.get('kernel')}")
        b, r = statistics.median(bare), statistics.median(rev)
        print(
            f"bare papermill run (empty notebook): median {b:.2f} s  ({', '.join(f'{x:.2f}' for x in bare)})"
        )
        print(
            f"one review (jining 2020Q2, default 10,000 trials): median {r:.2f} s  ({', '.join(f'{x:.2f}' for x in rev)})"
        )
        print(f"  last run's steps: {timings}")
        print("  before issue 22: " + "; ".join(f"{k} {v}" for k, v in BEFORE.items()))
        added = r - b
        print(
            f"review adds {added:.2f} s on top of a bare papermill run (budget {BUDGET_S:.0f} s): "
            f"{'OK' if added <= BUDGET_S else 'OVER BUDGET'}"
        )

        if quick:
            return 0
        quarters = parse_quarters("2020Q1-2020Q4")
        t = time.perf_counter()
        par = run_batch(PARAMS, quarters, root=folder / "parallel", jobs=2, progress=False)
        wall_par = time.perf_counter() - t
        t = time.perf_counter()
        ser = run_batch(PARAMS, quarters, root=folder / "serial", jobs=1, progress=False)
        wall_ser = time.perf_counter() - t
        for name, res in (("parallel", par), ("serial", ser)):
            if res.failed:
                raise SystemExit(f"{name} batch: {len(res.failed)} failed: {res.failed[0].error}")
        print(
            f"batch of {len(par.results)} reviews, 2 jobs: {wall_par:.1f} s; the same one by one: "
            f"{wall_ser:.1f} s; ratio parallel/serial {wall_par / wall_ser:.2f} "
            f"(speed-up x{wall_ser / wall_par:.2f} on {__import__('os').cpu_count()} cores)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

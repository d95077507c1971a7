"""How fast the command line answers (DESIGN.md §6: ≤ 0.3 s with nothing to compute; issue 22:
`simulate --trials 1000` ≤ 0.8 s).

Times whole processes (`python -m workbook ...`), so interpreter start-up is included:
`--help`, a subcommand's `--help`, an argument error, and what a planner types first:
`validate`, `status` and `simulate --trials 1000` on the sample zone. Prints min / median /
max of N runs beside a bare `python -c pass`, and with `--baseline DIR` the median of the
same commands run from another checkout (e.g. the main branch before a change) beside them,
each run alternating between the two so machine load falls on both alike; then the median CPU
seconds (user + system) of each, which a loaded machine inflates far less than wall time, and
the load average before and after. Then, once, the peak memory of `simulate --trials 1000` and
which heavy packages each command imported.

    .venv/bin/python benchmarks/bench_cli.py [runs] [--baseline DIR]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "params/jining-2020.yaml"
CASES = {
    "python -c pass": ["-c", "pass"],
    "workbook --help": ["-m", "workbook", "--help"],
    "workbook simulate --help": ["-m", "workbook", "simulate", "--help"],
    "workbook simulate (missing argument)": ["-m", "workbook", "simulate"],
    "workbook validate": ["-m", "workbook", "validate", SAMPLE],
    "workbook status": ["-m", "workbook", "status", SAMPLE, "--as-of", "2020-06-30"],
    "workbook simulate --trials 1000": ["-m", "workbook", "simulate", SAMPLE, "--trials", "1000"],
}
BUDGET = {
    "workbook simulate --trials 1000": 0.8,
    "workbook validate": None,
    "workbook status": None,
}
HEAVY = ("numba", "scipy", "pandas", "pydantic", "python_calamine", "openpyxl", "altair")
# Medians before issue 22's work (main at 5601623, this shared 2-core machine).
BEFORE = {"workbook simulate --trials 1000": "~2.1 s"}


def _run(root: Path, argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole process."""
    env = dict(os.environ, PYTHONPATH=str(root))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=root, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _imports(root: Path, argv: list[str]) -> str:
    code = (
        "import sys; from workbook.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\n"
        f"print('\\nHEAVY:' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run(
        [sys.executable, "-c", code, *argv[2:]], cwd=root, env=env, capture_output=True, text=True
    )
    lines = [x for x in out.stdout.splitlines() if x.startswith("HEAVY:")]
    return lines[-1][len("HEAVY:") :] if lines else "?"


def main(runs: int = 7, baseline: Path | None = None) -> None:
    print(f"load average before the runs: {_load()} ({os.cpu_count()} cores)")
    head = f"{'command':<36} {'min':>7} {'median':>7} {'max':>7}"
    if baseline is not None:
        head += f" {'before':>8}"
    head += f" {'cpu':>6}" + (f" {'before':>6}" if baseline is not None else "")
    print(f"{head}   (s, {runs} runs; cpu: median user + system)")
    for name, argv in CASES.items():
        times, before, cpu, cpu_before = [], [], [], []
        for _ in range(runs):
            wall, used = _run(REPO, argv)
            times.append(wall)
            cpu.append(used)
            if baseline is not None:
                wall, used = _run(baseline, argv)
                before.append(wall)
                cpu_before.append(used)
        med = statistics.median(times)
        line = f"{name:<36} {min(times):7.3f} {med:7.3f} {max(times):7.3f}"
        if before:
            line += f" {statistics.median(before):8.3f}"
        line += f" {statistics.median(cpu):6.2f}"
        if cpu_before:
            line += f" {statistics.median(cpu_before):6.2f}"
        budget = BUDGET.get(name, 0.3 if name.startswith("workbook") else None)
        if budget is not None and med > budget:
            line += f"  over {budget} s budget"
        if name in BEFORE:
            line += f"  (before issue 22: {BEFORE[name]})"
        print(line)
    print(f"load average after the runs: {_load()} ({os.cpu_count()} cores)")
    print("heavy packages imported (after | before):")
    for name, argv in CASES.items():
        if argv[0] != "-m":
            continue
        after = _imports(REPO, argv)
        prior = f" | {_imports(baseline, argv)}" if baseline is not None else ""
        print(f"  {name:<34} {after or '-'}{prior}")
    sim = CASES["workbook simulate --trials 1000"]
    for label, root in [("after", REPO)] + ([("before", baseline)] if baseline else []):
        code = (
            "import resource, subprocess, sys\n"
            f"subprocess.run([sys.executable, *{sim!r}], capture_output=True)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        env = dict(os.environ, PYTHONPATH=str(root))
        kb = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
        ).stdout.strip()
        print(f"simulate --trials 1000 peak memory ({label}): {int(kb) / 1024:.0f} MB")


if __name__ == "__main__":
    args = sys.argv[1:]
    base = None
    if "--baseline" in args:
        i = args.index("--baseline")
        base = Path(args[i + 1]).resolve()
        del args[i : i + 2]
    main(int(args[0]) if args else 7, base)

"""How fast the command line answers when it has nothing to compute (DESIGN.md §6: ≤ 0.3 s).

Times whole processes (`python -m workbook ...`), so interpreter start-up is included:
`--help`, a subcommand's `--help`, and an argument error. Prints min / median / max of N runs
beside a bare `python -c pass`.

    .venv/bin/python benchmarks/bench_cli.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "workbook --help": [sys.executable, "-m", "workbook", "--help"],
    "workbook simulate --help": [sys.executable, "-m", "workbook", "simulate", "--help"],
    "workbook simulate (missing argument)": [sys.executable, "-m", "workbook", "simulate"],
}
BUDGET = 0.3


def main(runs: int = 15) -> None:
    print(f"{'command':<40} {'min':>7} {'median':>7} {'max':>7}   (s, {runs} runs)")
    for name, argv in CASES.items():
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(argv, cwd=REPO, capture_output=True, check=False)
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        flag = "" if name.startswith("python") or med <= BUDGET else f"  over {BUDGET} s budget"
        print(f"{name:<40} {min(times):7.3f} {med:7.3f} {max(times):7.3f}{flag}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)

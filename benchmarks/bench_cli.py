"""How fast the command line answers (DESIGN.md §6: ≤ 0.3 s with nothing to compute; issue 22:
`simulate --trials 1000` ≤ 0.8 s).

Times whole processes (`python -m workbook ...`), so interpreter start-up is included:
`--help`, a subcommand's `--help`, an argument error, and what a planner types first:
`validate`, `status` and `simulate --trials 1000` on the sample zone. The quick commands are
answered by the warm server the first one leaves (workbook.cli.served), as a planner's are;
the rows "(own process)" run them with WORKBOOK_SERVER=0, as the first command after a quiet
spell runs. The servers live in a directory of this run's own and are stopped at its end.

Prints min / median / max of N runs beside a bare `python -c pass`, and with `--baseline DIR`
the median of the same commands run from another checkout (e.g. the main branch before a
change) beside them, each run alternating between the two so machine load falls on both
alike; then the median CPU seconds (user + system) of each, which a loaded machine inflates
far less than wall time (a served command's counts its server's copy too), and the load
average before and after. Then, once, the peak memory of `simulate --trials 1000`, the warm
server's own, and which heavy packages each command imports when it runs alone.

    .venv/bin/python benchmarks/bench_cli.py [runs] [--baseline DIR]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "params/jining-2020.yaml"
ALONE = {"WORKBOOK_SERVER": "0"}
CASES: dict[str, tuple[list[str], dict[str, str]]] = {
    "python -c pass": (["-c", "pass"], {}),
    "workbook --help": (["-m", "workbook", "--help"], {}),
    "workbook simulate --help": (["-m", "workbook", "simulate", "--help"], {}),
    "workbook simulate (missing argument)": (["-m", "workbook", "simulate"], {}),
    "workbook validate": (["-m", "workbook", "validate", SAMPLE], {}),
    "workbook status": (["-m", "workbook", "status", SAMPLE, "--as-of", "2020-06-30"], {}),
    "workbook simulate --trials 1000": (
        ["-m", "workbook", "simulate", SAMPLE, "--trials", "1000"],
        {},
    ),
    "  validate (own process)": (["-m", "workbook", "validate", SAMPLE], ALONE),
    "  status (own process)": (
        ["-m", "workbook", "status", SAMPLE, "--as-of", "2020-06-30"],
        ALONE,
    ),
    "  simulate --trials 1000 (own process)": (
        ["-m", "workbook", "simulate", SAMPLE, "--trials", "1000"],
        ALONE,
    ),
}
BUDGET = {
    "workbook simulate --trials 1000": 0.8,
    "workbook validate": None,
    "workbook status": None,
    "  simulate --trials 1000 (own process)": 0.8,
}
HEAVY = ("numba", "scipy", "pandas", "pydantic", "python_calamine", "openpyxl", "altair")
# Medians before issue 22's work (main at 5601623, this shared 2-core machine).
BEFORE = {"workbook simulate --trials 1000": "~2.1 s"}
TICK = os.sysconf("SC_CLK_TCK")


def _servers(runtime: Path) -> list[int]:
    """The pids of the warm servers in this run's directory (each writes it in its lock)."""
    out = []
    for lock in (runtime / "workbook").glob("*.lock"):
        try:
            pid = int(lock.read_text().strip() or 0)
        except (OSError, ValueError):
            continue
        if pid and Path(f"/proc/{pid}").exists():
            out.append(pid)
    return out


def _server_cpu(pids: list[int]) -> float:
    """CPU seconds of the servers and of their copies collected so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def _no_copies(pids: list[int], seconds: float = 2.0) -> None:
    """Wait until the servers have collected their copies (so their CPU is counted)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        busy = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            busy |= ppid in pids
        if not busy:
            return
        time.sleep(0.01)


def _run(root: Path, argv: list[str], extra: dict[str, str], runtime: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one whole command: its process, and
    the server's copy that answered it, if one did."""
    env = dict(os.environ, PYTHONPATH=str(root), XDG_RUNTIME_DIR=str(runtime), **extra)
    pids = _servers(runtime)
    served_before = _server_cpu(pids)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=root, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _no_copies(pids)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, own + _server_cpu(pids) - served_before


def _warm_up(root: Path, runtime: Path) -> str:
    """The first quick command (it runs alone, then starts a server) and the server's start."""
    t = time.perf_counter()
    wall, _ = _run(root, ["-m", "workbook", "validate", SAMPLE], {}, runtime)
    while not list((runtime / "workbook").glob("*.sock")) and time.perf_counter() - t < 120:
        time.sleep(0.05)
    return (
        f"first command {wall:.2f} s, server ready {time.perf_counter() - t:.2f} s after it began"
    )


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
    runtime = Path(tempfile.mkdtemp(prefix="bench-cli-"))  # 0700: the servers' own directory
    try:
        _measure(runs, baseline, runtime)
    finally:
        sys.path.insert(0, str(REPO))
        from workbook.cli import served

        if (runtime / "workbook").exists():
            served.stop_all(runtime / "workbook")
        shutil.rmtree(runtime, ignore_errors=True)


def _measure(runs: int, baseline: Path | None, runtime: Path) -> None:
    print(f"load average before the runs: {_load()} ({os.cpu_count()} cores)")
    print(f"warm server: {_warm_up(REPO, runtime)}")
    if baseline is not None:
        _warm_up(baseline, runtime)  # a baseline without a server simply runs alone
    head = f"{'command':<40} {'min':>7} {'median':>7} {'max':>7}"
    if baseline is not None:
        head += f" {'before':>8}"
    head += f" {'cpu':>6}" + (f" {'before':>6}" if baseline is not None else "")
    print(f"{head}   (s, {runs} runs; cpu: median user + system)")
    for name, (argv, extra) in CASES.items():
        times, before, cpu, cpu_before = [], [], [], []
        for _ in range(runs):
            wall, used = _run(REPO, argv, extra, runtime)
            times.append(wall)
            cpu.append(used)
            if baseline is not None:
                wall, used = _run(baseline, argv, extra, runtime)
                before.append(wall)
                cpu_before.append(used)
        med = statistics.median(times)
        line = f"{name:<40} {min(times):7.3f} {med:7.3f} {max(times):7.3f}"
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
    for pid in _servers(runtime):
        status = Path(f"/proc/{pid}/status").read_text()
        rss = next(x for x in status.splitlines() if x.startswith("VmRSS"))
        print(f"warm server {pid}: {rss.split(':')[1].strip()} resident")
    print("heavy packages imported when run alone (after | before):")
    for name, (argv, extra) in CASES.items():
        if argv[0] != "-m" or extra:
            continue
        after = _imports(REPO, argv)
        prior = f" | {_imports(baseline, argv) or '-'}" if baseline is not None else ""
        print(f"  {name:<38} {after or '-'}{prior}")
    sim = CASES["workbook simulate --trials 1000"][0]
    for label, root in [("after", REPO)] + ([("before", baseline)] if baseline else []):
        code = (
            "import resource, subprocess, sys\n"
            f"subprocess.run([sys.executable, *{sim!r}], capture_output=True)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        env = dict(os.environ, PYTHONPATH=str(root), **ALONE)
        kb = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
        ).stdout.strip()
        print(f"simulate --trials 1000 peak memory, own process ({label}): {int(kb) / 1024:.0f} MB")


if __name__ == "__main__":
    args = sys.argv[1:]
    base = None
    if "--baseline" in args:
        i = args.index("--baseline")
        base = Path(args[i + 1]).resolve()
        del args[i : i + 2]
    main(int(args[0]) if args else 7, base)

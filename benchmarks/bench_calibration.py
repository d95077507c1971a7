"""Calibration against a synthetic truth the engine did not design (issue 18).

    .venv/bin/python benchmarks/bench_calibration.py [--zones 24] [--trials 2000] [--jobs 2]
        [--png docs/reliability.png] [--csv forecasts.csv]

Draws `--zones` seeded zones from the documented model (tests/synth_truth.py: numpy only,
written as params, ledger, arrivals and quarterly snapshots), backtests each from 2020Q1,
2020Q2 and 2020Q3 to the year end with the project's own `workbook.forecast.backtest`, and
pools the forecasts (5 targets a zone: 内资到位, 实际使用外资, 新开工, 新投产, 新签约). Printed
beside the issue's targets:

* central 80% coverage at every quarter, money and counts apart: within 0.72–0.88. Each
  outcome's rank among its forecast's trials is randomized within its atom, u uniform on
  [P(X < y), P(X <= y)], and the chance that u lies in [0.1, 0.9] is counted: 0.8 for a
  calibrated forecast. The plain share inside [P10, P90], ends included, is printed beside
  it: for a count (whole numbers) or a money forecast with an atom (no new money after the
  quarter: its P10 is its floor) it runs above 0.8 even when the forecast is right;
* the share of outcomes below P50 (about 0.5; counts lower, their P50 is a whole number);
* mean P(attain) − share met: within ±0.05;
* per P-decile with at least 30 forecasts, mean P vs share met: within ±0.10;
* the Brier score below the best constant forecast's (the base rate b: b·(1 − b)).

A reliability diagram (decile means against the diagonal, points sized by count) is written
with `--png`. `--oracle` also scores the model's own forecast (tests/synth_truth.py `oracle`:
the documented model simulated from each quarter end's facts, no engine): what a right engine
can reach on the same zones, the noise of the figures included. Zones run in `--jobs`
processes. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.synth_truth import DECILE_MIN, backtest_zone, calibration, oracle_zone  # noqa: E402

COVERAGE = (0.72, 0.88)
BIAS = 0.05
DECILE = 0.10


def _one(args: tuple[int, int, str]) -> pd.DataFrame:
    seed, trials, root = args
    return backtest_zone(Path(root) / f"zone{seed:03d}", seed, trials)


def run(zones: int, trials: int, jobs: int, first_seed: int = 1) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as root:
        work = [(first_seed + i, trials, root) for i in range(zones)]
        if jobs <= 1:
            frames = [_one(w) for w in work]
        else:
            with ProcessPoolExecutor(jobs) as pool:
                frames = list(pool.map(_one, work))
    return pd.concat(frames, ignore_index=True)


def report(c: dict) -> bool:
    ok = True

    def line(name: str, value: str, target: str, good: bool) -> None:
        nonlocal ok
        ok &= good
        print(f"  {name:<34} {value:>16}   {target:<18} {'ok' if good else 'MISSED'}")

    print(f"{c['forecasts']} forecasts")
    print(f"  {'figure':<34} {'measured':>16}   {'target':<18}")
    for (q, kind), cov in c["central_80"].items():
        lo, hi = COVERAGE
        line(f"central 80% coverage {q} {kind}", f"{cov:.3f}", f"{lo}-{hi}", lo <= cov <= hi)
    for (q, kind), cov in c["coverage"].items():
        print(
            f"  {'P10-P90 (ends in) ' + q + ' ' + kind:<34} {cov:>16.3f}   {'(atoms: >= 0.8)':<18}"
        )
    for kind, share in c["below_p50"].items():
        print(f"  {'share below P50 ' + kind:<34} {share:>16.3f}   {'~0.5':<18}")
    line(
        "mean P - share met",
        f"{c['mean_p']:.3f}-{c['share_met']:.3f}={c['bias']:+.3f}",
        f"|.| <= {BIAS}",
        abs(c["bias"]) <= BIAS,
    )
    for r in c["deciles"].itertuples():
        name = f"decile {r.bin / 10:.1f}-{(r.bin + 1) / 10:.1f} (n={r.n})"
        value = f"{r.mean_p:.3f} vs {r.share_met:.3f}"
        if r.n >= DECILE_MIN:
            line(name, value, f"|.| <= {DECILE}", abs(r.mean_p - r.share_met) <= DECILE)
        else:
            print(f"  {name:<34} {value:>16}   (n < {DECILE_MIN}: not judged)")
    line(
        "Brier vs constant",
        f"{c['brier']:.4f} vs {c['brier_constant']:.4f}",
        "below",
        c["brier"] < c["brier_constant"],
    )
    return ok


def reliability_png(c: dict, path: Path) -> None:
    """Decile means (share met against mean P, sized by count) beside the diagonal."""
    import altair as alt
    import vl_convert as vlc

    d = c["deciles"].rename(columns={"n": "forecasts"})
    axis = alt.Scale(domain=[0, 1])
    diagonal = (
        alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}))
        .mark_line(color="#999999", strokeDash=[4, 4])
        .encode(x=alt.X("x:Q", scale=axis), y=alt.Y("y:Q", scale=axis))
    )
    points = (
        alt.Chart(d)
        .mark_circle(color="#c0392b", opacity=0.8)
        .encode(
            x=alt.X("mean_p:Q", scale=axis, title="mean P(attain) in the decile"),
            y=alt.Y("share_met:Q", scale=axis, title="share of targets met"),
            size=alt.Size("forecasts:Q", scale=alt.Scale(range=[30, 600])),
            tooltip=["bin:Q", "forecasts:Q", "mean_p:Q", "share_met:Q"],
        )
    )
    chart = (diagonal + points).properties(
        width=360,
        height=360,
        title=f"Reliability: {c['forecasts']} backtest forecasts on synthetic zones",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(vlc.vegalite_to_png(chart.to_dict(), scale=2))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zones", type=int, default=24)
    ap.add_argument("--trials", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1, help="seed of the first zone")
    ap.add_argument("--png", type=Path, help="write the reliability diagram here")
    ap.add_argument("--csv", type=Path, help="write every forecast here")
    ap.add_argument("--oracle", action="store_true", help="also score the model's own forecast")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    f = run(args.zones, args.trials, args.jobs, args.seed)
    took = time.perf_counter() - start
    c = calibration(f)
    print(
        f"{args.zones} zones x 3 quarters, {args.trials} trials, {args.jobs} processes: {took:.1f} s"
    )
    ok = report(c)
    if args.oracle:
        start = time.perf_counter()
        seeds = range(args.seed, args.seed + args.zones)
        ref = pd.concat([oracle_zone(s, args.trials) for s in seeds], ignore_index=True)
        print(
            f"\nthe model's own forecast on the same zones ({time.perf_counter() - start:.1f} s):"
        )
        report(calibration(ref))
    if args.png:
        reliability_png(c, args.png)
        print(f"wrote {args.png}")
    if args.csv:
        f.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

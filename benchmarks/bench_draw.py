"""Kernel-side redraw cost of the live planners (issue 13: slider release -> every chart redrawn).

    .venv/bin/python benchmarks/bench_draw.py [MOVES]

Builds the scenario planner (20,000 trials) and the roadshow planner (5,000 trials) of the
sample zone as of 2020-06-30 as `workbook app` serves them (charts that keep their Vega view),
then moves a slider back and forth MOVES times (default 10): the scenario planner's
计划资金到位比例 between 0.50 and 0.45, the roadshow planner's budget between 210 and 200 万元.
Prints the median of each timing the planner records (engine, fan, draw, ...), how many
charts went as whole specs and how many as data only, and how many widget messages a move sent.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from workbook.planners import controls
from workbook.planners.app import CHART_JS, ENV_CHART_JS

SAMPLE = "params/jining-2020.yaml"
AS_OF = "2020-06-30"


def _count_messages() -> Counter:
    """Count the state messages widgets send (a kernel without a frontend sends none)."""
    sent: Counter = Counter()
    original = W.Widget.send_state

    def send_state(self: W.Widget, key: Any = None) -> None:
        sent[type(self).__name__] += 1
        original(self, key)

    W.Widget.send_state = send_state  # type: ignore[method-assign]
    return sent


def _moves(name: str, planner: Any, move: Callable[[int], None], moves: int, sent: Counter) -> None:
    runs: dict[str, list[float]] = {}
    sent.clear()
    for i in range(moves):
        move(i)
        for key, ms in planner.timings.items():
            runs.setdefault(key, []).append(ms)
    figures = ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in runs.items())
    print(f"{name}: median ms per move over {moves} moves: {figures}")
    slots = ", ".join(f"{n} {s.embeds}/{s.draws}" for n, s in planner.charts.items())
    print(f"  charts (specs embedded / draws): {slots}")
    per = {k: round(v / moves, 1) for k, v in sorted(sent.items())}
    print(f"  widget state messages per move: {per}")


def main() -> None:
    moves = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    os.environ[ENV_CHART_JS] = CHART_JS
    controls.enable_offline()
    sent = _count_messages()
    print(f"load average {os.getloadavg()[0]:.2f}")

    from workbook.planners.scenario import scenario_planner

    sp = scenario_planner(SAMPLE, as_of=AS_OF, trials=20_000)
    slider = sp.controls["arrival_ratio"]
    _moves(
        "scenario planner", sp, lambda i: setattr(slider, "value", (0.5, 0.45)[i % 2]), moves, sent
    )

    from workbook.planners.roadshow import roadshow_planner

    rp = roadshow_planner(SAMPLE, as_of=AS_OF, trials=5_000)
    budget = rp.budget
    _moves(
        "roadshow planner", rp, lambda i: setattr(budget, "value", (210, 200)[i % 2]), moves, sent
    )


if __name__ == "__main__":
    main()

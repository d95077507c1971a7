"""Roadshow MILP speed (issue 4: 60 candidate events x 12 months to proven optimality in <= 2 s).

    .venv/bin/python benchmarks/bench_plan.py [INSTANCES]

Builds INSTANCES (default 10) seeded synthetic catalogues of 60 events over the sample zone's
offices and platforms, each possible in every month (720 event x month slots), and plans the
whole year (holidays blocked) under the sample zone's roadshow settings with a budget of
600万元 (about a third of the catalogue's cost). For each instance it prints the time to build
the problem, the time HiGHS takes to prove the optimum (relative gap 0), the gap reported, and
the greedy plan's objective as a share of the optimum; then the sample zone itself.

Last, the probability objective (workbook.roadshow.saa) on the sample zone as of 2020-06-30
and on one synthetic 60 x 6 instance: the time to measure every slot's contribution on the
engine's trials, the SAA MILP's solve time, S, the trials the plan decides, the gap, and the
in-sample P(内资到位) of the chosen, expected-value, greedy and no-new-events plans.

Then the P-objective plan from three dates of the sample zone (as of 1 January, 31 March and
30 June 2020, S = 10,000 trials, `best_plan` with the CLI's default 10 s time limit): seconds
(measuring the slots' trial values, then the whole solve), the trials the plan decides,
whether it is proven within 1% of the SAA optimum, the gap of P against HiGHS's bound, the
plan's in-sample P and the bound, beside the figures of the code before this change (BASELINE:
the SAA MILP over every rescuable trial, the 60 s limit, measured here at commit c9041f4).

    .venv/bin/python benchmarks/bench_plan.py --dates     # only the three dates

What was tried on these three instances (S = 10,000, 10 s) and what it did, so the next try
starts from it:
- leaving out trials no affordable plan can rescue (a knapsack per trial, kept): 943 -> 713
  trials decided as of 31 March, 631 -> 498 as of 1 January; the bound moves a little.
- identical trials to merge with weights: none; every decided trial's row is its own.
- cover cuts per trial (z_t <= the slots without which no affordable plan reaches the target,
  from the same knapsack; not kept): bound 262 -> 253 trials as of 31 March, the incumbent
  no better; HiGHS still closes no node in 10 s.
- warm start from the expected-value and greedy plans (highspy 1.16, not a dependency): the
  start is taken (P 1.78%) but HiGHS stays at the root for 10 s, bound unchanged.
- the LP bound is weak by nature: every event at ~27% fractionally rescues ~27% of each
  trial; a proof needs branching on the events, which 10 s does not give. What closes part of
  the gap is a better plan: single moves around the best candidate (kept, `polish`).
- slot contributions in one pass of the engine (kept): 2.5-3x faster than one pass per slot.
- an event's draws the same in every month (kept; the model's common random numbers across
  months): before, each event-month had draws of its own and the per-trial knapsack (and
  HiGHS) could pick, trial by trial, the month that happened to be lucky. Trials decided
  713 -> 264 (31 March), 498 -> 235 (1 January); gap at 10 s 44.9% -> 21.6% and 13.4% ->
  4.6%; the plans found meet more trials (P 1.78% -> 1.82%, 6.62% -> 6.88%).
- the events-only bound (kept, `workbook.roadshow.relax`): months relaxed, each event at its
  best (= earliest) month. From 1 January it is met by the best months of its own events:
  proven (gap 0.15%, 6.8 s at load ~5). As of 31 March the months bind (4 events a month; the
  bound's 12 events cannot all be held in April): the relaxed optimum is 202 trials met, the
  best plan found 182 (P 1.82%); HiGHS alone on the whole model for 900 s ends with a bound of
  201 and the same plan, so the optimum lies between P 1.82% and 2.01%. Keeping the first
  month exact and relaxing the rest (events x 2 tiers, or 3) is harder for HiGHS than the
  whole model: bound 212 / 227 after 60 s. A proof there needs the months in the bound by
  other means (a Lagrangian of the monthly limits, or a search of its own over which events
  take the first months) - not done.
- the model over held-by variables (kept, `workbook.roadshow.milp.held_by`): the same plans
  over w_j = "the event is held in slot j's month or earlier" (x = H w). A branch on w_j = 0
  sends the event to a later month or drops it and moves the bound; a branch on x_j = 0 only
  shifted it to the next month. Given all the time it needs, HiGHS now proves the optimum as
  of 31 March: 144 decided trials + 38 met anyway = 182, P 1.82% (the plan already found; the
  events-only bound's 202 and HiGHS's 201 after 900 s were the loose side), 574-800 nodes,
  21-26 s of CPU (48-100 s wall at load 8-14). Its root bound after HiGHS's cuts is ~165-169,
  so at 10 s it proves no more than the events-only bound does. The restricted solve (the
  months of the events-only bound's events) in this form: 0.13 s of CPU instead of 0.99 (1
  January), 0.14 instead of 2.36 (31 March), the same plans; the events-only bound itself
  1.7-2.6 s. End to end, `best_plan` as of 31 March with a 300 s limit: proven optimal, P
  1.82%, 134 s wall / 26 s CPU at load ~17.
- the whole model asked only for plans that meet more trials than the best so far (kept,
  `saa_milp(at_least=)`; the best plan polished first; infeasible = that plan is optimal):
  19 s of CPU to the proof as of 31 March instead of 26. The bar at the tolerance instead
  (146 trials: only plans a bound of 1% would not cover) costs about the same, and as of 30
  June it stopped at a plan one trial short of the optimum (P 1.53% for 1.54%): not kept.
- cuts "trial t needs event e by month m" (z_t <= w_j, from the per-trial knapsack with e
  later or left out; 1,079 cuts on 201 trials): root LP bound 212 -> 174, 462 nodes instead
  of 574, the same CPU (21.6 s): not kept.
- trials one of which is met whenever another is (z_a <= z_b): 2 pairs among 264: nothing.
- How these three dates stand at 10 s, beside main run right after (load ~5): 1 January
  unproven on both (gap 1.29%, P 6.88%: its events-only bound did not close in its share at
  that load), 31 March unproven on both (gap 12.1% for 15.1%, P 1.82% for 1.80%), 30 June
  proven optimal on both (1.75 s for 2.32 s). At load 13-17 the same picture. As of 31 March the proof needs ~20 s of CPU from HiGHS alone; a 10 s
  proof there needs the months in a bound that closes at the root (or a search of its own
  over which events take April and May), not a faster HiGHS. A Lagrangian of the monthly
  limits would not do it: its subproblem keeps the month choice (a MILP as hard as the
  events-only one per multiplier step) and its duality gap would have to be under 1 trial.
- the events' bound with the first month exact (kept, `event_bound(first_month=True)`): each
  event held in the first month (u_e <= y_e, the first month's staff-days and events a month
  on u) or later at its best later month, the later months' limits relaxed; in held-by form
  (coverage L y + (A - L) u). As of 31 March it is the optimum itself: 144 decided trials
  (events-only: 164), so the plan of its events' best months proves it with no whole model;
  as of 30 June 72 (85; the optimum 71, gap 0.65%: proven within 1%), as of 1 January the
  events-only 164 (the months do not bind). HiGHS takes 10.8-14.6 s of CPU for it as of 31
  March (0.05 s as of 30 June, 1.8-2.1 s as of 1 January); `best_plan` to the proof as of 31
  March with a 120 s limit: 15.2 s wall / 13.2 s CPU, where main took 35.5 s / 25.3 s (load
  ~3, run one after the other). Within 10 s it is still cut off (its share of the time left:
  0.7 now, 0.4 before). Keeping April and May exact instead: 16-19 s; in x-form (first month
  / later binaries instead of held-by): 86-88 s.
- making that bound faster (31 March, CPU): HiGHS options (mip_heuristic_effort 0, no
  symmetry detection, presolve off, mip_min_reliable 0-2, random seeds) 10.8-17 s, noise;
  asked only for more than the best plan (at_least 145 or 146) 9-18 s; a relative gap of 1.3%
  (the bound may stop at 145) 12.4 s: the bound falls below 146 only as the tree closes;
  "trial t needs k_t events" rows 11.8-14.6 s; the trials split in two halves, each bounded
  alone: 74 + 78 = 152 (too loose) in 8.2 s. Our own search over the first month's events
  (HiGHS on each leaf, the first-month set fixed: 0.01-0.15 s a leaf, every leaf infeasible at
  145): 2,354 maximal sets (17 events possible in April, 4 a month, 120 staff-days) take
  60 s; fixing the first one or two events of the set in order of importance and leaving the
  rest to HiGHS (18 or 137 solves) 12.6 / 13.6 s. The scipy call costs ~10-20 ms a solve;
  the hard part is the few nodes with the important events free, as in HiGHS's own tree.
- where the 10 s go as of 31 March (main, load ~2.5, one process): the expected-value solve
  0.3-0.5 s and the trial values 1.7-2 s (first calls in a fresh process; 0.5-0.9 s later),
  the events' bound 12.6 CPU-s to its proof (cut off at its share, ~5-6 s), the plan of its
  events 0.2 s (that plan is already the optimum, 144 decided trials: finding the plan is
  cheap, the bound is the whole cost), no confirm step (the bound met proves it at once).
  So running "find the plan" beside "compute the bound" gains nothing; the bound itself has
  to be shared between the two cores.
- the bound in two halves on two cores (forked copy; the first month of one event held or
  not): u[EV01] 9.3 + 5.3 CPU-s, u[EV24] 6.9 + 7.8, y[EV01] 4.0 + 13.3: the longer half is
  still 7-13 s. Four parts (two events): 21.5 CPU-s in all (each part proves its own bound).
- HiGHS's objective_bound (a cutoff: scipy passes it on with a warning) at the trials the
  best plan meets (kept, `event_bound(cutoff=)`): a part that holds no better choice closes
  as soon as its bound falls to the cutoff; the whole with it 11.9 CPU-s (no gain alone),
  the half u[EV24] = 0 3.1 instead of 6.7. HiGHS threads: scipy's HiGHS runs the MIP on one
  thread (no worker threads after a solve), so the second core needs a second process.
- the parts over more events (kept, `event_bound(split=True)`, `workbook.roadshow.forked`
  `shared`: a forked copy and this process take parts from one queue, the longest first):
  with the cutoff and no primal heuristics (mip_heuristic_effort 0: the cutoff stands in for
  a plan), all parts' CPU as of 31 March: 3 events (8 parts) 10.5-11, 4 (16) 7.6, 5 (32) 5.8,
  6 (64) 4.5-5.9, 7 (99 once the ways that break April's limits by themselves are skipped
  without a solve) 4.0-4.5, 8 (163) 4.3, 10 (386) 6.9: with 8, no part over 0.4 s and the
  two processes end together. This is the search over April's events the line above
  describes, with HiGHS's presolve throwing out the impossible leaves and the cutoff pruning
  the rest. Splitting by each event's first month, later or not at all (3 ways, 2 events):
  1 January 5.1 CPU-s, 31 March 14.6: not kept.
- 1 January is the other way round: three events possible in February, so eight parts, each
  ~1 s, nearly the whole (1.4-2.1 s, 17 nodes): where the first month's limits rule out no
  way to hold the top events, the whole relaxation has all the time, as before. Where they
  rule out some (31 March, 30 June) the whole is tried first, alone, for 1 s (30 June closes
  in 0.04-0.2 s, as before, so its plan and the golden review are unchanged; 31 March's root
  alone takes ~3 s). Tried and dropped: a node limit for that first try (31 March's first 5
  nodes take 3.5 s, 1 January needs 17-20: no limit separates them); the first try 2.5 s for
  every date, then parts (1 January, on a busy machine, missed the try and its parts did not
  end in time: 1 of 3 CLI runs proven at load 5-10, main 3 of 3); stretching the try by this
  process's share of a core so far (a fresh process's first calls read as a busy machine: 5 s
  tries). The copy starting on the parts during the first try was dropped once (at load
  5-10 it took that try's core; at nice 10 it then starved in the parts) and is kept since
  (issue 22's last round): with the slots' trial values made faster, `best_plan` in process,
  3 pairs beside the version before, 31 March 4.1 / 4.7 / 4.8 s for 4.8 / 5.7 / 6.6 at load
  ~1, 6.9 / 7.4 / 8.1 for 7.8 / 8.5 / 9.6 at load 3-4 (two busy loops beside), all proven;
  30 June 0.5-0.6 s for 0.4-0.5 at load ~1 and 0.7-1.3 for 0.7-0.9 at load 3-4 (the fork's
  cost: its try closes at once), the same plans; 1 January does not split.
- How the three dates stand now at 10 s (`--dates`, the last version interleaved with main,
  3 pairs, load 2-5): 31 March proven optimal (gap 0) in 4.3 / 4.4 / 4.4 s where main ends
  unproven in all 3 at 9.0 s (gap 8.5%); 1 January proven in 3.4 / 3.8 / 4.6 s (main 3.8 /
  3.8 / 4.0), 30 June proven optimal in 0.6 / 0.6 / 0.8 s (main 0.6 / 0.7 / 0.7), the same
  plans and P. The CLI (`plan params/jining-2020.yaml --as-of 2020-03-31 --json`, a fresh
  process: ~2.3 s of first calls before the bound), 3 pairs at load 1.5-2.0: proven optimal,
  solver 5.9 / 6.1 / 6.5 s, the whole command 8.4-9.2 s wall; main not proven (9.0 s, gap
  8.5-9.0%), 11.2-11.5 s wall. At load 6-8 (others' jobs on both cores) 1 of 2 proven (7.5
  s; the other 10.5 s, gap 9.9%), main 0 of 2; at such loads either may overrun its limit
  (main once 21 s): there is no second core to give.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from workbook.roadshow.problem import build_problem
from workbook.roadshow.solve import greedy_plan, solve
from workbook.zone.loader import load_zone

SAMPLE = "params/jining-2020.yaml"
KINDS = ("domestic", "overseas", "conference", "platform", "cloud")


def catalogue(rng: np.random.Generator, channels: list[str], n: int = 60) -> pd.DataFrame:
    rows = []
    for i in range(n):
        kind = str(rng.choice(KINDS, p=[0.35, 0.2, 0.05, 0.2, 0.2]))
        months = tuple(range(1, 13))  # every event possible in every month: 60 x 12 slots
        cost = {"overseas": 60, "conference": 50, "cloud": 8}.get(kind, 25) * rng.uniform(0.6, 1.8)
        rows.append(
            {
                "event_id": f"EV{i + 1:02d}",
                "name": f"活动{i + 1:02d}",
                "kind": kind,
                "city": "",
                "channel": channels[i % len(channels)],
                "cost": round(float(cost), 1),
                "staff_days": float(rng.integers(6, 45)),
                "months": months,
                "expected_leads": float(rng.integers(8, 40)),
                "conversion": float(rng.uniform(0.02, 0.09)),
                "lag_months": float(rng.integers(3, 8)),
                "size_median": float(rng.uniform(0.8, 5)),
                "foreign_share": float(rng.uniform(0, 0.9)),
                "share_500": float(rng.uniform(0, 0.2)),
                "row": i + 3,
            }
        )
    return pd.DataFrame(rows)


def run(name: str, params, events, **kw) -> tuple[float, float]:
    t0 = time.perf_counter()
    problem = build_problem(params, events, **kw)
    built = time.perf_counter() - t0
    plan = solve(problem)
    greedy = greedy_plan(problem)
    ratio = greedy.objective / plan.objective if plan.objective > 0 else 1.0
    gap = plan.gap if plan.gap is not None else float("nan")
    print(
        f"{name:<12} {len(events):>3} events x {len(problem.months):>2} months = "
        f"{len(problem.slots):>4} slots | build {built:5.2f} s | solve {plan.seconds:5.2f} s "
        f"| proven {'yes' if plan.proven_optimal else 'NO '} gap {gap:.1e} | "
        f"{len(plan.table):>2} events, {plan.cost:6.1f}万元 | greedy/optimum {ratio:6.1%}"
        + (f" (greedy misses {len(greedy.unmet)} requirement(s))" if greedy.unmet else "")
    )
    return plan.seconds, ratio


# As of -> (seconds of the MILP, HiGHS's gap on its own objective, P of the SAA incumbent, the
# trials in the model) before this change: the 60 s limit hit twice, the SAA plan then dropped.
BASELINE = {
    "2020-01-01": (61.4, 0.883, 0.0651, 631),
    "2020-03-31": (60.1, 1.011, 0.0169, 943),
    "2020-06-30": (0.7, 0.0, 0.0152, 145),
}


def dates(trials: int = 10_000, time_limit: float = 10.0) -> None:
    """The P-objective plan from three dates (module docstring)."""
    import datetime as dt

    from workbook.forecast.engine import Engine
    from workbook.roadshow.saa import NO_EVENTS, best_plan, trial_values
    from workbook.roadshow.service import PlanRequest, plan_problem, plan_start

    zone = load_zone(SAMPLE)
    for day in BASELINE:
        as_of = dt.date.fromisoformat(day)
        problem = plan_problem(PlanRequest(zone, as_of=as_of), plan_start(as_of))
        engine = Engine(zone, as_of=as_of, trials=trials, seed=1)
        engine.forecast(plan=NO_EVENTS)  # the year without events, as the CLI has it first
        t0 = time.perf_counter()
        trial_values(engine, problem, ["domestic_capital"])
        measured = time.perf_counter() - t0
        engine = Engine(zone, as_of=as_of, trials=trials, seed=1)
        engine.forecast(plan=NO_EVENTS)
        t0 = time.perf_counter()
        r = best_plan(engine, problem, "p:domestic_capital", time_limit=time_limit)
        seconds = time.perf_counter() - t0
        b_sec, b_gap, b_p, b_m = BASELINE[day]
        gap = "  —  " if r.gap is None else f"{r.gap:6.2%}"
        bound = "—" if r.bound is None else f"{r.bound:.2%}"
        print(
            f"P-plan as of {day}: {len(problem.slots):>3} slots, S={r.samples:,} | trial values "
            f"{measured:5.2f} s | whole solve {seconds:5.2f} s | {r.trials_in_model:>4} trials "
            f"decided | proven {'yes' if r.proven else 'NO '} gap {gap} | P {r.p_in_sample[r.method]:.2%} "
            f"({r.method}), bound {bound} || baseline: MILP {b_sec:5.1f} s, {b_m} trials, "
            f"HiGHS gap {b_gap:.1%}, SAA plan P {b_p:.2%}"
        )


def main() -> int:
    if "--dates" in sys.argv[1:]:
        dates()
        return 0
    instances = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    zone = load_zone(SAMPLE)
    params = zone.params
    channels = [c.id for c in params.channels]
    solve(build_problem(params, zone.events))  # warm up imports (scipy, HiGHS)
    times, ratios = [], []
    for seed in range(instances):
        events = catalogue(np.random.default_rng(seed), channels)
        t, r = run(f"seed {seed}", params, events, budget=600)
        times.append(t)
        ratios.append(r)
    print(
        f"60 x 12: solve time median {np.median(times):.2f} s, max {max(times):.2f} s "
        f"(budget 2 s); greedy/optimum median {np.median(ratios):.1%}, worst {min(ratios):.1%}"
    )
    run("sample zone", params, zone.events)
    saa("sample zone", zone, zone.events, trials=10_000)
    saa("seed 0, Jul-Dec", zone, catalogue(np.random.default_rng(0), channels), trials=2_000)
    dates()
    return 0 if max(times) <= 2.0 else 1


def saa(name: str, zone, events, trials: int) -> None:
    """Time the probability objective (P(内资到位) by sample average approximation)."""
    import dataclasses
    import datetime as dt

    from workbook.forecast.engine import Engine
    from workbook.roadshow.saa import p_of, saa_milp, trial_values

    as_of = dt.date(2020, 6, 30)
    zone = dataclasses.replace(zone, events=events)
    problem = build_problem(zone.params, events, as_of=as_of + dt.timedelta(days=1))
    engine = Engine(zone, as_of=as_of, trials=trials, seed=1)
    engine.forecast()  # warm the engine's draws, as a planner's session has them
    t0 = time.perf_counter()
    base, contrib, goal = trial_values(engine, problem, ["domestic_capital"])
    measured = time.perf_counter() - t0
    t0 = time.perf_counter()
    chosen, res, m = saa_milp(problem, base, contrib, goal, time_limit=60)
    solved = time.perf_counter() - t0
    gap = getattr(res, "mip_gap", float("nan"))
    best, greedy = solve(problem), greedy_plan(problem)
    index = {
        (e, int(mo)): i
        for i, (e, mo) in enumerate(
            zip(problem.slots["event_id"], problem.slots["month"], strict=True)
        )
    }
    p = {
        "saa": p_of(base, contrib, goal, chosen or []),
        "expected": p_of(
            base,
            contrib,
            goal,
            [
                index[(e, int(mo))]
                for e, mo in zip(best.table["event_id"], best.table["month"], strict=True)
            ],
        ),
        "greedy": p_of(
            base,
            contrib,
            goal,
            [
                index[(e, int(mo))]
                for e, mo in zip(greedy.table["event_id"], greedy.table["month"], strict=True)
            ],
        ),
        "none": p_of(base, contrib, goal, []),
    }
    print(
        f"SAA {name:<16} {len(problem.slots):>4} slots, S={trials:,} | contributions "
        f"{measured:5.2f} s | MILP {solved:5.2f} s, {m} trials decided, status {res.status}, "
        f"gap {gap:.1e} | P(内资到位) saa {p['saa']:.2%} expected {p['expected']:.2%} "
        f"greedy {p['greedy']:.2%} none {p['none']:.2%}"
    )


if __name__ == "__main__":
    sys.exit(main())

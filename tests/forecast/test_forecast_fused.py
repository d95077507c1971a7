"""The compiled passes (workbook.forecast.fused) against the model written out plainly in numpy,
group by group and deal by deal, on the same draws: every metric at every month, the parts by
stage and the per-project sums agree, with and without a climate, for projects that have
waited in their stage, paces shown by arrivals, and declared metrics."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.sim_zones import AS_OF, sample_zone
from workbook.forecast import fused, store
from workbook.forecast.deals import DealPass
from workbook.forecast.engine import CHUNK, Engine
from workbook.forecast.memo import Memo
from workbook.forecast.setup import MARK_INDEX, PRE_SIGN


def _first(setup, gi, table, code):
    stuck = setup.stuck.get(gi)
    if stuck is None:
        return table[code].astype(np.int64)
    tables, offset = stuck
    return tables[code + offset].astype(np.int64)


def plain_ledger(engine: Engine, setup, months):
    """(trials, months, keys) from the ledger projects, and per-project sums at December."""
    t, nm = setup.tables, engine.n_money
    out = np.zeros((engine.trials, len(months), len(engine.keys)))
    n_all = len(engine.projects)
    sums = {k: np.zeros(n_all) for k in ("sign", "start", "money", "amount")}
    for c, n in engine.store.chunks():
        rows = slice(c * CHUNK, c * CHUNK + n)
        for gi, g in enumerate(engine.groups):
            code = dict(
                zip(g.kinds, engine.ledger_pass.group_codes(c, n, g, setup.climate), strict=True)
            )
            sign = start = produce = None
            if g.stage in PRE_SIGN:
                sign = _first(setup, gi, t[f"S:{g.stage}"], code["S"])
                start = sign + t["T:chain"][code["T"]]
                produce = start + t["P:chain"][code["P"]]
            elif g.stage == "signed":
                start = _first(setup, gi, t["T:first"], code["T"])
                produce = start + t["P:chain"][code["P"]]
            elif g.stage == "started":
                produce = _first(setup, gi, t["P:first"], code["P"])
            share = (t["R:plan"] if g.has_plan else t["R:none"])[code["R"]].astype(np.float64)
            share = np.where(engine.paced[g.cols], 1.0, share)  # a pace shown: its own
            for j, m in enumerate(months):
                for family, x in (("sign", sign), ("start", start), ("produce", produce)):
                    if x is not None and family in g.full:
                        out[rows, j, nm:] += (x <= m) @ g.full[family].astype(np.float64)
                if start is None:  # started or producing: the rest of the year, evenly
                    paid = share * (m - engine.month) / engine.future
                else:
                    paid = share * np.maximum(m + 1 - start, 0)
                out[rows, j, :nm] += paid @ setup.money_w[gi].astype(np.float64)
            if months[-1] == 12:
                amount = paid * setup.scale[g.cols]
                if sign is not None:
                    sums["sign"][g.cols] += (sign <= 12).sum(axis=0)
                if start is not None:
                    sums["start"][g.cols] += (start <= 12).sum(axis=0)
                sums["money"][g.cols] += (amount > 0).sum(axis=0)
                sums["amount"][g.cols] += amount.sum(axis=0)
    return out, sums


def plain_deals(engine: Engine, setup, months):
    """(trials, months, keys) from new deals, deal by deal."""
    t = setup.tables
    keys = tuple(range(len(engine.keys)))
    out = np.zeros((engine.trials, len(months), len(keys)))
    for span, chunks in enumerate(engine.store.spans()):
        lo = chunks[0][0] * CHUNK
        trial, src, code, (sign, size, _, _, hit) = engine.deal_pass.deals(setup, span)
        family = engine.deal_pass.families
        start = sign + t["T:chain"][code[MARK_INDEX["start"]]]
        produce = start + t["P:chain"][code[MARK_INDEX["produce"]]]
        rate = size * t["R:none"][code[MARK_INDEX["share"]]] / 12
        at = {fused.SIGN: sign, fused.START: start, fused.PRODUCE: produce}
        for j, m in enumerate(months):
            for r in keys:
                if family[r] == fused.MONEY:
                    v = rate * np.maximum(m + 1 - start, 0) * setup.deal_fx[r]
                elif family[r] == fused.NONE:
                    continue
                else:
                    v = (at[family[r]] <= m).astype(float)
                np.add.at(out[:, j, r], lo + trial, np.where(hit[:, r], v, 0))
    return out


def _zone(shock: float, spread: float):
    zone = sample_zone()
    drivers = zone.params.drivers.apply({"shared_shock": shock, "driver_spread": spread})
    return zone.__class__(
        zone.params.model_copy(update={"drivers": drivers}), zone.ledger, zone.events
    )


@pytest.mark.parametrize("climate", [(0.0, 0.0), (0.3, 0.1), (1.0, 0.5)])
@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2020, 3, 31)])
def test_compiled_passes_give_the_plain_model(climate, as_of):
    engine = Engine(_zone(*climate), as_of=as_of, trials=5000, seed=7)  # two chunks
    fc = engine.forecast()
    setup = fc.setup
    assert (setup.climate is None) == (climate == (0.0, 0.0))
    assert setup.stuck and any(g.has_plan for g in engine.groups)  # waited, planned
    assert engine.paced.any() and (~engine.paced).any()
    months = tuple(range(engine.month + 1, 13))
    ledger, sums = plain_ledger(engine, setup, (12,))
    expected = ledger + plain_deals(engine, setup, (12,))
    assert np.allclose(fc._future, expected[:, 0, :], rtol=1e-5, atol=1e-6)
    monthly, _ = plain_ledger(engine, setup, months)
    monthly += plain_deals(engine, setup, months)
    assert np.allclose(engine.run_pass(setup, months), monthly, rtol=1e-5, atol=1e-6)
    kept = engine.run_pass(setup, months, keys=(0,))  # reads the start months December kept
    engine.ledger_pass.memo = Memo(engine.ledger_pass.memo.limit)  # none kept: from the tables
    assert np.array_equal(engine.run_pass(setup, months, keys=(0,)), kept)
    for k in range(len(engine.keys)):  # a fan's pass: one metric, only what counts for it
        alone = engine.run_pass(setup, months, keys=(k,))[:, :, 0]
        assert np.allclose(alone, monthly[:, :, k], rtol=1e-5, atol=1e-6), engine.keys[k]
    for m in (months[0], 12):  # one month alone, December alone
        alone = engine.run_pass(setup, (m,))[:, 0, :]
        assert np.allclose(alone, monthly[:, months.index(m), :], rtol=1e-5, atol=1e-6)
    # The parts by stage and source add up to what the trials add, on average.
    total = sum(setup.parts.values())
    assert np.allclose(total, fc._future.sum(axis=0), rtol=1e-6, atol=1e-6)
    got = {k: np.zeros(len(engine.projects)) for k in ("sign", "start", "money", "amount")}
    engine.run_pass(setup, (12,), projects=got)
    for k in got:
        assert np.allclose(got[k], sums[k], rtol=1e-5, atol=1e-6), k


def test_threads_do_not_change_the_result(monkeypatch):
    results = []
    for threads in (1, 2):
        monkeypatch.setattr(fused, "THREADS", threads)
        engine = Engine(sample_zone(), as_of=AS_OF, trials=9000, seed=3)
        fc = engine.forecast()
        results.append((fc._future, fc.fan("domestic_capital")))
    assert np.array_equal(results[0][0], results[1][0])
    assert results[0][1].equals(results[1][1])


def test_what_is_kept_between_forecasts_gives_what_a_fresh_engine_gives():
    """Milestones kept across a money change, deal marks across a start change, codes moved
    by one climate then another: each forecast equals a fresh engine's."""
    zone = sample_zone()
    base = zone.params.drivers
    engine = Engine(zone, as_of=AS_OF, trials=5000, seed=5)
    steps = [
        {},
        {"arrival_ratio.mean": 0.4},
        {"arrival_ratio.mean": 0.4, "start_probability": 0.5},
        {"arrival_ratio.mean": 0.7, "start_probability": 0.5},
        {"channels.conversion": 0.3},
        {"shared_shock": 0.8},
        {},
    ]
    for change in steps:
        drivers = base
        for path, value in change.items():
            drivers = drivers.replace(path, value)
        kept = engine.forecast(drivers)
        fresh = Engine(zone, as_of=AS_OF, trials=5000, seed=5).forecast(drivers)
        assert np.array_equal(kept._future, fresh._future), change
        assert kept.fan("domestic_capital").equals(fresh.fan("domestic_capital")), change


def test_quantiles_are_numpys_to_the_last_bit():
    """The per-target P10/P50/P90 are counted out (whole numbers) or read from one sort
    (money): the same floats numpy's quantile gives, inverted_cdf and linear."""
    from workbook.forecast.results import LEVELS, column_quantiles

    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 10, 11, 101, 4096, 20001):
        for k in range(12):
            money = rng.lognormal(rng.normal(), 2, n) * rng.choice([1.0, -1.0, 1e-6])
            if k % 4 == 0:
                money[:] = 3.3
            counts = rng.poisson(rng.uniform(0.1, 40), n).astype(float)
            got = column_quantiles(np.stack([money, counts], axis=1), np.array([False, True]))
            assert np.array_equal(got[:, 0], np.quantile(money, LEVELS, method="linear"))
            assert np.array_equal(got[:, 1], np.quantile(counts, LEVELS, method="inverted_cdf"))


def test_the_deal_pass_runs_in_half_spans_with_the_sums_of_whole_spans(monkeypatch):
    """Spans of whole chunks in an even number run as two units (their halves, on the threads
    at once); a span's halves are the halves its kernel runs apart, so every number is the
    one the whole span gives: the trials, the parts, the monthly pass, the per-source
    columns and sums."""
    monkeypatch.setattr(store, "DEAL_SPAN", 2)  # spans of two chunks: several full spans
    zone = _zone(0.3, 0.1)
    trials = 5 * CHUNK + 700
    engine = Engine(zone, as_of=AS_OF, trials=trials, seed=11)
    units = [(span, [c for c, _ in chunks]) for span, chunks in engine.deal_pass.units()]
    assert units == [(0, [0]), (0, [1]), (1, [2]), (1, [3]), (2, [4, 5])]  # the last: short

    def everything(engine: Engine) -> list[np.ndarray]:
        fc = engine.forecast()
        setup = fc.setup
        months = tuple(range(engine.month + 1, 13))
        sources = {k: np.zeros(len(setup.sources)) for k in ("signings", "capital", "domestic")}
        sources["signings_500"] = np.zeros(len(setup.sources))
        engine.run_pass(setup, (12,), sources=sources)
        chosen = np.arange(len(setup.sources))
        return [
            fc._future,
            *setup.parts.values(),
            engine.deal_pass.part(setup, months, None, tuple(range(len(engine.keys)))),
            engine.deal_pass.by_source(setup, chosen, tuple(range(len(engine.keys)))),
            *sources.values(),
        ]

    halves = everything(engine)
    # the unit path is the model's, deal by deal
    setup = engine.forecast().setup
    expected = plain_ledger(engine, setup, (12,))[0] + plain_deals(engine, setup, (12,))
    assert np.allclose(halves[0], expected[:, 0, :], rtol=1e-5, atol=1e-6)
    spans = engine.store.spans()
    monkeypatch.setattr(DealPass, "units", lambda self: list(enumerate(spans)))
    whole = everything(Engine(zone, as_of=AS_OF, trials=trials, seed=11))
    assert len(halves) == len(whole)
    for a, b in zip(halves, whole, strict=True):
        assert np.array_equal(a, b)

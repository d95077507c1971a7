"""The forecast of declared metrics: ledger projects filtered exactly, a declaration equal to
a built-in gives the built-in's trials, new deals meet a `where` on a column they do not
carry with the ledger's share of matching signings, campaigns by the window's last day."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from tests.sim_zones import AS_OF, CERTAIN, event, make_zone, project, sample_zone
from workbook.cli import main
from workbook.forecast import declared
from workbook.forecast.campaigns import campaign_forecast
from workbook.forecast.engine import Engine
from workbook.forecast.explain import sources
from workbook.forecast.setup import KEYS

SAMPLE = "params/jining-2020.yaml"

# Declarations equal to built-ins, and two of the zone's own.
TWINS = {
    "my_starts": {"label": "开工", "count": "started"},
    "my_domestic": {"label": "内资", "money": "domestic"},
    "my_big": {"label": "大项目", "count": "signed", "where": {"total_investment": ">= 30"}},
    "my_bonus": {
        "label": "加分",
        "count": ["signed", "started", "producing"],
        "where": {"list_flag": "!= none"},
    },
    "my_all": {"label": "全部到位", "money": "all"},
}


@pytest.fixture(scope="module")
def twin_engine():
    zone = sample_zone()
    params = zone.params.model_copy(
        update={
            "metrics": {
                **zone.params.metrics,
                **{k: _decl(v) for k, v in TWINS.items()},
            }
        }
    )
    zone = type(zone)(params, zone.ledger, zone.events)
    return Engine(zone, as_of=AS_OF, trials=1500, seed=5)


def _decl(v):
    from workbook.zone.declarations import MetricDecl

    return MetricDecl.model_validate(v)


def _future(engine, fc, key):
    return fc.facts[key] + fc._future[:, engine.keys.index(key)]


def test_the_layout_without_declarations_is_the_builtin_one(tmp_path):
    zone = make_zone(tmp_path, [project("A", "intent")])
    assert declared.layout(zone.params).keys == KEYS


def test_a_declaration_equal_to_a_builtin_gives_the_same_trials(twin_engine):
    e = twin_engine
    fc = e.forecast()
    pairs = [
        ("my_starts", "new_starts"),
        ("my_domestic", "domestic_capital"),
        ("my_big", "big_projects_30"),
        ("my_bonus", "bonus_500"),
    ]
    for mine, builtin in pairs:
        a, b = _future(e, fc, mine), _future(e, fc, builtin)
        np.testing.assert_allclose(a, b, rtol=1e-6, err_msg=mine)
    # money: all = domestic + foreign (USD at the FX rate), trial by trial
    all_cny = _future(e, fc, "my_all")
    parts = _future(e, fc, "domestic_capital") + _future(e, fc, "foreign_capital") * 6.9
    np.testing.assert_allclose(all_cny, parts, rtol=1e-5)
    # month by month too (the fan's histogram path)
    fans = fc.fans()
    assert set(fans) >= {"ten_strong_10", "yrd_domestic"}
    months = e.run_pass(fc.setup, months=tuple(range(7, 13)))
    k = {key: e.keys.index(key) for key in ("my_starts", "new_starts", "my_bonus", "bonus_500")}
    np.testing.assert_allclose(months[:, :, k["my_starts"]], months[:, :, k["new_starts"]])
    np.testing.assert_allclose(months[:, :, k["my_bonus"]], months[:, :, k["bonus_500"]])


def _zone(tmp_path, **kw):
    projects = [
        # sign in August (intent, 2 months), start in September under CERTAIN
        project("A", "intent", sector="生物医药", total_investment=12.0),
        project("B", "intent", sector="生物医药", total_investment=8.0),
        project("C", "intent", sector="纺织", total_investment=15.0),
        project("D", "intent", sector="新材料", total_investment=11.0, region="江苏"),
        # signed this year already: counted as a fact, not again; signed ten days before the
        # as-of date, so it has not yet outwaited its 1-month lag to start (time in stage)
        project("E", "signed", sector="生物医药", total_investment=20.0, signed_date="2020-06-20"),
        project("F", "lead", sector="生物医药", total_investment=50.0),  # never signs
    ]
    metrics = {
        "bio10": {
            "label": "生物医药10亿元以上",
            "count": "signed",
            "where": {"total_investment": ">= 10", "sector": ["生物医药", "新材料"]},
        },
        "bio_start": {"label": "生物医药开工", "count": "started", "where": {"sector": "生物医药"}},
    }
    targets = {
        "domestic_capital": {"annual": 10},
        "bio10": {"annual": 3},
        "bio_start": {"annual": 1},
    }
    return make_zone(tmp_path, projects, targets=targets, drivers=CERTAIN, metrics=metrics, **kw)


def test_ledger_projects_are_filtered_exactly(tmp_path):
    """Under certainty: A and D sign (>= 10亿, matching sectors), B is too small, C's sector does
    not match, E counted already (fact), F never signs: 1 fact + 2 = 3 for certain."""
    e = Engine(_zone(tmp_path), as_of=AS_OF, trials=64, seed=1)
    fc = e.forecast()
    assert fc.facts["bio10"] == 1
    assert (fc.year_end("bio10") == 3).all()
    assert fc.targets.at["bio10", "p_attain"] == 1.0
    # bio_start: E starts in July (signed stage, 1 month), A and B after signing: 3 of them
    assert (fc.year_end("bio_start") == 3).all()
    assert fc.targets.at["bio10", "label"] == "生物医药10亿元以上"


def test_deal_share_is_the_ledgers_share_of_this_years_signings_with_a_prior(tmp_path):
    zone = _zone(tmp_path)
    lay = declared.layout(zone.params)
    shares = declared.deal_shares(lay, zone.ledger.projects, dt.date(2020, 1, 1), AS_OF)
    # bio10's sector condition: 1 of 1 signing this year (E) is 生物医药 or 新材料; over the
    # whole ledger 5 of 6 projects are.
    assert shares["bio10"] == pytest.approx((1 + 10 * 5 / 6) / (1 + 10))
    assert shares["bio_start"] == pytest.approx((1 + 10 * 4 / 6) / (1 + 10))
    assert set(shares) == {"bio10", "bio_start"}  # built-ins need no share


def test_new_deals_meet_a_column_they_lack_with_that_share(tmp_path):
    """Deals only (no ledger project moves): the matching deals are a subset of all deals, in
    about the share's proportion, the same deals in every forecast."""
    offices = [
        {
            "id": "yrd",
            "name": "驻长三角招商机构",
            "name_en": "YRD office",
            "region": "长三角",
            "leads_per_quarter": 300,
        }
    ]
    drivers = {**CERTAIN, "channels": {"conversion": 0.2, "months_to_sign": 1}}
    metrics = {
        "bio_start": {"label": "生物医药开工", "count": "started", "where": {"sector": "生物医药"}}
    }
    projects = [
        project(
            "E", "signed", sector="生物医药", signed_date="2020-03-01", start_date="2020-04-01"
        ),
        project("G", "started", sector="纺织", signed_date="2020-02-01", start_date="2020-03-01"),
    ]
    targets = {
        "domestic_capital": {"annual": 1},
        "new_starts": {"annual": 1},
        "bio_start": {"annual": 1},
    }
    zone = make_zone(
        tmp_path, projects, targets=targets, drivers=drivers, metrics=metrics, offices=offices
    )
    e = Engine(zone, as_of=AS_OF, trials=2000, seed=2)
    fc = e.forecast()
    all_new = fc.year_end("new_starts") - fc.facts["new_starts"]
    bio_new = fc.year_end("bio_start") - fc.facts["bio_start"]
    assert (bio_new <= all_new).all() and all_new.sum() > 10_000
    share = (1 + 10 * 1 / 2) / (2 + 10)  # E of the two signings (E, G) is 生物医药; 1 of 2 overall
    assert bio_new.sum() / all_new.sum() == pytest.approx(share, abs=0.02)
    again = e.forecast()
    np.testing.assert_array_equal(again.year_end("bio_start"), fc.year_end("bio_start"))


def test_campaign_forecast_by_the_windows_last_day(tmp_path):
    """Under certainty, a campaign from 1 July to 30 September: A and D sign in August (bio10
    goal 2 is met for sure, goal 3 never); nothing signs in a window in November."""
    zone = _zone(
        tmp_path,
        campaigns=[
            {"name": "夏季", "start": "2020-07-01", "days": 92, "goals": {"bio10": 2}},
            {"name": "高目标", "start": "2020-07-01", "days": 92, "goals": {"bio10": 3}},
            {"name": "冬季", "start": "2020-11-01", "days": 30, "goals": {"bio10": 1}},
        ],
    )
    e = Engine(zone, as_of=AS_OF, trials=64, seed=1)
    rows = {
        name: campaign_forecast(e, name).set_index("metric") for name in ("夏季", "高目标", "冬季")
    }
    assert rows["夏季"].at["bio10", "p_met"] == 1.0
    assert rows["夏季"].at["bio10", "mean"] == 2.0
    assert rows["高目标"].at["bio10", "p_met"] == 0.0
    assert rows["冬季"].at["bio10", "p_met"] == 0.0


def test_simulate_json_gives_custom_targets_and_campaigns(capsys):
    argv = ["simulate", SAMPLE, "--as-of", "2020-06-30", "--trials", "300", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    targets = out["targets"]
    for key in ("ten_strong_10", "yrd_domestic"):
        assert {"p_attain", "p10", "p50", "p90", "mean"} <= set(targets[key])
    assert main([*argv, "--campaign", "百日攻坚（春季）"]) == 0
    out = json.loads(capsys.readouterr().out)
    goals = {g["metric"]: g for g in out["campaign"]["goals"]}
    assert set(goals) == {"ten_strong_10", "new_starts", "domestic_capital"}
    assert all(0 <= g["p_met"] <= 1 for g in goals.values())


# Count metrics with a condition on the date of the very milestone they count.
WINDOWED = {
    "h2": {"label": "下半年签约", "count": "signed", "where": {"signed_date": ">= 2020-07-01"}},
    "before_sep": {
        "label": "9月前签约",
        "count": "signed",
        "where": {"signed_date": "< 2020-09-01"},
    },
    "from_17": {
        "label": "7月17日起签约",
        "count": "signed",
        "where": {"signed_date": ">= 2020-07-17"},
    },
    "late_starts": {
        "label": "8月起开工",
        "count": "started",
        "where": {"start_date": ">= 2020-08-01"},
    },
    "h2_any": {
        "label": "下半年签约或开工",
        "count": ["signed", "started"],
        "where": {"signed_date": ">= 2020-07-01"},
    },
    "all_signed": {"label": "签约", "count": "signed"},
}


def _windowed_zone(tmp_path, **kw):
    """Certain drivers: J and P (意向) sign in July, L (在谈) in September; each starts a month
    after signing; S (signed 20 June, a fact) starts in July; F signed in February. P's
    ledger already shows a planned signing date, 15 December."""
    drivers = {
        **CERTAIN,
        "stage_probability": {**CERTAIN["stage_probability"], "negotiating": 1},
        "months_to_sign": {**CERTAIN["months_to_sign"], "intent": 1, "negotiating": 3},
    }
    projects = [
        project("J", "intent"),
        project("P", "intent", signed_date="2020-12-15"),
        project("L", "negotiating"),
        project("S", "signed", signed_date="2020-06-20"),
        project("F", "signed", signed_date="2020-02-01"),
    ]
    targets = {"domestic_capital": {"annual": 1}, **{k: {"annual": 1} for k in WINDOWED}}
    return make_zone(tmp_path, projects, targets=targets, drivers=drivers, metrics=WINDOWED, **kw)


def test_a_condition_on_the_counted_milestones_date_is_judged_on_its_simulated_month(tmp_path):
    """A milestone still ahead counts when its simulated month is in the months on at least
    half of whose days the condition holds (>= 7-17: August on, July has only 15 such days);
    facts on the ledger row. Exact under certainty, month by month too, and each stage's
    part of the mean adds up to it."""
    engine = Engine(_windowed_zone(tmp_path), as_of=AS_OF, trials=64, seed=1)
    fc = engine.forecast()
    expected = {
        "h2": (0, 3),  # J, P (July), L (September); P's planned date is not what counts
        "before_sep": (2, 4),  # F and S (facts), J and P in July; L signs in September
        "from_17": (0, 1),  # L
        "late_starts": (0, 3),  # J and P in August, L in October; S starts in July
        "h2_any": (0, 3),  # J, P, L at signing; S and F start, but signed before July
        "all_signed": (2, 5),
    }
    for key, (fact, year_end) in expected.items():
        assert fc.facts[key] == fact, key
        assert (fc.year_end(key) == year_end).all(), key
        parts = sources(fc)[key]
        assert sum(parts.values()) == pytest.approx(year_end, abs=1e-9), key
    assert sources(fc)["h2"]["stage:intent"] == 2 and sources(fc)["h2"]["stage:negotiating"] == 1
    fans = {key: fc.fan(key)["p50"].tolist()[5:] for key in ("h2", "before_sep", "from_17")}
    assert fans == {
        "h2": [0, 2, 2, 3, 3, 3, 3],
        "before_sep": [2, 4, 4, 4, 4, 4, 4],
        "from_17": [0, 0, 0, 1, 1, 1, 1],
    }
    assert fc.fan("late_starts")["p50"].tolist()[5:] == [0, 0, 2, 2, 3, 3, 3]
    assert engine.layout.windows == {
        ("h2", "sign"): (7, 12),
        ("before_sep", "sign"): (1, 8),
        ("from_17", "sign"): (8, 12),
        ("late_starts", "start"): (8, 12),
        ("h2_any", "sign"): (7, 12),
    }


def test_new_deals_judge_the_window_on_their_own_months(tmp_path):
    """Deals of an event in July sign in August and start in September, every one: they all
    count for signings from July and starts from August, none for signings before August, and
    no share of them is left to chance (trial by trial equal to all new signings)."""
    metrics = {
        "h2": WINDOWED["h2"],
        "before_aug": {
            "label": "8月前签约",
            "count": "signed",
            "where": {"signed_date": "< 2020-08-01"},
        },
        "late_starts": WINDOWED["late_starts"],
        "all_signed": WINDOWED["all_signed"],
        "all_started": {"label": "开工", "count": "started"},
    }
    zone = make_zone(
        tmp_path,
        [project("F", "signed", signed_date="2020-02-01", start_date="2020-03-01")],
        targets={"domestic_capital": {"annual": 1}, **{k: {"annual": 1} for k in metrics}},
        drivers=CERTAIN,
        metrics=metrics,
        events=[event("EV", months=(7,), expected_leads=20, conversion=0.5, lag_months=1)],
        event_plan=[{"event_id": "EV", "month": 7}],
    )
    fc = Engine(zone, as_of=AS_OF, trials=2000, seed=3).forecast()
    new = fc.year_end("all_signed") - 1  # F signed in February
    assert new.mean() == pytest.approx(10, rel=0.05)
    np.testing.assert_array_equal(fc.year_end("h2"), new)
    np.testing.assert_array_equal(fc.year_end("before_aug"), np.ones(2000))  # F only
    np.testing.assert_array_equal(fc.year_end("late_starts"), fc.year_end("all_started") - 1)
    np.testing.assert_array_equal(fc.year_end("late_starts"), new)
    assert fc.fan("h2")["p50"].tolist()[6:8] == [0, float(np.median(new))]

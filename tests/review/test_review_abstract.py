"""The review's opening paragraph: forecast parts that add up to the mean, and 3-5 sentences
from the figures (pacing, money targets' chances, biggest risk with its reason, one action),
first on the page and in summary.json; no red headline of P(all targets)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import SAMPLE_PARAMS
from workbook.review import review_params
from workbook.review.report import build_review
from workbook.review.sections.headline import money_parts


@pytest.fixture(scope="module")
def q2():
    return build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=2000))


@pytest.fixture(scope="module")
def q2_en():
    return build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=2000, lang="en"))


def _sentences(text: str, zh: bool) -> list[str]:
    parts = re.split(r"(?<=。)" if zh else r"(?<=\.)\s+(?=[A-Z])", text)
    return [p for p in parts if p.strip()]


def test_money_parts_add_up_to_the_forecast_mean(q2):
    from workbook.forecast.engine import Engine

    engine = Engine(q2.zone, as_of=q2.params.as_of, trials=2000, seed=1)
    fc = engine.forecast()
    parts = money_parts(fc, q2.zone.params)
    # the zone's own money target (长三角内资, declared in the params) too
    assert set(parts) == {"domestic_capital", "foreign_capital", "yrd_domestic"}
    for metric, p in parts.items():
        total = p["facts"] + p["started"] + p["signed"] + p["before_signing"] + p["new"]
        assert p["mean"] == pytest.approx(total, rel=1e-12)
        assert p["mean"] == pytest.approx(fc.targets.loc[metric, "mean"], rel=1e-6)
        assert p["facts"] == pytest.approx(fc.facts[metric])
        assert min(p.values()) >= 0
    # the sample's domestic capital to come is mostly from started projects
    d = parts["domestic_capital"]
    assert d["started"] > d["signed"] > 0 and d["started"] > d["new"]


def test_the_abstract_says_pace_chances_risk_and_action_from_the_figures(q2):
    text = q2.abstract()
    sentences = _sentences(text, zh=True)
    assert 3 <= len(sentences) <= 5, sentences
    h = q2["headline"].table.set_index("metric")
    n_behind = int((h["verdict"] == "behind").sum())
    assert sentences[0].startswith(f"截至2020年6月30日，{len(h)}项考核指标中")
    assert f"{n_behind}项滞后序时（实际使用外资" in sentences[0]
    p_dom = h.at["domestic_capital", "p_attain"]
    assert (
        f"内资到位达标概率{p_dom:.0%}（年末中位数{h.at['domestic_capital', 'p50']:,.2f}亿元" in text
    )
    assert f"实际使用外资达标概率{h.at['foreign_capital', 'p_attain']:.0%}" in text
    # the biggest risk is the target least likely to be met, with its figures
    risk = h["p_attain"].astype(float).idxmin()
    assert "最大风险是" in sentences[2]
    from workbook.text.labels import label

    assert label("metric", risk, "zh") in sentences[2]
    # a money target is the risk here (the sample's money runs behind its pace): its reason
    # is its parts, in its own unit
    parts = q2["headline"].parts
    assert risk in parts  # parts are kept for the money targets
    parts = parts[risk]
    unit = "亿美元" if risk == "foreign_capital" else "亿元"
    assert sentences[2].startswith(
        f"最大风险是{label('metric', risk, 'zh')}（达标概率{h.at[risk, 'p_attain']:.0%}）："
        f"已到位{parts['facts']:,.2f}{unit}"
    )
    g, nq = q2["next_quarter"].goal_seek, q2["next_quarter"]
    if g["current"] >= g["probability"]:  # 内资到位 likely enough: the action is the events
        gains = (nq.p_with_plan - h["p_attain"]).dropna()
        best = gains.idxmax()
        assert sentences[-1] == (
            f"建议：按剩余预算安排{len(nq.plan)}场招商活动（费用{nq.plan['cost'].sum():,.0f}万元），"
            f"{label('metric', best, 'zh')}达标概率由{h.at[best, 'p_attain']:.0%}变为"
            f"{nq.p_with_plan[best]:.0%}。"
        )
    else:  # short of 80%: the action is the extra signed capital the goal seek gives
        assert sentences[-1].startswith(
            f"建议：在现有基础上新增签约资金约{g['extra_signed_capital']:,.2f}亿元，"
            f"可使内资到位达标概率由{g['current']:.0%}"
        )
    assert "全部目标同时达成的概率" not in text
    assert q2.summary()["abstract"] == text


def test_a_goal_seek_short_of_80_percent_is_the_action(q2):
    """When 内资到位 is below 80%, the action is the extra signed capital the goal seek gives."""
    import dataclasses

    g = {**q2["next_quarter"].goal_seek, "current": 0.5, "extra_signed_capital": 12.345}
    rv = q2.with_results(next_quarter=dataclasses.replace(q2["next_quarter"], goal_seek=g))
    assert _sentences(rv.abstract(), zh=True)[-1] == (
        "建议：在现有基础上新增签约资金约12.35亿元，可使内资到位达标概率由50%升至80%。"
    )


def test_a_money_risk_gives_its_reason_from_the_forecast_parts(q2):
    """When the least likely target is a money one, the reason is its parts."""
    import dataclasses

    head = q2["headline"].table.copy()
    head.loc[head["metric"] == "foreign_capital", "p_attain"] = 0.0  # now the lowest
    rv = q2.with_results(headline=dataclasses.replace(q2["headline"], table=head))
    parts = rv["headline"].parts["foreign_capital"]
    text = rv.abstract()
    pipeline = parts["started"] + parts["signed"] + parts["before_signing"]
    assert "最大风险是实际使用外资（达标概率0%）" in text
    assert (
        f"已到位{parts['facts']:,.2f}亿美元，台账在途项目预计年内再到位{pipeline:,.2f}亿美元"
        in text
    )
    assert f"比目标少{1.9 - parts['mean']:,.2f}亿美元" in text


def test_english_abstract_and_the_page_opens_with_it(q2_en):
    text = q2_en.abstract()
    n = len(q2_en["headline"].table)
    assert text.startswith(f"As of 2020-06-30, of {n} targets")
    assert 3 <= len(_sentences(text, zh=False)) <= 5
    assert "The biggest risk is" in text and "Action:" in text
    title = q2_en.section_html("title")
    h1 = title.index("</h1>")
    assert title[h1:].startswith('</h1><p class="wb-abstract">As of 2020-06-30')  # first
    headline = q2_en.section_html("headline")
    # P(all targets) is a plain note, not a red key line (campaign titles are key lines)
    assert f'<p class="wb-note">Chance that all {n} targets are met at once' in headline


def test_recommended_events_read_in_wan_with_the_plans_effect_beside_them(q2):
    import re

    html = re.sub(r"<script.*?</script>", "", q2.section_html("next_quarter"))
    row = html[html.index('<div class="wb-row"><table') :]
    plan_table, effect_table = row.split("</table>", 2)[:2]
    assert "<th>活动名称</th>" in plan_table and "<th>预期年内到位(万元)</th>" in plan_table
    wan = [
        float(v.replace(",", ""))
        for v in re.findall(r'class="num">([\d,.]+)</td></tr>', plan_table)
    ]
    expected = sorted(q2["next_quarter"].plan["expected_capital"] * 10_000)
    assert sorted(round(v, 2) for v in wan) == sorted(round(v, 2) for v in expected)
    assert "达标概率（按推荐安排）" in effect_table and "变化(百分点)" in effect_table
    before = q2["headline"].table.set_index("metric")["p_attain"]["domestic_capital"]
    after = q2["next_quarter"].p_with_plan["domestic_capital"]
    assert (
        f'<td>内资到位</td><td class="num">{before:.1%}</td><td class="num">{after:.1%}</td>'
        in effect_table
    )


def test_the_review_recommends_the_events_that_maximise_p_domestic_capital(q2):
    from workbook.forecast.engine import Engine
    from workbook.roadshow.problem import build_problem
    from workbook.roadshow.solve import solve

    how = q2["next_quarter"].objective
    assert how["objective"] == "p:domestic_capital" and how["samples"] == 2000
    assert how["gap"] == pytest.approx(0.0, abs=1e-9) and not how["time_limit_hit"]
    plan = q2.summary()["next_quarter"]["plan"]
    assert plan["objective"]["objective"] == "p:domestic_capital"
    # on the review's own trials, never below the expected-value plan
    engine = Engine(q2.zone, as_of=q2.params.as_of, trials=2000, seed=1)
    problem = build_problem(q2.zone.params, q2.zone.events, budget=300, as_of=dt.date(2020, 7, 1))
    p_expected = engine.forecast(plan=solve(problem).held()).targets.loc[
        "domestic_capital", "p_attain"
    ]
    assert q2["next_quarter"].p_with_plan["domestic_capital"] >= p_expected
    assert "活动按内资到位达标概率最大选择" in q2.section_html("next_quarter")


def test_a_review_without_a_feasible_plan_says_why_and_has_no_objective():
    """Budget 0: no event can be held (each office must run one), the review still builds."""
    rv = build_review(review_params(SAMPLE_PARAMS, "2020Q2", trials=300, budget=0))
    nq = rv["next_quarter"]
    assert nq.plan is None and nq.objective is None and nq.plan_problems
    assert rv.summary()["next_quarter"]["plan"] is None
    # no plan: the only action the abstract may state is the goal seek's extra capital
    g = nq.goal_seek
    if g["current"] >= g["probability"]:
        assert "建议" not in rv.abstract()
    else:
        assert "建议：在现有基础上新增签约资金约" in rv.abstract()
    assert rv.abstract().endswith("。")
    html = rv.section_html("next_quarter")
    assert nq.plan_problems[0] in html

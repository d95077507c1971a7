"""The review's opening paragraph: forecast parts that add up to the mean, and a few sentences
from the figures (pacing, every target needing attention with its chance, the biggest risk with
its reason, the events recommended and what they do to it, else what would), first on the page
and in summary.json; no red headline of P(all targets)."""

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
    from workbook.text.catalogue import label

    own = q2.context.zone.params.metric_labels  # the zone's own targets are named too
    text = q2.abstract()
    sentences = _sentences(text, zh=True)
    assert 4 <= len(sentences) <= 6, sentences
    h = q2["headline"].table.set_index("metric")
    verdicts = h["verdict"].value_counts()
    assert sentences[0] == (
        f"截至2020年6月30日，{len(h)}项考核指标中{verdicts['ahead']}项超序时、"
        f"{verdicts['on_pace']}项符合序时、{verdicts['behind']}项滞后序时。"
    )
    # every target behind pace, and every other one under an even chance, named with its
    # chance: money with its expected year-end value (the forecast's mean, the statistic of
    # the whole paragraph), counts with the count so far
    means = q2.context.forecast.targets["mean"]
    p = h["p_attain"].astype(float)
    named = [m for m in h.index if h.at[m, "verdict"] == "behind" or p[m] < 0.5]
    assert {"new_starts", "projects_100", "china500_signings"} <= set(named)  # counts too
    for m in named:
        name = label("metric", m, "zh", own)
        if m in q2["headline"].parts:
            unit = "亿美元" if m == "foreign_capital" else "亿元"
            said = f"{name}{p[m]:.0%}（预计年末{means[m]:,.2f}{unit}，目标{h.at[m, 'target']:,.2f}{unit}）"
        else:
            said = f"{name}{p[m]:.0%}（目前{h.at[m, 'actual']:,.0f}个，目标{h.at[m, 'target']:,.0f}个）"
        assert said in sentences[1], said
    assert sentences[1].endswith(f"其余{len(h) - len(named)}项达标概率不低于五成。")
    assert "中位数" not in text and "P50" not in text  # one statistic throughout
    # the biggest risk is the target least likely to be met, with its parts in its own unit
    risk = p.idxmin()
    parts = q2["headline"].parts[risk]
    unit = "亿美元" if risk == "foreign_capital" else "亿元"
    assert sentences[2].startswith(
        f"最大风险是{label('metric', risk, 'zh', own)}（达标概率{p[risk]:.0%}）："
        f"已到位{parts['facts']:,.2f}{unit}"
    )
    assert f"预计年末{parts['mean']:,.2f}{unit}" in sentences[2]
    # the action names the events: month, name, office and cost of the largest ones
    nq = q2["next_quarter"]
    action = "".join(sentences[3:])
    assert action.startswith(
        f"建议用剩余预算安排{len(nq.plan)}场招商活动（共{nq.plan['cost'].sum():,.0f}万元）："
    )
    top = nq.plan.sort_values("expected_capital", ascending=False, kind="stable").head(4)
    for r in top.itertuples():
        assert f"{r.month}月{r.name}（{r.office}，{r.cost:,.0f}万元）" in action
    # ... and what they do to the biggest risk: here nothing, so what would, with no ask
    # beyond the year's target printed as a recommendation
    after = nq.p_with_plan[risk]
    assert after - p[risk] < 0.01
    assert f"但改变不了{label('metric', risk, 'zh', own)}的达标概率（仍约{p[risk]:.0%}）" in action
    g = nq.risk_goal_seek
    assert g is not None and g["metric"] == risk and g["beyond_target"]
    assert f"约为全年目标的{g['extra_signed_capital'] / g['target']:.1f}倍" in action
    assert f"{g['extra_signed_capital']:,.2f}" not in action
    assert "全部目标同时达成的概率" not in text
    assert q2.summary()["abstract"] == text


def _with_risk(q2, metric, p):
    """The review with `metric` the least likely target, at chance `p`, which the recommended
    events leave where it is."""
    import dataclasses

    head = q2["headline"].table.copy()
    head.loc[head["p_attain"] < p + 0.01, "p_attain"] = p + 0.01
    head.loc[head["metric"] == metric, "p_attain"] = p
    flat = q2["next_quarter"].p_with_plan.copy()
    flat[metric] = p
    return q2.with_results(
        headline=dataclasses.replace(q2["headline"], table=head),
        next_quarter=dataclasses.replace(q2["next_quarter"], p_with_plan=flat),
    )


def test_events_that_move_the_biggest_risk_are_the_action(q2):
    import dataclasses

    rv = _with_risk(q2, "domestic_capital", 0.3)
    nq = rv["next_quarter"]
    lifted = nq.p_with_plan.copy()
    lifted["domestic_capital"] = 0.45
    rv = rv.with_results(next_quarter=dataclasses.replace(nq, p_with_plan=lifted))
    assert rv.abstract().endswith("，可使内资到位达标概率由30%升至45%。")


def test_a_goal_seek_within_the_target_is_what_would_move_the_risk(q2):
    import dataclasses

    rv = _with_risk(q2, "domestic_capital", 0.3)
    g = {
        **q2["next_quarter"].goal_seek,
        "current": 0.3,
        "extra_signed_capital": 12.345,
        "beyond_target": False,
    }
    nq = dataclasses.replace(rv["next_quarter"], plan=None, risk_goal_seek=g)
    assert _sentences(rv.with_results(next_quarter=nq).abstract(), zh=True)[-2:] == [
        "剩余预算内没有可安排的活动能改变内资到位的达标概率。",
        "要使内资到位达标概率达到80%，需在现有基础上尽快新增签约资金约12.35亿元。",
    ]


def test_an_ask_beyond_the_target_is_explained_not_recommended(q2):
    """On the second sample zone the goal seek asked for 600亿 against a 38亿 target: the
    abstract says how many times the target that is and where the gap must come from."""
    import dataclasses

    rv = _with_risk(q2, "domestic_capital", 0.0)
    g = {
        **q2["next_quarter"].goal_seek,
        "current": 0.0,
        "extra_signed_capital": 604.58,
        "target": 56.0,
        "beyond_target": True,
    }
    nq = dataclasses.replace(rv["next_quarter"], risk_goal_seek=g)
    text = rv.with_results(next_quarter=nq).abstract()
    assert "但改变不了内资到位的达标概率（仍约0%）" in text
    parts = q2["headline"].parts["domestic_capital"]
    in_hand = parts["started"] + parts["signed"] + parts["before_signing"]
    assert "604" not in text
    assert text.endswith(
        "仅靠新签约补不上这一缺口（新签约项目今年余下月份到位有限，要使内资到位有80%把握，"
        f"需新增的签约资金约为全年目标的{604.58 / 56:.1f}倍）；约{56 - parts['mean']:,.2f}亿元的缺口"
        f"只能靠台账在途项目比预计（年内再到位{in_hand:,.2f}亿元）更快开工、更多到位。"
    )


def test_a_count_risk_says_how_many_more_it_needs(q2):
    import dataclasses

    rv = _with_risk(q2, "projects_100", 0.0)
    nq = dataclasses.replace(rv["next_quarter"], risk_goal_seek=None)
    text = rv.with_results(next_quarter=nq).abstract()
    actual = int(q2["headline"].table.set_index("metric").at["projects_100", "actual"])
    assert "最大风险是百亿元以上项目（达标概率0%）：目前" in text
    assert text.endswith(f"要达标，百亿元以上项目年内还需再有{1 - actual}个。")


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
    assert text.startswith(f"As of 30 June 2020, of {n} targets")
    assert 4 <= len(_sentences(text, zh=False)) <= 6
    assert "The biggest risk is" in text and "Action: hold the" in text
    assert "Targets needing attention (the chance of meeting each) behind pace: " in text
    assert "median" not in text and "P50" not in text
    title = q2_en.section_html("title")
    h1 = title.index("</h1>")
    assert title[h1:].startswith('</h1><p class="wb-abstract">As of 30 June 2020')  # first
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
    # no plan: no event is recommended; what would move the biggest risk is said instead
    assert "建议" not in rv.abstract()
    assert "剩余预算内没有可安排的活动能改变实际使用外资的达标概率。" in rv.abstract()
    assert rv.abstract().endswith("。")
    html = rv.section_html("next_quarter")
    assert nq.plan_problems[0] in html


def test_plain_words_in_the_body_and_the_brier_score_only_in_the_appendix(q2):
    """No P50, P10–P90 or Brier in leader text: 中位数 and 八成把握区间 in the body, the Brier
    score in the technical appendix with a sentence saying what it means."""
    for name in q2.names:
        html = q2.section_html(name)
        if name == "appendix":
            continue
        for word in ("P50", "P10", "P90", "Brier", "2020Q2"):
            assert word not in html, (name, word)
    assert "年末中位数" in q2.section_html("headline")
    # the phased share the verdict uses, beside the time elapsed
    assert "<th>序时进度</th><th>序时目标比例</th><th>序时目标</th>" in q2.section_html("headline")
    assert "<h1>济宁高新区2020年第二季度招商引资工作季度评估</h1>" in q2.section_html("title")
    bt = q2["headline"].backtest
    appendix = q2.section_html("appendix")
    assert q2.names[-1] == "appendix" and "附：技术说明" in appendix
    assert (
        f"以往{len(bt.forecasts)}项预测的Brier评分为{bt.brier:.3f}：即各项预测所给达标概率与实际是否达成"
        in appendix
    )
    assert f"期望约为{bt.expected_brier:.3f}" in appendix
    how = q2["next_quarter"].objective
    assert (
        f"推荐活动按样本平均近似法选择（在{how['samples']:,}次模拟上求解混合整数规划），最优性差距{how['gap']:.2%}"
        in appendix
    )
    assert "样本平均近似" not in q2.section_html("next_quarter")
    assert "Brier" not in q2.abstract()

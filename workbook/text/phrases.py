"""Phrases of the roadshow, the planners, the charts and the commands, in both languages.

Entries of the one catalogue (`workbook.text.catalogue`), keyed by id: `say(id, lang, **fields)`.
"""

from __future__ import annotations

from workbook.text.catalogue import Entry, add

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

PHRASES: dict[str, Entry] = {
    # ---- words and separators as each language writes them
    "sep.list": Entry("、", ", "),
    "sep.clause": Entry("；", "; "),
    "sep.comma": Entry("，", ", "),
    "word.none": Entry("无", "none"),
    "word.all_year": Entry("全年", "all year"),
    # ---- months: month.name.<m> is bare (3 / Mar), month.one and month.run put it in words
    "month.one": Entry("{m}月", "{m}"),
    "month.run": Entry("{a}–{b}月", "{a}–{b}"),
    # ---- the planner pages
    "planner.details": Entry("详情", "Details"),
    # ---- how a roadshow plan was chosen (workbook.roadshow.service)
    "plan.objective_expected": Entry(
        "目标：预期年内到位资金加500强签约（期望值）",
        "objective: expected in-year capital plus 500-strong signings",
    ),
    "plan.every_target_met": Entry("全部目标同时达成", "every target met"),
    "plan.target_met": Entry("{metric}达标", "{metric} met"),
    "plan.objective_chance": Entry(
        "目标：{what}的概率最大（样本平均近似，S={samples:,}次模拟，其中{trials:,}次取决于方案；"
        "最优性差距{gap}，用时{seconds:.1f}秒）",
        "objective: the chance of {what} (sample average approximation over S={samples:,} "
        "trials, {trials:,} of them decided by the plan; optimality gap {gap}, {seconds:.1f} s)",
    ),
    "plan.time_limit_fallback": Entry(
        "求解达到时间上限，改用期望值方案。",
        "the solver hit its time limit: the expected-value plan is used.",
    ),
    "plan.greedy_wins": Entry(
        "按同一组模拟，{name}的达标概率（{p:.1%}）不低于其他方案，采用该方案。",
        "on the same trials the {name} scores highest ({p:.1%}): it is used.",
    ),
    "plan.proven": Entry(
        "已证明最优，差距{gap:.2%}，用时{seconds:.2f}秒", "proven optimal, gap {gap:.2%}, {seconds:.2f} s"
    ),
    "plan.time_limit": Entry("达到时间上限，差距{gap:.2%}", "time limit reached, gap {gap:.2%}"),
    "plan.share_of_optimum": Entry("，为优化方案的{ratio:.0%}", ", {ratio:.0%} of the optimum"),
    "plan.objective_word": Entry("目标函数值", "objective"),
    "plan.expected_value_word": Entry("期望价值", "expected value"),
    "plan.optimal_summary": Entry(
        "优化方案：{events}场活动，费用{cost:g}万元，预期年内到位资金{capital:.2f}亿元，"
        "预期新签500强{e500:.2f}个，{word}{objective:.3f}（{proof}）",
        "optimal plan: {events} events, cost {cost:g} (10k CNY), expected in-year capital "
        "{capital:.2f} (100m CNY), expected new 500-strong signings {e500:.2f}, {word} "
        "{objective:.3f} ({proof})",
    ),
    "plan.greedy_summary": Entry(
        "贪心方案（按性价比）：{events}场活动，费用{cost:g}万元，{word}{objective:.3f}{share}",
        "greedy plan (value per cost): {events} events, cost {cost:g}, {word} {objective:.3f}{share}",
    ),
    "plan.greedy_unmet": Entry("贪心方案未满足：{unmet}", "the greedy plan misses: {unmet}"),
    "plan.all_targets": Entry("全部目标", "all targets"),
    "plan.needs_simulation": Entry(
        "--objective {objective} 需要模拟：请去掉 --no-simulate",
        "--objective {objective} needs the simulation: leave out --no-simulate",
    ),
    # ---- why no roadshow plan is feasible (workbook.roadshow.explain)
    "rs.office": Entry("驻{region}招商机构", "{region} office"),
    "rs.office_must": Entry("{name}须至少举办一场活动", "{name} must run at least one event"),
    "rs.cloud_must": Entry("须至少举办{m}场云招商活动", "at least {m} cloud events must be held"),
    "rs.budget": Entry("预算{budget}", "a budget of {budget}"),
    "rs.staff_limit": Entry(
        "{month}人力不超过{cap:g}人天", "at most {cap:g} staff-days in {month}"
    ),
    "rs.count_limit": Entry("{month}最多{n}场活动", "at most {n} events in {month}"),
    "rs.count_limit_one": Entry("{month}最多{n}场活动", "at most {n} event in {month}"),
    "rs.past": Entry("{months}已过", "{months} already past"),
    "rs.restricted": Entry("{months}受限制", "forbidden in {months}"),
    "rs.restricted_by": Entry("{months}受限制“{reason}”", "forbidden in {months} by “{reason}”"),
    "rs.holiday": Entry(
        "{months}避开{names}后排不下{days}天", "no {days}-day run clear of {names} in {months}"
    ),
    "rs.no_month": Entry("无可办月份", "no month it can be held"),
    "rs.office_no_candidate": Entry(
        "{name}须至少举办一场活动，但活动目录中没有它承办的候选活动",
        "{name} must run an event but the catalogue has no candidate event of it",
    ),
    "rs.office_no_month": Entry(
        "{name}须至少举办一场活动，但其候选活动在计划月份（{months}）都不能举办：{detail}",
        "{name} must run an event but none of its candidates can be held in the "
        "months planned ({months}): {detail}",
    ),
    "rs.cloud_no_month": Entry(
        "须至少举办{m}场云招商活动，但计划月份（{months}）只有{k}场云招商候选活动可以举办",
        "at least {m} cloud events must be held but only {k} cloud candidates can be held "
        "in the months planned ({months})",
    ),
    "rs.office_priced_out": Entry(
        "{name}须至少举办一场活动，但其每个候选活动的费用都超过",
        "{name} must run an event but every candidate of it costs more than the",
    ),
    "rs.office_cheapest": Entry(
        "其最便宜的候选活动{what}需{cost}", "its cheapest candidate, {what}, costs {cost}"
    ),
    "rs.cloud_priced_out": Entry(
        "须至少举办{m}场云招商活动，但最便宜的{m}场云招商活动合计费用超过",
        "at least {m} cloud events must be held but the cheapest {m} cloud candidates cost "
        "more than the",
    ),
    "rs.cloud_cheapest": Entry("最便宜的是{what}，合计{cost}", "the cheapest are {what}, {cost} together"),
    "rs.over_budget": Entry("{head}预算（{budget}）；{cheap}", "{head} budget ({budget}); {cheap}"),
    "rs.over_remaining": Entry(
        "{head}剩余预算：预算{budget}，其他必办活动（{names}）至少需{spent}，剩余{left}；{cheap}",
        "{head} remaining budget: of the budget of {budget}, the other required events "
        "({names}) need at least {spent}, leaving {left}; {cheap}",
    ),
    "rs.cloud_n": Entry("{m}场云招商", "{m} cloud events"),
    "rs.office_staff": Entry(
        "{name}须至少举办一场活动，但其每个候选活动所需人力（至少{least:g}人天）都超过每月人力上限"
        "（{cap:g}人天）",
        "{name} must run an event but every candidate of it needs more staff-days "
        "(at least {least:g}) than a month allows ({cap:g})",
    ),
    "rs.cloud_staff": Entry(
        "须至少举办{m}场云招商活动，但每月人力上限（{cap:g}人天）容纳不下",
        "at least {m} cloud events must be held but they do not fit in the staff capacity "
        "of {cap:g} staff-days a month",
    ),
    "rs.no_month_left": Entry(
        "{year}年在{after}之后已没有可安排活动的月份，必办活动无法安排",
        "no month of {year} is left to plan after {after}, so the required events cannot be "
        "held",
    ),
    "rs.required_cost": Entry(
        "必办活动（{names}）合计至少需{need}，超过预算{budget}",
        "the required events ({names}) cost at least {need} together, more than the budget "
        "of {budget}",
    ),
    "rs.together": Entry("以下约束不能同时满足：{parts}", "no plan meets these constraints together: {parts}"),
    "rs.count_room": Entry(
        "必办活动至少{need:g}场，而{months}最多只能安排{room}场",
        "the required events number at least {need:g}, but {months} take at most {room}",
    ),
    "rs.budget_needed": Entry(
        "预算至少{need}才有可行方案", "a budget of at least {need} would make a plan possible"
    ),
}
PHRASES.update(
    {f"month.name.{m}": Entry(str(m), en) for m, en in enumerate(MONTHS_EN, start=1)}
)

add(PHRASES)

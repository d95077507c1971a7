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
    "word.yes": Entry("是", "yes"),
    "word.no": Entry("否", "no"),
    # ---- months: month.name.<m> is bare (3 / Mar), month.one and month.run put it in words
    "month.one": Entry("{m}月", "{m}"),
    "month.run": Entry("{a}–{b}月", "{a}–{b}"),
    "month.numbered": Entry("{m}月", "M{m}"),
    "chart.month_format": Entry("%-m月", "%b"),  # a d3 time format for month axes
    # ---- a 百日攻坚 campaign (workbook.zone.campaigns)
    "campaign.heading": Entry(
        "{name} {start} 至 {end}，截至 {as_of} 第 {day}/{days} 天",
        "{name} {start} to {end}, {as_of}: day {day} of {days}",
    ),
    "campaign.heading.ended": Entry(
        "{name} {start} 至 {end}，截至 {as_of} 已结束（共 {days} 天）",
        "{name} {start} to {end}, {as_of}: ended (all {days} days)",
    ),
    "campaign.heading.not_started": Entry(
        "{name} {start} 至 {end}，截至 {as_of} 尚未开始（共 {days} 天）",
        "{name} {start} to {end}, {as_of}: not started ({days} days)",
    ),
    # ---- the command line: argparse's own messages (workbook.cli._common), read into parts
    "cli.usage": Entry("用法：", "usage: "),
    "cli.error": Entry("错误：", "error: "),
    "argparse.required": Entry(
        "缺少必需的参数：{args}", "the following arguments are required: {args}"
    ),
    "argparse.choice": Entry(
        "参数 {arg}：无效的选项 {value}（可选：{valid}）",
        "argument {arg}: invalid choice: {value} (choose from {valid})",
    ),
    "argparse.value": Entry(
        "参数 {arg}：无效的值 {value}（应为{type}）",
        "argument {arg}: invalid {type} value: {value}",
    ),
    "argparse.type.int": Entry("整数", "int"),
    "argparse.type.float": Entry("数字", "float"),
    "argparse.one": Entry("参数 {arg}：缺少取值", "argument {arg}: expected one argument"),
    "argparse.some": Entry(
        "参数 {arg}：至少需要一个取值", "argument {arg}: expected at least one argument"
    ),
    "argparse.not_with": Entry(
        "参数 {arg}：不能与参数 {other} 同时使用",
        "argument {arg}: not allowed with argument {other}",
    ),
    "argparse.ignored": Entry(
        "参数 {arg}：多余的取值 {value}", "argument {arg}: ignored explicit argument {value}"
    ),
    "argparse.unrecognized": Entry("无法识别的参数：{args}", "unrecognized arguments: {args}"),
    "argparse.ambiguous": Entry(
        "选项 {arg} 有歧义，可能是：{valid}", "ambiguous option: {arg} could match {valid}"
    ),
    "argparse.one_of": Entry(
        "必须给出以下参数之一：{args}", "one of the arguments {args} is required"
    ),
    "argparse.argument": Entry("参数 {arg}：{text}", "argument {arg}: {text}"),
    # ---- the planners' home page (workbook.planners.home)
    "html.lang": Entry("zh-CN", "en"),
    "home.logout": Entry(
        "退出登录",
        "Log out",
    ),
    "home.zones_title": Entry(
        "招商引资规划",
        "Investment promotion planners",
    ),
    "home.zones": Entry(
        "您可使用的园区",
        "Your zones",
    ),
    "home.no_zones": Entry(
        "您的账户尚未开通任何园区，请联系本局管理员。",
        "No zone is open to your account yet: ask your bureau's administrator.",
    ),
    # ---- the login and refusal pages (workbook.planners.login), the audit log page
    "login.title": Entry(
        "招商引资规划 · 登录",
        "Investment promotion planners: log in",
    ),
    "login.heading": Entry(
        "登录",
        "Log in",
    ),
    "login.name": Entry(
        "用户名",
        "User name",
    ),
    "login.password": Entry(
        "密码",
        "Password",
    ),
    "login.submit": Entry(
        "登录",
        "Log in",
    ),
    "login.failed": Entry(
        "用户名或密码不正确。",
        "Wrong user name or password.",
    ),
    "login.throttled": Entry(
        "登录失败次数过多，请几分钟后再试。",
        "Too many failed attempts: try again in a few minutes.",
    ),
    "login.expired": Entry(
        "登录已过期，请重新登录。",
        "Your session has ended: please log in again.",
    ),
    "login.logged_out": Entry(
        "您已退出登录。",
        "You have logged out.",
    ),
    "login.busy_title": Entry(
        "服务器繁忙",
        "Server busy",
    ),
    "login.busy": Entry(
        "服务器繁忙：打开的规划页面过多。请关闭不再使用的页面，或几分钟后再试。",
        "The server is busy: too many planner pages are open. Close a page you no longer use, or try again in a few minutes.",
    ),
    "login.denied_title": Entry(
        "无权访问",
        "Not permitted",
    ),
    "login.denied": Entry(
        "您的账户无权打开此页面，请联系本局管理员开通。",
        "Your account may not open this page. Ask your bureau's administrator for access.",
    ),
    "login.params_title": Entry(
        "园区参数有误",
        "Zone settings broken",
    ),
    "login.params": Entry(
        "该园区的参数文件有误，规划页面暂时无法打开；详情已记录在服务器日志中，请联系本局管理员修正。",
        "This zone's params file has an error, so its planners cannot open now; the details are in the server's log. Ask your bureau's administrator to correct it.",
    ),
    "login.error_title": Entry(
        "出错了",
        "Something went wrong",
    ),
    "login.error": Entry(
        "页面无法显示，详情已记录在服务器日志中。",
        "The page could not be shown; the details are in the server's log.",
    ),
    "login.home": Entry(
        "返回首页",
        "Back to the home page",
    ),
    "login.logout": Entry(
        "退出登录",
        "Log out",
    ),
    "audit.title": Entry(
        "{zone} 操作记录",
        "{zone}: audit log",
    ),
    "audit.at": Entry(
        "时间（UTC）",
        "When (UTC)",
    ),
    "audit.event": Entry(
        "操作",
        "What",
    ),
    "audit.user": Entry(
        "用户",
        "Who",
    ),
    "audit.what": Entry(
        "内容",
        "Detail",
    ),
    "audit.none": Entry(
        "暂无记录。",
        "Nothing recorded yet.",
    ),
    "audit.login": Entry(
        "登录",
        "log in",
    ),
    "audit.save": Entry(
        "保存情景",
        "save scenario",
    ),
    "audit.overwrite": Entry(
        "覆盖情景",
        "overwrite scenario",
    ),
    "audit.export": Entry(
        "导出",
        "export",
    ),
    "home.title": Entry(
        "{zone} 招商引资规划",
        "{zone}: investment promotion planners",
    ),
    "home.planners": Entry(
        "规划工具",
        "Planners",
    ),
    "home.scenario": Entry(
        "情景规划",
        "Scenario planner",
    ),
    "home.scenario_line": Entry(
        "调整转化率、延期、资金到位比例和活动等因素，查看今年各项指标的达标概率；比较并保存情景。",
        "Move the drivers (conversion, slippage, capital arrival, events) and see the chance of meeting each target this year; compare and save scenarios.",
    ),
    "home.roadshow": Entry(
        "推介活动规划",
        "Roadshow planner",
    ),
    "home.roadshow_line": Entry(
        "在预算和人手限制下选择举办哪些推介活动、安排在哪个月，并导出Excel和日历。",
        "Choose which promotion events to hold in which months under a budget and staff limits, and export the plan to Excel and a calendar.",
    ),
    "home.reviews": Entry(
        "最新季度分析报告",
        "Latest quarterly reviews",
    ),
    "home.no_reviews": Entry(
        "暂无报告：运行 workbook review 生成后会显示在这里。",
        "No review yet: run `workbook review` and it appears here.",
    ),
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
        "按同一组模拟，期望值方案的达标概率不低于求解器在时限内找到的方案，采用该方案。",
        "on the same trials the expected-value plan scores at least as high as the solver's best "
        "within its time limit: it is used.",
    ),
    "plan.window.months": Entry(
        "计划月份{months}：截至日期（{day}）之后的月份，此前的月份已过，活动只能在各自目录所列月份举办。",
        "months planned {months}: the months after the as-of date ({day}), the earlier ones "
        "being past; each event only in the months its catalogue lists.",
    ),
    "plan.window.early": Entry(
        "方案的活动都在{span}：越早举办，活动带来的项目在年内签约、开工和资金到位的时间越长。",
        "the plan's events are all in {span}: the earlier an event, the more of the year is left "
        "for its deals to sign, start and pay.",
    ),
    "plan.window.example": Entry(
        "方案的活动都在{span}：越早举办，活动带来的项目在年内签约、开工和资金到位的时间越长，"
        "例如{name}{month}举办预期年内到位{now}万元，{late}举办仅{then}万元。",
        "the plan's events are all in {span}: the earlier an event, the more of the year is left "
        "for its deals to sign, start and pay; e.g. {name} held in {month} is expected to bring "
        "{now} (10k CNY) this year, held in {late} {then}.",
    ),
    "plan.others_met": Entry("其余{n}项目标同时达成", "the other {n} targets met together"),
    "plan.out_of_reach.item": Entry("{name}（{p:.1%}）", "{name} ({p:.1%})"),
    "plan.out_of_reach": Entry(
        "无法达成的目标：{names}——即使剩余月份的候选活动全部举办，在{samples:,}次模拟中"
        "也不能与其余目标同时达成（括号内为其单独达成的模拟占比），方案不以其为目标；"
        "按其余{n}项目标同时达成计，本方案为{p_plan:.1%}，不办新活动为{p_none:.1%}。",
        "out of reach: {names}: even with every candidate event held, no trial of {samples:,} "
        "meets it together with the other targets (in brackets: the share of trials meeting it "
        "on its own), so the plan leaves it out; the other {n} targets are met together with "
        "{p_plan:.1%} by this plan, {p_none:.1%} without new events.",
    ),
    "plan.gap.proven_best": Entry(
        "已证明为这{samples:,}次模拟上达标概率最高的方案（{p:.2%}）。",
        "proven the best plan on these {samples:,} trials (P {p:.2%}).",
    ),
    "plan.gap.no_bound": Entry(
        "求解达到时间上限，未得到最优性界限：本方案是各候选方案中样本内达标概率最高的。",
        "the solver hit its time limit without a bound: the plan is the best of the candidates "
        "on these trials, not proven best.",
    ),
    "plan.gap.within_bound": Entry(
        "已证明本方案（{p:.2%}）与最优方案相差不超过{gap:.2%}（任何方案不超过{bound:.2%}）。",
        "the plan ({p:.2%}) is proven within {gap:.2%} of the best (no plan exceeds {bound:.2%}).",
    ),
    "plan.gap.within": Entry(
        "求解达到时间上限；已证明本方案（{p:.2%}）与最优方案相差不超过{gap:.2%}"
        "（任何方案不超过{bound:.2%}）。",
        "the solver hit its time limit; the plan ({p:.2%}) is proven within {gap:.2%} of the "
        "best (no plan exceeds {bound:.2%}).",
    ),
    "plan.gap.not_proven": Entry(
        "未能证明最优：求解达到时间上限，本方案达标概率{p:.2%}，任何方案不超过"
        "{bound:.2%}，与最优方案可能相差至多{gap:.1%}。",
        "not proven best: the solver hit its time limit; the plan reaches P {p:.2%}, no plan "
        "exceeds {bound:.2%}, so it may be up to {gap:.1%} below the best.",
    ),
    "plan.greedy_wins": Entry(
        "按同一组模拟，{name}的达标概率（{p:.1%}）不低于其他方案，采用该方案。",
        "on the same trials the {name} scores highest ({p:.1%}): it is used.",
    ),
    "plan.proven": Entry(
        "已证明最优，差距{gap:.2%}，用时{seconds:.2f}秒",
        "proven optimal, gap {gap:.2%}, {seconds:.2f} s",
    ),
    "plan.time_limit": Entry("达到时间上限，差距{gap:.2%}", "time limit reached, gap {gap:.2%}"),
    "plan.within": Entry(
        "已证明与最优相差不超过{gap:.2%}，用时{seconds:.2f}秒",
        "proven within {gap:.2%} of the optimum, {seconds:.2f} s",
    ),
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
    "plan.sheet_plan": Entry("活动计划", "Plan"),
    "plan.sheet_summary": Entry("汇总", "Summary"),
    "plan.sheet_compare": Entry("达标概率对比", "P(attain)"),
    "plan.chart_title": Entry("招商活动安排", "Roadshow plan"),
    "plan.frontier_title": Entry("预算与达标概率", "Budget and P(attain)"),
    # ---- errors a planner can see (InputError / ParamsError): what, where, expected, found
    "err.params_or_ledger": Entry(
        "请给出参数文件或 --ledger FILE 之一（不能同时给出）",
        "give either a params file or --ledger FILE (not both)",
    ),
    "err.arrivals_without_ledger": Entry(
        "--arrivals 须与 --ledger 一起使用",
        "--arrivals goes with --ledger",
    ),
    "err.prior_weight": Entry(
        "先验权重须大于0，实际为 {found:g}",
        "prior weight must be > 0, got {found:g}",
    ),
    "err.credible_level": Entry(
        "可信水平须在0到1之间，实际为 {found:g}",
        "credible level must be between 0 and 1, got {found:g}",
    ),
    "err.unknown_scenario": Entry(
        "未知情景 {name!r}（应为以下之一：{valid}）",
        "unknown scenario {name!r} (expected one of {valid})",
    ),
    "err.none_defined": Entry(
        "未定义任何情景",
        "none defined",
    ),
    "err.trials": Entry(
        "模拟次数须为不小于1的整数，实际为 {found}",
        "trials must be a whole number >= 1, got {found}",
    ),
    "err.count_metric": Entry(
        "{metric} 是计数指标：新增签约资金不影响它",
        "{metric} is a count: signed capital does not move it",
    ),
    "err.probability": Entry(
        "概率须大于0且不超过1，实际为 {found:g}",
        "probability must be in (0, 1], got {found:g}",
    ),
    "err.unknown_lever": Entry(
        "未知调节手段 {lever!r}（应为以下之一：{valid}）",
        "unknown lever {lever!r} (expected one of {valid})",
    ),
    "err.no_catalogue": Entry(
        "该园区没有活动目录（参数 data.events）",
        "the zone has no event catalogue (params data.events)",
    ),
    "err.no_events_of_kind": Entry(
        "活动目录中没有类型为 {kind!r} 的活动（现有类型：{kinds}）",
        "no events of kind {kind!r} in the catalogue (kinds: {kinds})",
    ),
    "err.params_not_from_file": Entry(
        "这些参数不是从文件读取的：请指定保存情景的文件夹",
        "these params were not read from a file: give a folder to save into",
    ),
    "err.unknown_stat": Entry(
        "未知统计量 {stat!r}（应为以下之一：{valid}）",
        "unknown statistic {stat!r} (expected one of {valid})",
    ),
    "err.no_scenarios": Entry(
        "参数中没有定义情景（scenarios: 段）",
        "the params define no scenarios (scenarios: section)",
    ),
    "err.no_sensitivity": Entry(
        "没有 {metric!r} 的敏感性结果",
        "no sensitivity rows for {metric!r}",
    ),
    "err.no_arrivals": Entry(
        "{year} 年没有到位资金记录，无法确定截至日期：请指定（--as-of 2020-06-30）",
        "no arrivals are logged for {year}, so there is no as-of date to take: give one (--as-of 2020-06-30)",
    ),
    "err.plan_columns": Entry(
        "活动计划须有 event_id 和 month 列，缺少 {missing}",
        "a plan needs columns event_id and month, missing {missing}",
    ),
    "err.plan_months": Entry(
        "计划月份须为1到12的整数，实际为 {found!r}",
        "plan months must be whole numbers 1..12, got {found!r}",
    ),
    "err.notebooks": Entry(
        "缺少笔记本 {names}",
        "missing notebook(s) {names}",
    ),
    "err.port": Entry(
        "--port 须在1到65535之间，实际为 {found}",
        "--port must be between 1 and 65535, got {found}",
    ),
    "err.cull_idle": Entry(
        "--cull-idle 须至少为1秒，实际为 {found}",
        "--cull-idle must be at least 1 second, got {found}",
    ),
    "err.no_params": Entry(
        "没有参数文件：请用 --params FILE 指定本园区的参数 YAML",
        "no params file: pass --params FILE (your zone's params YAML)",
    ),
    "err.no_catalogue_to_plan": Entry(
        "该园区没有活动目录（参数 data.events）：无可安排的活动",
        "the zone has no event catalogue (params data.events): nothing to plan",
    ),
    "err.unknown_channels": Entry(
        "活动目录中有未知的招商机构或平台：{names}（应为以下之一：{valid}）",
        "event catalogue names unknown offices or platforms: {names} (expected one of {valid})",
    ),
    "err.unknown_plan_scenario": Entry(
        "未知情景 {name!r}（参数中定义的有：{names}）",
        "unknown scenario {name!r} (the params define: {names})",
    ),
    "err.objective": Entry(
        "--objective 须为以下之一：{valid}，实际为 {found!r}",
        "--objective must be one of {valid}, got {found!r}",
    ),
    "err.not_solved": Entry(
        "无法求解活动方案：{reason}",
        "the plan could not be solved: {reason}",
    ),
    "err.event_month": Entry(
        "按本方案的规则，活动 {id} 不能在{month}月举办",
        "event {id} cannot be held in month {month} under this plan's rules",
    ),
    "err.holiday_calendar": Entry(
        "官方节假日日历没有 {year} 年的数据（{error}）；请升级 chinesecalendar 包",
        "the official holiday calendar has no data for {year} ({error}); upgrade the chinesecalendar package",
    ),
    # ---- `workbook plan` (workbook.cli.plan): its lines, and plan.xlsx's summary sheet
    "plan.cli_scenario": Entry("，情景：{name}", ", scenario {name}"),
    "plan.cli_head": Entry(
        "{zone} {year} 招商活动计划 — 预算{budget:g}万元，计划月份{months}（截至{as_of}{scenario}）",
        "{zone} {year} roadshow plan — budget {budget:g} (10k CNY), months {months} "
        "(as of {as_of}{scenario})",
    ),
    "plan.cli_compare": Entry(
        "达标概率对比（{trials:,}次模拟，共同随机数）：",
        "P(attain) by plan ({trials:,} trials, common random numbers):",
    ),
    "plan.file_title": Entry("{zone}{year}年招商活动计划", "{zone} {year} roadshow plan"),
    "plan.wrote": Entry("已写入：{files}", "wrote: {files}"),
    "plan.baseline": Entry("基准", "baseline"),
    "plan.sheet.goal": Entry("优化目标", "Objective"),
    "plan.sheet.samples": Entry("模拟次数S", "Trials S"),
    "plan.sheet.gap": Entry("最优性差距", "Optimality gap"),
    "plan.sheet.time_limit_hit": Entry("达到时间上限", "Time limit hit"),
    "plan.sheet.p_in_sample": Entry("样本内达标概率", "P in sample"),
    "plan.sheet.zone": Entry("园区", "Zone"),
    "plan.sheet.year": Entry("年度", "Year"),
    "plan.sheet.as_of": Entry("截至日期", "As of"),
    "plan.sheet.scenario": Entry("情景", "Scenario"),
    "plan.sheet.budget": Entry("预算(万元)", "Budget (10k CNY)"),
    "plan.sheet.cost": Entry("计划费用(万元)", "Plan cost (10k CNY)"),
    "plan.sheet.staff_days": Entry("每月人力上限(人天)", "Staff-days per month"),
    "plan.sheet.max_per_month": Entry("每月活动上限", "Events per month at most"),
    "plan.sheet.min_cloud": Entry("云招商活动至少", "Cloud events at least"),
    "plan.sheet.each_office": Entry("驻外机构各办一场", "Each office runs one"),
    "plan.sheet.weight_500": Entry("500强签约权重(亿元/个)", "Weight of a 500-strong signing"),
    "plan.sheet.holidays": Entry("避开节假日", "Holidays avoided"),
    "plan.sheet.capital": Entry("预期年内到位(亿元)", "Expected in-year capital (100m CNY)"),
    "plan.sheet.e500": Entry("预期新签500强", "Expected new 500-strong signings"),
    "plan.sheet.objective": Entry("目标函数值", "Objective"),
    "plan.sheet.proven": Entry("已证明最优", "Proven optimal"),
    "plan.sheet.greedy_objective": Entry("贪心方案目标函数值", "Greedy objective"),
    # ---- why no roadshow plan is feasible (workbook.roadshow.explain)
    "rs.no_plan": Entry(
        "没有满足全部约束的活动方案（求解器判定，未能定位到具体约束）",
        "no plan meets every constraint (the solver says so; no smaller conflict was found)",
    ),
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
    "rs.cloud_cheapest": Entry(
        "最便宜的是{what}，合计{cost}", "the cheapest are {what}, {cost} together"
    ),
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
        "no month of {year} is left to plan after {after}, so the required events cannot be held",
    ),
    "rs.required_cost": Entry(
        "必办活动（{names}）合计至少需{need}，超过预算{budget}",
        "the required events ({names}) cost at least {need} together, more than the budget "
        "of {budget}",
    ),
    "rs.together": Entry(
        "以下约束不能同时满足：{parts}", "no plan meets these constraints together: {parts}"
    ),
    "rs.count_room": Entry(
        "必办活动至少{need:g}场，而{months}最多只能安排{room}场",
        "the required events number at least {need:g}, but {months} take at most {room}",
    ),
    "rs.budget_needed": Entry(
        "预算至少{need}才有可行方案", "a budget of at least {need} would make a plan possible"
    ),
}
PHRASES.update({f"month.name.{m}": Entry(str(m), en) for m, en in enumerate(MONTHS_EN, start=1)})

add(PHRASES)

# ---- the quarterly review (workbook.review): its abstract, notes, Word file and batch lines ----

REVIEW_PHRASES: dict[str, Entry] = {
    # the opening paragraph (workbook.review.abstract)
    "review.abstract.sep": Entry("、", "; "),
    "review.abstract.stop": Entry("。", "."),
    "review.abstract.pacing": Entry(
        "截至{day}，{n}项考核指标中{a}项超序时、{o}项符合序时、{b}项滞后序时。",
        "As of {day}, of {n} targets {a} are ahead of pace, {o} on pace and {b} behind.",
    ),
    "review.abstract.behind": Entry("滞后序时的{listed}", "behind pace: {listed}"),
    "review.abstract.unlikely": Entry(
        "进度不落后但全年把握不足五成的{listed}",
        "on pace but less likely than not to be met: {listed}",
    ),
    "review.abstract.attention": Entry(
        "全年达标概率：{parts}", "Targets needing attention (the chance of meeting each) {parts}"
    ),
    "review.abstract.likely": Entry(
        "；其余{n}项达标概率不低于五成。", "; the other {n} are likely to be met (50% or more)."
    ),
    # a figure in its target's unit: an English count is the number alone
    "review.abstract.money": Entry("{figure}{unit}", "{figure} {unit}"),
    "review.abstract.count": Entry("{figure}{unit}", "{figure}"),
    "review.abstract.chance_money": Entry(
        "{name}{p:.0%}（预计年末{mean}，目标{target}）",
        "{name} {p:.0%} (expected {mean} by the year end, target {target})",
    ),
    "review.abstract.chance_count": Entry(
        "{name}{p:.0%}（目前{done}，目标{target}）",
        "{name} {p:.0%} ({done} so far, target {target})",
    ),
    "review.abstract.risk": Entry(
        "最大风险是{name}（达标概率{p:.0%}）：{why}。",
        "The biggest risk is {name} ({p:.0%} chance): {why}.",
    ),
    "review.abstract.risk_parts": Entry(
        "已到位{facts}，台账在途项目预计年内再到位{pipeline}（其中已开工项目{started}），"
        "新引进项目预计{new}，预计年末{mean}",
        "{facts} has arrived, the ledger's projects are expected to add {pipeline} this year "
        "({started} from started projects) and new deals {new}, so the year is expected to end "
        "at {mean}",
    ),
    "review.abstract.risk_short": Entry("，比目标少{short}", ", {short} short of the target"),
    "review.abstract.risk_above": Entry("，仅略高于目标、波动大", ", barely above the target"),
    "review.abstract.risk_count": Entry(
        "目前{done}{tail}，目标{target}", "{done} so far{tail}, against a target of {target}"
    ),
    "review.abstract.risk_tail": Entry(
        "，预计年末约{expected}{unit}", ", about {expected} expected by the year end"
    ),
    "review.abstract.event": Entry(
        "{month}{name}（{office}，{cost}万元）", "{name} in {month} ({office}, {cost} 10k CNY)"
    ),
    "review.abstract.more_events": Entry("等{n}场", " and {more} more"),
    "review.abstract.plan": Entry(
        "建议用剩余预算安排{n}场招商活动（共{cost:,.0f}万元）：{events}",
        "Action: hold the {n} recommended events ({cost:,.0f} 10k CNY in all): {events}",
    ),
    "review.abstract.lifts": Entry(
        "，可使{name}达标概率由{before:.0%}升至{after:.0%}。",
        "; they lift the chance of meeting {name} from {before:.0%} to {after:.0%}.",
    ),
    "review.abstract.helps": Entry(
        "，主要提高{name}的达标概率（{before:.0%}→{after:.0%}）",
        ", mainly lifting {name} ({before:.0%} → {after:.0%})",
    ),
    "review.abstract.not_moved": Entry(
        "{helps}，但改变不了{name}的达标概率（仍约{before:.0%}）。",
        "{helps}, but they do not move the chance of meeting {name} (about {before:.0%}).",
    ),
    "review.abstract.no_event": Entry(
        "剩余预算内没有可安排的活动能改变{name}的达标概率。",
        "No event within the remaining budget can move the chance of meeting {name}.",
    ),
    "review.abstract.sign_more": Entry(
        "要使{name}达标概率达到{p:.0%}，需在现有基础上尽快新增签约资金约{extra}。",
        "An {p:.0%} chance of meeting {name} needs about {extra} of extra capital signed soon.",
    ),
    "review.abstract.beyond": Entry(
        "新签约项目今年余下月份到位有限，要使{name}有{p:.0%}把握，需新增的签约资金约为全年目标的"
        "{times:.1f}倍",
        "projects signed now pay little before the year ends: an {p:.0%} chance would need "
        "extra signings of about {times:.1f} times the year's target",
    ),
    "review.abstract.out": Entry(
        "新增签约资金也达不到八成把握", "no amount of extra signed capital reaches an 80% chance"
    ),
    "review.abstract.gap": Entry(
        "仅靠新签约补不上这一缺口（{reason}）；约{gap}的缺口只能靠台账在途项目比预计"
        "（年内再到位{hand}）更快开工、更多到位。",
        "New signings cannot close this gap ({reason}); the {gap} short can only come from the "
        "ledger's projects starting sooner and paying more than expected (they are expected to "
        "add {hand} this year).",
    ),
    "review.abstract.cannot": Entry(
        "仅靠新签约难以改变这一判断（{reason}）。",
        "New signings alone cannot change this ({reason}).",
    ),
    "review.abstract.needs": Entry(
        "要达标，{name}年内还需再有{more}。", "Meeting it needs {more} more this year."
    ),
    # the sections
    "review.why": Entry("{metric}：{why}", "{metric}: {why}"),  # why a target's forecast
    "review.plan.month": Entry("{m}月", "{m:02d}"),  # a month of the recommended plan
    "review.word.h3": Entry("（{n}）{text}", "{text}"),  # a third-level heading, numbered
    "review.docx.lang": Entry("zh-CN", "en-US"),  # the Word file's language tag
    # a run's folder under reports/<params file stem>/: the quarter, English ones marked
    "review.folder": Entry("{quarter}", "{quarter}-en"),
    # the batch's lines (workbook.review.batch)
    "review.batch.seconds": Entry("{s:.1f}秒", "{s:.1f} s"),
    "review.batch.no_data": Entry("数据未覆盖、未评估{n}份，", "{n} not run (past the data), "),
    "review.batch.summary": Entry(
        "完成{ok}份，跳过{skipped}份，{later}失败{failed}份，用时{seconds:.1f}秒；汇总表：{rollup}",
        "{ok} done, {skipped} skipped, {later}{failed} failed in {seconds:.1f} s; rollup: {rollup}",
    ),
}
PHRASES.update(REVIEW_PHRASES)
add(REVIEW_PHRASES)

"""Messages to a planner about bad input, in Chinese (default) and English.

`MESSAGES` holds their texts, which join the one catalogue (`workbook.text.catalogue`) under
their keys. A `Message` is a catalogue id plus the values it names (file, key path, header,
what was found); `Message.render(lang)` fills the template of that language. Problems carry
Messages, not text, so one error prints in the command's `--lang`. A value that is itself a
Message is rendered in the same language. The location parts (file names, key paths, headers,
found values) are passed in as they are and appear unchanged in both languages.

`BadValue` is a ValueError that carries a Message: cell parsers and pydantic validators raise
it, and the readers keep its Message (its `str()` is the English text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbook.text import catalogue
from workbook.text.catalogue import LANGS, Entry, render

__all__ = ["LANGS", "MESSAGES", "BadValue", "Message", "render"]

# key -> (English, Chinese). str.format templates; `!r` and format specs work as usual.
MESSAGES: dict[str, tuple[str, str]] = {
    # ---- plumbing: literal text, a value that differs by language, a place before a message
    "text": ("{text}", "{text}"),
    "at": ("{where}: {body}", "{where}：{body}"),
    "words.or": ("{first} or {last}", "{first} 或 {last}"),
    # ---- a planner's table: where the problem is (CellProblem.render)
    "where.sheet": ("sheet {sheet}", "工作表 {sheet}"),
    "where.row": ("row {row}", "第{row}行"),
    "where.column": ("column {column}", "列 {column}"),
    "where.sep": (", ", "，"),
    # ---- the report language itself
    "lang.unknown": (
        "unknown language {lang!r} (expected one of {valid})",
        "未知语言 {lang!r}（应为以下之一：{valid}）",
    ),
    # ---- files
    "file.not_found": ("file not found", "文件不存在"),
    "file.is_folder": ("is a folder, not a file", "是文件夹而不是文件"),
    "file.unreadable": ("cannot be read as a workbook: {error}", "无法作为工作簿读取：{error}"),
    "file.encoding": ("unknown text encoding", "无法识别的文本编码"),
    "file.type": (
        "expected an .xlsx or .csv file, found {suffix}",
        "应为 .xlsx 或 .csv 文件，实际为 {suffix}",
    ),
    "file.no_suffix": (
        "expected an .xlsx or .csv file, found no extension",
        "应为 .xlsx 或 .csv 文件，实际没有扩展名",
    ),
    # ---- the header row
    "header.none": (
        "no header row found in the first {rows} rows (expected columns such as {expected})",
        "前{rows}行中找不到表头行（应有 {expected} 等列）",
    ),
    "header.twice": (
        "column {column} appears twice (also as {other})",
        "列 {column} 出现两次（另一处为 {other}）",
    ),
    "header.unit": (
        "unknown unit {unit!r} (expected one of {valid})",
        "未知单位 {unit!r}（应为以下之一：{valid}）",
    ),
    "header.missing": (
        "missing column {column} ({name}) in the header row",
        "表头行缺少列 {column}（{name}）",
    ),
    # ---- one cell
    "cell.empty": ("is empty (a value is required)", "为空（必须填写）"),
    "cell.not_a_date": ("not a real date: {found!r}", "{found!r} 不是有效的日期"),
    "cell.date": (
        "expected a date such as 2020-03-15, 2020/3/15, 2020.3.15 or 2020年3月15日, found {found!r}",
        "应为日期，如 2020-03-15、2020/3/15、2020.3.15 或 2020年3月15日，实际为 {found!r}",
    ),
    "cell.not_a_month": ("not a real month: {found!r}", "{found!r} 不是有效的月份"),
    "cell.month": (
        "expected a month such as 2020-03 or 2020年3月, found {found!r}",
        "应为月份，如 2020-03 或 2020年3月，实际为 {found!r}",
    ),
    "cell.months": (
        "expected months such as 3-5,9-11 or 全年, found {found!r}",
        "应为可办月份，如 3-5,9-11 或 全年，实际为 {found!r}",
    ),
    "cell.months_range": (
        "months must be between 1 and 12, found {found!r}",
        "月份须在1到12之间，实际为 {found!r}",
    ),
    "cell.number": ("expected a number, found {found!r}", "应为数字，实际为 {found!r}"),
    "cell.not_finite": (
        "expected a finite number, found {found!r}",
        "应为有限的数（不能是无穷大或非数），实际为 {found!r}",
    ),
    "cell.amount": ("expected an amount >= 0, found {found}", "应为不小于0的金额，实际为 {found}"),
    "cell.count": ("expected a number >= 0, found {found}", "应为不小于0的数，实际为 {found}"),
    "cell.share": (
        "expected a share between 0 and 1 (or 0% to 100%), found {found}",
        "应为0到1之间的比例（或0%到100%），实际为 {found}",
    ),
    "cell.choice": (
        "unknown {what} {found!r} (expected one of {valid})",
        "未知{what} {found!r}（应为以下之一：{valid}）",
    ),
    "cell.bool": ("expected 是 or 否, found {found!r}", "应为 是 或 否，实际为 {found!r}"),
    # what a choice column holds (cell.choice's {what})
    "what.stage": ("stage", "阶段"),
    "what.capital_type": ("capital type", "内外资类型"),
    "what.list": ("500强 list", "500强类别"),
    "what.currency": ("currency", "币种"),
    "what.event_kind": ("event kind", "活动类型"),
    # ---- rows of the ledger, arrivals and event catalogue
    "row.duplicate_project": (
        "duplicate project id {id!r} (first at row {first})",
        "项目编号 {id!r} 重复（首次出现在第{first}行）",
    ),
    "row.stage_date": (
        "stage {stage} requires a date in this column, found it empty",
        "阶段为{stage}，本列须填日期，实际为空",
    ),
    "row.stage_date_column": (
        "stage {stage} requires a {column} column, which the file does not have",
        "阶段为{stage}，须有 {column} 列，但文件中没有该列",
    ),
    "row.date_order": ("{date} is before {column} {other}", "{date} 早于{column} {other}"),
    "row.currency_unit": (
        "{currency} does not match the unit {unit} in the amount header",
        "币种 {currency} 与金额表头的单位 {unit} 不符",
    ),
    "row.unknown_project": (
        "arrival for unknown project {id!r} (not in {ledger})",
        "到位资金对应未知项目 {id!r}（{ledger} 中没有该项目）",
    ),
    "row.duplicate_event": (
        "duplicate event id {id!r} (first at row {first})",
        "活动编号 {id!r} 重复（首次出现在第{first}行）",
    ),
    "row.total_id": (
        "skipped as a total row (the id says {word!r})",
        "已作为合计行跳过（编号为 {word!r}）",
    ),
    "row.total": (
        "skipped as a total row ({word!r} and no {id})",
        "已作为合计行跳过（写有 {word!r} 且{id}为空）",
    ),
    "row.unknown_channel": (
        "unknown office or platform {channel!r} (expected one of {valid})",
        "未知招商机构或平台 {channel!r}（应为以下之一：{valid}）",
    ),
    # ---- params files (YAML)
    "params.not_found": ("params file not found", "参数文件不存在"),
    "params.yaml": ("not valid YAML: {problem}", "不是有效的 YAML：{problem}"),
    "params.yaml_at": (
        "not valid YAML (line {line}, column {column}): {problem}",
        "不是有效的 YAML（第{line}行，第{column}列）：{problem}",
    ),
    "params.unreadable": ("cannot be read: {error}", "无法读取：{error}"),
    "params.gbk": ("GBK", "GBK"),  # what a file that is not UTF-8 looks like (params.encoding)
    "params.binary": ("a binary file", "二进制文件"),
    "params.encoding": (
        "not UTF-8 text (looks like {encoding}; stops being UTF-8 at byte {at}): "
        "save the file as UTF-8",
        "不是 UTF-8 文本（疑似 {encoding}，第{at}字节起无法按 UTF-8 读取）：请另存为 UTF-8 编码",
    ),
    "params.duplicate_key": (
        "key {key!r} is written twice (lines {first} and {second}): keep one",
        "键 {key!r} 出现两次（第{first}行和第{second}行）：请只保留一个",
    ),
    "params.too_deep": (
        "nested more than {depth} levels deep",
        "嵌套超过{depth}层",
    ),
    "params.top": (
        "expected a mapping of keys at the top, got {type}",
        "顶层应为键值映射，实际为 {type}",
    ),
    "params.key": ("{key} {body}", "{key} {body}"),
    "params.got": ("{rule}, got {got}", "{rule}，实际为 {got}"),
    "params.unknown_key": (
        "unknown key {keys} (valid keys: {valid})",
        "未知的键 {keys}（有效的键：{valid}）",
    ),
    "params.scenario_unreadable": (
        "cannot read the scenario: {error}",
        "无法读取情景：{error}",
    ),
    "params.scenario_keys": (
        "expected keys params, name and scenario",
        "应有键 params、name 和 scenario",
    ),
    # pydantic's error kinds (params._describe): what the value must be
    "rule.greater_than": ("must be > {gt}", "必须 > {gt}"),
    "rule.greater_than_equal": ("must be >= {ge}", "必须 >= {ge}"),
    "rule.less_than": ("must be < {lt}", "必须 < {lt}"),
    "rule.less_than_equal": ("must be <= {le}", "必须 <= {le}"),
    "rule.missing": ("is required", "为必填项"),
    "rule.literal_error": ("must be one of {expected}", "必须是 {expected} 之一"),
    "rule.float_parsing": ("must be a number", "必须是数字"),
    "rule.float_type": ("must be a number", "必须是数字"),
    "rule.finite_number": ("must be a finite number", "必须是有限的数（不能是 inf 或 nan）"),
    "rule.int_parsing": ("must be a whole number", "必须是整数"),
    "rule.int_type": ("must be a whole number", "必须是整数"),
    "rule.int_from_float": ("must be a whole number", "必须是整数"),
    "rule.bool_parsing": ("must be true or false", "必须是 true 或 false"),
    "rule.bool_type": ("must be true or false", "必须是 true 或 false"),
    "rule.string_type": ("must be text", "必须是文本"),
    "rule.model_type": ("must be a mapping of keys", "必须是键值映射"),
    "rule.dict_type": ("must be a mapping of keys", "必须是键值映射"),
    "rule.tuple_type": ("must be a list", "必须是列表"),
    "rule.list_type": ("must be a list", "必须是列表"),
    "rule.too_short": ("must have {min_length} items", "必须有{min_length}项"),
    "rule.too_long": ("must have {max_length} items", "必须有{max_length}项"),
    # the params' own checks (validators in params, drivers, roadshow_params)
    "check.phasing_range": (
        "phasing shares must be between 0 and 1, got {value}",
        "phasing 各值须在0到1之间，实际为 {value}",
    ),
    "check.phasing_order": (
        "phasing must be cumulative (non-decreasing), got {value}",
        "phasing 须为累计占比（逐季不减），实际为 {value}",
    ),
    "check.phasing_end": (
        "phasing must reach 1 by Q4, got {value}",
        "phasing 第四季度须达到1，实际为 {value}",
    ),
    "check.stretch": (
        "stretch must be >= annual ({annual:g}), got {stretch:g}",
        "stretch 必须 >= annual（{annual:g}），实际为 {stretch:g}",
    ),
    "check.channel_id": (
        "id must be lower-case letters, digits and _, got {value!r}",
        "id 只能由小写字母、数字和 _ 组成，实际为 {value!r}",
    ),
    "check.path": ("must be a file path, got {value!r}", "必须是文件路径，实际为 {value!r}"),
    "check.file_is_folder": (
        "is a folder, not a file: {path}",
        "是文件夹而不是文件：{path}",
    ),
    "check.file_not_found": ("file not found: {path}", "文件不存在：{path}"),
    "check.channel_twice": (
        "channel id {id!r} is used twice in offices/platforms",
        "机构或平台 id {id!r} 在 offices/platforms 中重复使用",
    ),
    "check.cancellation": (
        "a cancellation must name kinds, events or channels",
        "取消规则须指定 kinds、events 或 channels",
    ),
    "check.restriction": (
        "a restriction must name kinds, events or channels",
        "限制规则须指定 kinds、events 或 channels",
    ),
    "check.months": (
        "months must be between 1 and 12, got {value}",
        "months 各值须在1到12之间，实际为 {value}",
    ),
    "check.holiday": (
        "unknown holiday {names} (valid: {valid})",
        "未知节假日 {names}（有效值：{valid}）",
    ),
    # ---- declared metrics and campaigns (workbook.zone.declarations)
    "decl.unknown_column": (
        "unknown ledger column {column!r} (expected one of {valid})",
        "未知台账列 {column!r}（应为以下之一：{valid}）",
    ),
    "decl.comparison": (
        "cannot read condition {value!r} on {column} (expected e.g. '>= 10', '< 2020-07-01', "
        "'!= none', a list of values or one value)",
        "无法解析 {column} 的条件 {value!r}（应形如 '>= 10'、'< 2020-07-01'、'!= none'、取值列表或单个值）",
    ),
    "decl.stage": (
        "unknown stage {value!r} to count (expected one of {valid})",
        "未知的计数阶段 {value!r}（应为以下之一：{valid}）",
    ),
    "decl.category": (
        "unknown value {value!r} for {column} (expected one of {valid})",
        "{column} 的取值 {value!r} 未知（应为以下之一：{valid}）",
    ),
    "decl.empty_list": (
        "the list of values for {column} is empty",
        "{column} 的取值列表为空",
    ),
    "decl.where_map": (
        "where must map ledger columns to conditions, got {value!r}",
        "where 必须是“台账列: 条件”的映射，实际为 {value!r}",
    ),
    "decl.kind": (
        "metric {key!r} must have either count (signed, started or producing) or money "
        "(domestic, foreign or all)",
        "指标 {key!r} 须指定 count（signed、started 或 producing）或 money（domestic、foreign 或 all）之一",
    ),
    "decl.metric_id": (
        "metric key {key!r} must be lower-case letters, digits and _ (starting with a letter)",
        "指标键 {key!r} 只能由小写字母、数字和下划线组成，并以字母开头",
    ),
    "decl.needs_label": ("metric {key!r} needs a label", "指标 {key!r} 须有 label（中文名称）"),
    "decl.unknown_goal": (
        "goal {key!r} names an unknown metric (expected one of {valid})",
        "目标 {key!r} 不是已知指标（应为以下之一：{valid}）",
    ),
    "decl.no_goals": ("a campaign needs at least one goal", "攻坚行动须至少有一个目标"),
    "decl.goal": ("goal {key} must be > 0, got {value}", "目标 {key} 必须 > 0，实际为 {value}"),
    "decl.window": (
        "the window {start} to {end} is outside the plan year {year}",
        "时间窗口 {start} 至 {end} 超出计划年度 {year}",
    ),
    "decl.window_long": (
        "{days} days is longer than the plan year {year} ({year_days} days)",
        "{days} 天超过计划年度 {year} 的天数（{year_days} 天）",
    ),
    "decl.campaign_twice": (
        "campaign {name!r} is declared twice",
        "攻坚行动 {name!r} 重复声明",
    ),
    "decl.unknown_campaign": (
        "unknown campaign {name!r} (expected one of {valid})",
        "未知攻坚行动 {name!r}（应为以下之一：{valid}）",
    ),
    # ---- the params' event plans against the catalogue (simulate.Engine)
    "plan.no_catalogue": (
        "event {id!r} is planned but the params name no event catalogue",
        "计划中有活动 {id!r}，但参数未指定活动目录",
    ),
    "plan.unknown_event": (
        "unknown event {id!r} (expected one of {valid})",
        "未知活动 {id!r}（应为以下之一：{valid}）",
    ),
    "plan.month": (
        "event {id} cannot be held in month {month} (the catalogue allows {months})",
        "活动 {id} 不能在{month}月举办（活动目录允许的月份：{months}）",
    ),
    "plan.restriction_unknown": (
        "restriction {reason!r} names unknown events or channels: {bad}",
        "限制规则 {reason!r} 指定了不存在的活动或渠道：{bad}",
    ),
    "plan.row": ("plan row {row}: {body}", "计划行 {row}：{body}"),
    # ---- saving a scenario from the scenario planner (one sentence: what is wrong, what to do)
    "scenario.no_name": (
        "The scenario has no name: type one in the Name box, then save again.",
        "情景还没有名称：请在“名称”框中填写后再保存。",
    ),
    "scenario.bad_name": (
        'The name {name!r} cannot be a file name: leave out \\ / : * ? " < > | and a leading '
        "dot, keep it to 80 characters, then save again.",
        '名称“{name}”不能用作文件名：请去掉 \\ / : * ? " < > | 和开头的点，不超过80个字，再保存。',
    ),
    "scenario.in_params": (
        "{name!r} is already a scenario of the params file: choose another name.",
        "“{name}”已是参数文件中的情景：请换一个名称。",
    ),
    "scenario.exists": (
        "A scenario named {name!r} is already saved ({path}): choose another name, or tick "
        '"Overwrite a file of that name" to replace it.',
        "已有名为“{name}”的保存情景（{path}）：请换一个名称，或勾选“覆盖同名文件”后替换。",
    ),
    # ---- a planner control hit a fault of the tool, not of the planner's input
    "planner.internal": (
        "Internal error ({kind}): this change did not take effect. Reload the page and try "
        "again; if it happens again, give the app's log to whoever runs it.",
        "内部错误（{kind}）：这次改动没有生效。请刷新页面后重试；如仍出现，请把程序日志交给维护人员。",
    ),
    # ---- many problems (errors.DataFileError.lines)
    "problems.more": (
        "... and {more:,} more problems not listed; all {total:,} problems by kind:",
        "……另有 {more:,} 个问题未逐条列出；全部 {total:,} 个问题按类别统计：",
    ),
    "problems.kind": ("{count:,} x {example}", "{count:,} 处 {example}"),
    # ---- review and command-line values (workbook.review.params, workbook.zone.pacing)
    "review.quarter": (
        "quarter must look like 2020Q2, got {found!r}",
        "季度应形如 2020Q2，实际为 {found!r}",
    ),
    "review.quarters": (
        "quarters must look like 2020Q1-2020Q4 or 2020Q2,2020Q4, got {found!r}",
        "季度应形如 2020Q1-2020Q4 或 2020Q2,2020Q4，实际为 {found!r}",
    ),
    "review.quarters_backwards": (
        "quarter range {found!r} ends before it starts",
        "季度范围 {found!r} 的终点早于起点",
    ),
    "review.whole": (
        "{name} must be a whole number, got {found!r}",
        "{name} 应为整数，实际为 {found!r}",
    ),
    "review.between": (
        "{name} must be between {lo:,} and {hi:,}, got {found:,}",
        "{name} 须在 {lo:,} 到 {hi:,} 之间，实际为 {found:,}",
    ),
    "review.quarter_year": (
        "quarter {quarter} is outside the plan year {year} of {file}",
        "季度 {quarter} 不在 {file} 的计划年度 {year} 内",
    ),
    "review.as_of_quarter": (
        "as_of {day} is outside quarter {quarter} ({start} to {end})",
        "截至日期 {day} 不在季度 {quarter}（{start} 至 {end}）内",
    ),
    "review.as_of_year": (
        "--as-of {day} is outside the plan year {year}",
        "截至日期 --as-of {day} 不在计划年度 {year} 内",
    ),
    "review.beyond_data": (
        "the data end with {last} (the last month with arrivals logged in {file}); a review of "
        "{quarter} as of {end} needs the months after it: {instead}",
        "数据只到{last}（{file}中最后一个有到位资金记录的月份），评估{quarter}（截至{end}）"
        "需要以后月份的数据：{instead}",
    ),
    "review.beyond_data.as_of": (
        "review it as of that month's end with --as-of {as_of}, or log the later months first",
        "可用 --as-of {as_of} 评估截至该月末的情况，或补录以后月份的数据后再运行",
    ),
    "review.beyond_data.earlier": (
        "review {latest} or an earlier quarter, or log the later months first",
        "请评估{latest}或更早的季度，或补录以后月份的数据后再运行",
    ),
    "review.budget": (
        "budget must be an amount >= 0 in 万元, got {found!r}",
        "预算应为不小于0的金额（万元），实际为 {found!r}",
    ),
    # ---- backtest (workbook.forecast.backtest)
    "backtest.nothing_yet": (
        "no quarter of {year} ends before {day}, the date scored: nothing to score yet",
        "{year} 年没有在评分日期 {day} 之前结束的季度：尚无可评分的预测",
    ),
    "backtest.quarter_year": (
        "quarter {quarter} is outside the plan year {year}",
        "季度 {quarter} 不在计划年度 {year} 内",
    ),
    "backtest.quarter_late": (
        "quarter {quarter} ends on {end}, not before {day}, the date scored: nothing to score",
        "季度 {quarter} 于 {end} 结束，不早于评分日期 {day}：无可评分的预测",
    ),
    # ---- command-line arguments (workbook.cli._common)
    "arg.no_date": ("expected a date, found nothing", "应为日期，实际为空"),
    "arg.at_least": ("{name} must be >= {lo}, got {found}", "{name} 须不小于 {lo}，实际为 {found}"),
    "arg.whole": ("expected a whole number, found {found!r}", "应为整数，实际为 {found!r}"),
    "arg.between": (
        "must be between {lo:,} and {hi:,}, got {found:,}",
        "须在 {lo:,} 到 {hi:,} 之间，实际为 {found:,}",
    ),
    "arg.probability": (
        "expected a probability such as 0.8, found {found!r}",
        "应为概率，如 0.8 或 80%，实际为 {found!r}",
    ),
    "arg.probability_range": ("must be in (0, 1], got {found}", "须大于0且不超过1，实际为 {found}"),
    "arg.number": ("expected a number, found {found!r}", "应为数字，实际为 {found!r}"),
    "arg.positive": (
        "expected a number > 0, found {found!r}",
        "应为大于0的数，实际为 {found!r}",
    ),
    # ---- output folders (workbook.files.outdir)
    "batch.worker_died": (
        "a worker process of the batch was killed: runs finished before are in place, run the "
        "batch again to do the rest",
        "批量运行的一个工作进程被终止：已完成的运行已就位，再次运行即可完成其余部分",
    ),
    "interrupted.batch": (
        "interrupted: runs finished before are in place, the others were left as they were "
        "(run again to do the rest)",
        "已中断：已完成的运行已就位，其余运行保持原样（再次运行即可完成其余部分）",
    ),
    "interrupted": (
        "interrupted: no run was replaced, the previous results are as they were",
        "已中断：没有替换任何运行结果，此前的结果保持不变",
    ),
    "out.is_file": (
        "{folder} is a file, not a folder: give a folder for the results",
        "{folder} 是文件而不是文件夹：请指定存放结果的文件夹",
    ),
    "out.not_own": (
        "{folder} holds files this tool did not write: refusing to replace it "
        "(give a new or empty folder)",
        "{folder} 中有非本工具写入的文件，拒绝覆盖（请指定新的或空的文件夹）",
    ),
    "out.not_folder": (
        "{folder} is not a folder: cannot write results under it",
        "{folder} 不是文件夹，无法在其下写入结果",
    ),
    "out.read_only": (
        "{folder} is read-only: cannot write results there",
        "{folder} 为只读，无法写入结果",
    ),
    "out.cannot_write": ("cannot write {folder}: {error}", "无法写入 {folder}：{error}"),
    "out.busy": (
        "{folder} is being written by another run at this moment: try again when it ends",
        "另一个运行正在写入 {folder}，请待其结束后再试",
    ),
    # ---- malformed workbooks, hostile declarations, failed runs (hardening, round two)
    "xlsx.empty": ("is empty (0 bytes), not a workbook", "是空文件（0 字节），不是工作簿"),
    "xlsx.encrypted": (
        "is a password-protected workbook (an encrypted OLE container): save it without a password as .xlsx",
        "是设有打开密码的工作簿（加密的 OLE 容器）：请取消密码后另存为 .xlsx",
    ),
    "xlsx.ole": (
        "is an old Excel 97-2003 workbook (.xls, an OLE container) named {suffix}: save it as .xlsx",
        "是旧版 Excel 97-2003 工作簿（.xls，OLE 容器），扩展名却为 {suffix}：请另存为 .xlsx",
    ),
    "xlsx.text": (
        "is a text file (csv?) named {suffix}, not a workbook: name it .csv or save it as .xlsx",
        "是文本文件（csv？），扩展名却为 {suffix}，不是工作簿：请改名为 .csv 或另存为 .xlsx",
    ),
    "xlsx.not_zip": (
        "is not an Excel workbook (an .xlsx is a zip container; this file is not one) although named {suffix}",
        "不是 Excel 工作簿（.xlsx 应为 zip 容器，此文件不是），扩展名却为 {suffix}",
    ),
    "xlsx.bad_zip": (
        "is damaged: its zip container cannot be read ({error})",
        "已损坏：无法读取其 zip 容器（{error}）",
    ),
    "xlsx.bad_part": (
        "is damaged: part {part} cannot be unpacked ({error})",
        "已损坏：无法解压其中的 {part}（{error}）",
    ),
    "xlsx.entries": (
        "holds {count:,} parts, more than the {limit:,} a workbook may hold",
        "包含 {count:,} 个部件，超过工作簿允许的 {limit:,} 个",
    ),
    "xlsx.part_size": (
        "part {part} unpacks to more than {limit:,} bytes (a zip bomb, or a sheet far too large to read)",
        "其中的 {part} 解压后超过 {limit:,} 字节（压缩炸弹，或工作表过大无法读取）",
    ),
    "xlsx.total_size": (
        "unpacks to more than {limit:,} bytes in all (a zip bomb, or a workbook far too large to read)",
        "解压后总计超过 {limit:,} 字节（压缩炸弹，或工作簿过大无法读取）",
    ),
    "xlsx.no_workbook": (
        "is a zip file but not an Excel workbook (no xl/workbook.xml)",
        "是 zip 文件但不是 Excel 工作簿（缺少 xl/workbook.xml）",
    ),
    "xlsx.no_sheets": ("holds no worksheet", "不含任何工作表"),
    "xlsx.missing_sheet": (
        "is damaged: sheet {sheet} names part {part}, which is not in the file",
        "已损坏：工作表 {sheet} 指向的 {part} 不在文件中",
    ),
    "xlsx.odd_refs": (
        "sheet {sheet} has cell references written in an unusual way; save the file again from Excel or WPS",
        "工作表 {sheet} 的单元格引用写法异常；请用 Excel 或 WPS 重新保存该文件",
    ),
    "xlsx.grid": (
        "sheet {sheet} spans {ref} ({rows:,} rows x {cols:,} columns), more than the {limit:,} cells the workbook reads: delete the empty rows and columns past the table",
        "工作表 {sheet} 的范围为 {ref}（{rows:,} 行 × {cols:,} 列），超过可读取的 {limit:,} 个单元格：请删除表格之外的空行和空列",
    ),
    "decl.bool_number": (
        "must be a number, not {value} (true/false is not a count)",
        "必须是数字，不能是 {value}（true/false 不是数量）",
    ),
    "decl.label_long": (
        "is {length:,} characters long, more than {limit:,}",
        "长 {length:,} 个字符，超过 {limit:,} 个",
    ),
    "decl.label_controls": (
        "holds control characters or text-direction marks ({value}): write plain text",
        "含有控制字符或文字方向标记（{value}）：请只写普通文字",
    ),
    "decl.key_long": (
        "metric key is {length:,} characters long, more than {limit:,}",
        "指标键长 {length:,} 个字符，超过 {limit:,} 个",
    ),
    "decl.list_long": (
        "one-of list of {column} has {count:,} values, more than {limit:,}",
        "{column} 的可选值列表有 {count:,} 个值，超过 {limit:,} 个",
    ),
    "decl.too_many": (
        "{count:,} entries, more than the {limit:,} a params file may declare",
        "共 {count:,} 项，超过参数文件允许的 {limit:,} 项",
    ),
    "decl.start_year": (
        "campaign start {start} is not in the plan year {year}",
        "攻坚行动开始日期 {start} 不在计划年度 {year} 内",
    ),
    "run.inputs_changed": (
        "input files changed while the run read them ({files}): nothing of it was kept; run again",
        "运行读取期间输入文件发生变化（{files}）：本次结果未保留，请重新运行",
    ),
    "run.failed": (
        "review failed: {error}; its record: {record}",
        "复盘运行失败：{error}；运行记录：{record}",
    ),
    "run.failed_beside": (
        "review failed: {error}; its record: {record} (the previous complete review stays in {folder})",
        "复盘运行失败：{error}；运行记录：{record}（上一次完整的复盘仍保留在 {folder}）",
    ),
    "arg.budget": (
        "expected a budget in 万元 such as 300, found {found!r}",
        "应为以万元计的预算，如 300，实际为 {found!r}",
    ),
    "input.unknown_target": (
        "{metric!r} is not an assessed target of this zone (expected one of {valid})",
        "{metric!r} 不是本园区的考核指标（应为以下之一：{valid}）",
    ),
    "rule.date_parsing": ("must be a date such as 2020-03-22", "必须是日期，如 2020-03-22"),
    "rule.date_type": ("must be a date such as 2020-03-22", "必须是日期，如 2020-03-22"),
    "rule.date_from_datetime_parsing": (
        "must be a date such as 2020-03-22",
        "必须是日期，如 2020-03-22",
    ),
    "rule.date_from_datetime_inexact": (
        "must be a date such as 2020-03-22 (no time of day)",
        "必须是日期，如 2020-03-22（不含时刻）",
    ),
    "rule.string_too_long": (
        "must be at most {max_length} characters",
        "不能超过 {max_length} 个字符",
    ),
    "run.plan_kept": (
        "{body} (its record: {record}; the previous complete plan stays in {folder})",
        "{body}（运行记录：{record}；上一次完整的计划仍保留在 {folder}）",
    ),
    # ---- the app's accounts: the users file and `workbook users`
    "users.name": (
        "user name {name!r}: 1-64 letters, digits, '.', '_', '-' or '@', "
        "starting with a letter or digit",
        "用户名 {name!r} 无效：应为1到64个字母、数字、“.”、“_”、“-”或“@”，并以字母或数字开头",
    ),
    "users.zone": (
        "zone {zone!r}: a params file's name (e.g. jining-2020) or '*'",
        "园区 {zone!r} 无效：应为参数文件名（如 jining-2020）或“*”",
    ),
    "users.role": (
        "role {role!r}: one of view/查看, plan/规划, admin/管理",
        "未知角色 {role!r}（应为以下之一：查看/view、规划/plan、管理/admin）",
    ),
    "users.password_length": (
        "a password must have {lo} to {hi} characters",
        "密码须为 {lo} 到 {hi} 个字符",
    ),
    "users.passwords_differ": ("the two passwords differ", "两次输入的密码不一致"),
    "users.entry": ("users.{name} must be a mapping", "users.{name} 应为映射"),
    "users.password_hash": (
        "users.{name}.password must be an argon2 hash",
        "users.{name}.password 应为 argon2 哈希值",
    ),
    "users.zones": (
        "users.{name}.zones must be a mapping of zone to role",
        "users.{name}.zones 应为园区到角色的映射",
    ),
    "users.unreadable": ("not a users file ({error})", "不是用户文件（{error}）"),
    "users.no_users": (
        "not a users file (no 'users' mapping)",
        "不是用户文件（缺少“users”映射）",
    ),
    "users.version": (
        "users file version {found!r} is not {expected}",
        "用户文件版本应为 {expected}，实际为 {found!r}",
    ),
    "users.no_user": ("no user {name!r}", "没有用户 {name!r}"),
    "users.grant": (
        "--grant {found!r}: expected ZONE=ROLE, e.g. jining-2020=规划",
        "--grant 应为“园区=角色”，如 jining-2020=规划，实际为 {found!r}",
    ),
    "users.saved": ("{name}: saved in {file}", "{name}：已保存到 {file}"),
    "users.removed": ("{name}: removed from {file}", "{name}：已从 {file} 中删除"),
    "users.login_password": ("password", "密码"),
    "users.login_sso": ("sso", "单点登录"),
    "users.role.view": ("view", "查看"),
    "users.role.plan": ("plan", "规划"),
    "users.role.admin": ("admin", "管理"),
    # ---- the app: its zones and its login options
    "app.no_yaml": (
        "no params file (*.yaml) in this folder",
        "此文件夹中没有参数文件（*.yaml）",
    ),
    "app.zone_twice": (
        "two params files are named {name}: a zone's name must be unique",
        "有两个参数文件都名为 {name}：园区名称不能重复",
    ),
    "app.zone_name": (
        "{name}: a params file's name may hold letters, digits, . _ -",
        "{name}：参数文件名只能包含字母、数字和 . _ -",
    ),
    "app.zone_reserved": (
        "{name}: this name is taken by reports/plans/; rename the file",
        "{name}：此名称已被 reports/plans/ 占用，请给文件改名",
    ),
    "app.no_login_with": (
        "--no-login cannot go with --users or --trusted-header",
        "--no-login 不能与 --users 或 --trusted-header 同时使用",
    ),
    "app.needs_login": (
        "the app needs logins: pass --users FILE (accounts made with `workbook users add`), "
        "or --no-login for one person on their own machine",
        "应用需要登录：请指定 --users FILE（账户用 `workbook users add` 创建）；"
        "仅供一人在本机使用时可用 --no-login",
    ),
    "app.trusted_pair": (
        "--trusted-header and --trusted-proxy go together",
        "--trusted-header 与 --trusted-proxy 须同时给出",
    ),
    "app.trusted_proxy": (
        "--trusted-proxy {found!r}: not an IP address",
        "--trusted-proxy 应为 IP 地址，实际为 {found!r}",
    ),
    "app.session_hours": (
        "--session-hours must be between {lo} and {hi}, got {found}",
        "--session-hours 须大于 {lo} 且不超过 {hi}，实际为 {found}",
    ),
    "app.users_not_found": (
        "users file not found (make it with `workbook users add`)",
        "用户文件不存在（请用 `workbook users add` 创建）",
    ),
    "app.no_account": (
        "no account yet (add one with `workbook users add`)",
        "还没有任何账户（请用 `workbook users add` 添加）",
    ),
    "app.warm": (
        "--warm must be between 0 and --max-kernels ({hi}), got {found}: a planner keeps at "
        "most as many warm kernels as pages may be open at once",
        "--warm 须在 0 到 --max-kernels（{hi}）之间，实际为 {found}：每个规划页面预热的内核"
        "不能多于同时可打开的页面数",
    ),
    # ---- the review's and the batch's own arguments
    "review.params_path": (
        "params_path must be the path of a params YAML file, got {found!r}",
        "params_path 应为参数 YAML 文件的路径，实际为 {found!r}",
    ),
    "review.lang": (
        "lang must be one of {valid}, got {found!r}",
        "lang 应为以下之一：{valid}，实际为 {found!r}",
    ),
    "batch.no_params": ("give at least one params file", "请至少指定一个参数文件"),
    "batch.same_folder": (
        "{path} and another params file share the run folder {folder}",
        "{path} 与另一个参数文件的运行文件夹相同：{folder}",
    ),
    "batch.dask": (
        "--dask takes 'local', got {found!r} (use --scheduler for a cluster)",
        "--dask 只能为 'local'，实际为 {found!r}（集群请用 --scheduler）",
    ),
    "batch.dask_and_scheduler": (
        "give either --dask local or --scheduler ADDRESS, not both",
        "--dask local 与 --scheduler ADDRESS 只能二选一",
    ),
    "batch.jobs": ("--jobs must be >= 1, got {found}", "--jobs 须至少为 1，实际为 {found}"),
    "batch.scheduler": (
        "cannot reach the Dask scheduler {scheduler}: {error}",
        "无法连接 Dask 调度器 {scheduler}：{error}",
    ),
    # ---- a planner's controls, checked in the kernel
    "control.out_of_range": (
        "{name}: must be between {lo:g} and {hi:g}, got {found!r}",
        "{name}：须在 {lo:g} 到 {hi:g} 之间，实际为 {found!r}",
    ),
    "control.view_only": (
        "View only: saving scenarios and exporting need the plan (规划) role.",
        "仅可查看：保存情景和导出需要“规划”权限。",
    ),
}


@dataclass(frozen=True, init=False)
class Message:
    """A catalogue id and the values it names, rendered in either language by `render(lang)`."""

    key: str
    args: tuple[tuple[str, Any], ...]

    def __init__(self, key: str, /, **args: Any) -> None:
        if key not in catalogue.CATALOGUE:
            raise KeyError(f"no message {key!r} in the catalogue (workbook.text.catalogue)")
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "args", tuple(args.items()))

    @classmethod
    def text(cls, text: str) -> Message:
        """Literal text, the same in both languages (e.g. a library's own error message)."""
        return cls("text", text=text)

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.args).get(name, default)

    def render(self, lang: str = "zh") -> str:
        return catalogue.say(self.key, lang, **dict(self.args))

    def __str__(self) -> str:
        return self.render("en")


class BadValue(ValueError):
    """A ValueError carrying a Message: raised by cell parsers and params validators."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render("en"))


catalogue.add({key: Entry(zh, en) for key, (en, zh) in MESSAGES.items()})

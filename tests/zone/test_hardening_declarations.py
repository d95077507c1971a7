"""Declarations are bounded: every limit refused with its key path in the command's language;
true/false never taken for a number; labels without control characters; campaign dates in the
plan year; ledger text shown without control characters."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from tests.conftest import SAMPLE_PARAMS, small_ledger_rows, write_csv
from workbook.cli import main
from workbook.text.errors import ParamsError
from workbook.zone.declarations import MAX_CONDITIONS, MAX_ONE_OF
from workbook.zone.frozen import MAX_LABEL
from workbook.zone.params import MAX_KEY, MAX_METRICS, parse_params

BASE = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))


def sample() -> dict:
    data = copy.deepcopy(BASE)
    data["data"] = {k: str((SAMPLE_PARAMS.parent / v).resolve()) for k, v in data["data"].items()}
    return data


def refusal(data: dict, lang: str = "en") -> list[str]:
    with pytest.raises(ParamsError) as info:
        parse_params(data, source="zone.yaml")
    return info.value.lines(lang)


def test_a_label_longer_than_the_limit_is_refused_with_its_key_path():
    data = sample()
    data["metrics"]["ten_strong_10"]["label"] = "十" * (MAX_LABEL + 1)
    assert refusal(data) == [
        f"zone.yaml: metrics.ten_strong_10.label: is {MAX_LABEL + 1} characters long, "
        f"more than {MAX_LABEL}"
    ]
    assert refusal(data, "zh") == [
        f"zone.yaml：metrics.ten_strong_10.label：长 {MAX_LABEL + 1} 个字符，超过 {MAX_LABEL} 个"
    ]
    data["metrics"]["ten_strong_10"]["label"] = "十" * MAX_LABEL
    assert parse_params(data).metrics["ten_strong_10"].label == "十" * MAX_LABEL


@pytest.mark.parametrize(
    "label",
    ["\x1b]0;owned\x07十强", "十强\n产业", "十强\u202e业产", "a\u2066b", "c\x9bd", "tab\there"],
)
def test_a_label_with_control_characters_or_bidi_overrides_is_refused(label):
    data = sample()
    data["metrics"]["ten_strong_10"]["label"] = label
    (line,) = refusal(data)
    assert line.startswith("zone.yaml: metrics.ten_strong_10.label: holds control characters")
    assert "\x1b" not in line and "\u202e" not in line and "\n" not in line


def test_campaign_and_zone_names_are_labels_too():
    data = sample()
    data["campaigns"][0]["name"] = "百日\x1b[2J攻坚"
    assert refusal(data)[0].startswith("zone.yaml: campaigns.0.name: holds control characters")
    data = sample()
    data["zone_en"] = "x" * 101
    assert refusal(data) == ["zone.yaml: zone_en: is 101 characters long, more than 100"]


def test_a_one_of_list_is_bounded_and_matched_once_per_value():
    data = sample()
    where = data["metrics"]["ten_strong_10"]["where"]
    where["sector"] = [f"行业{i}" for i in range(MAX_ONE_OF + 1)]
    assert refusal(data) == [
        "zone.yaml: metrics.ten_strong_10.where: one-of list of sector has "
        f"{MAX_ONE_OF + 1:,} values, more than {MAX_ONE_OF:,}"
    ]
    # at the limit: accepted, each value kept once, in file order
    where["sector"] = ["新材料", "新材料", *(f"行业{i}" for i in range(MAX_ONE_OF - 3)), "新材料"]
    cond = next(c for c in parse_params(data).metrics["ten_strong_10"].where if c.op == "in")
    assert cond.value[0] == "新材料" and len(cond.value) == MAX_ONE_OF - 2


def test_too_many_conditions_metrics_and_a_long_key_are_refused():
    data = sample()
    data["metrics"]["ten_strong_10"]["where"] = {f"col{i}": "x" for i in range(MAX_CONDITIONS + 1)}
    assert refusal(data) == [
        f"zone.yaml: metrics.ten_strong_10.where: {MAX_CONDITIONS + 1} entries, "
        f"more than the {MAX_CONDITIONS} a params file may declare"
    ]
    data = sample()
    for i in range(MAX_METRICS + 1):
        data["metrics"][f"m{i}"] = {"label": f"指标{i}", "count": "signed"}
    assert refusal(data) == [
        f"zone.yaml: metrics: {MAX_METRICS + len(BASE['metrics']) + 1} entries, "
        f"more than the {MAX_METRICS} a params file may declare"
    ]
    data = sample()
    key = "k" * 5000
    data["metrics"][key] = {"label": "长键", "count": "signed"}
    (line,) = refusal(data)
    assert line.endswith(f"metric key is 5,000 characters long, more than {MAX_KEY}")
    assert len(line) < 200


@pytest.mark.parametrize(
    "path",
    [
        ("targets", "new_starts", "annual"),
        ("targets", "domestic_capital", "stretch"),
        ("campaigns", 0, "days"),
        ("fx_cny_per_usd",),
        ("targets", "foreign_capital", "phasing"),
        ("campaigns", 0, "goals"),
    ],
)
def test_true_or_false_is_never_a_number_or_a_count(path):
    data = sample()
    node = data
    for p in path[:-1]:
        node = node[p]
    if path[-1] == "phasing":
        node["phasing"] = [0.2, 0.4, True, 1.0]
    elif path[-1] == "goals":
        node["goals"] = {"new_starts": True}
    else:
        node[path[-1]] = True
    where = ".".join(str(p) for p in path)
    item = {"phasing": "[2]: ", "goals": "new_starts: "}.get(path[-1], "")
    (line,) = refusal(data)
    assert (
        line == f"zone.yaml: {where}: {item}must be a number, not true (true/false is not a count)"
    )
    assert refusal(data, "zh")[0].endswith("必须是数字，不能是 true（true/false 不是数量）")


def test_a_campaign_start_outside_the_plan_year_is_a_message_not_a_crash():
    data = sample()
    data["campaigns"][0]["start"] = dt.date(9999, 12, 31)
    assert refusal(data) == [
        "zone.yaml: campaigns.0.start: campaign start 9999-12-31 is not in the plan year 2020"
    ]
    assert refusal(data, "zh") == [
        "zone.yaml：campaigns.0.start：攻坚行动开始日期 9999-12-31 不在计划年度 2020 内"
    ]


def test_the_cli_refuses_a_hostile_label_in_one_clean_line(tmp_path, capsys):
    data = sample()
    data["metrics"]["ten_strong_10"]["label_en"] = "\x1b]0;pwned\x07ten strong"
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert err.count("\n") == 1 and "metrics.ten_strong_10.label_en" in err
    assert "含有控制字符或文字方向标记" in err


def test_the_campaign_heading_after_its_window_says_it_ended(capsys):
    argv = ["status", str(SAMPLE_PARAMS), "--as-of", "2020-08-10", "--campaign"]
    assert main([*argv, "百日攻坚（春季）"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith("截至 2020-08-10 已结束（共 100 天）")
    assert main([*argv, "百日攻坚（春季）", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("2020-08-10: ended (all 100 days)")


def test_ledger_text_loses_control_characters_and_bidi_overrides(tmp_path):
    from workbook.zone.ledger import load_ledger

    rows = small_ledger_rows()
    rows[1][1] = "\x1b]0;pwned\x07甲\u202e项目\t二期\x9b"
    ledger = load_ledger(write_csv(tmp_path / "ledger.csv", rows))
    assert ledger.projects["name"].iloc[0] == "]0;pwned甲项目 二期"


def test_a_one_of_list_is_read_in_constant_work_per_value(monkeypatch):
    """The error text (which shows the whole condition) is built only when a value is bad: a
    list of n values costs n lookups, not n copies of the list (100,000 values took minutes)."""
    import workbook.zone.declarations as declarations

    calls = []
    real = declarations.one_line
    monkeypatch.setattr(declarations, "one_line", lambda *a, **k: calls.append(a) or real(*a, **k))
    cond = declarations.parse_condition("sector", [f"行业{i}" for i in range(MAX_ONE_OF)])
    assert len(cond.value) == MAX_ONE_OF and calls == []
    cond = declarations.parse_condition("stage", ["签约", "开工", "signed"] * 300)
    assert cond.value == ("signed", "started") and calls == []
    with pytest.raises(ValueError):
        declarations.parse_condition("total_investment", ["1", "x"])
    assert len(calls) == 1


def test_a_scenario_name_is_a_label_too():
    data = sample()
    name = next(iter(data["scenarios"]))
    data["scenarios"]["悲观\x1b[31m"] = data["scenarios"][name]
    (line,) = refusal(data)
    assert line.startswith("zone.yaml: scenarios.悲观[31m: holds control characters"), line


def test_a_refused_label_is_shown_with_its_control_characters_escaped_and_chinese_kept():
    data = sample()
    data["metrics"]["ten_strong_10"]["label"] = "十强\x1b]0;x\x07产业\u202e"
    assert refusal(data, "zh") == [
        "zone.yaml：metrics.ten_strong_10.label：含有控制字符或文字方向标记"
        "（十强\\x1b]0;x\\x07产业\\u202e）：请只写普通文字"
    ]

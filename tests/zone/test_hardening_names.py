"""Names are checked by the bytes the file system holds, and the messages of issue 23's list
come in the command's language."""

from __future__ import annotations

import copy

import pytest
import yaml

from tests.conftest import SAMPLE_PARAMS
from workbook.cli import main
from workbook.forecast.scenario_files import NAME_BYTES, check_name
from workbook.text.errors import InputError, ParamsError
from workbook.zone.params import parse_params

SAMPLE = str(SAMPLE_PARAMS)


def refused(name: str) -> InputError:
    with pytest.raises(InputError) as info:
        check_name(name)
    return info.value


def test_a_name_is_limited_by_its_bytes_with_the_message_a_long_chinese_name_gets():
    assert check_name("十" * 80) == "十" * 80  # 240 bytes: the longest Chinese name
    assert len("十" * 80) * 3 == NAME_BYTES
    assert check_name("😀" * 60) == "😀" * 60  # 240 bytes
    chinese, emoji = refused("十" * 81), refused("😀" * 80)  # 243 and 320 bytes
    assert chinese.problems[0].key == emoji.problems[0].key == "scenario.bad_name"
    for lang in ("zh", "en"):
        assert chinese.lines(lang)[0].replace("十" * 81, "NAME") == emoji.lines(lang)[0].replace(
            "😀" * 80, "NAME"
        )
    assert refused("😀" * 61).problems[0].key == "scenario.bad_name"  # 244 bytes


@pytest.mark.parametrize(
    ("name", "shown"),
    [("a\u202eb", "ab"), ("a\x1b[2Jb", "a[2Jb"), ("a\x85b", "a b"), ("a\u2066b", "ab")],
)
def test_a_name_with_control_characters_or_bidi_marks_is_refused_and_shown_without_them(
    name, shown
):
    (line,) = refused(name).lines("zh")
    assert line.startswith(f"名称“{shown}”不能用作文件名")


def exits_2(argv: list[str], capsys) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2, argv
    err = capsys.readouterr().err.strip().splitlines()
    return err[-1]


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("-1", "预算应为不小于0的金额（万元），实际为 '-1'", "budget must be an amount >= 0"),
        ("inf", "预算应为不小于0的金额（万元），实际为 'inf'", "got 'inf'"),
        ("nan", "预算应为不小于0的金额（万元），实际为 'nan'", "got 'nan'"),
        ("很多", "应为以万元计的预算，如 300，实际为 '很多'", "expected a budget in 万元"),
    ],
)
def test_plan_budget_refusals_are_in_the_command_language(tmp_path, capsys, value, zh, en):
    argv = ["plan", SAMPLE, "--budget", value, "--out", str(tmp_path / "plan")]
    line = exits_2(argv, capsys)
    assert line.endswith(zh), line
    assert en in exits_2([*argv, "--lang", "en"], capsys)
    assert not (tmp_path / "plan").exists()


def test_an_unknown_target_is_named_in_the_command_language(capsys):
    argv = ["goalseek", SAMPLE, "--metric", "nope", "--trials", "300", "--seed", "3"]
    line = exits_2(argv, capsys)
    assert line.startswith("error: 'nope' 不是本园区的考核指标（应为以下之一：domestic_capital,")
    line = exits_2([*argv, "--lang", "en"], capsys)
    assert line.startswith("error: 'nope' is not an assessed target of this zone")


def test_a_campaign_start_that_is_not_a_date_is_said_in_chinese():
    data = copy.deepcopy(yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8")))
    data["data"] = {k: str((SAMPLE_PARAMS.parent / v).resolve()) for k, v in data["data"].items()}
    data["campaigns"][0]["start"] = "三月"
    with pytest.raises(ParamsError) as info:
        parse_params(data, source="zone.yaml")
    assert info.value.lines("zh") == [
        "zone.yaml：campaigns.0.start 必须是日期，如 2020-03-22，实际为 '三月'"
    ]
    assert info.value.lines("en") == [
        "zone.yaml: campaigns.0.start must be a date such as 2020-03-22, got '三月'"
    ]

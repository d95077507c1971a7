"""The message catalogue: both languages say the same things, and every message is used."""

from __future__ import annotations

import pickle
import string

import pytest

from tests.conftest import REPO
from workbook.text.errors import CellProblem, DataFileError, InputError, ParamsError
from workbook.text.messages import MESSAGES, BadValue, Message


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_english_and_chinese_templates_name_the_same_values(key):
    en, zh = MESSAGES[key]
    assert fields(en) == fields(zh)


def test_every_message_is_used_by_the_package():
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (REPO / "workbook").rglob("*.py")
        if p.name != "messages.py"
    )
    unused = [
        key
        for key in MESSAGES
        if not key.startswith("rule.") and f'"{key}"' not in source  # rule.<kind>: params._rule
    ]
    assert unused == []


def test_a_message_renders_its_values_and_nested_messages_in_one_language():
    m = Message("cell.choice", what=Message("what.stage"), found="已签", valid="线索, 接洽")
    assert m.render("en") == "unknown stage '已签' (expected one of 线索, 接洽)"
    assert m.render() == "未知阶段 '已签'（应为以下之一：线索, 接洽）"
    assert str(m) == m.render("en")
    assert m == Message("cell.choice", what=Message("what.stage"), found="已签", valid="线索, 接洽")
    with pytest.raises(KeyError, match="no message 'cell.nope'"):
        Message("cell.nope")
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        m.render("fr")


def test_errors_render_in_either_language_and_read_english_as_text():
    problem = CellProblem("l.xlsx", "台账", 4, "阶段", Message("cell.empty"))
    err = DataFileError([problem])
    assert err.lines() == ["l.xlsx，工作表 台账，第4行，列 阶段：为空（必须填写）"]
    assert err.lines("en") == [
        "l.xlsx, sheet 台账, row 4, column 阶段: is empty (a value is required)"
    ]
    assert str(err) == err.lines("en")[0]
    mixed = ParamsError([Message("at", where="p.yaml", body=Message("params.not_found")), "as is"])
    assert mixed.lines() == ["p.yaml：参数文件不存在", "as is"]
    assert InputError("plain text").lines() == ["plain text"] and str(InputError("x")) == "x"
    for e in (err, mixed, InputError("x")):  # errors cross process boundaries in `batch`
        assert pickle.loads(pickle.dumps(e)).lines() == e.lines()
    bad = BadValue(Message("cell.number", found="十亿"))
    assert str(bad) == "expected a number, found '十亿'" and isinstance(bad, ValueError)


def test_one_name_per_driver_on_sliders_tornado_and_review():
    """A driver the planner's sliders move carries the same name as in the tornado."""
    from workbook.forecast.scenarios import driver_label
    from workbook.text.catalogue import label

    same = {
        "ctl_slip_months": "slip_months",
        "ctl_arrival_ratio": "arrival_ratio.mean",
        "ctl_fx": "fx_cny_per_usd",
        "ctl_channel_leads": "channels.lead_multiplier",
    }
    for lang in ("zh", "en"):
        for control, driver in same.items():
            assert label("planner", control, lang) == driver_label(driver, lang), (lang, control)
    assert driver_label("arrival_ratio.mean", "zh") == "计划资金到位比例"

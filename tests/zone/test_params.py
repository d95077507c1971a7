"""The params schema: the sample zone's values, and exact messages for bad parameters."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
import yaml

from tests.conftest import SAMPLE_PARAMS, small_ledger_rows, write_params, write_xlsx
from workbook.text.errors import ParamsError
from workbook.zone.params import load_params


def test_sample_zone_holds_the_seed_targets():
    p = load_params(SAMPLE_PARAMS)
    assert (p.zone, p.year) == ("济宁高新区", 2020)
    t = p.targets
    assert (t.domestic_capital.annual, t.domestic_capital.currency) == (56, "CNY")
    assert (t.foreign_capital.annual, t.foreign_capital.currency) == (1.9, "USD")
    assert t.global500_signings.annual == 2 and t.china500_signings.annual == 2
    assert t.bonus_500.annual == 6
    assert (t.big_projects_30.annual, t.big_projects_30.stretch) == (2, 3)
    assert t.projects_100.annual == 1
    assert [o.region for o in p.offices] == ["日本", "韩国", "京津冀", "长三角", "珠三角"]
    assert len(p.platforms) == 6
    assert {
        "山东省青年企业家联合会",
        "深圳手机行业协会",
        "北京首都产业疏解机构",
        "上海山东商会",
    } <= {x.name for x in p.platforms}
    assert all(c.leads_per_quarter > 0 for c in p.channels)
    # Paths are relative to the params file and resolved.
    assert p.data.ledger == (SAMPLE_PARAMS.parent / "../data/jining-2020/ledger.xlsx").resolve()
    assert p.source == SAMPLE_PARAMS.resolve()


def test_params_are_frozen_and_a_what_if_is_a_copy():
    p = load_params(SAMPLE_PARAMS)
    with pytest.raises(pydantic.ValidationError):
        p.year = 2021
    q = p.model_copy(update={"fx_cny_per_usd": 7.1})
    assert (p.fx_cny_per_usd, q.fx_cny_per_usd) == (6.9, 7.1)


def _bad(tmp_path: Path, edit, lang: str = "en") -> list[str]:
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["data"] = {"ledger": str((SAMPLE_PARAMS.parent / data["data"]["ledger"]).resolve())}
    edit(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    return [line.replace(str(path), "bad.yaml") for line in info.value.lines(lang)]


def test_negative_target_names_the_key_path(tmp_path):
    def edit(d):
        d["targets"]["domestic_capital"]["annual"] = -56

    assert _bad(tmp_path, edit) == [
        "bad.yaml: targets.domestic_capital.annual must be > 0, got -56"
    ]
    assert _bad(tmp_path, edit, "zh") == [
        "bad.yaml：targets.domestic_capital.annual 必须 > 0，实际为 -56"
    ]


def test_unknown_key_lists_the_valid_keys(tmp_path):
    def edit(d):
        d["targets"]["domestic_captial"] = {"annual": 56}

    (msg,) = _bad(tmp_path, edit)
    assert msg.startswith(
        "bad.yaml: targets: unknown key 'domestic_captial' (valid keys: domestic_capital, foreign_capital,"
    )


def test_every_problem_is_reported_at_once(tmp_path):
    def edit(d):
        d["year"] = "二〇二〇"
        d["fx_cny_per_usd"] = 0
        d["targets"]["big_projects_30"] = {"annual": 3, "stretch": 2}
        d["targets"]["domestic_capital"]["phasing"] = [0.3, 0.2, 0.7, 1.0]
        d["targets"]["foreign_capital"]["currency"] = "EUR"

    assert _bad(tmp_path, edit) == [
        "bad.yaml: year must be a whole number, got '二〇二〇'",
        "bad.yaml: fx_cny_per_usd must be > 0, got 0",
        "bad.yaml: targets.domestic_capital.phasing: phasing must be cumulative (non-decreasing), got [0.3, 0.2, 0.7, 1.0]",
        "bad.yaml: targets.foreign_capital.currency must be one of 'CNY' or 'USD', got 'EUR'",
        "bad.yaml: targets.big_projects_30: stretch must be >= annual (3), got 2",
    ]


def test_every_problem_in_chinese_by_default(tmp_path):
    """Same key paths and found values as in English; the words around them in Chinese."""

    def edit(d):
        del d["zone_en"]
        d["year"] = "二〇二〇"
        d["fx_cny_per_usd"] = 0
        d["targets"]["big_projects_30"] = {"annual": 3, "stretch": 2}
        d["targets"]["domestic_capital"]["phasing"] = [0.3, 0.2, 0.7, 1.0]
        d["targets"]["foreign_capital"]["currency"] = "EUR"
        d["offices"][0]["id"] = "Japan!"
        d["roadshow"]["restrictions"] = [{"months": [13], "kinds": ["cloud"]}, {"reason": "x"}]

    assert _bad(tmp_path, edit, "zh") == [
        "bad.yaml：zone_en 为必填项",
        "bad.yaml：year 必须是整数，实际为 '二〇二〇'",
        "bad.yaml：fx_cny_per_usd 必须 > 0，实际为 0",
        "bad.yaml：targets.domestic_capital.phasing：phasing 须为累计占比（逐季不减），实际为 [0.3, 0.2, 0.7, 1.0]",
        "bad.yaml：targets.foreign_capital.currency 必须是 'CNY' 或 'USD' 之一，实际为 'EUR'",
        "bad.yaml：targets.big_projects_30：stretch 必须 >= annual（3），实际为 2",
        "bad.yaml：offices.0.id：id 只能由小写字母、数字和 _ 组成，实际为 'Japan!'",
        "bad.yaml：roadshow.restrictions.0.months：months 各值须在1到12之间，实际为 [13]",
        "bad.yaml：roadshow.restrictions.1：限制规则须指定 kinds、events 或 channels",
    ]


def test_unknown_key_and_duplicate_channel_in_chinese(tmp_path):
    def unknown(d):
        d["targets"]["domestic_captial"] = {"annual": 56}

    (msg,) = _bad(tmp_path, unknown, "zh")
    assert msg.startswith(
        "bad.yaml：targets：未知的键 'domestic_captial'（有效的键：domestic_capital, foreign_capital,"
    )

    def twice(d):
        d["platforms"][0]["id"] = "japan"

    assert _bad(tmp_path, twice, "zh") == [
        "bad.yaml：机构或平台 id 'japan' 在 offices/platforms 中重复使用"
    ]


def test_missing_required_key_and_duplicate_channel(tmp_path):
    def edit(d):
        del d["targets"]["domestic_capital"]
        d["platforms"][0]["id"] = "japan"

    lines = _bad(tmp_path, edit)
    assert "bad.yaml: targets.domestic_capital is required" in lines


def test_duplicate_channel_id(tmp_path):
    def edit(d):
        d["platforms"][0]["id"] = "japan"

    assert _bad(tmp_path, edit) == [
        "bad.yaml: channel id 'japan' is used twice in offices/platforms"
    ]


def test_missing_data_file_names_the_resolved_path(tmp_path):
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    path = write_params(tmp_path / "z.yaml", ledger, data={"ledger": "nowhere/ledger.xlsx"})
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert info.value.lines("en") == [
        f"{path}: data.ledger: file not found: {tmp_path / 'nowhere' / 'ledger.xlsx'}"
    ]


def test_relative_data_paths_are_taken_from_the_params_folder(tmp_path):
    (tmp_path / "d").mkdir()
    write_xlsx(tmp_path / "d" / "l.xlsx", small_ledger_rows())
    (tmp_path / "p").mkdir()
    path = write_params(tmp_path / "p" / "z.yaml", tmp_path, data={"ledger": "../d/l.xlsx"})
    assert load_params(path).data.ledger == tmp_path / "d" / "l.xlsx"


def test_yaml_syntax_error_gives_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("zone: a\ntargets: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert info.value.lines("en")[0].startswith(f"{path}: not valid YAML (line 3, column 1)")


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert info.value.lines("en") == [f"{path}: expected a mapping of keys at the top, got list"]


def test_file_and_yaml_errors_in_chinese(tmp_path):
    path = tmp_path / "broken.yaml"
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert info.value.lines() == [f"{path}：参数文件不存在"]
    path.write_text("zone: a\ntargets: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert info.value.lines()[0].startswith(f"{path}：不是有效的 YAML（第3行，第1列）：")
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert info.value.lines() == [f"{path}：顶层应为键值映射，实际为 list"]
    assert str(info.value) == f"{path}: expected a mapping of keys at the top, got list"

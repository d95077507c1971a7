"""Targets as declarations: the zone's own metrics counted as a hand filter of the raw ledger
counts them, built-ins overridable, campaigns' time progress and goals, one-line errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import SAMPLE_PARAMS
from workbook.cli import main
from workbook.text.errors import ParamsError
from workbook.zone.campaigns import (
    campaign_status,
    campaign_time_progress,
    window_months,
    window_values,
)
from workbook.zone.loader import load_zone
from workbook.zone.metrics import definitions
from workbook.zone.pacing import status
from workbook.zone.params import load_params, parse_params

DATA = SAMPLE_PARAMS.parent / "../data/jining-2020"
TEN_STRONG = ["智能制造", "新一代信息技术", "高端装备", "生物医药", "新材料"]
YRD = ["江苏", "浙江", "上海"]


@pytest.fixture(scope="module")
def zone():
    return load_zone(SAMPLE_PARAMS)


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample ledger and arrivals read straight from Excel with pandas (not the loader)."""
    p = pd.read_excel(DATA / "ledger.xlsx", header=2, engine="openpyxl")
    p = p[p["项目编号"].notna()].copy()  # not the sheet's total row
    a = pd.read_excel(DATA / "arrivals.xlsx", header=1, engine="openpyxl")
    for col in ("签约日期", "开工日期", "投产日期"):  # dates typed as dates or as 2020年3月12日
        text = p[col].map(lambda v: v if not isinstance(v, str) else _zh_date(v))
        p[col] = pd.to_datetime(text)
    a["month"] = pd.to_datetime(
        a["月份"].map(lambda v: _zh_date(v + "1日") if "年" in v else v + "-01"), format="ISO8601"
    )
    p["内外资"] = p["内外资"].replace({"港澳台": "外资"})
    a["亿"] = a["到位金额(万)"] / 1e4
    return p, a


def _zh_date(text: str) -> str:
    y, rest = text.split("年")
    m, d = rest.rstrip("日").split("月")
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _hand_ten_strong(p: pd.DataFrame, lo: str, hi: str) -> int:
    signed = p["签约日期"].between(pd.Timestamp(lo), pd.Timestamp(hi))
    return int((signed & (p["总投资(亿元)"] >= 10) & p["产业链"].isin(TEN_STRONG)).sum())


def _hand_yrd(p: pd.DataFrame, a: pd.DataFrame, first: str, last: str) -> float:
    ids = p.loc[p["来源地"].isin(YRD) & (p["内外资"] == "内资"), "项目编号"]
    rows = a[a["项目编号"].isin(ids) & a["month"].between(pd.Timestamp(first), pd.Timestamp(last))]
    return float((rows["亿"] * rows["币种"].map({"人民币": 1.0, "美元": 6.9})).sum())


@pytest.mark.parametrize("as_of", ["2020-03-31", "2020-06-30"])
def test_custom_counts_equal_a_hand_filter_of_the_raw_ledger(zone, raw, as_of):
    p, a = raw
    table = status(zone.params, zone.ledger, dt.date.fromisoformat(as_of)).set_index("metric")
    expected = _hand_ten_strong(p, "2020-01-01", as_of)
    assert table.at["ten_strong_10", "actual"] == expected
    assert table.at["yrd_domestic", "actual"] == pytest.approx(
        _hand_yrd(p, a, "2020-01-01", as_of[:8] + "01"), abs=1e-9
    )
    assert table.at["ten_strong_10", "label"] == "十强产业10亿元以上项目"
    assert table.at["yrd_domestic", "unit"] == "CNY"
    assert (table.at["ten_strong_10", "target"], table.at["yrd_domestic", "target"]) == (3, 12)
    if as_of == "2020-06-30":  # the sample has some of each, so the filters are not vacuous
        assert expected == 3 and table.at["yrd_domestic", "actual"] > 0


def test_builtins_are_declarations_a_params_file_may_override(zone, raw, tmp_path):
    p, _ = raw
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["metrics"]["big_projects_30"] = {"where": {"total_investment": ">= 10"}}
    params = parse_params(data, base_dir=SAMPLE_PARAMS.parent)
    assert definitions(params)["big_projects_30"].stages == ("signed",)
    got = status(params, zone.ledger, dt.date(2020, 6, 30)).set_index("metric")
    signed = p["签约日期"].between(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))
    assert got.at["big_projects_30", "actual"] == int((signed & (p["总投资(亿元)"] >= 10)).sum())
    assert got.at["big_projects_30", "actual"] > 2  # 2 at the default 30亿
    # The defaults themselves give the seed's figures.
    base = status(zone.params, zone.ledger, dt.date(2020, 6, 30)).set_index("metric")
    assert base.at["big_projects_30", "actual"] == int((signed & (p["总投资(亿元)"] >= 30)).sum())


def test_where_on_dates_coded_columns_and_flags_in_the_ledgers_own_words(zone, raw):
    p, _ = raw
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["metrics"]["foreign_q2"] = {
        "label": "二季度外资签约",
        "count": "signed",
        "where": {"签约日期": ">= 2020-04-01", "内外资": "外资"},
    }
    data["metrics"]["intent_500"] = {
        "label": "500强开工（四新）",
        "count": ["started", "producing"],
        "where": {"list_flag": ["世界500强", "中国500强"], "four_new": "是"},
    }
    data["targets"]["foreign_q2"] = {"annual": 1}
    data["targets"]["intent_500"] = {"annual": 1}
    params = parse_params(data, base_dir=SAMPLE_PARAMS.parent)
    got = status(params, zone.ledger, dt.date(2020, 6, 30)).set_index("metric")
    lo, hi = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30")
    signed = p["签约日期"].between(lo, hi) & (p["签约日期"] >= pd.Timestamp("2020-04-01"))
    assert got.at["foreign_q2", "actual"] == int((signed & (p["内外资"] == "外资")).sum())
    reached = p["开工日期"].between(lo, hi) | p["投产日期"].between(lo, hi)
    flagged = p["500强类别"].isin(["世界500强", "中国500强"]) & (p["四新"] == "是")
    assert got.at["intent_500", "actual"] == int((reached & flagged).sum())
    assert got.at["foreign_q2", "actual"] > 0 and got.at["intent_500", "actual"] > 0


def test_campaign_time_progress_is_elapsed_days_over_days(zone):
    c = zone.params.campaign("百日攻坚（春季）")
    assert (c.start, c.end, c.days) == (dt.date(2020, 3, 22), dt.date(2020, 6, 29), 100)
    assert campaign_time_progress(c, dt.date(2020, 3, 21)) == 0
    assert campaign_time_progress(c, dt.date(2020, 3, 22)) == 1 / 100  # day 1
    assert campaign_time_progress(c, dt.date(2020, 5, 10)) == 50 / 100
    assert campaign_time_progress(c, dt.date(2020, 6, 29)) == 1
    assert campaign_time_progress(c, dt.date(2020, 12, 31)) == 1


def test_campaign_goals_count_inside_the_window_up_to_the_as_of_date(zone, raw):
    p, a = raw
    table = campaign_status(zone.params, zone.ledger, "百日攻坚（春季）", dt.date(2020, 5, 10))
    table = table.set_index("metric")
    assert list(table.index) == ["ten_strong_10", "new_starts", "domestic_capital"]
    assert table.at["ten_strong_10", "actual"] == _hand_ten_strong(p, "2020-03-22", "2020-05-10")
    started = p["开工日期"].between(pd.Timestamp("2020-03-22"), pd.Timestamp("2020-05-10"))
    assert table.at["new_starts", "actual"] == int(started.sum())
    # Money by month: the window covers at least half of April, May and June (not March's 10
    # days); up to 10 May, the arrivals logged for April and May count.
    months = window_months(dt.date(2020, 3, 22), dt.date(2020, 6, 29))
    assert months == [pd.Timestamp(2020, m, 1) for m in (4, 5, 6)]
    dom = a[a["项目编号"].isin(p.loc[p["内外资"] == "内资", "项目编号"])]
    april_may = dom[dom["month"].isin([pd.Timestamp(2020, 4, 1), pd.Timestamp(2020, 5, 1)])]
    assert table.at["domestic_capital", "actual"] == pytest.approx(april_may["亿"].sum(), abs=1e-9)
    assert (table["time_progress"] == 0.5).all()
    assert table.at["new_starts", "completion"] == table.at["new_starts", "actual"] / 20
    expected = ["ahead" if g > 0.05 else "behind" if g < -0.05 else "on_pace" for g in table["gap"]]
    assert list(table["verdict"]) == expected


def test_a_window_not_begun_counts_nothing(zone):
    c = zone.params.campaign("百日攻坚（春季）")
    values = window_values(zone.params, zone.ledger, c, dt.date(2020, 3, 1))
    assert values == {"ten_strong_10": 0.0, "new_starts": 0.0, "domestic_capital": 0.0}


def _bad(tmp_path: Path, edit, lang: str = "en") -> list[str]:
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["data"] = {"ledger": str((SAMPLE_PARAMS.parent / data["data"]["ledger"]).resolve())}
    edit(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_params(path)
    return [line.replace(str(path), "bad.yaml") for line in info.value.lines(lang)]


def _set(path: str, value):
    def edit(d):
        *parents, last = path.split("/")
        node = d
        for k in parents:
            node = node[int(k)] if k.isdigit() else node[k]
        node[last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _set("metrics/ten_strong_10/where/total_investment", ">= ten"),
            "bad.yaml: metrics.ten_strong_10.where: cannot read condition '>= ten' on "
            "total_investment",
        ),
        (
            _set("metrics/ten_strong_10/where/signed_date", "> 2020-13-01"),
            "bad.yaml: metrics.ten_strong_10.where: cannot read condition '> 2020-13-01' on "
            "signed_date",
        ),
        (
            _set("metrics/ten_strong_10/where/region", ">= 江苏"),
            "bad.yaml: metrics.ten_strong_10.where: cannot read condition '>= 江苏' on region",
        ),
        (
            _set("metrics/ten_strong_10/where/stage", "已签"),
            "bad.yaml: metrics.ten_strong_10.where: unknown value '已签' for stage (expected one "
            "of 线索, 接洽,",
        ),
        (
            _set("metrics/ten_strong_10/count", "signing"),
            "bad.yaml: metrics.ten_strong_10.count: unknown stage 'signing' to count (expected "
            "one of signed, started, producing)",
        ),
        (
            _set("campaigns/0/goals/ten_strong", 1),
            "bad.yaml: campaigns.0.goals.ten_strong: goal 'ten_strong' names an unknown metric "
            "(expected one of domestic_capital,",
        ),
        (
            _set("campaigns/0/start", dt.date(2020, 11, 22)),
            "bad.yaml: campaigns.0: the window 2020-11-22 to 2021-03-01 is outside the plan "
            "year 2020",
        ),
        (
            _set("campaigns/0/days", 400),
            "bad.yaml: campaigns.0.days: 400 days is longer than the plan year 2020 (366 days)",
        ),
        (
            _set("targets/ten_strong_11", {"annual": 1}),
            "bad.yaml: targets: unknown key 'ten_strong_11' (valid keys: domestic_capital,",
        ),
        (
            _set("metrics/yrd_domestic/count", "signed"),
            "bad.yaml: metrics.yrd_domestic: metric 'yrd_domestic' must have either count",
        ),
    ],
)
def test_bad_declarations_get_one_line_with_the_key_path(tmp_path, edit, message):
    (line,) = _bad(tmp_path, edit)
    assert line.startswith(message), line


def _bad_zone(tmp_path: Path, edit, lang: str = "en") -> list[str]:
    """Errors found only with the ledger at hand (a `where` on a column it does not have)."""
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["data"] = {"ledger": str((SAMPLE_PARAMS.parent / data["data"]["ledger"]).resolve())}
    edit(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_zone(path)
    return [line.replace(str(path.resolve()), "bad.yaml") for line in info.value.lines(lang)]


def test_an_unknown_column_names_the_key_path_and_every_column_of_the_ledger(tmp_path):
    (line,) = _bad_zone(tmp_path, _set("metrics/ten_strong_10/where/sectr", ["x"]))
    assert line.startswith(
        "bad.yaml: metrics.ten_strong_10.where: unknown ledger column 'sectr' (expected one "
        "of project_id, name,"
    )
    assert line.endswith("new_500_signing, four_new, 序号, 备注)")
    (line,) = _bad_zone(tmp_path, _set("metrics/ten_strong_10/where/sectr", ["x"]), lang="zh")
    assert line.startswith("bad.yaml：metrics.ten_strong_10.where：未知台账列 'sectr'")


def test_where_on_a_column_of_the_ledgers_own(raw, tmp_path):
    """备注 (a column the workbook does not know) as text, 序号 by order as a number."""
    p, _ = raw
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["data"] = {k: str((SAMPLE_PARAMS.parent / v).resolve()) for k, v in data["data"].items()}
    data["metrics"]["city_key_starts"] = {
        "label": "市重点项目开工",
        "count": "started",
        "where": {"备注": "市重点", "序号": "<= 100"},
    }
    data["targets"]["city_key_starts"] = {"annual": 5}
    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    z = load_zone(path)
    got = status(z.params, z.ledger, dt.date(2020, 6, 30)).set_index("metric")
    started = p["开工日期"].between(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))
    key = (p["备注"] == "市重点") & (pd.to_numeric(p["序号"]) <= 100)
    assert got.at["city_key_starts", "actual"] == int((started & key).sum()) > 0
    from workbook.forecast.engine import Engine

    fc = Engine(z, as_of=dt.date(2020, 6, 30), trials=200, seed=1).forecast()
    assert fc.facts["city_key_starts"] == got.at["city_key_starts", "actual"]
    assert fc.year_end("city_key_starts").min() >= fc.facts["city_key_starts"]


def test_validate_exits_2_on_a_bad_declaration(tmp_path, capsys):
    data = yaml.safe_load(SAMPLE_PARAMS.read_text(encoding="utf-8"))
    data["data"] = {"ledger": str((SAMPLE_PARAMS.parent / data["data"]["ledger"]).resolve())}
    data["campaigns"][0]["days"] = 400
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "campaigns.0.days: 400 days is longer" in err[0]


def test_status_json_lists_custom_targets_beside_builtins(capsys):
    assert main(["status", str(SAMPLE_PARAMS), "--as-of", "2020-06-30", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["metric"] for r in rows][-2:] == ["ten_strong_10", "yrd_domestic"]
    assert set(rows[-1]) == set(rows[0])  # same fields as the built-ins


def test_status_campaign_cli(capsys):
    argv = ["status", str(SAMPLE_PARAMS), "--as-of", "2020-05-10", "--campaign"]
    assert main([*argv, "100-day push (spring)", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["campaign"], out["end"], out["days"]) == ("百日攻坚（春季）", "2020-06-29", 100)
    assert [g["time_progress"] for g in out["goals"]] == [0.5, 0.5, 0.5]
    assert main([*argv, "百日攻坚（春季）"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].endswith("第 50/100 天")
    assert "十强产业10亿元以上项目" in text and "时间进度" in text
    # money with two decimals, counts whole
    rows = {line.split()[0]: line.split() for line in text.splitlines()[2:]}
    assert rows["内资到位"][2:4] == ["20.00", "8.63"] and rows["新开工项目"][2:4] == ["20", "8"]
    assert main([*argv, "秋季"]) == 2
    err = capsys.readouterr().err
    assert "未知攻坚行动 '秋季'" in err

"""The review's section tables, parameters, rendering and charts, on tiny zones built in code."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbook.files.jsonsafe import records
from workbook.review import parse_quarter, parse_quarters, review_params
from workbook.review.params import Quarter, previous_ledger_for
from workbook.review.sections.burnup import burnup
from workbook.review.sections.channels import channel_totals, channels
from workbook.review.sections.headline import headline_table
from workbook.review.sections.ladder import ladder, ladder_counts
from workbook.review.sections.next_quarter import at_stake
from workbook.review.sections.pipeline import change_counts, changes, funnel, months_in_stage
from workbook.review.sections.tracker import tracker_500, tracker_counts
from workbook.text.errors import InputError, ParamsError
from workbook.text.labels import STAGES
from workbook.zone.drivers import Drivers
from workbook.zone.ledger import ARRIVAL_COLUMNS, PROJECT_COLUMNS, Ledger
from workbook.zone.params import parse_params

REPO = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2020, 6, 30)


def _params(tmp_path: Path, **extra):
    ledger = tmp_path / "ledger.xlsx"
    ledger.touch()
    data = {
        "zone": "测试区",
        "zone_en": "Test Zone",
        "year": 2020,
        "fx_cny_per_usd": 7.0,
        "targets": {
            "domestic_capital": {"annual": 10, "phasing": [0.2, 0.4, 0.7, 1.0]},
            "foreign_capital": {"annual": 1},
            "big_projects_30": {"annual": 1, "stretch": 2},
        },
        "offices": [
            {
                "id": "yrd",
                "name": "驻长三角",
                "name_en": "YRD office",
                "region": "长三角",
                "leads_per_quarter": 5,
            }
        ],
        "platforms": [
            {
                "id": "club",
                "name": "商会",
                "name_en": "Chamber",
                "region": "上海",
                "leads_per_quarter": 2,
            }
        ],
        "data": {"ledger": "ledger.xlsx"},
        **extra,
    }
    return parse_params(data, source="test.yaml", base_dir=tmp_path)


def _project(pid, stage, total=1.0, **kw):
    row = {c: None for c in PROJECT_COLUMNS}
    row.update(
        project_id=pid,
        name=f"项目{pid}",
        investor="某公司",
        capital_type="domestic",
        list_flag="none",
        region="上海",
        sector="智能制造",
        channel="驻长三角",
        team="专班A",
        owner="张三",
        stage=stage,
        total_investment=total,
        planned_inflow=0.0,
        new_500_signing=False,
        four_new=False,
        row=2,
    )
    row.update(kw)
    return row


def _ledger(projects, arrivals=()):
    p = pd.DataFrame(projects, columns=PROJECT_COLUMNS)
    for col in ("signed_date", "start_date", "production_date", "milestone_date"):
        p[col] = pd.to_datetime(p[col])
    p["stage"] = pd.Categorical(p["stage"], categories=list(STAGES), ordered=True)
    a = pd.DataFrame(list(arrivals), columns=ARRIVAL_COLUMNS)
    a["month"] = pd.to_datetime(a["month"])
    a["amount"] = a["amount"].astype(float)
    return Ledger(p, a, pd.DataFrame(), Path("ledger.xlsx"))


@pytest.fixture
def zone(tmp_path):
    projects = [
        _project(
            "P1",
            "started",
            120.0,
            signed_date="2019-05-01",
            start_date="2020-02-01",
            milestone_date="2020-06-01",
            next_milestone="设备安装",
            planned_inflow=5.0,
        ),
        _project(
            "P2",
            "signed",
            35.0,
            signed_date="2020-04-10",
            list_flag="global500",
            new_500_signing=True,
            milestone_date="2020-09-01",
            channel="商会",
        ),
        _project("P3", "lead", 0.5, channel="上海投资说明会"),
        _project(
            "P4",
            "negotiating",
            55.0,
            list_flag="china500",
            new_500_signing=True,
            milestone_date="2020-05-20",
            team="专班B",
            owner="李四",
        ),
        _project(
            "P5",
            "producing",
            2.0,
            signed_date="2019-01-05",
            start_date="2019-03-01",
            production_date="2020-03-01",
            capital_type="foreign",
            channel="以商招商",
            milestone_date="2020-01-01",
        ),
    ]
    arrivals = [
        ("P1", "2020-01-01", 1.0, "CNY", 2),
        ("P1", "2020-03-01", 2.0, "CNY", 3),
        ("P1", "2020-07-01", 9.0, "CNY", 4),  # after the as-of month: not counted
        ("P5", "2020-02-01", 0.1, "USD", 5),
    ]
    events = pd.DataFrame(
        {
            "event_id": ["E1", "E2", "E3"],
            "name": ["上海投资说明会(春季)", "长三角对接会", "商会恳谈会"],
            "channel": ["yrd", "yrd", "club"],
            "cost": [40.0, 30.0, 10.0],
            "months": [(3, 4), (5,), (9,)],
        }
    )
    params = _params(
        tmp_path,
        event_plan=[
            {"event_id": "E1", "month": 4},
            {"event_id": "E2", "month": 5},
            {"event_id": "E3", "month": 9},
        ],
    )
    return params, _ledger(projects, arrivals), events


# ---- quarters and parameters ---------------------------------------------------------------


def test_quarters_parse_and_step():
    q = parse_quarter("2020Q2")
    assert (q.start, q.end) == (dt.date(2020, 4, 1), dt.date(2020, 6, 30))
    assert str(q.previous()) == "2020Q1" and str(Quarter(2020, 1).previous()) == "2019Q4"
    assert Quarter(2020, 4).end == dt.date(2020, 12, 31)
    assert [str(x) for x in parse_quarters("2020Q1-2020Q4")] == [
        "2020Q1",
        "2020Q2",
        "2020Q3",
        "2020Q4",
    ]
    assert [str(x) for x in parse_quarters("2020q4, 2020-Q2")] == ["2020Q2", "2020Q4"]
    for bad in ("2020Q5", "Q2", "2020-06", 2020):
        with pytest.raises(InputError, match="2020Q2"):
            parse_quarter(bad)
    with pytest.raises(InputError, match="ends before"):
        parse_quarters("2020Q3-2020Q1")


def test_review_params_checks_every_value_before_running():
    sample = REPO / "params" / "jining-2020.yaml"
    rp = review_params(sample, "2020Q2", trials="5000", seed=3.0)
    assert rp.as_of == dt.date(2020, 6, 30) and rp.trials == 5000 and rp.seed == 3
    # the sample keeps last quarter's ledger beside its ledger
    assert rp.previous_ledger is not None and rp.previous_ledger.name == "ledger-2020Q1.xlsx"
    assert review_params(sample, "2020Q1").previous_ledger is None
    cases = [
        (dict(quarter="2021Q1"), "outside the plan year 2020"),
        (dict(quarter="2020Q2", as_of="2020-07-02"), "outside quarter 2020Q2"),
        (dict(quarter="2020Q2", as_of="June"), "as_of: expected a date"),
        (dict(quarter="2020Q2", lang="fr"), "lang must be one of zh, en"),
        (dict(quarter="2020Q2", trials=2.5), "trials must be a whole number"),
        (dict(quarter="2020Q2", trials=10), "trials must be between"),
        (dict(quarter="2020Q2", budget="lots"), "budget must be an amount"),
        (
            dict(quarter="2020Q2", previous_ledger="nope.xlsx"),
            "previous_ledger .*nope.xlsx: file not",
        ),
    ]
    for kw, message in cases:
        with pytest.raises(InputError, match=message):
            review_params(sample, **kw)
    with pytest.raises(ParamsError, match="params file not found"):
        review_params(REPO / "params" / "missing.yaml", "2020Q2")


def test_previous_ledger_is_found_by_name(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    assert previous_ledger_for(ledger, Quarter(2020, 3)) is None
    (tmp_path / "ledger-2020Q2.csv").touch()
    assert previous_ledger_for(ledger, Quarter(2020, 3)) == tmp_path / "ledger-2020Q2.csv"


# ---- sections ------------------------------------------------------------------------------


def test_headline_joins_pacing_and_forecast(zone):
    params, ledger, _ = zone
    fc = pd.DataFrame(
        {
            "p_attain": [0.9, 0.3, 1.0],
            "p_stretch": [0.5, 0.1, 0.6],
            "p10": [8.0, 0.5, 1],
            "p50": [11.0, 0.8, 2],
            "p90": [13.0, 1.1, 3],
        },
        index=pd.Index(["domestic_capital", "foreign_capital", "big_projects_30"], name="metric"),
    )
    t = headline_table(params, ledger, AS_OF, fc).set_index("metric")
    assert t.loc["domestic_capital", "actual"] == pytest.approx(3.0)  # July's 9亿 not yet
    assert t.loc["domestic_capital", "phased_target"] == pytest.approx(4.0)  # 40% of 10
    assert t.loc["foreign_capital", "actual"] == pytest.approx(0.1)
    assert t.loc["big_projects_30", "actual"] == 1  # P2 signed in April
    assert list(t["outlook"]) == ["likely", "at_risk", "likely"]
    assert np.isnan(t.loc["domestic_capital", "p_stretch"])  # no stretch target
    assert t.loc["big_projects_30", "p_stretch"] == 0.6
    assert list(headline_table(params, ledger, AS_OF, None)["outlook"]) == ["unknown"] * 3


def test_burnup_is_cumulative_then_the_fan_starts_from_the_actual(zone):
    params, ledger, _ = zone
    fan = pd.DataFrame(
        {
            "month": range(1, 13),
            "p10": np.arange(12.0),
            "p50": np.arange(12.0) + 1,
            "p90": np.arange(12.0) + 2,
        }
    )
    b = burnup(params, ledger, AS_OF, "domestic_capital", fan)
    assert len(b) == 12 and b["month"].iloc[0] == pd.Timestamp("2020-01-01")
    assert list(b["actual"][:6]) == [1.0, 1.0, 3.0, 3.0, 3.0, 3.0]
    assert b["actual"][6:].isna().all()
    assert b["phased_target"].iloc[2] == pytest.approx(2.0) and b["phased_target"].iloc[-1] == 10
    assert b["p50"].iloc[5] == 3.0 and b["p50"].iloc[6] == 7.0  # July from the fan
    assert b["p10"][:5].isna().all()


def test_funnel_counts_each_stage_and_what_reached_it(zone):
    _, ledger, _ = zone
    f = funnel(ledger.projects).set_index("stage")
    assert list(f.index) == list(STAGES)
    assert f.loc["lead", "reached"] == 5 and f.loc["signed", "reached"] == 3
    assert f.loc["producing", "projects"] == 1 and f["projects"].sum() == 5


def test_changes_against_last_quarter(zone):
    _, ledger, _ = zone
    before = ledger.projects.copy()
    before["stage"] = before["stage"].astype(str)
    before.loc[before["project_id"] == "P2", "stage"] = "intent"  # advanced since
    before.loc[before["project_id"] == "P4", "stage"] = "intent"  # moved back since
    before = before[before["project_id"] != "P3"]  # P3 is new
    gone = before.iloc[[0]].assign(project_id="P9", name="终止项目", stage="lead")
    before = pd.concat([before, gone])
    since = dt.date(2020, 3, 31)
    t = changes(before, ledger.projects, AS_OF, Drivers(), since)
    got = dict(zip(t["project_id"], t["change"], strict=True))
    # P1 stayed 开工 (started 2020-02-01): 150 days, under the model's 10 months to produce
    assert got == {
        "P1": "in_stage",
        "P2": "advanced",
        "P3": "new",
        "P4": "moved_back",
        "P5": "unchanged",
        "P9": "dropped",
    }
    p1 = t.set_index("project_id").loc["P1"]
    assert p1["months_in_stage"] == pytest.approx(150 / (365.25 / 12))
    assert p1["expected_months"] == 10.0
    assert change_counts(t) == {
        "advanced": 1,
        "new": 1,
        "stalled": 0,
        "moved_back": 1,
        "dropped": 1,
        "in_stage": 1,
        "unchanged": 1,
    }
    assert t.iloc[0]["change"] == "advanced"
    # stalled: longer in its stage than the model's mean time in it (here 4 months to produce)
    quick = Drivers(months_to_production=4.0)
    t = changes(before, ledger.projects, AS_OF, quick, since)
    assert dict(zip(t["project_id"], t["change"], strict=True))["P1"] == "stalled"


def test_months_in_stage_count_from_the_stage_dates_else_from_the_previous_ledger(zone):
    _, ledger, _ = zone
    p = ledger.projects.copy()
    p.loc[p["project_id"] == "P4", "stage_date"] = pd.Timestamp("2019-12-31")
    months = months_in_stage(p, AS_OF, dt.date(2020, 3, 31))
    month = 365.25 / 12
    assert months["P1"] == pytest.approx(150 / month)  # started 2020-02-01
    assert months["P2"] == pytest.approx(81 / month)  # signed 2020-04-10
    assert months["P4"] == pytest.approx(182 / month)  # 在谈 since its stage date
    assert months["P3"] == pytest.approx(91 / month)  # undated lead: since the last ledger
    assert months_in_stage(p, AS_OF)[["P3"]].isna().all()  # unknown without it


def test_500_tracker_lists_500_projects_and_what_they_count_for(zone):
    params, ledger, _ = zone
    t = tracker_500(params, ledger, AS_OF)
    assert list(t["project_id"]) == ["P2", "P4"]
    p2 = t.iloc[0]
    assert p2["global500_signings"] and p2["bonus_500"] and not p2["overdue"]
    assert t.iloc[1]["overdue"]  # node 2020-05-20 passed, still negotiating
    assert tracker_counts(t)["global500_signings"] == 1


def test_ladder_tiers_and_overdue_time_nodes(zone):
    params, ledger, _ = zone
    t = ladder(params, ledger, AS_OF)
    assert list(zip(t["project_id"], t["tier"], strict=True)) == [
        ("P1", "tier_100"),
        ("P4", "tier_50"),
        ("P2", "tier_30"),
    ]
    assert list(t["days_overdue"].fillna(-1)) == [29, 41, -1]
    counts = ladder_counts(t)
    assert counts["tier_30"] == {"projects": 3, "signed_this_year": 1, "overdue": 2}
    assert counts["tier_100"]["projects"] == 1


def test_channels_attribute_leads_money_and_each_event_cost_once(zone):
    params, ledger, events = zone
    t = channels(params, ledger, events, AS_OF).set_index("channel")
    assert t.loc["驻长三角", "kind"] == "office" and t.loc["驻长三角", "channel_id"] == "yrd"
    assert t.loc["驻长三角", "leads"] == 2 and t.loc["驻长三角", "arrived"] == pytest.approx(3.0)
    assert t.loc["商会", "signings"] == 1
    assert t.loc["上海投资说明会", "kind"] == "event" and t.loc["以商招商", "kind"] == "other"
    assert t.loc["以商招商", "arrived"] == pytest.approx(0.1 * 7.0)  # USD at the params' rate
    # E1 (the event the ledger names) is charged to it; E2 to the office; E3 not yet held
    assert t.loc["上海投资说明会", "cost"] == 40.0
    assert t.loc["驻长三角", "cost"] == 30.0 and np.isnan(t.loc["商会", "cost"])
    assert (
        t.loc["驻长三角", "cost_per_signing"] != t.loc["驻长三角", "cost_per_signing"]
    )  # 0 signings
    totals = channel_totals(t.reset_index())
    assert totals["office"]["leads"] == 2 and totals["event"]["cost"] == 40.0


def test_at_stake_ranks_open_projects_by_expected_contribution(zone):
    _, ledger, _ = zone
    fc = pd.DataFrame(
        {
            "project_id": ["P1", "P2", "P3", "P4", "P5"],
            "name": "x",
            "stage": "x",
            "p_sign": [1, 1, 0.05, 0.4, 1],
            "p_start": [1, 0.7, 0.0, 0.2, 1],
            "p_money": [1, 0.6, 0.0, 0.1, 1],
            "expected_contribution": [4.0, 0.5, 0.0, 0.9, 0.1],
        }
    )
    t = at_stake(fc, ledger, n=2)
    assert list(t["project_id"]) == ["P4", "P2"]  # P1 and P5 already started or producing
    assert list(t.columns[:3]) == ["project_id", "name", "stage"]


def test_records_are_json_ready():
    df = pd.DataFrame(
        {
            "d": [pd.Timestamp("2020-01-02"), pd.NaT],
            "x": [np.float64(1.5), np.nan],
            "b": [np.bool_(True), False],
            "n": pd.array([1, None], dtype="Int64"),
        }
    )
    out = records(df)
    assert json.loads(json.dumps(out)) == [
        {"d": "2020-01-02", "x": 1.5, "b": True, "n": 1},
        {"d": None, "x": None, "b": False, "n": None},
    ]


# ---- rendering, charts, page ---------------------------------------------------------------


def test_tables_render_in_the_report_language(zone):
    from workbook.review.render import localize, table_html

    params, ledger, _ = zone
    t = ladder(params, ledger, AS_OF)
    zh = table_html(
        t, "zh", ["tier", "name", "stage", "total_investment", "milestone_date"], flag="overdue"
    )
    assert "<th>档次</th>" in zh and "百亿元以上" in zh and "开工" in zh and "2020-06-01" in zh
    assert zh.count('class="wb-flag"') == 2
    en = table_html(t, "en", ["tier", "stage"])
    assert "&gt;= 10bn CNY" in en and "started" in en
    loc = localize(t[["tier", "overdue", "total_investment"]], "zh")
    assert list(loc.columns) == ["档次", "节点逾期", "总投资(亿元)"]
    assert loc.iloc[0, 1] == "是" and loc.iloc[0, 2] == 120.0  # numbers stay numbers


def test_charts_are_pure_specs_in_the_house_theme(zone):
    from workbook.charts import FONT
    from workbook.charts import review as rc
    from workbook.review.render import chart_html

    params, ledger, _ = zone
    f = rc.funnel_chart(funnel(ledger.projects), "zh").to_dict()
    assert f["config"]["font"] == FONT and "WenQuanYi Micro Hei" in FONT
    y = f["layer"][0]["encoding"]["y"]
    assert y["sort"] == ["线索", "接洽", "考察", "在谈", "意向", "签约", "开工", "投产"]
    b = burnup(params, ledger, AS_OF, "domestic_capital")
    spec = rc.burnup_chart(b, "domestic_capital", "CNY", "en").to_dict()
    assert spec["title"] == "Domestic capital arrived"
    div = chart_html(rc.burnup_chart(b, "domestic_capital", "CNY", "zh"), "burnup")
    assert div.startswith('<div class="wb-chart" data-chart="burnup">') and "$schema" not in div
    assert "</script" not in div.split('wb-spec">', 1)[1][: -len("</script></div>")]


def test_the_report_page_refuses_external_references(tmp_path):
    import nbformat

    from workbook.review.html import external_references, write_report

    assert external_references('<script src="https://cdn.example/x.js"></script>')
    assert external_references("<link href='//fonts.example/css' rel=stylesheet>")
    assert external_references("body{background:url( https://x/y.png )}")
    assert external_references("@import 'http://x/y.css';")
    assert not external_references('<a href="review.xlsx">x</a> see https://example.org')
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_code()")
    code.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<p>可见</p>", "text/plain": "x"}
        ),
        nbformat.v4.new_output("stream", name="stderr", text="a warning"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# notes for notebook readers"), code]
    page = write_report(nb, tmp_path / "r.html", title="标题", lang="zh").read_text(
        encoding="utf-8"
    )
    assert "<p>可见</p>" in page and "secret_code" not in page
    assert "notes for notebook readers" not in page and "a warning" not in page
    assert "vegaEmbed" in page and '"formatLocale"' in page and not external_references(page)


def test_importing_the_package_and_the_review_facade_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, workbook, workbook.review, workbook.cli.review, workbook.cli.batch; "
        "heavy = [m for m in ('altair', 'papermill', 'nbconvert', 'nbformat', 'jupyter_client', "
        "'IPython', 'ipywidgets', 'distributed') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""The zone's track record in the review: past forecasts (the backtest from earlier quarter ends)
grouped into plain bands of confidence, two sentences a director reads, the picture of what we
said against what came true, and the band table in summary.json."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from workbook.review.sections.headline import track_bands, track_coverage, track_record_text

# Seven past forecasts from two quarter ends. By band: ≥90%: 0.95, 0.9, 1.0 (2 met);
# 60–90%: 0.7 (met); 40–60%: 0.5 (not met); 10–40%: none; <10%: 0.05 (met), 0.0 (not met).
# Outcomes inside [P10, P90]: all but the second and the sixth, 5 of 7.
PAST = pd.DataFrame(
    {
        "quarter": ["2020Q1"] * 3 + ["2020Q2"] * 4,
        "metric": ["a", "b", "c", "a", "b", "c", "d"],
        "p_attain": [0.95, 0.9, 1.0, 0.7, 0.5, 0.05, 0.0],
        "p10": [8.0, 8.0, 1.0, 8.0, 2.0, 0.0, 0.0],
        "p90": [12.0, 12.0, 3.0, 12.0, 4.0, 1.0, 5.0],
        "outcome": [10.0, 13.0, 3.0, 8.0, 2.0, 2.0, 0.0],
        "met": [True, True, False, True, False, True, False],
    }
)
YEAR_END = dt.date(2020, 12, 31)
SEPTEMBER = dt.date(2020, 9, 30)


def test_past_forecasts_fall_into_bands_by_the_chance_they_gave():
    """Each band holds lower <= P < upper (the first one up to and including 1): 0.9 is in the
    top band, 0.5 a toss-up, 0.05 and 0.0 next to no chance; empty bands stay, with 0."""
    b = track_bands(PAST).set_index("band")
    assert list(b.index) == ["sure", "likely", "even", "unlikely", "remote"]
    assert b["forecasts"].tolist() == [3, 1, 1, 0, 2]
    assert b["met"].tolist() == [2, 1, 0, 0, 1]
    assert b.loc["sure", "mean_p"] == pytest.approx(0.95)
    assert b.loc["sure", "share_met"] == pytest.approx(2 / 3)
    assert b.loc["remote", "mean_p"] == pytest.approx(0.025)
    assert np.isnan(b.loc["unlikely", "mean_p"]) and np.isnan(b.loc["unlikely", "share_met"])
    edges = PAST.assign(p_attain=[0.6, 0.4, 0.1, 0.0999, 0.3999, 0.5999, 0.8999])
    assert track_bands(edges)["forecasts"].tolist() == [0, 2, 2, 2, 1]
    assert track_coverage(PAST) == (5, 7)


def test_the_track_record_reads_as_two_plain_sentences_in_chinese():
    assert track_record_text(PAST, YEAR_END, "zh") == (
        "回看2020年第一季度、2020年第二季度末所作的7项预测，对照全年目标："
        "我们说“有九成以上把握”的指标，实际达成了3个中的2个；"
        "说“把握较大”的，达成了1个中的1个；"
        "说“五五开”的，达成了1个中的0个；"
        "说“基本无望”的，达成了2个中的1个。"
        "年末实际值落在我们给出的八成把握区间内的，占7个中的5个（区间给得合适时应约占八成）。"
    )
    assert track_record_text(PAST, SEPTEMBER, "zh") == (
        "回看2020年第一季度、2020年第二季度末所作的7项预测，对照截至2020年9月30日的序时目标："
        "我们说“有九成以上把握”的指标，实际达成了3个中的2个；"
        "说“把握较大”的，达成了1个中的1个；"
        "说“五五开”的，达成了1个中的0个；"
        "说“基本无望”的，达成了2个中的1个。"
        "截至2020年9月30日的实际值落在我们给出的八成把握区间内的，占7个中的5个"
        "（区间给得合适时应约占八成）。"
    )


def test_the_track_record_in_english():
    assert track_record_text(PAST, SEPTEMBER, "en") == (
        "Looking back at the 7 forecasts made at the end of 2020 Q1, 2020 Q2, against the phased "
        'targets at 2020-09-30: of the targets we called "90% sure or more", 2 of 3 were met; '
        '"likely", 1 of 1; "a toss-up", 0 of 1; "next to no chance", 1 of 2. The outcome at '
        "2020-09-30 fell inside the range we gave with 80% confidence for 5 of 7 (about 8 in 10 "
        "when the ranges are right)."
    )
    one = PAST[PAST["quarter"] == "2020Q1"]
    assert track_record_text(one, YEAR_END, "en") == (
        "Looking back at the 3 forecasts made at the end of 2020 Q1, against the annual targets: "
        'of the targets we called "90% sure or more", 2 of 3 were met. The year-end outcome fell '
        "inside the range we gave with 80% confidence for 2 of 3 (about 8 in 10 when the ranges "
        "are right)."
    )


def test_the_picture_has_one_point_per_band_with_forecasts_over_the_diagonal():
    from workbook.charts import FONT
    from workbook.charts import review as rc

    data = rc.track_record_data(track_bands(PAST), "zh")
    assert data["band"].tolist() == [
        "有九成以上把握（≥90%）",
        "把握较大（60–90%）",
        "五五开（40–60%）",
        "基本无望（<10%）",
    ]
    assert data["mean_p"].tolist() == pytest.approx([0.95, 0.7, 0.5, 0.025])
    assert data["share_met"].tolist() == pytest.approx([2 / 3, 1.0, 0.0, 0.5])
    assert data["forecasts"].tolist() == [3, 1, 1, 2]
    assert data["text"].tolist() == ["2/3", "1/1", "0/1", "1/2"]
    # each label clear of its circle: below it from 50% up, above it under 50%
    below = data["share_met"] >= 0.5
    assert (data.loc[below, "label_y"] < data.loc[below, "share_met"]).all()
    assert (data.loc[~below, "label_y"] > data.loc[~below, "share_met"]).all()
    px = (data["label_y"] - data["share_met"]).abs() * rc.TRACK_SIZE / (1 + 2 * rc.TRACK_PAD)
    radius = np.sqrt(rc.TRACK_AREA * data["forecasts"] / 3 / np.pi)
    assert ((px > radius + 5) & (px < radius + 20)).all()

    spec = rc.track_record_chart(track_bands(PAST), "zh").to_dict()
    assert spec["config"]["font"] == FONT
    assert spec["title"]["text"] == "说的把握与实际达成"
    datasets = list(spec["datasets"].values())
    assert [{"mean_p": 0.0, "share_met": 0.0}, {"mean_p": 1.0, "share_met": 1.0}] in datasets
    circle = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
    enc = circle["encoding"]
    assert enc["x"]["title"] == "我们说的把握（该档平均达标概率）"
    assert enc["y"]["title"] == "实际达成的比例"
    assert enc["size"]["field"] == "forecasts"
    assert enc["color"]["scale"]["domain"] == data["band"].tolist()  # most to least sure
    assert enc["color"]["sort"] == data["band"].tolist()
    points = spec["datasets"][circle["data"]["name"]]
    assert [p["text"] for p in points] == ["2/3", "1/1", "0/1", "1/2"]
    en = rc.track_record_chart(track_bands(PAST), "en").to_dict()
    assert en["title"]["text"] == "What we said against what came true"


@pytest.fixture(scope="module")
def q2():
    """The sample's 2020Q2 review: its ledger keeps a 2020Q1 snapshot, so it has past forecasts."""
    from workbook.review.params import review_params
    from workbook.review.report import build_review

    return build_review(review_params("params/jining-2020.yaml", "2020Q2", trials=300))


def _track_paragraph(fragment: str) -> str:
    found = re.findall(
        r'<div class="wb-track"><h3>([^<]*)</h3><p class="wb-note">([^<]*)</p>', fragment
    )
    assert len(found) == 1, fragment[:500]
    return found[0]


def test_a_review_with_snapshots_shows_the_sentences_and_the_picture(q2):
    """The first section reads the track record from the 2020Q1 snapshot in words and as a
    picture (its alt text the same words); the Brier score only in the technical appendix."""
    import html

    bt = q2["headline"].backtest
    assert bt is not None and set(bt.forecasts["quarter"]) == {"2020Q1"}
    fragment = q2.section_html("headline")
    title, text = _track_paragraph(fragment)
    expected = track_record_text(bt.forecasts, dt.date(2020, 6, 30), "zh")
    assert title == "我们以往的预测准不准" and html.unescape(text) == expected
    n = len(bt.forecasts)
    assert expected.startswith(
        f"回看2020年第一季度末所作的{n}项预测，对照截至2020年6月30日的序时目标："
    )
    assert f'data-chart="track_record" role="img" aria-label="{html.escape(expected)}"' in fragment
    assert "track_record" in q2.charts()
    # the Brier score only in the technical appendix, the last section
    page = "".join(q2.section_html(name) for name in q2.names if name != "appendix")
    assert "Brier" not in page and "brier" not in page.lower()
    assert "Brier评分" in q2.section_html("appendix")
    assert fragment.index("wb-track") > fragment.index('data-chart="attainment"')

    en = dataclasses.replace(
        q2,
        context=dataclasses.replace(q2.context, params=dataclasses.replace(q2.params, lang="en")),
    )
    title, text = _track_paragraph(en.section_html("headline"))
    assert title == "How good were our past forecasts?"
    assert html.unescape(text).startswith(f"Looking back at the {n} forecasts made at the end")


def test_summary_json_keeps_the_scores_and_adds_the_band_table(q2):
    bt = q2["headline"].backtest
    s = q2.summary()["backtest"]
    json.dumps(s, allow_nan=False)
    assert s["quarters"] == ["2020Q1"] and s["horizon"] == "2020-06-30"
    assert s["forecasts"] == len(bt.forecasts) and s["trials"] == bt.trials
    assert s["brier"] == pytest.approx(bt.brier)
    assert s["expected_brier"] == pytest.approx(bt.expected_brier)
    assert s["coverage_p10_p90"] == pytest.approx(bt.coverage_p10_p90)
    assert s["inside_p10_p90"] == round(bt.coverage_p10_p90 * len(bt.forecasts))
    bands = track_bands(bt.forecasts)
    assert [b["band"] for b in s["bands"]] == bands["band"].tolist()
    assert [b["forecasts"] for b in s["bands"]] == bands["forecasts"].tolist()
    assert [b["met"] for b in s["bands"]] == bands["met"].tolist()
    assert sum(b["forecasts"] for b in s["bands"]) == len(bt.forecasts)
    assert sum(b["met"] for b in s["bands"]) == int(bt.forecasts["met"].sum())
    assert s["bands"][0]["label"] == "有九成以上把握"
    for b in s["bands"]:  # an empty band has no mean chance, not NaN
        assert (b["mean_p"] is None) == (b["forecasts"] == 0)


def test_without_past_forecasts_there_is_no_sentence_and_no_picture(q2):
    """A first-quarter review (no earlier snapshot) has no backtest: nothing is shown, no empty
    chart, and summary.json says null."""
    from workbook.review.params import review_params
    from workbook.review.sections.headline import backtest_of

    assert (
        backtest_of(
            dataclasses.replace(
                q2.context, params=review_params("params/jining-2020.yaml", "2020Q1", trials=300)
            )
        )
        is None
    )
    none = q2.with_results(headline=dataclasses.replace(q2["headline"], backtest=None))
    assert "wb-track" not in none.section_html("headline")
    assert "track_record" not in none.charts()
    assert none.summary()["backtest"] is None


def test_review_docx_carries_the_picture_with_the_sentences_as_alt_text(q2):
    from docx import Document

    from workbook.review.word import build_docx

    doc = Document(io.BytesIO(build_docx(q2.context, q2.page_html())))
    expected = track_record_text(q2["headline"].backtest.forecasts, dt.date(2020, 6, 30), "zh")
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert alts.count(expected) == 1
    assert len(doc.inline_shapes) == len(q2.charts())
    paragraphs = [p.text for p in doc.paragraphs]
    assert expected in paragraphs and "（一）我们以往的预测准不准" in paragraphs  # 公文 numbering
    assert all(alts)  # every chart's picture says what it is (its title when nothing else)

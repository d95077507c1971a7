"""A zone's own metric labels belong to its params: two zones read in one process that
declare the same metric key with different labels each render their own label."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import REPO
from workbook.files.yamlsafe import load_yaml
from workbook.forecast.engine import Engine
from workbook.text.catalogue import Entry, label
from workbook.zone.campaigns import campaign_status, format_campaign
from workbook.zone.loader import Zone, zone_of
from workbook.zone.pacing import format_status, status
from workbook.zone.params import parse_params

SAMPLE = REPO / "params" / "jining-2020.yaml"
AS_OF = dt.date(2020, 6, 30)
KEY = "ten_strong_10"
A = Entry("十强产业大项目（甲区）", "Ten-industry big projects (zone A)")
B = Entry("十强产业大项目（乙区）", "Ten-industry big projects (zone B)")


def _params(entry: Entry):
    data = load_yaml(SAMPLE)
    data["metrics"][KEY] = {**data["metrics"][KEY], "label": entry.zh, "label_en": entry.en}
    return parse_params(data, source=str(SAMPLE), base_dir=Path(SAMPLE).parent)


@pytest.fixture(scope="module")
def zones() -> tuple[Zone, Zone]:
    a = zone_of(_params(A))
    b = zone_of(_params(B))  # read second: it must not rename zone A's metric
    return a, b


def test_each_params_carries_its_own_labels(zones):
    a, b = zones
    assert a.params.metric_labels[KEY] == A and b.params.metric_labels[KEY] == B
    for lang in ("zh", "en"):
        assert label("metric", KEY, lang, a.params.metric_labels) == A.text(lang)
        assert label("metric", KEY, lang, b.params.metric_labels) == B.text(lang)
    assert label("metric", KEY, "zh") == KEY  # no zone given: no zone's label


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_tables_of_two_zones_name_the_metric_each_their_own_way(zones, lang):
    for zone, own in zip(zones, (A, B), strict=True):
        table = status(zone.params, zone.ledger, AS_OF, lang)
        assert table.set_index("metric").at[KEY, "label"] == own.text(lang)
        shown = format_status(table, lang)
        assert own.text(lang) in list(shown.iloc[:, 0])
        other = B if own == A else A
        assert other.text(lang) not in list(shown.iloc[:, 0])


def test_forecasts_and_campaigns_of_two_zones_name_the_metric_each_their_own_way(zones):
    for zone, own in zip(zones, (A, B), strict=True):
        engine = Engine(zone, as_of=AS_OF, trials=200, seed=1, lang="en")
        targets = engine.forecast().targets
        assert targets.at[KEY, "label"] == own.en
        named = [c for c in zone.params.campaigns if KEY in c.goals]
        assert named  # the sample's campaign has a goal of the metric
        table = campaign_status(zone.params, zone.ledger, named[0].name, AS_OF)
        assert own.zh in list(format_campaign(table).iloc[:, 0])


@pytest.fixture(scope="module")
def reviews(zones):
    """The first section of the 2020Q2 review of each zone, in each language (both zones'
    params read before either review is built)."""
    from workbook.review.params import review_params
    from workbook.review.report import build_review
    from workbook.review.sections.headline import SECTION

    out = {}
    for lang in ("zh", "en"):
        rp = review_params(SAMPLE, "2020Q2", trials=200, lang=lang)
        out[lang] = [build_review(rp, zone.params, sections=(SECTION,)) for zone in zones]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reviews_of_two_zones_name_the_metric_each_their_own_way(reviews, lang):
    import json

    for review, own, other in zip(reviews[lang], (A, B), (B, A), strict=True):
        mine, theirs = own.text(lang), other.text(lang)
        page = review.section_html("headline")  # the table, the why lines, the campaign part
        assert mine in page and theirs not in page
        sheets = review.tables()  # review.xlsx: the targets, and the campaign's goals
        for sheet in ("sheet_headline", "sheet_campaign"):
            names = list(sheets[review.t(sheet)][review.t("metric")])
            assert mine in names and theirs not in names
        summary = review.summary()
        assert summary["targets"][KEY]["label"] == mine
        assert [c["label"] for c in summary["campaigns"] if c["metric"] == KEY] == [mine]
        charts = json.dumps({k: c.to_dict() for k, c in review.charts().items()})
        assert json.dumps(mine)[1:-1] in charts and json.dumps(theirs)[1:-1] not in charts

"""The one catalogue: every id speaks both languages and names the same values in each."""

from __future__ import annotations

import string

import pytest

from workbook.text.catalogue import CATALOGUE, LANGS, Entry, label, say
from workbook.text.messages import Message


def fields(template: str) -> set[str]:
    """The values a template names ('{h.year}' and '{h:%Y}' both name h)."""
    out = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None and name != "":
            out.add(name.split(".")[0].split("[")[0])
    return out


# ids whose languages name different values on purpose, and why (the review's wording as it
# was before it joined the catalogue; an English reader is not told these)
ONE_SIDED = {
    "review.abstract.count": "an English count is the number alone, without its unit",
    "review.abstract.risk_tail": "the English count's expected year end has no unit",
    "review.abstract.beyond": "the English reason does not repeat the target's name",
    "review.abstract.needs": "the English sentence follows one naming the target",
    "review.abstract.more_events": "all the events in Chinese (等8场), the others in English",
    "review.word.h3": "Chinese headings of the third level are numbered (（一）), English not",
}


@pytest.mark.parametrize("id", sorted(CATALOGUE))
def test_every_id_has_both_languages_and_the_same_fields_in_each(id):
    entry = CATALOGUE[id]
    assert entry.zh.strip() and entry.en.strip()
    if id in ONE_SIDED:
        assert fields(entry.zh) != fields(entry.en), f"{id} is one-sided no more: unlist it"
    else:
        assert fields(entry.zh) == fields(entry.en)


def test_the_catalogue_holds_messages_labels_and_phrases():
    assert {"cell.empty", "label.stage.lead", "label.review.title", "rs.budget"} <= set(CATALOGUE)
    assert len(LANGS) == 2 and all(isinstance(e, Entry) for e in CATALOGUE.values())


def test_say_fills_the_template_of_the_language_and_renders_nested_messages():
    assert say("rs.budget", "zh", budget="5万元") == "预算5万元"
    assert say("rs.budget", "en", budget="5万元") == "a budget of 5万元"
    nested = say("at", "en", where="p.yaml", body=Message("params.not_found"))
    assert nested == "p.yaml: params file not found"
    assert (
        say("at", "zh", where="p.yaml", body=Message("params.not_found"))
        == "p.yaml：参数文件不存在"
    )
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        say("rs.budget", "fr", budget="1")


def test_label_reads_a_table_and_gives_an_unknown_key_back():
    assert label("stage", "signed") == "签约"
    assert label("stage", "signed", "en") == "signed"
    assert label("metric", "no_such_metric", "en") == "no_such_metric"
    with pytest.raises(KeyError):
        label("no_such_kind", "x")


def test_declared_labels_name_a_metric_before_the_built_in_ones():
    own = {"domestic_capital": Entry("内资（本区口径）", "Domestic capital (own)")}
    assert label("metric", "domestic_capital", "zh", declared=own) == "内资（本区口径）"
    assert label("metric", "domestic_capital", "en", declared=own) == "Domestic capital (own)"
    assert label("metric", "domestic_capital", "zh") == "内资到位"
    assert label("stage", "lead", "zh", declared=own) == "线索"  # only metrics are declared


# ids the package builds from parts rather than writes out: the prefix and why
BUILT_IDS = (
    "month.name.",  # month.name.<m> (roadshow.explain)
    "plan.sheet.",  # plan.sheet.<row> (cli.plan)
    "home.",  # home.<key> (planners.home)
    "login.",  # login.<key> (planners.login)
    "audit.",  # audit.<key> (planners.home)
    "argparse.type.",  # argparse.type.<type> (cli._common)
    "when.q",  # when.q<n> (text.labels.quarter_words)
)


def test_every_phrase_is_used_by_the_package():
    from tests.conftest import REPO
    from workbook.text.phrases import PHRASES

    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (REPO / "workbook").rglob("*.py")
        if p.name != "phrases.py"
    )
    unused = [k for k in PHRASES if not k.startswith(BUILT_IDS) and f'"{k}"' not in source]
    assert unused == []

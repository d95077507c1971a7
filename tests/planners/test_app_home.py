"""The app's home page: the zone, the two planners with one line each and their links, the
latest reviews under reports/ (newest first, at most five), in Chinese or English; nothing fetched
from anywhere, and text from files escaped."""

from __future__ import annotations

import datetime as dt
import os
import re

from workbook.planners.home import REVIEW_FILE, Review, home_html, latest_reviews


def _review(root, folder: str, when: dt.datetime) -> None:
    path = root / folder / REVIEW_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<html></html>")
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_latest_reviews_are_the_newest_five_review_files_newest_first(tmp_path):
    base = dt.datetime(2020, 7, 1, 9, 30)
    for i in range(7):
        _review(tmp_path, f"jining-2020/2020Q{i % 4 + 1}-{i}", base + dt.timedelta(days=i))
    (tmp_path / "jining-2020" / "notes.html").write_text("not a review")
    _review(tmp_path, ".hidden/run", base + dt.timedelta(days=30))  # not a run folder of ours
    got = latest_reviews(tmp_path)
    assert [r.folder for r in got] == [f"jining-2020/2020Q{i % 4 + 1}-{i}" for i in (6, 5, 4, 3, 2)]
    assert got[0].written == dt.datetime(2020, 7, 7, 9, 30)
    assert got[0].href == "reports/jining-2020/2020Q3-6/review.html"
    assert latest_reviews(tmp_path / "missing") == []


def test_home_page_in_chinese_names_zone_planners_and_reviews_and_nothing_else():
    reviews = [Review("jining-2020/2020Q2", dt.datetime(2020, 7, 3, 10, 0))]
    page = home_html("济宁高新区", reviews, "zh")
    assert "<title>济宁高新区 招商引资规划</title>" in page
    assert re.findall(r'href="([^"]+)"', page) == [
        "data:,",  # no favicon request
        "scenario",  # /z/<zone>/scenario
        "roadshow",
        "reports/jining-2020/2020Q2/review.html",
    ]
    assert "<b>情景规划</b>" in page and "<b>推介活动规划</b>" in page
    assert "达标概率" in page and "导出Excel和日历" in page
    assert "2020-07-03 10:00" in page
    assert "quarterly_review" not in page and "Select items" not in page
    assert "<script" not in page and "http" not in page  # nothing loaded from anywhere


def test_home_page_in_english_and_without_reviews():
    page = home_html("Jining High-tech Zone", [], "en")
    assert '<html lang="en">' in page
    assert "<title>Jining High-tech Zone: investment promotion planners</title>" in page
    assert "<b>Scenario planner</b>" in page and "<b>Roadshow planner</b>" in page
    assert "No review yet: run `workbook review` and it appears here." in page
    assert re.search(r"[\u4e00-\u9fff]", page) is None  # no Chinese left


def test_names_from_files_are_escaped():
    reviews = [Review("<img src=x onerror=alert(1)>/q", dt.datetime(2020, 1, 1))]
    page = home_html("<b>区</b>", reviews, "zh")
    assert "<img" not in page and "<b>区</b>" not in page
    assert "&lt;b&gt;区&lt;/b&gt;" in page


def test_zone_list_links_each_granted_zone_and_says_so_when_there_is_none():
    from workbook.planners.home import zones_html

    page = zones_html(
        [("jining-2020", "济宁高新区"), ("zoucheng-2020", "邹城经济开发区")], "zh", "wang"
    )
    assert re.findall(r'href="([^"]+)"', page) == [
        "data:,",
        "logout",
        "z/jining-2020/",
        "z/zoucheng-2020/",
    ]
    assert "<b>济宁高新区</b>" in page and "<b>邹城经济开发区</b>" in page
    empty = zones_html([], "zh", "li")
    assert "您的账户尚未开通任何园区，请联系本局管理员。" in empty and "z/" not in empty


def test_a_symlinked_review_outside_the_folder_is_not_listed(tmp_path):
    outside = tmp_path / "elsewhere" / "run"
    _review(tmp_path / "elsewhere", "run", dt.datetime(2020, 7, 1))
    reports = tmp_path / "reports"
    (reports / "jining-2020").mkdir(parents=True)
    (reports / "jining-2020" / "2020Q2").symlink_to(outside, target_is_directory=True)
    _review(reports, "jining-2020/2020Q1", dt.datetime(2020, 4, 1))
    assert [r.folder for r in latest_reviews(reports)] == ["jining-2020/2020Q1"]

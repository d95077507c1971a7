"""One quarterly review run end to end: the run folder, golden figures, offline HTML in a
real browser, Excel sheets, a failing run, validation before any kernel, the papermill CLI."""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.review_helpers import (
    ARTIFACTS,
    JINING,
    NOTEBOOK,
    REPO,
    REPORT_FILES,
    failing_notebook,
    leftovers,
    open_offline,
    page_at_width,
)
from workbook.cli import main
from workbook.review.html import external_references
from workbook.review.runner import review, run_review

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "review-jining-2020Q2.json"
SHEETS_ZH = [
    "目标完成情况",
    "攻坚行动",  # the sample's 百日攻坚 overlaps 2020Q2
    "资金到位进度",
    "项目漏斗",
    "季度变化",
    "500强跟踪",
    "重大项目",
    "渠道成效",
    "下季度活动安排",
    "活动安排效果",
    "目标测算",
    "重点在途项目",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The sample zone's 2020Q2 review, run once for the tests of this module."""
    out = tmp_path_factory.mktemp("reports") / "jining-2020" / "2020Q2"
    result = review(JINING, "2020Q2", out)
    assert result.status == "ok", result.error
    return result


def test_run_folder_holds_record_report_tables_summary_and_manifest(run):
    files = {p.name for p in run.run_dir.iterdir()}
    assert files == REPORT_FILES
    assert leftovers(run.run_dir.parent) == []
    m = json.loads((run.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and m["error"] is None
    assert m["parameters"]["quarter"] == "2020Q2" and m["parameters"]["as_of"] == "2020-06-30"
    assert m["parameters"]["previous_ledger"].endswith("ledger-2020Q1.xlsx")
    assert m["kernel"] == {"name": "python3", "language": "python", "transport": "ipc"}
    assert {"papermill", "nbconvert", "altair", "pandas", "workbook"} <= set(m["versions"])
    assert {"validate", "execute", "export_html", "total"} <= set(m["timings"])
    assert {"load", "forecast", "save"} <= set(m["timings"]["kernel"])
    assert set(m["inputs"]) == {
        "params",
        "ledger",
        "arrivals",
        "events",
        "previous_ledger",
        "notebook",
    }
    nb = nbformat.read(run.run_dir / "review.ipynb", as_version=4)
    assert nb.metadata.papermill["parameters"]["quarter"] == "2020Q2"
    assert nb.metadata.kernelspec.name == "python3"
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def _close(a, b, path="") -> list[str]:
    """Differences between two JSON values, floats compared to 1e-6 relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}: keys {sorted(set(a) ^ set(b))}"] if set(a) != set(b) else []
        return out + [d for k in set(a) & set(b) for d in _close(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items, expected {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _close(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) or isinstance(b, float):
        ok = isinstance(a, int | float) and isinstance(b, int | float)
        return (
            [] if ok and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) else [f"{path}: {a} != {b}"]
        )
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_summary_figures_match_the_golden_file(run):
    """Every headline figure of the sample zone at seed 1. After an intended change to the
    model or the data: WORKBOOK_UPDATE_GOLDEN=1 pytest tests/review/test_review_run.py -k golden."""
    summary = json.loads((run.run_dir / "summary.json").read_text(encoding="utf-8"))
    if os.environ.get("WORKBOOK_UPDATE_GOLDEN"):
        GOLDEN.write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    diffs = _close(summary, golden)
    assert not diffs, (
        f"{len(diffs)} figures differ from {GOLDEN.name}, e.g. {diffs[:3]}; if the model or the "
        "sample data changed on purpose: WORKBOOK_UPDATE_GOLDEN=1 pytest tests/review/test_review_run.py -k golden"
    )
    # and the figures a leader reads first are the pacing ones `workbook status` prints
    d = summary["targets"]["domestic_capital"]
    assert d["target"] == 56 and round(d["actual"], 2) == 23.39 and d["verdict"] == "on_pace"
    assert 0 <= d["p_attain"] <= 1 and d["p10"] <= d["p50"] <= d["p90"]
    assert summary["changes"]["previous_ledger"] == "ledger-2020Q1.xlsx"


def test_html_has_no_code_cells_and_no_external_reference(run):
    page = (run.run_dir / "review.html").read_text(encoding="utf-8")
    assert external_references(page) == []
    tags = re.findall(r"<(?:script|link|img|iframe|source|object|embed)\b[^>]*>", page, re.I)
    assert not [
        t for t in tags if re.search(r"(?:src|href|data)\s*=\s*[\"']?\s*(?:https?:)?//", t, re.I)
    ]
    assert "open_review(" not in page and "review.show(" not in page
    assert 'class="input' not in page and "jp-InputArea" not in page
    assert "一、目标完成情况与全年预测" in page and "七、下季度工作建议" in page
    assert page.count('class="wb-chart"') >= 7


def test_first_section_says_why_each_forecast_is_what_it_is(run):
    """One line per target in the first section: facts, pipeline, new deals, median of target."""
    page = (run.run_dir / "review.html").read_text(encoding="utf-8")
    lines = re.findall(r'<p class="wb-why">([^<]*)</p>', page)
    assert len(lines) == 12  # the ten built-ins and the zone's two own targets
    assert any(line.startswith("长三角内资到位：已完成") for line in lines)
    assert any(line.startswith("十强产业10亿元以上项目：已完成") for line in lines)
    starts = next(line for line in lines if line.startswith("新开工项目："))
    assert starts.startswith("新开工项目：已完成33；") and starts.endswith("（目标60）")
    assert "新引进项目约" in starts and " → 中位数" in starts
    assert page.index("wb-why") < page.index("二、资金到位累计进度与全年预测")


def test_the_abstract_a_director_reads_in_summary_json_and_on_the_page(run):
    """From the user's side: the run's summary.json opens with the paragraph the page opens
    with, in plain words, one statistic, every target behind pace named with its chance and an
    action naming events; no ask beyond a target printed as a recommendation."""
    import html

    summary = json.loads((run.run_dir / "summary.json").read_text(encoding="utf-8"))
    text = summary["abstract"]
    page = (run.run_dir / "review.html").read_text(encoding="utf-8")
    shown = re.search(r'<p class="wb-abstract">([^<]*)</p>', page).group(1)
    assert html.unescape(shown) == text
    for word in ("P50", "P10", "Brier", "中位数", "2020Q2"):
        assert word not in text
    labels = {"foreign_capital": "实际使用外资", "projects_100": "百亿元以上项目"}
    for metric, v in summary["targets"].items():
        if v["verdict"] == "behind" and metric in labels:
            assert f"{labels[metric]}{v['p_attain']:.0%}（" in text
    assert "建议用剩余预算安排" in text and "万元）" in text
    g = summary["next_quarter"]["goal_seek"]
    assert g["beyond_target"] and f"{g['extra_signed_capital']:,.2f}" not in text


@pytest.mark.browser
def test_offline_browser_draws_every_chart(run):
    shot = ARTIFACTS / "review-jining-2020Q2.png"
    seen = open_offline(run.run_dir / "review.html", screenshot=shot)
    assert seen["requests"] == [] and seen["errors"] == []
    names = [c["name"] for c in seen["charts"]]
    assert {
        "completion",
        "attainment",
        "track_record",  # the 2020Q1 snapshot's forecasts: what we said against what came true
        "burnup_domestic_capital",
        "burnup_foreign_capital",
        "funnel",
        "changes",
        "channels",
        "plan",
    } <= set(names)
    for c in seen["charts"]:
        assert c["rendered"] == "ok", c
        assert c["marks"] > 3 and c["width"] > 100 and c["height"] > 50, c
    burnup = next(c for c in seen["charts"] if c["name"] == "burnup_domestic_capital")
    assert "内资到位" in burnup["text"] and "年度目标 56" in burnup["text"]
    track = next(c for c in seen["charts"] if c["name"] == "track_record")
    assert "说的把握与实际达成" in track["text"] and "有九成以上把握" in track["text"]
    assert "济宁高新区2020年第二季度招商引资工作季度评估" in seen["text"]
    assert "我们说“有九成以上把握”的指标，实际达成了" in seen["text"]
    assert shot.stat().st_size > 50_000


@pytest.mark.browser
def test_review_page_reads_on_a_phone_and_on_a_desk(run):
    """At 390 px (a phone) nothing makes the page scroll sideways: wide tables scroll in their
    own box, charts shrink to the width, and no name, id or date in a table breaks over two
    lines; at 1280 px neither."""
    phone = page_at_width(run.run_dir / "review.html", 390)
    assert phone["scrollWidth"] <= 390, phone
    assert phone["chartRight"] <= 390 and phone["tableRight"] <= 390, phone
    assert phone["scrolling"] >= 1  # the 13-column tables scroll inside their box
    assert phone["wrapped"] == [], phone["wrapped"]
    desk = page_at_width(run.run_dir / "review.html", 1280)
    assert desk["scrollWidth"] <= 1280 and desk["wrapped"] == [], desk
    assert desk["tables"] == phone["tables"] > 5


def test_xlsx_opens_with_one_sheet_per_table(run):
    from openpyxl import load_workbook

    wb = load_workbook(run.run_dir / "review.xlsx", read_only=True)
    assert wb.sheetnames == SHEETS_ZH
    rows = list(wb["目标完成情况"].iter_rows(values_only=True))
    assert rows[0][:4] == ("指标", "单位", "年度目标", "冲刺目标")
    assert rows[1][0] == "内资到位" and rows[1][2] == 56
    assert len(list(wb["重大项目"].iter_rows())) == 11  # header + ten projects >= 30亿元
    wb.close()


def test_xlsx_reads_right_in_excel_headers_labels_and_number_formats(run):
    """Every sheet: bold frozen header in Chinese, fitted widths; money with two decimals,
    counts whole, percentages, dates and months as such, capital of events in 万元."""
    from openpyxl import load_workbook

    wb = load_workbook(run.run_dir / "review.xlsx")
    ids = {"domestic_capital", "foreign_capital", "metric_id", "p_attain", "spring_festival"}
    for ws in wb:
        assert ws.freeze_panes == "A2", ws.title
        header = [c.value for c in ws[1]]
        assert all(c.font.b for c in ws[1]), ws.title
        assert not ids & set(header), ws.title
        for j, h in enumerate(header, start=1):
            letter = ws.cell(row=1, column=j).column_letter
            assert ws.column_dimensions[letter].width >= 8, (ws.title, h)
        values = {c.value for row in ws.iter_rows(min_row=2) for c in row}
        assert not ids & values, ws.title

    def col(ws, name):
        header = [c.value for c in ws[1]]
        return [r[header.index(name)] for r in ws.iter_rows(min_row=2)]

    head = wb["目标完成情况"]
    units = [c.value for c in col(head, "单位")]
    for cell, unit in zip(col(head, "年度目标"), units, strict=True):
        assert cell.number_format == ("#,##0" if unit == "个" else "#,##0.00"), (cell.value, unit)
    for cell, unit in zip(col(head, "序时目标"), units, strict=True):
        assert cell.number_format == ("#,##0.0" if unit == "个" else "#,##0.00")
    assert {c.number_format for c in col(head, "达标概率")} == {"0.0%"}
    assert {c.number_format for c in col(head, "完成率")} == {"0.0%"}

    burn = wb["资金到位进度"]
    header = [c.value for c in burn[1]]
    assert "预测累计中位数" in header and "年末中位数" not in header
    assert header[:3] == ["指标", "单位", "月份"]  # 亿元 and 亿美元 rows say which they are
    by_metric = {r[0]: r[1] for r in burn.iter_rows(min_row=2, values_only=True)}
    assert by_metric["内资到位"] == "亿元" and by_metric["实际使用外资"] == "亿美元"

    campaign = wb["攻坚行动"]  # a count goal reads 20, not 20.00
    for goal, unit in zip(col(campaign, "攻坚目标"), col(campaign, "单位"), strict=True):
        assert goal.number_format == ("#,##0" if unit.value == "个" else "#,##0.00")

    for ws in wb:  # every table sorts and prints: autofilter, landscape, one page wide
        end = ws.cell(row=1, column=ws.max_column).column_letter
        assert ws.auto_filter.ref == f"A1:{end}{ws.max_row}", ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    months = col(burn, "月份")
    assert {c.number_format for c in months} == {"yyyy-mm"}
    assert months[0].value.year == 2020 and months[0].value.month == 1

    plan = wb["下季度活动安排"]
    assert [c.value for c in plan[1]][:5] == [
        "月份",
        "开始日期",
        "结束日期",
        "活动编号",
        "活动名称",
    ]
    for c in col(plan, "月份"):
        assert isinstance(c.value, int) and 7 <= c.value <= 12 and c.number_format == '0"月"'
    assert {c.number_format for c in col(plan, "开始日期")} == {"yyyy-mm-dd"}
    capital = col(plan, "预期年内到位(万元)")
    assert {c.number_format for c in capital} == {"#,##0.00"}
    assert max(c.value for c in capital) > 10  # 万元: not the 0.00 亿元 it used to read

    effect = wb["活动安排效果"]
    assert [c.value for c in effect[1]][0] == "指标"
    assert {c.number_format for c in col(effect, "达标概率（按推荐安排）")} == {"0.0%"}

    goal = {r[0].value: r[1] for r in wb["目标测算"].iter_rows(min_row=2)}
    assert goal["要求达标概率"].value == 0.8 and goal["要求达标概率"].number_format == "0.0%"
    assert goal["需新增签约资金(亿元)"].number_format == "#,##0.00"
    funnel = wb["项目漏斗"]
    assert {c.number_format for c in col(funnel, "项目数")} == {"#,##0"}
    assert {c.number_format for c in col(funnel, "总投资(亿元)")} == {"#,##0.00"}


def test_a_failing_cell_is_reported_and_leaves_no_half_written_report(run, tmp_path):
    # a finished report already in place stays; the failed run's record goes beside it
    target = tmp_path / "2020Q2"
    shutil.copytree(run.run_dir, target)  # an earlier, finished run of this tool
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    rp = run.params
    result = run_review(rp, target, notebook=failing_notebook(tmp_path, after="open"))
    assert result.status == "failed" and not result.ok
    assert "RuntimeError" in result.error and "deliberate failure" in result.error
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    record = tmp_path / "2020Q2.failed"
    assert result.record == record
    assert {p.name for p in record.iterdir()} == {"review.ipynb", "manifest.json"}
    assert leftovers(tmp_path) == []
    m = json.loads((record / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "failed" and m["error"]["ename"] == "RuntimeError"
    nb = nbformat.read(record / "review.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "deliberate failure for the test"
    shown = [c for c in nb.cells if c.get("id") == "open"][0]
    assert shown.outputs  # the cells before the failure ran and kept their outputs (every section)


def test_bad_parameters_stop_before_any_kernel_starts(tmp_path, capsys, monkeypatch):
    import papermill

    def no_kernel(*a, **k):  # pragma: no cover - reaching it is the failure
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    out = tmp_path / "run"
    assert main(["review", str(JINING), "--quarter", "2020Q7", "--out", str(out)]) == 2
    assert capsys.readouterr().err == "error: 季度应形如 2020Q2，实际为 '2020Q7'\n"
    assert (
        main(
            [
                "review",
                str(JINING),
                "--quarter",
                "2020Q2",
                "--as-of",
                "2020-09-30",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "不在季度 2020Q2（2020-04-01 至 2020-06-30）内" in capsys.readouterr().err
    assert (
        main(["review", str(JINING), "--quarter", "2020Q2", "--trials", "5", "--out", str(out)])
        == 2
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_review_reports_a_failed_run_with_exit_code_1(run, tmp_path, capsys):
    bad = failing_notebook(tmp_path, after="parameters")
    out = tmp_path / "run"
    code = main(
        [
            "review",
            str(JINING),
            "--quarter",
            "2020Q2",
            "--out",
            str(out),
            "--notebook",
            str(bad),
            "--trials",
            "1000",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: 复盘运行失败：cell")
    assert "RuntimeError: deliberate failure" in err and str(out / "review.ipynb") in err
    assert {p.name for p in out.iterdir()} == {"review.ipynb", "manifest.json"}


def test_the_papermill_cli_line_in_the_readme_runs(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = next(
        x.strip()
        for x in readme.splitlines()
        if x.strip().startswith("papermill notebooks/quarterly_review.ipynb")
    )
    args = shlex.split(line.replace("reports/papermill", str(tmp_path / "pm")))
    (tmp_path / "pm").mkdir()  # the README's line before it: mkdir -p reports/papermill
    assert "mkdir -p reports/papermill" in readme
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    nb = nbformat.read(tmp_path / "pm" / "review.ipynb", as_version=4)
    assert nb.metadata.papermill["parameters"]["quarter"] == "2020Q2"
    summary = json.loads((tmp_path / "pm" / "summary.json").read_text(encoding="utf-8"))
    assert summary["quarter"] == "2020Q2" and summary["zone"] == "济宁高新区"


def test_notebook_parameters_match_what_the_runner_passes(run):
    import papermill

    declared = set(papermill.inspect_notebook(str(NOTEBOOK)))
    assert declared == set(run.params.notebook_parameters(out_dir="x"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])][0].id == "parameters"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed clean
    assert nb.metadata.kernelspec.name == "python3"


def test_the_readme_screenshots_show_this_review():
    """docs/review.png was taken of the review the golden file holds: after a change to what the
    review says, `make screenshots` takes the pictures again (and records what they show)."""
    from tests.review_helpers import review_fingerprint

    record = json.loads((REPO / "docs" / "screenshots.json").read_text(encoding="utf-8"))
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert record["review_fingerprint"] == review_fingerprint(golden), (
        "the README's screenshots are older than the review they show: run `make screenshots`"
    )

"""A failed run never replaces a good one, and a ledger that changes while a run reads it is
caught: the previous complete run folder stays byte for byte, the failed record goes beside
it (`<run>.failed/`), the one-line error names both, and the next batch redoes the run.

The notebooks here are tiny stand-ins for the review notebook (the runner's behaviour does not
depend on what the notebook computes): one writes the two files a review must write, one
fails, one rewrites the ledger while it runs, as a planner saving the file in Excel would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from tests.conftest import small_arrival_rows, small_ledger_rows, write_params, write_xlsx
from workbook.cli import main
from workbook.review.runner import is_done, review

PARAMETERS = """params_path = None
quarter = None
as_of = None
trials = 1
seed = 1
lang = "zh"
previous_ledger = None
budget = None
out_dir = None
"""
# what a batch's index and roll-up read of a run's summary.json
SUMMARY = {
    "zone": "测试园区",
    "zone_en": "Test Zone",
    "quarter": "2020Q1",
    "p_all": 0.5,
    "targets": {
        "domestic_capital": {
            "unit": "CNY",
            "target": 10.0,
            "actual": 3.0,
            "completion": 0.3,
            "phased_target": 4.5,
            "verdict": "on_pace",
            "p_attain": 0.5,
            "p50": 10.0,
            "outlook": "at_risk",
        }
    },
    "tracker_500": {"global500_signings": 1, "china500_signings": 0, "bonus_500": 1},
    "big_projects": {"tier_30": {"projects": 1}, "overdue_projects": []},
    "pipeline": {"projects": 4, "total_investment": 55.0, "signed_or_beyond": 3},
}
WRITE_OUTPUTS = f"""import json, pathlib
from openpyxl import Workbook
out = pathlib.Path(out_dir)
Workbook().save(out / "review.xlsx")
(out / "summary.json").write_text(json.dumps({SUMMARY!r}))
(out / "review.docx").write_bytes(b"")
"""


def notebook(tmp_path: Path, name: str, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "py"}
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def zone(tmp_path: Path) -> Path:
    ledger = write_xlsx(tmp_path / "ledger.xlsx", small_ledger_rows())
    arrivals = write_xlsx(tmp_path / "arrivals.xlsx", small_arrival_rows(), sheet="到位资金")
    return write_params(tmp_path / "zone.yaml", ledger, arrivals)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_review_keeps_the_good_run_and_writes_its_record_beside(zone, tmp_path, capsys):
    good = notebook(tmp_path, "good", WRITE_OUTPUTS)
    bad = notebook(tmp_path, "bad", 'raise RuntimeError("deliberate failure")')
    out = tmp_path / "reports" / "2020Q1"
    argv = ["review", str(zone), "--quarter", "2020Q1", "--out", str(out), "--trials", "100"]
    assert main([*argv, "--notebook", str(good)]) == 0
    before = snapshot(out)
    assert json.loads(before["manifest.json"])["status"] == "ok"
    capsys.readouterr()

    assert main([*argv, "--notebook", str(bad)]) == 1
    err = capsys.readouterr().err
    failed = out.with_name("2020Q1.failed")
    assert err.count("\n") == 1 and err.startswith("error: 复盘运行失败：cell")
    assert f"运行记录：{failed / 'review.ipynb'}" in err
    assert f"上一次完整的复盘仍保留在 {out}" in err
    assert snapshot(out) == before  # the good run, byte for byte
    record = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed" and record["error"]["ename"] == "RuntimeError"
    assert {p.name for p in failed.iterdir()} == {"review.ipynb", "manifest.json"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["2020Q1", "2020Q1.failed"]

    assert main([*argv, "--notebook", str(bad), "--lang", "en"]) == 1  # English, same place
    err = capsys.readouterr().err
    assert err.startswith("error: review failed: cell") and err.count("\n") == 1
    assert f"(the previous complete review stays in {out})" in err

    assert main([*argv, "--notebook", str(good)]) == 0  # a good run clears the old record
    assert sorted(p.name for p in out.parent.iterdir()) == ["2020Q1"]


def test_a_failed_first_run_keeps_its_record_in_the_run_folder(zone, tmp_path, capsys):
    bad = notebook(tmp_path, "bad", 'raise RuntimeError("deliberate failure")')
    out = tmp_path / "reports" / "2020Q1"
    argv = ["review", str(zone), "--quarter", "2020Q1", "--out", str(out)]
    assert main([*argv, "--notebook", str(bad), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"its record: {out / 'review.ipynb'}" in err
    assert sorted(p.name for p in out.parent.iterdir()) == ["2020Q1"]


def test_a_ledger_changed_while_the_review_reads_it_fails_the_run_and_keeps_the_good_one(
    zone, tmp_path
):
    ledger = tmp_path / "ledger.xlsx"
    good = notebook(tmp_path, "good", WRITE_OUTPUTS)
    out = tmp_path / "reports" / "2020Q1"
    first = review(zone, "2020Q1", out, notebook=good, trials=100)
    assert first.status == "ok"
    before = snapshot(out)
    old_hash = sha256(ledger)
    assert json.loads(before["manifest.json"])["inputs"]["ledger"] == old_hash
    from workbook.review.params import read_review_params

    rp, _ = read_review_params(zone, "2020Q1", trials=100)
    assert is_done(rp, out, good)  # a batch now would skip it

    # the planner saves the ledger while the notebook reads it
    rewrite = WRITE_OUTPUTS + (
        "from openpyxl import load_workbook\n"
        f"wb = load_workbook({str(ledger)!r})\n"
        "wb.active.append(['P9', '新项目', '新公司', '内资', '无', '线索', 1])\n"
        f"wb.save({str(ledger)!r})\n"
    )
    changing = notebook(tmp_path, "changing", rewrite)
    second = review(zone, "2020Q1", out, notebook=changing, trials=100)
    assert second.status == "failed"
    assert second.error == "运行读取期间输入文件发生变化（ledger）：本次结果未保留，请重新运行"
    assert snapshot(out) == before
    record = json.loads((second.record / "manifest.json").read_text(encoding="utf-8"))
    assert record["error"]["ename"] == "InputChanged" and record["error"]["evalue"] == ["ledger"]
    assert record["inputs"]["ledger"] == old_hash != sha256(ledger)
    assert not (second.record / "summary.json").exists()  # never results of a mixed read

    # the good run's manifest names the ledger its results came from: a batch redoes it
    assert not is_done(rp, out, good)
    third = review(zone, "2020Q1", out, notebook=good, trials=100)
    assert third.status == "ok" and is_done(rp, out, good)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["ledger"] == sha256(ledger)


def test_a_batch_keeps_each_good_run_and_reruns_one_whose_ledger_changed(zone, tmp_path):
    from workbook.review.batch import run_batch
    from workbook.review.params import parse_quarters

    good = notebook(tmp_path, "good", WRITE_OUTPUTS)
    bad = notebook(tmp_path, "bad", 'raise RuntimeError("deliberate failure")')
    root = tmp_path / "reports"
    q = parse_quarters("2020Q1")
    kw = {"root": root, "jobs": 1, "progress": False, "trials": 100}
    first = run_batch([zone], q, notebook=good, **kw)
    (run,) = first.results
    assert run.status == "ok"
    before = snapshot(run.run_dir)

    failed = run_batch([zone], q, notebook=bad, force=True, **kw)
    (r,) = failed.results
    assert r.status == "failed" and r.record == run.run_dir.with_name("2020Q1.failed")
    assert snapshot(run.run_dir) == before
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runs"] == [
        {"folder": "zone/2020Q1", "status": "failed", "record": "zone/2020Q1.failed"}
    ]
    index = (root / "index.html").read_text(encoding="utf-8")
    assert 'href="zone/2020Q1.failed/review.ipynb"' in index

    again = run_batch([zone], q, notebook=good, **kw)  # the good run is in place: skipped
    assert [x.status for x in again.results] == ["skipped"]
    ledger = tmp_path / "ledger.xlsx"
    ledger.write_bytes(ledger.read_bytes())  # same bytes: still skipped
    assert [x.status for x in run_batch([zone], q, notebook=good, **kw).results] == ["skipped"]
    from openpyxl import load_workbook

    wb = load_workbook(ledger)
    wb.active.append(["P9", "新项目", "新公司", "内资", "无", "线索", 1])
    wb.save(ledger)
    redone = run_batch([zone], q, notebook=good, **kw)
    assert [x.status for x in redone.results] == ["ok"]
    m = json.loads((run.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["inputs"]["ledger"] == sha256(ledger)
    assert not run.run_dir.with_name("2020Q1.failed").exists()


def test_a_failed_plan_keeps_the_good_plan_and_writes_its_record_beside(tmp_path, capsys):
    from tests.conftest import SAMPLE_PARAMS

    out = tmp_path / "plan"
    argv = ["plan", str(SAMPLE_PARAMS), "--no-simulate", "--out", str(out)]
    assert main(argv) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main([*argv, "--budget", "0"]) == 2  # no feasible plan
    err = capsys.readouterr().err.splitlines()
    failed = tmp_path / "plan.failed"
    assert err[-1].endswith(f"（运行记录：{failed}；上一次完整的计划仍保留在 {out}）")
    assert snapshot(out) == before
    record = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed" and record["kind"] == "plan"
    assert record["error"][-1] == "预算至少108万元才有可行方案"  # in the command's language
    assert main(argv) == 0  # a good plan clears the old record
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]

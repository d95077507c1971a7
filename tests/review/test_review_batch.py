"""`workbook batch`: zones in parallel processes, index and roll-up, skipping finished runs,
a Dask LocalCluster, and a non-zero exit when a run fails."""

from __future__ import annotations

import json
import time

import pytest
from openpyxl import load_workbook

from tests.review_helpers import JINING, REPORT_FILES, ZOUCHENG, failing_notebook, leftovers
from workbook.cli import main
from workbook.review.batch import plan_batch, run_batch
from workbook.review.html import external_references
from workbook.review.params import parse_quarters
from workbook.review.runner import is_done
from workbook.text.errors import InputError

pytestmark = [pytest.mark.slow, pytest.mark.notebook]


def test_batch_runs_zones_in_parallel_rolls_up_and_skips_finished_runs(tmp_path):
    q = parse_quarters("2020Q2")
    first = run_batch([JINING, ZOUCHENG], q, root=tmp_path, jobs=2, lang="en", progress=False)
    assert [r.status for r in first.results] == ["ok", "ok"], [r.error for r in first.results]
    for r in first.results:
        assert {p.name for p in r.run_dir.iterdir()} == REPORT_FILES
        assert (
            r.run_dir.parent.name in ("jining-2020", "zoucheng-2020")
            and r.run_dir.name == "2020Q2-en"
        )
        summary = json.loads((r.run_dir / "summary.json").read_text(encoding="utf-8"))
        assert summary["lang"] == "en"
        page = (r.run_dir / "review.html").read_text(encoding="utf-8")
        assert "1. Targets: where we stand" in page and "一、" not in page
        assert leftovers(r.run_dir.parent) == []

    index = first.index.read_text(encoding="utf-8")
    assert 'href="jining-2020/2020Q2-en/review.html"' in index
    assert 'href="zoucheng-2020/2020Q2-en/review.html"' in index
    assert "Zoucheng Economic Development Zone" in index and not external_references(index)

    wb = load_workbook(first.rollup, read_only=True)
    assert wb.sheetnames == ["Targets side by side", "Targets", "Pipeline", "Runs"]
    targets = list(wb["Targets"].iter_rows(values_only=True))
    zones = {row[0] for row in targets[1:]}
    assert zones == {"Jining High-tech Zone", "Zoucheng Economic Development Zone"}
    assert len(targets) == 1 + 12 + 9  # Jining assesses 10 + its own 2 targets, Zoucheng 9
    metrics = {row[2] for row in targets[1:]}
    assert "10亿+ projects in the ten leading industries" in metrics  # a zone's own, in English
    wb.close()

    # the same batch again: nothing to run, both skipped, in far less than a kernel start
    t = time.perf_counter()
    again = run_batch([JINING, ZOUCHENG], q, root=tmp_path, jobs=2, lang="en", progress=False)
    assert [r.status for r in again.results] == ["skipped", "skipped"]
    assert time.perf_counter() - t < 5
    # another seed is another review: not done
    rp, folder = plan_batch([JINING], q, tmp_path, lang="en", seed=2)[0]
    assert not is_done(rp, folder)


def test_batch_on_a_dask_local_cluster(tmp_path):
    result = run_batch(
        [ZOUCHENG],
        parse_quarters("2020Q1"),
        root=tmp_path,
        dask="local",
        jobs=1,
        progress=False,
        trials=2000,
    )
    assert [r.status for r in result.results] == ["ok"], result.results[0].error
    summary = json.loads((result.results[0].run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["quarter"] == "2020Q1" and summary["as_of"] == "2020-03-31"
    assert summary["changes"] is None  # no 2019Q4 ledger beside the ledger
    assert result.index.is_file() and result.rollup.is_file()


def test_batch_exits_non_zero_when_a_run_fails(tmp_path, capsys):
    bad = failing_notebook(tmp_path, after="parameters")
    out = tmp_path / "reports"
    code = main(
        [
            "batch",
            str(ZOUCHENG),
            "--quarters",
            "2020Q2",
            "--out",
            str(out),
            "--jobs",
            "1",
            "--notebook",
            str(bad),
            "--no-progress",
            "--trials",
            "1000",
        ]
    )
    assert code == 1
    captured = capsys.readouterr()
    assert "RuntimeError: deliberate failure" in captured.err
    assert "完成0份，跳过0份，失败1份" in captured.out  # in the planner's language
    assert captured.out.startswith("失败  zoucheng-2020 2020Q2")  # the run's line came first
    run = out / "zoucheng-2020" / "2020Q2"
    assert {p.name for p in run.iterdir()} == {"review.ipynb", "manifest.json"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="zoucheng-2020/2020Q2/review.ipynb"' in index and "失败" in index


def test_batch_checks_every_parameter_set_before_running(tmp_path):
    with pytest.raises(InputError, match="quarter 2021Q1 is outside the plan year 2020"):
        plan_batch([JINING, ZOUCHENG], parse_quarters("2020Q4-2021Q1"), tmp_path)
    with pytest.raises(InputError, match="--dask takes 'local'"):
        run_batch([JINING], parse_quarters("2020Q1"), root=tmp_path, dask="remote")
    assert list(tmp_path.iterdir()) == []


def test_a_batch_reads_each_params_file_once_in_the_parent(tmp_path, monkeypatch):
    """Two quarters of one zone, one job: the parent parses the params file once (planning, the
    input check and each run's manifest share it); each kernel reads it once more on its own.
    With --jobs N each worker process reads it for its runs' manifests."""
    import workbook.zone.params as zone_params

    reads = []
    real = zone_params.load_params

    def counted(path, *args, **kwargs):
        reads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(zone_params, "load_params", counted)
    bad = failing_notebook(tmp_path, after="parameters")  # a kernel start, no forecast
    result = run_batch(
        [ZOUCHENG],
        parse_quarters("2020Q1-2020Q2"),
        root=tmp_path / "reports",
        jobs=1,
        progress=False,
        notebook=bad,
        trials=1000,
    )
    assert [r.status for r in result.results] == ["failed"] * 2
    assert len(reads) == 1

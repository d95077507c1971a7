"""`--out` safety: review, plan and batch replace only a folder that is recognisably their own
earlier run; anything else is refused with exit 2 and one line naming the folder, and nothing
is touched. Concurrent runs on one folder end cleanly; killed runs' leftovers are cleared."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.review_helpers import JINING, REPO
from workbook.cli import main
from workbook.files.outdir import (
    FolderLock,
    RunFolder,
    check_batch_root,
    check_run_folder,
    clear_leftovers,
    is_own_run,
)
from workbook.text.errors import InputError

SAMPLE = str(REPO / "params" / "jining-2020.yaml")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (hidden ones too) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def no_kernel(monkeypatch):
    import papermill

    def refuse(*a, **k):  # pragma: no cover - reaching it is the failure
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)


@pytest.fixture
def zone_copy(tmp_path: Path) -> Path:
    """A planner's zone folder: params/ and data/ as the sample has them."""
    zone = tmp_path / "zone"
    shutil.copytree(REPO / "params", zone / "params")
    shutil.copytree(REPO / "data", zone / "data")
    return zone


def one_error_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


def test_review_refuses_a_folder_holding_a_file_it_did_not_write(tmp_path, capsys, no_kernel):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("a planner's notes", encoding="utf-8")
    before = snapshot(tmp_path)
    assert main(["review", SAMPLE, "--quarter", "2020Q2", "--out", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == f"error: {out} 中有非本工具写入的文件，拒绝覆盖（请指定新的或空的文件夹）"
    assert snapshot(tmp_path) == before


def test_review_out_dot_inside_a_zone_folder_touches_nothing(
    zone_copy, monkeypatch, capsys, no_kernel
):
    monkeypatch.chdir(zone_copy)
    before = snapshot(zone_copy)
    args = ["review", "params/jining-2020.yaml", "--quarter", "2020Q2", "--out", "."]
    assert main([*args, "--lang", "en"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == (
        f"error: {zone_copy} holds files this tool did not write: refusing to replace it "
        "(give a new or empty folder)"
    )
    assert snapshot(zone_copy) == before
    assert sorted(p.name for p in zone_copy.iterdir()) == ["data", "params"]


def test_out_naming_an_existing_file_is_refused_and_the_file_kept(tmp_path, capsys, no_kernel):
    f = tmp_path / "f.txt"
    f.write_text("keep me", encoding="utf-8")
    for cmd in (
        ["review", SAMPLE, "--quarter", "2020Q2"],
        ["plan", SAMPLE, "--no-simulate"],
        ["batch", SAMPLE, "--quarters", "2020Q2", "--no-progress"],
    ):
        assert main([*cmd, "--out", str(f)]) == 2, cmd
        line = one_error_line(capsys.readouterr().err)
        assert line == f"error: {f} 是文件而不是文件夹：请指定存放结果的文件夹"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]
        assert f.read_text(encoding="utf-8") == "keep me"


def test_plan_refuses_a_foreign_folder_but_replaces_its_own_run(tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(["plan", SAMPLE, "--no-simulate", "--out", str(out)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.ics", "plan.xlsx"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == "workbook" and manifest["kind"] == "plan"
    assert manifest["parameters"]["budget"] == 300
    # its own earlier run: replaced, nothing left beside it
    assert main(["plan", SAMPLE, "--no-simulate", "--budget", "200", "--out", str(out)]) == 0
    capsys.readouterr()
    assert json.loads((out / "manifest.json").read_text())["parameters"]["budget"] == 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    # one file more, of the planner's: the folder is no longer the tool's own
    (out / "notes.docx").write_bytes(b"planner's")
    before = snapshot(tmp_path)
    assert main(["plan", SAMPLE, "--no-simulate", "--out", str(out)]) == 2
    assert str(out) in one_error_line(capsys.readouterr().err)
    assert snapshot(tmp_path) == before
    # a review may not replace a plan's folder either
    (out / "notes.docx").unlink()
    assert is_own_run(out, "plan") and not is_own_run(out, "review")
    with pytest.raises(InputError):
        check_run_folder(out, "review")


def test_an_empty_folder_receives_the_files_in_place(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    inode = out.stat().st_ino
    assert main(["plan", SAMPLE, "--no-simulate", "--out", str(out)]) == 0
    assert out.stat().st_ino == inode  # the same folder (a shell may stand in it)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.ics", "plan.xlsx"]


def test_a_forged_or_partial_manifest_does_not_make_a_folder_the_tools(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "manifest.json").write_text('{"tool": "workbook", "kind": "plan", "files": []}')
    (out / "data.xlsx").write_bytes(b"x")
    assert not is_own_run(out, "plan")  # data.xlsx is not listed
    (out / "manifest.json").write_text("not json")
    assert not is_own_run(out, "plan")
    (out / "manifest.json").write_text('["a list"]')
    assert not is_own_run(out, "plan")
    sub = tmp_path / "o2"
    sub.mkdir()
    (sub / "manifest.json").write_text(
        '{"tool": "workbook", "kind": "plan", "files": ["manifest.json", "d"]}'
    )
    (sub / "d").mkdir()  # listed, but a folder: the tool writes only files into a run folder
    assert not is_own_run(sub, "plan")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "o", target_is_directory=True)
    with pytest.raises(InputError, match="refusing to replace"):
        check_run_folder(link, "plan")


def test_batch_refuses_a_foreign_folder_before_running_anything(tmp_path, capsys, no_kernel):
    root = tmp_path / "reports"
    (root / "jining-2020" / "2020Q2").mkdir(parents=True)
    (root / "jining-2020" / "2020Q2" / "mine.txt").write_text("x")
    before = snapshot(tmp_path)
    assert main(["batch", SAMPLE, "--quarters", "2020Q2", "--out", str(root), "--no-progress"]) == 2
    assert str(root) in one_error_line(capsys.readouterr().err)
    assert snapshot(tmp_path) == before
    # a foreign index.html at the top (no batch manifest) is not the tool's either
    shutil.rmtree(root / "jining-2020")
    (root / "index.html").write_text("<p>the bureau's own page</p>")
    with pytest.raises(InputError, match="refusing to replace"):
        check_batch_root(root)
    # a folder holding only the tool's review runs and leftovers is fine
    (root / "index.html").unlink()
    run = root / "jining-2020" / "2020Q2"
    run.mkdir(parents=True)
    (run / "review.html").write_text("x")
    (run / "manifest.json").write_text(
        json.dumps(
            {"tool": "workbook", "kind": "review", "files": ["manifest.json", "review.html"]}
        )
    )
    (root / "jining-2020" / ".2020Q2.abcd1234.tmp").mkdir()
    assert check_batch_root(root) == root


def test_a_second_run_on_a_locked_folder_is_refused_with_one_line(tmp_path, capsys):
    out = tmp_path / "plan"
    with FolderLock(out):
        assert main(["plan", SAMPLE, "--no-simulate", "--out", str(out), "--lang", "en"]) == 2
        line = one_error_line(capsys.readouterr().err)
        assert line == (
            f"error: {out} is being written by another run at this moment: try again when it ends"
        )
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the lock file went with the lock


def test_leftovers_of_killed_runs_are_cleared_and_a_set_aside_run_put_back(tmp_path):
    out = tmp_path / "run"
    with RunFolder(out, "plan") as rf:
        (rf.tmp / "plan.xlsx").write_bytes(b"first")
        (rf.tmp / "manifest.json").write_text(
            json.dumps(
                {"tool": "workbook", "kind": "plan", "files": ["manifest.json", "plan.xlsx"]}
            )
        )
        rf.commit()
    # a run killed between the two renames of a swap: the previous run is set aside
    os.replace(out, tmp_path / ".run.old-0123abcd")
    (tmp_path / ".run.k1ll3d_x.tmp").mkdir()  # a killed run's temporary folder
    (tmp_path / ".run.k1ll3d_x.tmp" / "plan.xlsx").write_bytes(b"half")
    (tmp_path / ".run.lock").write_text("")  # its lock file (the kernel dropped the lock)
    (tmp_path / ".other.abcdefgh.tmp").mkdir()  # another folder's: not ours to clear
    (tmp_path / "planner.tmp").mkdir()
    with RunFolder(out, "plan") as rf:
        assert (out / "plan.xlsx").read_bytes() == b"first"  # put back before anything
        assert not (tmp_path / ".run.k1ll3d_x.tmp").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.abcdefgh.tmp",
        "planner.tmp",
        "run",
    ]
    clear_leftovers(out, "plan")  # nothing left to do: idempotent
    assert (out / "plan.xlsx").read_bytes() == b"first"


def test_concurrent_runs_on_one_folder_end_cleanly(tmp_path):
    """Two plan processes at once on one --out: each exits 0 or is refused (2) with one line;
    the folder holds one whole run; nothing hidden is left beside it."""
    out = tmp_path / "plan"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, "-m", "workbook", "plan", SAMPLE, "--no-simulate", "--out", str(out)]
    for _ in range(3):
        procs = [
            subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
        for rc, err in results:
            assert rc in (0, 2), err
            assert "Traceback" not in err
            if rc == 2:
                one_error_line(err)
        assert any(rc == 0 for rc, _ in results)
        assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "plan.ics", "plan.xlsx"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


@pytest.mark.slow
@pytest.mark.notebook
def test_review_replaces_its_own_earlier_run_and_nothing_else(tmp_path, capsys):
    out = tmp_path / "r"
    args = ["review", str(JINING), "--quarter", "2020Q2", "--trials", "1000", "--out", str(out)]
    assert main(args) == 0
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert first["tool"] == "workbook" and first["kind"] == "review"
    assert sorted(first["files"]) == sorted(p.name for p in out.iterdir())
    assert main([*args[:-2], "--seed", "7", "--out", str(out)]) == 0
    second = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert second["parameters"]["seed"] == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_an_unwritable_place_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    """A read-only parent (simulated: the tests run as root, who may write anywhere) or a
    file standing where a parent folder should be: refused at once, for every command."""
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", None)  # calling it would fail loudly
    f = tmp_path / "notes.txt"
    f.write_text("x")
    for cmd in (
        ["review", SAMPLE, "--quarter", "2020Q2"],
        ["plan", SAMPLE, "--no-simulate"],
        ["batch", SAMPLE, "--quarters", "2020Q2", "--no-progress"],
    ):
        assert main([*cmd, "--out", str(f / "sub"), "--lang", "en"]) == 2
        line = one_error_line(capsys.readouterr().err)
        assert line == f"error: {f} is not a folder: cannot write results under it"

    locked = tmp_path / "readonly"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == locked else real_access(p, mode)
    )
    for cmd in (
        ["review", SAMPLE, "--quarter", "2020Q2"],
        ["plan", SAMPLE, "--no-simulate"],
        ["batch", SAMPLE, "--quarters", "2020Q2", "--no-progress"],
    ):
        assert main([*cmd, "--out", str(locked / "out")]) == 2
        line = one_error_line(capsys.readouterr().err)
        assert line == f"error: {locked} 为只读，无法写入结果"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "readonly"]
    assert list(locked.iterdir()) == []

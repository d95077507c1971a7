"""The README's shell commands, read from the README itself, as a newcomer would type them.

By default every `workbook …` line parses (the command and its options exist), names files that
exist, and the quick ones run for real from the checkout (`--help`, `validate`, `status`).
`WORKBOOK_README_TEST=full` runs every runnable line in order on a copy of the checkout, the way
a fresh clone would after `make demo` (minutes: the batch reviews every quarter of both zones).

Not run, only parsed: `make …` (this suite is what `make test` runs), `pip install .` (the wheel
test does it), `workbook app` (a server that does not return), and lines naming a planner's own
files (`/path/to/…`, `our-zone…`).
"""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from workbook.cli import build_parser

README = REPO / "README.md"
FULL = os.environ.get("WORKBOOK_README_TEST") == "full"
PLACEHOLDER = re.compile(r"/path/to/|our-zone|/srv/")
QUICK = {"--help", "validate", "status"}


def shell_lines() -> list[str]:
    """Every line of the README's unlabelled fenced blocks that is a command (in order), with
    its trailing comment removed."""
    lines, inside, lang = [], False, ""
    for raw in README.read_text(encoding="utf-8").splitlines():
        if raw.startswith("```"):
            inside, lang = (not inside), raw[3:].strip()
            continue
        if not inside or lang not in ("", "sh", "bash", "shell"):
            continue
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if re.match(r"(workbook|papermill|mkdir|make|pip|cd|\.) ", line):
            lines.append(line)
    return lines


def workbook_lines() -> list[str]:
    return [line for line in shell_lines() if line.startswith("workbook ")]


def _argv(line: str, cwd: Path) -> list[str]:
    argv = []
    for word in shlex.split(line)[1:]:
        hits = sorted(glob.glob(word, root_dir=cwd)) if any(c in word for c in "*?[") else []
        argv.extend(hits or [word])
    return argv


def test_the_readme_shows_commands_at_all():
    lines = shell_lines()
    assert "make demo" in lines and "make test" in lines
    assert len(workbook_lines()) >= 15, workbook_lines()


@pytest.mark.parametrize("line", workbook_lines())
def test_every_workbook_line_of_the_readme_parses_and_names_files_that_exist(line, capsys):
    argv = _argv(line, REPO)
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:  # --help exits 0 after printing; a usage error exits 2
        assert exc.code == 0 and "--help" in argv, capsys.readouterr().err
    if PLACEHOLDER.search(line):
        return
    for word in argv:
        if word.endswith((".yaml", ".yml", ".ipynb", ".xlsx")):
            assert (REPO / word).is_file(), f"{line}: {word} does not exist"


@pytest.mark.parametrize(
    "line", [x for x in workbook_lines() if x.split()[1] in QUICK and not PLACEHOLDER.search(x)]
)
def test_the_quick_readme_commands_run(line):
    done = subprocess.run(
        [sys.executable, "-m", "workbook", *_argv(line, REPO)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{line}\n{done.stderr}"
    assert done.stdout.strip(), line


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="WORKBOOK_README_TEST=full runs every README command")
def test_every_readme_command_runs_in_order_on_a_copy_of_the_checkout(tmp_path):
    copy = tmp_path / "checkout"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, tracked):
        src = REPO / name.decode()
        if src.is_file():
            (copy / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / name.decode())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env["PYTHONPATH"] = str(copy)
    for line in shell_lines():
        first = line.split()[0]
        if first in ("make", "pip", "cd", ".") or PLACEHOLDER.search(line):
            continue
        if line.startswith("workbook app"):
            continue
        done = subprocess.run(
            line, shell=True, cwd=copy, env=env, capture_output=True, text=True, timeout=1800
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"

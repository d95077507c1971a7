"""The review's kernel started ahead of its notebook (workbook.review.ahead): it imports the
review's modules as it starts and leaves nothing in the notebook's namespace; refused inputs
kill it before any notebook runs. The review's files written in a forked copy of a batch kernel
(workbook.review.beside): the copy's work is the same as the kernel's, and when the copy fails
or hangs the kernel does the work itself."""

from __future__ import annotations

import asyncio
import glob
import os
import queue
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest

from tests.review_helpers import JINING
from workbook.cli import main
from workbook.review import BATCH_KERNEL
from workbook.review.beside import Beside
from workbook.review.runner import KERNEL_NAME, start_kernel


def _kernels() -> list[psutil.Process]:
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if "ipykernel" in " ".join(p.cmdline()) and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _sockets() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "wb-kernel-*")))


@pytest.fixture
def own_temp(tmp_path, monkeypatch):
    """The kernels' sockets in a temp folder of this test's own (short: a Unix socket's path
    has at most 107 bytes), so another worker's kernels are not counted as left behind."""
    folder = tempfile.mkdtemp(prefix="wbk")
    monkeypatch.setattr(tempfile, "tempdir", folder)
    yield
    monkeypatch.undo()
    shutil.rmtree(folder)


def _one_cell(folder: Path, source: str) -> Callable[[Any], Any]:
    """A one-cell notebook written to folder/in.ipynb, and its execution by papermill as
    `KernelAhead.run` takes it (given the kernel manager class that adopts the kernel)."""
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, folder / "in.ipynb")
    return lambda manager: pm.execute_notebook(
        str(folder / "in.ipynb"),
        str(folder / "out.ipynb"),
        kernel_name=KERNEL_NAME,
        language="python",
        progress_bar=False,
        kernel_manager_class=manager,
    )


@pytest.mark.slow
@pytest.mark.notebook
def test_a_kernel_started_ahead_has_the_review_imported_and_a_clean_namespace(tmp_path, own_temp):
    execute = _one_cell(
        tmp_path,
        "import sys\n"
        "print('workbook.review.report' in sys.modules, 'altair' in sys.modules,"
        " 'openpyxl' in sys.modules, 'warm_up' in dir(), 'workbook' in dir())",
    )
    before = _sockets()
    kernel = start_kernel()
    out = kernel.run(execute)
    assert out.cells[0].outputs[0]["text"] == "True True True False False\n"
    assert _kernels() == [] and _sockets() - before == set()


@pytest.mark.slow
@pytest.mark.notebook
def test_refused_inputs_kill_the_kernel_started_ahead(tmp_path, capsys, own_temp):
    before = _sockets()
    out = tmp_path / "run"
    assert (
        main(["review", str(JINING), "--quarter", "2020Q2", "--trials", "5", "--out", str(out)])
        == 2
    )
    assert "trials" in capsys.readouterr().err
    assert _kernels() == [] and _sockets() - before == set()
    assert not out.exists() and list(tmp_path.iterdir()) == []


def _interrupted_put(jobs: queue.Queue, after: bool) -> None:
    """The job queue's `put` interrupted (Ctrl-C) just after, or just before, the job is in
    it: where a real interrupt landed as the runner handed the notebook over. The queue stays
    the one the helper thread waits on."""
    real = jobs.put

    def put(item, block=True, timeout=None):
        if item is not None:
            if after:
                real(item, block, timeout)
            raise KeyboardInterrupt
        real(item, block, timeout)

    jobs.put = put  # type: ignore[method-assign]  # this one queue's put, for the test


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("after", [True, False], ids=["job in the queue", "job not in it"])
def test_an_interrupt_as_the_notebook_is_handed_over_kills_the_kernel(tmp_path, own_temp, after):
    """CI showed a kernel outliving `review` after Ctrl-C ("Parent appears to have exited"):
    the interrupt came inside the queue's `put`, before the wait that kills kernels began, and
    `cancel` then took the notebook for handed over. Now no kernel nor socket is left and the
    helper thread ends, whether or not the notebook reached the queue."""
    execute = _one_cell(tmp_path, "import time\ntime.sleep(600)")
    before = _sockets()
    kernel = start_kernel()
    _interrupted_put(kernel._jobs, after)
    deadline = time.monotonic() + 120
    while not _kernels():  # the kernel is running when the notebook is handed over
        assert time.monotonic() < deadline, "no kernel started"
        time.sleep(0.05)
    with pytest.raises(KeyboardInterrupt):
        kernel.run(execute)
    kernel.cancel()  # as the runner's `finally` does
    assert not kernel.thread.is_alive()
    assert _kernels() == [] and _sockets() - before == set()


def _gone(deadline_s: float = 5.0) -> list[psutil.Process]:
    """The kernels still running after a kill has had time to land (a SIGKILL is not
    instant)."""
    deadline = time.monotonic() + deadline_s
    while (left := _kernels()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.slow
@pytest.mark.notebook
def test_an_interrupt_as_the_kernel_starts_kills_it(tmp_path, own_temp, monkeypatch):
    """CI showed a batch's Ctrl-C leave a kernel that then said "Parent appears to have
    exited": the interrupt came just after the kernel's process was started and before it was
    recorded as one to kill. Here the interrupt lands in that moment, held open for a second:
    the kill waits until the process is recorded, and kills it at once (before, the kernel ran
    the notebook until the wait's grace ran out)."""
    import _thread

    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    execute = _one_cell(tmp_path, "import time\ntime.sleep(600)")
    real = LocalProvisioner.launch_kernel
    started: list[Any] = []

    async def launch(self: Any, cmd: list[str], **kw: Any) -> Any:
        while not (started and started[0]._handed):  # the runner waits for the notebook
            await asyncio.sleep(0.02)
        info = await real(self, cmd, **kw)
        _thread.interrupt_main()  # Ctrl-C: the kernel's process exists, not yet recorded
        time.sleep(1.0)
        return info

    monkeypatch.setattr(LocalProvisioner, "launch_kernel", launch)
    before = _sockets()
    kernel = start_kernel()
    started.append(kernel)
    with pytest.raises(KeyboardInterrupt):
        kernel.run(execute)
    assert _gone() == []  # killed by the interrupt itself, not left to run the notebook
    kernel.cancel()  # as the runner's `finally` does
    assert not kernel.thread.is_alive()
    assert _kernels() == [] and _sockets() - before == set()


@pytest.mark.slow
@pytest.mark.notebook
def test_a_batch_worker_being_stopped_starts_no_kernel(tmp_path, own_temp, monkeypatch):
    from workbook.review import interrupt

    monkeypatch.setitem(interrupt._state, "stopping", True)  # SIGTERM from the batch came
    execute = _one_cell(tmp_path, "print(1)")
    kernel = start_kernel()
    with pytest.raises(interrupt.StoppingError):
        kernel.run(execute)
    kernel.cancel()
    assert not kernel.thread.is_alive() and _kernels() == []


def _write(path: Path, ran: list[int]) -> None:
    ran.append(os.getpid())
    path.write_text("done", encoding="utf-8")


def test_in_a_batch_kernel_the_work_is_done_by_a_copy_of_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv(BATCH_KERNEL, "1")
    ran: list[int] = []  # the copy's appends stay in the copy
    work = Beside(lambda: _write(tmp_path / "out.txt", ran))
    work.join()
    assert work.forked and ran == []
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "done"


def test_elsewhere_the_work_is_done_here_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv(BATCH_KERNEL, raising=False)
    ran: list[int] = []
    work = Beside(lambda: _write(tmp_path / "out.txt", ran))
    assert ran == [os.getpid()] and not work.forked  # before join: in order, as before
    work.join()
    assert ran == [os.getpid()]


def test_a_copy_that_fails_has_the_work_done_here_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setenv(BATCH_KERNEL, "1")

    def fail() -> None:
        raise ValueError("the table cannot be written")

    work = Beside(fail)
    with pytest.raises(ValueError, match="the table cannot be written"):
        work.join()


def test_a_copy_that_hangs_is_killed_and_the_work_done_here(tmp_path, monkeypatch):
    monkeypatch.setenv(BATCH_KERNEL, "1")
    parent = os.getpid()
    ran: list[int] = []

    def hang_in_the_copy() -> None:
        if os.getpid() != parent:
            import time

            time.sleep(600)
        _write(tmp_path / "out.txt", ran)

    work = Beside(hang_in_the_copy, timeout=0.5)
    copy = psutil.Process(work.pid)
    work.join()
    assert ran == [parent] and (tmp_path / "out.txt").read_text(encoding="utf-8") == "done"
    assert not copy.is_running() or copy.status() == psutil.STATUS_ZOMBIE

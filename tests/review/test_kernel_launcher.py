"""The review kernel's process (workbook.review.ipykernel_launcher): the kernel ipykernel starts, ended
as the interpreter ends one (threads joined, atexit handlers run) but without its teardown."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from workbook.review.runner import kernel_manager_class, launched_by_us


def test_the_runner_starts_its_kernels_with_our_launcher():
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "/tmp/k.json", "--x=1"]
    assert launched_by_us(cmd) == [
        sys.executable,
        "-m",
        "workbook.review.ipykernel_launcher",
        *cmd[3:],
    ]
    other = ["/opt/other-kernel", "-f", "/tmp/k.json"]  # a kernel spec of another shape
    assert launched_by_us(other) == other


@pytest.mark.skipif(os.name != "posix", reason="the runner's IPC kernels are POSIX only")
def test_a_kernel_shut_down_runs_its_exit_handlers_and_ends_with_code_0(tmp_path):
    mark = tmp_path / "atexit-ran"

    async def run() -> tuple[int | None, list[str]]:
        km = kernel_manager_class()(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            code = (
                "import atexit, threading, time, pathlib\n"
                f"p = pathlib.Path({str(mark)!r})\n"
                "def late():\n    time.sleep(0.3); p.write_text('thread ')\n"
                "threading.Thread(target=late).start()\n"
                "atexit.register(lambda: p.write_text(p.read_text() + 'atexit'))\n"
                "import pandas, scipy.optimize  # a teardown worth skipping\n"
            )
            reply = await kc.execute_interactive(code, timeout=120)
            assert reply["content"]["status"] == "ok"
            process = km.provisioner.process  # the kernel's Popen
            await km.shutdown_kernel(now=False)
            return process.wait(timeout=30), list(process.args)
        finally:
            kc.stop_channels()

    returncode, argv = asyncio.run(run())
    assert argv[1:3] == ["-m", "workbook.review.ipykernel_launcher"]
    assert returncode == 0
    assert mark.read_text() == "thread atexit"  # the thread finished first, then the handlers

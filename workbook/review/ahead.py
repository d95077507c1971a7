"""A review's kernel started ahead of its notebook, while the runner still checks the inputs.

A kernel takes a second or two to start and several more to import what the review computes
with (pandas, the forecast engine, scipy's solver, Altair, openpyxl); the runner's checks of
the params file and the data take about as long. `KernelAhead` starts the kernel in a helper
thread at once, the kernel imports the review's modules as it starts (the `arguments` name
`workbook.review.warm_up`), and the runner checks the inputs meanwhile: the two start-ups share
the machine's cores instead of following each other. When the checks pass, `run` hands the
notebook's execution to the helper thread, which runs papermill on that kernel (papermill
adopts it as the kernel it would have started, and shuts it down at the end as usual). When
they fail, or on an interrupt, `cancel` kills the kernel at once: no notebook ran, nothing was
written, and the error is the one the checks raised.

Everything asynchronous happens in the helper thread (one event loop: the kernel manager's and
nbclient's), and every kernel is in `LIVE_KERNELS` from the moment its process exists (a kill
that comes as it starts waits for that: `launching`), so an interrupt at any moment kills it
(workbook.review.interrupt).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from workbook.review.interrupt import LIVE_KERNELS, kill_kernel, wait_interruptibly

# What the helper thread is handed: the execution (given the kernel manager class that adopts
# the started kernel), or None to stop.
Job = Callable[[type[AsyncKernelManager]], Any] | None


def adopting(km: AsyncKernelManager) -> type[AsyncKernelManager]:
    """A kernel manager class for papermill (nbclient) whose one instance is `km`, a kernel
    already started: nbclient connects to it, finds it running, and shuts it down at the end
    as it does a kernel it started itself (client channels closed, files removed)."""

    class Adopted(AsyncKernelManager):
        def __new__(cls, *args: Any, **kwargs: Any) -> Adopted:
            # not an instance of Adopted: Python does not run __init__ again on it
            return km  # type: ignore[return-value]  # the started manager, of its own class

    return Adopted


class KernelAhead:
    """A kernel started now in a helper thread, for a notebook run later (module docstring)."""

    def __init__(
        self,
        manager_class: type[AsyncKernelManager],
        kernel_name: str,
        arguments: Sequence[str] = (),
    ) -> None:
        self._manager_class = manager_class
        self._kernel_name = kernel_name
        self._arguments = list(arguments)
        self._jobs: queue.Queue[Job] = queue.Queue(maxsize=1)
        self._box: dict[str, Any] = {}
        self._km: AsyncKernelManager | None = None
        self._handed = False
        self.thread = threading.Thread(target=self._main, name="review-notebook", daemon=True)
        self.thread.start()

    def _main(self) -> None:
        from jupyter_core.utils import run_sync

        km: AsyncKernelManager | None = None
        start_error: BaseException | None = None
        try:
            km = self._km = self._manager_class(kernel_name=self._kernel_name)
            run_sync(km.start_kernel)(extra_arguments=self._arguments)
        except BaseException as exc:  # said when the notebook is to run
            start_error = exc
        job = self._jobs.get()
        try:
            if job is None:
                return
            if start_error is not None:
                raise start_error
            assert km is not None
            self._box["value"] = job(adopting(km))
        except BaseException as exc:  # handed to the main thread
            self._box["error"] = exc
        finally:
            if km is not None:
                _stop(km)

    def run(self, execute: Callable[[type[AsyncKernelManager]], Any]) -> Any:
        """execute(kernel manager class) in the helper thread, on the kernel started ahead;
        waits for it (an interrupt kills the kernel and re-raises: `wait_interruptibly`)."""
        if self._handed:
            raise RuntimeError("this kernel ran a notebook already")
        self._handed = True
        self._jobs.put(execute)
        return wait_interruptibly(self.thread, self._box)

    def cancel(self, grace: float = 15.0) -> None:
        """Kill the kernel at once and end the helper thread, unless its notebook ran to the
        end (papermill stopped the kernel then): the inputs were refused, or the run was
        interrupted at any moment, even as the notebook was being handed over (an interrupt
        inside `run` before its wait began: the helper thread is then still running or
        waiting for a job)."""
        if self._handed and not self.thread.is_alive():
            return
        self._handed = True  # no notebook is handed over after this
        if self._km is not None:
            kill_kernel(self._km)
        with contextlib.suppress(queue.Full):  # the notebook is in the queue already
            self._jobs.put_nowait(None)
        logging.disable(logging.CRITICAL)  # no kernel/ZMQ noise while the kernel goes
        try:
            self.thread.join(grace)
            if self._km is not None:  # a launch still under way at the first kill ended since
                kill_kernel(self._km)
        finally:
            logging.disable(logging.NOTSET)


def _stop(km: AsyncKernelManager) -> None:
    """Kill the kernel if papermill did not shut it down (no notebook ran, or papermill failed
    before it adopted the kernel) and remove its files; papermill's shutdown leaves none."""
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # the manager could not: kill its process group directly
        kill_kernel(km)
    LIVE_KERNELS.discard(km)


__all__ = ["KernelAhead", "adopting"]

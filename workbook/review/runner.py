"""Running one review: validate, execute the notebook with papermill, write the run folder.

A run folder holds review.ipynb (the executed record), review.html (offline report),
review.xlsx, summary.json and manifest.json (parameters, input fingerprints, package
versions, timings, status). Everything is written into a temporary folder beside the run
folder and moved into place at the end, so a reader finds either the previous complete run,
or the new one, never half of one. A run whose notebook fails keeps only review.ipynb (with
its error) and manifest.json (status "failed"): no report.

Kernels are pinned (python3, language python) and use IPC transport on POSIX, which stays
clean when many runs start kernels at once (TCP ports race under parallel load). A run's kernel
starts before its inputs are checked and imports the review's modules as it starts
(workbook.review.ahead): refused inputs kill it at once, and no notebook runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.review import BATCH_KERNEL, skip_slow_optional_imports

skip_slow_optional_imports()  # before jupyter_client, nbformat and jsonschema are imported

from jupyter_client.manager import AsyncKernelManager  # noqa: E402

from workbook.review.ahead import KernelAhead  # noqa: E402
from workbook.review.interrupt import launching  # noqa: E402
from workbook.review.params import ReviewParams  # noqa: E402
from workbook.text.catalogue import Entry, say  # noqa: E402
from workbook.text.labels import quarter_words  # noqa: E402
from workbook.text.resources import notebooks_dir  # noqa: E402

if TYPE_CHECKING:
    from workbook.zone.loader import Zone
    from workbook.zone.params import ZoneParams

NOTEBOOK = notebooks_dir() / "quarterly_review.ipynb"  # in the checkout or in the wheel
REPORT_FILES = ("review.html", "review.xlsx", "summary.json", "review.docx")
KERNEL_NAME = "python3"
KERNEL_TIMINGS = ".kernel-timings.json"
# How the runner starts a kernel: no history file (as nbclient starts one), and the review's
# modules imported as it starts, while the runner checks the inputs (workbook.review.ahead).
KERNEL_ARGUMENTS = (
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.exec_lines=from workbook.review import warm_up; warm_up(); del warm_up",
)
# Seconds for a kernel to start and answer (papermill's default is 60): it imports the
# review's modules first, which a machine under heavy load can make slow.
START_TIMEOUT = 180
VERSIONED = (
    "workbook",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "numpy",
    "pandas",
    "scipy",
    "altair",
    "vl-convert-python",
    "openpyxl",
)


class ReviewKernelManager(AsyncKernelManager):
    """The review's kernel manager: its kernel is a batch kernel, started by our launcher, and
    killed at once if the run is interrupted, even as it starts (`launching`)."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        # a batch kernel: nobody sees a widget in it (workbook.review.skip_slow_optional_imports)
        kw["env"] = {**(kw.get("env") or os.environ), BATCH_KERNEL: "1"}
        with launching(self):
            await super()._async_launch_kernel(launched_by_us(kernel_cmd), **kw)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts the kernel before every shutdown; after a notebook ran to
        # its end (or its error) there is nothing to interrupt, and ipykernel would print
        # "ERROR | KeyboardInterrupt caught in kernel" into the planner's terminal.
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()


def launched_by_us(kernel_cmd: list[str]) -> list[str]:
    """The kernel's command with `-m ipykernel_launcher` as
    `-m workbook.review.ipykernel_launcher`: the same kernel, which leaves without the
    interpreter's teardown (~1 s a review)."""
    out = list(kernel_cmd)
    for i in range(len(out) - 1):
        if out[i] == "-m" and out[i + 1] == "ipykernel_launcher":
            out[i + 1] = "workbook.review.ipykernel_launcher"
    return out


class IPCKernelManager(ReviewKernelManager):
    """A review kernel manager whose kernel talks over Unix sockets in the temp folder, not
    TCP."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = os.path.join(tempfile.gettempdir(), f"wb-kernel-{uuid.uuid4().hex[:12]}")


def kernel_manager_class() -> type[AsyncKernelManager]:
    return IPCKernelManager if os.name == "posix" else ReviewKernelManager


def start_kernel() -> KernelAhead:
    """A review kernel, starting now (its notebook is handed to it by `run_review`)."""
    return KernelAhead(kernel_manager_class(), KERNEL_NAME, KERNEL_ARGUMENTS)


@dataclass(frozen=True)
class RunResult:
    """What became of one review: status 'ok', 'failed' or 'skipped' (already done)."""

    params: ReviewParams
    run_dir: Path
    status: str
    error: str | None = None
    seconds: float = 0.0
    record_dir: Path | None = None  # a failed run's record, when not in run_dir (`<run>.failed`)

    @property
    def record(self) -> Path:
        """The folder holding this run's executed notebook and manifest."""
        return self.record_dir or self.run_dir

    @property
    def html(self) -> Path | None:
        path = self.run_dir / "review.html"
        return path if self.status in ("ok", "skipped") and path.is_file() else None

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")


def run_folder(rp: ReviewParams, root: str | Path = "reports") -> Path:
    """Where a review goes by default: reports/<params file stem>/<quarter>[-en]."""
    return Path(root) / rp.params_path.stem / say("review.folder", rp.lang, quarter=rp.quarter)


# ---- fingerprints and versions -------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:  # gone (or unreadable) while a run read it: never equal to a hash
        return "missing"
    return h.hexdigest()


def inputs_of(
    rp: ReviewParams, notebook: Path = NOTEBOOK, zone_params: ZoneParams | None = None
) -> dict[str, str]:
    """sha256 of every file the review reads: params, data files, previous ledger, notebook
    (`zone_params`: the params file as the caller read it; else it is read here)."""
    from workbook.zone.params import load_params

    p = zone_params if zone_params is not None else load_params(rp.params_path)
    files = {"params": rp.params_path, "ledger": p.data.ledger, "notebook": notebook}
    if p.data.arrivals:
        files["arrivals"] = p.data.arrivals
    if p.data.events:
        files["events"] = p.data.events
    if rp.previous_ledger:
        files["previous_ledger"] = rp.previous_ledger
    from workbook.zone.replay import snapshot_for

    snapshot = snapshot_for(p.data.ledger, str(rp.quarter))
    if snapshot is not None:  # read when the quarter is past (workbook.zone.replay)
        files["snapshot"] = snapshot
    return {k: _sha256(Path(v)) for k, v in sorted(files.items())}


def fingerprint(
    rp: ReviewParams, notebook: Path = NOTEBOOK, inputs: dict[str, str] | None = None
) -> str:
    """One hash of the parameters and the input files: same fingerprint, same review."""
    h = hashlib.sha256()
    h.update(repr(sorted(rp.as_dict().items())).encode())
    inputs = inputs if inputs is not None else inputs_of(rp, notebook)
    h.update(repr(sorted(inputs.items())).encode())
    return h.hexdigest()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    import json

    try:
        return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_done(rp: ReviewParams, run_dir: Path, notebook: Path = NOTEBOOK) -> bool:
    """A finished run of the same parameters and the same input files is already in place."""
    m = read_manifest(run_dir)
    return (
        m is not None
        and m.get("status") == "ok"
        and m.get("fingerprint") == fingerprint(rp, notebook)
        and all((Path(run_dir) / f).is_file() for f in REPORT_FILES)
    )


# ---- one run -------------------------------------------------------------------------------


def run_review(
    rp: ReviewParams,
    run_dir: str | Path,
    *,
    notebook: str | Path = NOTEBOOK,
    validate_seconds: float = 0.0,
    zone_params: ZoneParams | None = None,
    kernel: KernelAhead | None = None,
) -> RunResult:
    """Execute the review notebook for validated parameters and put its run folder in place
    (`kernel`: one started for it by `start_kernel`; else one starts here).

    Never raises for a failing notebook: the result (and manifest) says 'failed' with the
    cell and error. Raises only for what is not the notebook's doing (e.g. no disk space).
    """
    try:
        kernel = kernel if kernel is not None else start_kernel()
        return _run_review(rp, Path(run_dir), Path(notebook), validate_seconds, zone_params, kernel)
    finally:
        if kernel is not None:  # its notebook never ran (the folder refused, an interrupt): killed
            kernel.cancel()


def _run_review(
    rp: ReviewParams,
    run_dir: Path,
    notebook: Path,
    validate_seconds: float,
    zone_params: ZoneParams | None,
    kernel: KernelAhead,
) -> RunResult:
    import json

    import nbformat
    import papermill as pm

    from workbook.files.outdir import RunFolder
    from workbook.review.html import write_report
    from workbook.review.output import write_json

    t0 = time.perf_counter()
    started = dt.datetime.now().astimezone()
    run_dir = Path(run_dir).resolve()
    notebook = Path(notebook).resolve()
    timings: dict[str, Any] = {"validate": round(validate_seconds, 3)}
    status, error = "ok", None
    # Hashed as the kernel is about to read them, and again once it has: the manifest names
    # the files the results came from, and a file that changed in between fails the run.
    inputs = inputs_of(rp, notebook, zone_params)
    with RunFolder(run_dir, "review") as folder:
        tmp = folder.tmp
        out_nb = tmp / "review.ipynb"
        t = time.perf_counter()
        try:
            kernel.run(
                lambda manager: pm.execute_notebook(
                    str(notebook),
                    str(out_nb),
                    parameters=rp.notebook_parameters(out_dir=tmp),
                    kernel_name=KERNEL_NAME,
                    language="python",
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    kernel_manager_class=manager,  # adopts the kernel started for this run
                    start_timeout=START_TIMEOUT,
                    # killed once the last cell has answered: every output is in and every
                    # file written, and a kernel that asked to stop takes a while to unload
                    # what the review imported (a second of a loaded machine's time)
                    shutdown_kernel="immediate",
                )
            )
        except pm.PapermillExecutionError as exc:
            status = "failed"
            error = {
                "cell": exc.exec_count,
                "ename": exc.ename,
                "evalue": exc.evalue,
                "message": f"cell [{exc.exec_count}] raised {exc.ename}: {exc.evalue}",
            }
        except Exception as exc:  # the kernel died, timed out or would not start
            status = "failed"
            error = {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)}
            error["message"] = f"the notebook did not run: {type(exc).__name__}: {exc}"
        timings["execute"] = round(time.perf_counter() - t, 3)
        kernel_timings = tmp / KERNEL_TIMINGS
        if kernel_timings.is_file():
            timings["kernel"] = {
                k: round(v, 3)
                for k, v in json.loads(kernel_timings.read_text(encoding="utf-8")).items()
            }
            kernel_timings.unlink()
        if status == "ok":
            missing = [f for f in ("review.xlsx", "summary.json") if not (tmp / f).is_file()]
            if missing:
                status = "failed"
                error = {
                    "cell": None,
                    "ename": "MissingOutput",
                    "evalue": ", ".join(missing),
                    "message": f"the notebook wrote no {', '.join(missing)} (out_dir not saved to)",
                }
        if status == "ok":
            t = time.perf_counter()
            nb = nbformat.read(out_nb, as_version=4)
            summary = json.loads((tmp / "summary.json").read_text(encoding="utf-8"))
            from workbook.review.params import review_title

            zone = Entry(summary["zone"], summary["zone_en"]).text(rp.lang)
            title = review_title(zone, rp)
            write_report(
                nb,
                tmp / "review.html",
                title=title,
                lang=rp.lang,
                footer=f"workbook {versions()['workbook']} · {rp.params_path.name} · "
                f"{quarter_words(str(rp.quarter), rp.lang)} · {started:%Y-%m-%d %H:%M}",
            )
            timings["export_html"] = round(time.perf_counter() - t, 3)
        else:
            for name in REPORT_FILES:  # a failed run leaves its record, never half a report
                (tmp / name).unlink(missing_ok=True)
        changed = [k for k, v in inputs_of(rp, notebook, zone_params).items() if inputs.get(k) != v]
        if changed:
            status = "failed"
            for name in REPORT_FILES:
                (tmp / name).unlink(missing_ok=True)
            from workbook.text.messages import Message

            said = Message("run.inputs_changed", files=", ".join(changed)).render(rp.lang)
            error = {"cell": None, "ename": "InputChanged", "evalue": changed, "message": said}
        timings["total"] = round(time.perf_counter() - t0 + validate_seconds, 3)
        manifest: dict[str, Any] = {
            "tool": "workbook",
            "kind": "review",
            "status": status,
            "error": error,
            "parameters": rp.as_dict(),
            "fingerprint": fingerprint(rp, notebook, inputs),
            "inputs": inputs,
            "notebook": str(notebook),
            "kernel": {
                "name": KERNEL_NAME,
                "language": "python",
                "transport": "ipc" if os.name == "posix" else "tcp",
            },
            "versions": versions(),
            "timings": timings,
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "files": sorted(p.name for p in tmp.iterdir()),
            "host": {"platform": platform.platform(), "executable": sys.executable},
        }
        manifest["files"] = sorted({*manifest["files"], "manifest.json"})
        write_json(tmp / "manifest.json", manifest)
        placed = folder.commit(failed=status != "ok")
    message = error["message"] if error else None
    seconds = time.perf_counter() - t0 + validate_seconds
    record = placed if placed != run_dir else None
    return RunResult(rp, run_dir, status, message, seconds, record)


def check_review_inputs(zone_params: ZoneParams) -> Zone:
    """The zone of params already read, once its data files load, its event plans and
    scenarios are valid and the roadshow's restrictions name real events and channels; raises the WorkbookError that the review
    would raise later (the message `status` prints), before any notebook runs (`review`
    kills the kernel it started meanwhile). Builds no forecast engine: the kernel builds the
    one the review runs on."""
    from workbook.forecast.check import check_forecast
    from workbook.roadshow.check import check_restrictions
    from workbook.zone.loader import zone_of

    zone = zone_of(zone_params)
    check_forecast(zone)  # every event plan and scenario, without an engine
    check_restrictions(zone, zone_params.source or "<params>")
    return zone


def check_notebook(notebook: str | Path) -> None:
    """The review notebook is a file (InputError saying what it is otherwise)."""
    from workbook.text.errors import InputError
    from workbook.text.messages import Message

    if not Path(notebook).is_file():
        found = Message("file.is_folder" if Path(notebook).is_dir() else "file.not_found")
        raise InputError(Message("at", where=f"--notebook {notebook}", body=found))


def review(
    params_path: str | Path,
    quarter: Any,
    out: str | Path | None = None,
    *,
    root: str | Path = "reports",
    notebook: str | Path = NOTEBOOK,
    **raw: Any,
) -> RunResult:
    """Validate, then run one review into `out` (default reports/<params stem>/<quarter>[-en]).

    The kernel starts first and imports the review's modules while the inputs are checked
    (workbook.review.ahead); refused inputs kill it before any notebook runs, and raise the
    message `status` prints for the same data.
    """
    t = time.perf_counter()
    kernel = start_kernel()
    try:
        rp, zone_params = _checked(params_path, quarter, notebook, raw)
        run_dir = Path(out) if out is not None else run_folder(rp, root)
        from workbook.files.outdir import check_run_folder

        check_run_folder(run_dir, "review")
        seconds = time.perf_counter() - t
        return run_review(
            rp,
            run_dir,
            notebook=notebook,
            validate_seconds=seconds,
            zone_params=zone_params,
            kernel=kernel,
        )
    finally:
        kernel.cancel()  # refused or interrupted before the notebook was handed over


def _checked(
    params_path: str | Path, quarter: Any, notebook: str | Path, raw: dict[str, Any]
) -> tuple[ReviewParams, ZoneParams]:
    """The review's parameters and the zone's params, once every input check has passed."""
    from workbook.review.params import check_data_covers, read_review_params

    rp, zone_params = read_review_params(params_path, quarter, **raw)  # the one read here
    zone = check_review_inputs(zone_params)  # bad data: the message status prints
    check_data_covers(rp, zone.ledger)  # a quarter the data do not reach yet: refused
    check_notebook(notebook)
    return rp, zone_params

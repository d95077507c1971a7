"""Many reviews at once: every zone x quarter, in parallel processes or on a Dask cluster.

`run_batch` validates every parameter set before any kernel starts, skips runs whose folder
already holds a finished review of the same parameters and input files (unless `force`),
runs the rest in worker processes (each kernel on IPC transport), shows a tqdm progress
bar, and writes `index.html` (a link to every run) and `rollup.xlsx` (every zone's headline
figures side by side) into the batch folder.

With `dask="local"` the runs go to a local Dask cluster (LocalCluster: one single-threaded
worker process per job); with `scheduler="tcp://HOST:PORT"` to an existing one, whose
workers need this package and its data paths.
"""

from __future__ import annotations

import html
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbook.files.outdir import FolderLock, check_batch_root, check_run_folder
from workbook.review.params import Quarter, ReviewParams, beyond_data, read_review_params
from workbook.review.runner import (
    NOTEBOOK,
    RunResult,
    check_notebook,
    check_review_inputs,
    is_done,
    run_folder,
    run_review,
)
from workbook.text.catalogue import Entry, label, say
from workbook.text.errors import InputError
from workbook.text.messages import Message

if TYPE_CHECKING:
    from workbook.zone.params import ZoneParams

# Each params file of a batch as the parent read it, by its path.
Zones = dict[Path, "ZoneParams"]

# A run whose quarter the data do not reach yet (workbook.review.params.beyond_data): not run,
# its folder untouched, its reason in `RunResult.error`.
NO_DATA = "no_data"


@dataclass(frozen=True)
class BatchResult:
    """Every run of a batch (in zone, quarter order) and the files written beside them."""

    root: Path
    results: tuple[RunResult, ...]
    index: Path
    rollup: Path
    seconds: float

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def plan_batch(
    params_paths: Sequence[str | Path],
    quarters: Iterable[Quarter],
    root: str | Path = "reports",
    **raw: Any,
) -> list[tuple[ReviewParams, Path]]:
    """(parameters, run folder) of every zone x quarter, all validated (InputError/ParamsError
    on the first bad one, before anything runs)."""
    return _plan(params_paths, quarters, root, **raw)[0]


def _plan(
    params_paths: Sequence[str | Path],
    quarters: Iterable[Quarter],
    root: str | Path = "reports",
    **raw: Any,
) -> tuple[list[tuple[ReviewParams, Path]], dict[Path, ZoneParams]]:
    """`plan_batch`, and each params file as read: once per file, whatever the quarters."""
    if not params_paths:
        raise InputError(Message("batch.no_params"))
    quarters = list(quarters)
    out = []
    zones: dict[Path, ZoneParams] = {}
    seen: set[Path] = set()
    for path in params_paths:
        known: ZoneParams | None = None
        for q in quarters:
            rp, known = read_review_params(path, q, **raw, zone_params=known)
            zones[rp.params_path] = known
            folder = run_folder(rp, root).resolve()
            if folder in seen:
                raise InputError(Message("batch.same_folder", path=str(path), folder=str(folder)))
            seen.add(folder)
            out.append((rp, folder))
    return out, zones


def _run_one(
    rp: ReviewParams, run_dir: Path, notebook: str, zone_params: ZoneParams | None = None
) -> RunResult:
    """One review in a worker; any failure becomes a 'failed' result, never a lost task."""
    t0 = time.perf_counter()
    try:
        return run_review(rp, run_dir, notebook=notebook, zone_params=zone_params)
    except Exception as exc:  # e.g. disk full: report it with the run, keep the batch going
        return RunResult(
            rp, run_dir, "failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - t0
        )


def _run_in_worker(rp: ReviewParams, run_dir: Path, notebook: str) -> RunResult:
    """`_run_one` in a batch worker: a stop (SIGTERM, the parent gone) ends the worker once
    the run is cleaned up, so it takes no further run."""
    from workbook.review.interrupt import in_run

    with in_run():
        return _run_one(rp, run_dir, notebook)


def _in_processes(
    todo: list[tuple[ReviewParams, Path]], notebook: str, jobs: int
) -> Iterable[RunResult]:
    """Run in `jobs` worker processes; results as they finish. On an interrupt the workers
    are stopped (each cleans up its run and kernel) before KeyboardInterrupt goes on."""
    from workbook.review.interrupt import worker_init

    ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
    )
    try:
        futures = [pool.submit(_run_in_worker, rp, folder, notebook) for rp, folder in todo]
        for fut in as_completed(futures):
            try:
                r = fut.result()
            except BrokenProcessPool:  # a worker was killed from outside
                raise InputError(Message("batch.worker_died")) from None
            yield r
    except BaseException:
        # the stdlib keeps the workers here; their futures end as BrokenProcessPool (not
        # cancelled first: the pool's manager thread would fail on a cancelled future)
        workers = list(getattr(pool, "_processes", {}).values())
        for proc in workers:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the worker kills its kernel, removes its temp copy
        deadline = time.monotonic() + 20
        for proc in workers:
            proc.join(max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run_batch(
    params_paths: Sequence[str | Path],
    quarters: Iterable[Quarter],
    *,
    root: str | Path = "reports",
    jobs: int | None = None,
    force: bool = False,
    dask: str | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    notebook: str | Path = NOTEBOOK,
    on_done: Callable[[RunResult], None] | None = None,
    **raw: Any,
) -> BatchResult:
    """Run every review of params_paths x quarters; see the module docstring. `on_done` is
    called with each run's result as soon as it is known (a finished run skipped at once)."""
    t0 = time.perf_counter()
    if dask not in (None, "local"):
        raise InputError(Message("batch.dask", found=dask))
    if dask and scheduler:
        raise InputError(Message("batch.dask_and_scheduler"))
    if jobs is not None and jobs < 1:
        raise InputError(Message("batch.jobs", found=jobs))
    check_notebook(notebook)
    root = check_batch_root(root)
    planned, zones = _plan(params_paths, quarters, root, **raw)
    ledgers = {}
    for path, zone_params in zones.items():
        # bad data: one message now, before any kernel
        ledgers[path] = check_review_inputs(zone_params).ledger
    # a quarter the data do not reach yet is not run, only marked (its reason said)
    beyond = {
        folder: why
        for rp, folder in planned
        if (why := beyond_data(rp, ledgers[rp.params_path])) is not None
    }
    if len(beyond) == len(planned):
        raise InputError(next(iter(beyond.values())))
    for _, folder in planned:  # refuse before anything runs, never after
        if folder not in beyond:
            check_run_folder(folder, "review")
    root.parent.mkdir(parents=True, exist_ok=True)
    with FolderLock(root):
        return _run_planned(
            planned,
            root,
            jobs,
            force,
            dask,
            scheduler,
            progress,
            notebook,
            t0,
            on_done,
            beyond,
            zones,
        )


def _run_planned(
    planned: list[tuple[ReviewParams, Path]],
    root: Path,
    jobs: int | None,
    force: bool,
    dask: str | None,
    scheduler: str | None,
    progress: bool,
    notebook: str | Path,
    t0: float,
    on_done: Callable[[RunResult], None] | None = None,
    beyond: dict[Path, Message] | None = None,
    zones: Zones | None = None,
) -> BatchResult:
    zones = {} if zones is None else zones
    notebook = str(Path(notebook).resolve())
    results: dict[Path, RunResult] = {}
    todo = []
    lang = planned[0][0].lang
    for rp, folder in planned:
        if beyond and folder in beyond:
            results[folder] = RunResult(rp, folder, NO_DATA, beyond[folder].render(lang))
        elif not force and is_done(rp, folder, Path(notebook)):
            results[folder] = RunResult(rp, folder, "skipped")
        else:
            todo.append((rp, folder))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    for r in list(results.values()):  # finished before: said at once
        if on_done is not None:
            on_done(r)

    from tqdm import tqdm

    t = lambda key: label("review", key, lang)  # noqa: E731
    bar = tqdm(
        total=len(todo),
        desc=t("bar_desc"),
        unit=t("bar_unit"),
        file=sys.stderr,
        disable=not progress,
        bar_format=t("bar_format"),
    )
    pending = {folder: run_label(rp) for rp, folder in todo}

    def finished(r: RunResult) -> None:
        results[r.run_dir] = r
        pending.pop(r.run_dir, None)
        running = list(pending.values())[:jobs]  # runs start in the order they were given
        text = t("bar_running").format(runs="，".join(running)) if running else ""
        bar.set_postfix_str(text, refresh=False)
        bar.update(1)
        if on_done is not None:
            on_done(r)

    try:
        if todo:
            bar.set_postfix_str(
                t("bar_running").format(runs="，".join(list(pending.values())[:jobs]))
            )
        if not todo:
            pass
        elif dask or scheduler:
            for r in _on_dask(todo, notebook, jobs, scheduler):
                finished(r)
        elif jobs == 1:
            for rp, folder in todo:
                # in this process: the params as read above (a worker process reads its own:
                # a zone's params class is built at parse time and does not pickle)
                finished(_run_one(rp, folder, notebook, zones.get(rp.params_path)))
        else:
            for r in _in_processes(todo, notebook, jobs):
                finished(r)
    finally:
        bar.close()
    ordered = tuple(results[folder] for _, folder in planned)
    root.mkdir(parents=True, exist_ok=True)
    index = write_index(root / "index.html", ordered, lang)
    rollup = write_rollup(root / "rollup.xlsx", ordered, lang)
    _write_manifest(root, ordered)
    return BatchResult(root, ordered, index, rollup, time.perf_counter() - t0)


def _write_manifest(root: Path, results: Sequence[RunResult]) -> None:
    """What the batch wrote into its folder, so a later batch knows the folder as its own."""
    from workbook.review.output import write_json

    write_json(
        root / "manifest.json",
        {
            "tool": "workbook",
            "kind": "batch",
            "files": ["index.html", "manifest.json", "rollup.xlsx"],
            "runs": [
                {
                    "folder": os.path.relpath(r.run_dir, root),
                    "status": r.status,
                    **({"record": os.path.relpath(r.record_dir, root)} if r.record_dir else {}),
                }
                for r in results
            ],
        },
    )


def _on_dask(
    todo: list[tuple[ReviewParams, Path]], notebook: str, jobs: int, scheduler: str | None
) -> Iterable[RunResult]:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(
                Message("batch.scheduler", scheduler=scheduler, error=str(exc))
            ) from None
    try:
        futures = [
            client.submit(
                _run_one,
                rp,
                folder,
                notebook,
                pure=False,
                key=f"review-{rp.params_path.stem}-{rp.quarter}-{rp.lang}",
            )
            for rp, folder in todo
        ]
        for fut in dask_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_label(rp: ReviewParams) -> str:
    """A run as the progress bar and the run lines name it: params file stem and quarter."""
    return f"{rp.params_path.stem} {rp.quarter}"


def run_line(r: RunResult, lang: str) -> str:
    """One line for a run that has finished: status, run, seconds and where its report is."""
    where = r.error if r.status == NO_DATA else r.html or r.record / "review.ipynb"
    status = label("review", f"status_{r.status}", lang)
    seconds = say("review.batch.seconds", lang, s=r.seconds) if r.seconds else ""
    return f"{status}  {run_label(r.params)}  {seconds}  {where}".replace("    ", "  ")


def summary_line(result: BatchResult, lang: str) -> str:
    """The batch's last words: how many runs finished, were skipped and failed, and where the
    roll-up is."""
    ok, skipped, failed, no_data = (result.count(k) for k in ("ok", "skipped", "failed", NO_DATA))
    later = say("review.batch.no_data", lang, n=no_data) if no_data else ""
    return say(
        "review.batch.summary",
        lang,
        ok=ok,
        skipped=skipped,
        later=later,
        failed=failed,
        seconds=result.seconds,
        rollup=result.rollup,
    )


# ---- index.html and rollup.xlsx ------------------------------------------------------------


def _summary(r: RunResult) -> dict[str, Any] | None:
    try:
        return json.loads((r.run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _zone(r: RunResult, s: dict[str, Any] | None, lang: str) -> str:
    """The zone's name in `lang` as its run's summary gives it (else the params file's stem)."""
    return Entry(s["zone"], s["zone_en"]).text(lang) if s else r.params.params_path.stem


def _metric(s: dict[str, Any], metric: str, lang: str) -> str:
    """A target's name in `lang`: the label its run wrote (the zone's own labels first: this
    process need not have read that zone's params) when the run spoke `lang`; else the
    built-in label, or the run's label for a metric of the zone's own."""
    own = s["targets"][metric].get("label") if s.get("lang") == lang else None
    builtin = label("metric", metric, lang)
    return own or (builtin if builtin != metric else s["targets"][metric].get("label", metric))


def rollup_tables(results: Sequence[RunResult], lang: str) -> dict[str, pd.DataFrame]:
    """The roll-up's sheets: every target with zones x quarters side by side (one block of
    rows per target, one column group per quarter), the long table (zone x quarter x target),
    pipeline figures and the runs; number formats in each table's attrs."""
    from workbook.review.render import unit_format
    from workbook.text import formats as xs

    t = lambda key: label("review", key, lang)  # noqa: E731
    runs, targets, pipes, units = [], [], [], []
    for r in results:
        s = _summary(r) if r.status in ("ok", "skipped") else None
        zone = _zone(r, s, lang)
        runs.append(
            {
                t("zone"): zone,
                t("params"): r.params.params_path.name,
                t("quarter"): str(r.params.quarter),
                t("status"): label("review", f"status_{r.status}", lang),
                t("seconds"): round(r.seconds, 1) if r.seconds else None,
                t("error"): r.error,
                t("folder"): str(r.run_dir),
            }
        )
        if s is None:
            continue
        for metric, v in s["targets"].items():
            units.append(v["unit"])
            targets.append(
                {
                    "_metric": metric,
                    t("zone"): zone,
                    t("quarter"): s["quarter"],
                    t("metric"): _metric(s, metric, lang),
                    t("unit"): label("unit", v["unit"], lang),
                    t("target"): v["target"],
                    t("actual_col"): v["actual"],
                    t("completion"): v["completion"],
                    t("phased_target"): v["phased_target"],
                    t("verdict"): label("verdict", v["verdict"], lang),
                    t("p_attain"): v["p_attain"],
                    t("p50"): v["p50"],
                    t("outlook"): label("outlook", v["outlook"], lang),
                }
            )
        tr, big, pipe = s["tracker_500"], s["big_projects"], s["pipeline"]
        pipes.append(
            {
                t("zone"): zone,
                t("quarter"): s["quarter"],
                t("projects"): pipe["projects"],
                t("total_investment"): pipe["total_investment"],
                t("signed_or_beyond"): pipe["signed_or_beyond"],
                t("global500_signings"): tr["global500_signings"],
                t("china500_signings"): tr["china500_signings"],
                t("bonus_500"): tr["bonus_500"],
                t("big_30"): big["tier_30"]["projects"],
                t("overdue"): len(big["overdue_projects"]),
                t("p_all"): s["p_all"],
            }
        )
    long = pd.DataFrame(targets).drop(columns="_metric", errors="ignore")
    by_unit = {
        t(k): [unit_format(k, u) for u in units]
        for k in ("target", "actual", "phased_target", "p50")
    }
    by_unit[t("actual_col")] = by_unit.pop(t("actual"))
    long = xs.with_formats(
        long, {**by_unit, t("completion"): xs.PERCENT, t("p_attain"): xs.PERCENT}
    )
    pipeline = xs.with_formats(
        pd.DataFrame(pipes), {t("total_investment"): xs.MONEY, t("p_all"): xs.PERCENT}
    )
    return {
        t("sheet_rollup_pivot"): _side_by_side(pd.DataFrame(targets), units, lang),
        t("sheet_rollup_targets"): long,
        t("sheet_rollup_pipeline"): pipeline,
        t("sheet_rollup_runs"): xs.with_formats(pd.DataFrame(runs), {t("seconds"): xs.ONE_DECIMAL}),
    }


def _side_by_side(long: pd.DataFrame, units: list[str], lang: str) -> pd.DataFrame:
    """Targets with zones x quarters side by side: one row per target and zone (targets in the
    order the runs list them), per quarter its actual, completion and P(attain)."""
    from workbook.review.render import unit_format
    from workbook.text import formats as xs

    t = lambda key: label("review", key, lang)  # noqa: E731
    if not len(long):
        return pd.DataFrame()
    long = long.assign(_unit=units)
    quarters = sorted(long[t("quarter")].unique())
    measures = (("actual_col", None), ("completion", xs.PERCENT), ("p_attain", xs.PERCENT))
    order = list(dict.fromkeys(long["_metric"]))
    rows, formats_rows = [], []
    for metric in order:
        block = long[long["_metric"] == metric]
        for zone in dict.fromkeys(block[t("zone")]):
            mine = block[block[t("zone")] == zone].set_index(t("quarter"))
            first = mine.iloc[0]
            row = {
                t("metric"): first[t("metric")],
                t("unit"): first[t("unit")],
                t("zone"): zone,
                t("target"): first[t("target")],
            }
            for q in quarters:
                for key, _ in measures:
                    row[f"{q} {t(key)}"] = mine.at[q, t(key)] if q in mine.index else None
            rows.append(row)
            formats_rows.append(first["_unit"])
    table = pd.DataFrame(rows)
    formats: dict[str, xs.Format] = {t("target"): [unit_format("target", u) for u in formats_rows]}
    for q in quarters:
        for key, fmt in measures:
            formats[f"{q} {t(key)}"] = fmt or [unit_format("actual", u) for u in formats_rows]
    return xs.with_formats(table, formats)


def write_rollup(path: Path, results: Sequence[RunResult], lang: str) -> Path:
    from workbook.review.output import write_xlsx

    return write_xlsx(path, rollup_tables(results, lang))


def write_index(path: Path, results: Sequence[RunResult], lang: str) -> Path:
    """A page linking every run's report (or, for a failed run, its record and manifest)."""
    from workbook.review.html import CSS

    t = lambda key: label("review", key, lang)  # noqa: E731
    rows = []
    for r in results:
        s = _summary(r) if r.status in ("ok", "skipped") else None
        zone = _zone(r, s, lang)
        rel = lambda name: html.escape(os.path.relpath(r.record / name, path.parent))  # noqa: E731, B023
        if r.status == "failed":
            link = (
                f'<a href="{rel("review.ipynb")}">review.ipynb</a> · '
                f'<a href="{rel("manifest.json")}">manifest.json</a>'
            )
            figures = html.escape(r.error or "")
        elif r.status == NO_DATA:  # not run: the reason, no link (an older folder is stale)
            link, figures = "", html.escape(r.error or "")
        else:
            link = f'<a href="{rel("review.html")}">review.html</a> · <a href="{rel("review.xlsx")}">review.xlsx</a>'
            figures = ""
            if s is not None and "domestic_capital" in s["targets"]:
                d = s["targets"]["domestic_capital"]
                p = d.get("p_attain")
                figures = html.escape(
                    f"{_metric(s, 'domestic_capital', lang)} {d['completion']:.1%}"
                    + (f" · {t('p_attain')} {p:.0%}" if p is not None else "")
                )
        cls = ' class="wb-flag"' if r.status in ("failed", NO_DATA) else ""
        rows.append(
            f"<tr{cls}><td>{html.escape(zone)}</td><td>{r.params.quarter}</td>"
            f"<td>{html.escape(label('review', f'status_{r.status}', lang))}</td>"
            f"<td>{figures}</td><td>{link}</td></tr>"
        )
    head = "".join(
        f"<th>{html.escape(t(k))}</th>" for k in ("zone", "quarter", "status", "headline", "files")
    )
    failed = sum(r.status == "failed" for r in results)
    no_data = sum(r.status == NO_DATA for r in results)
    note = t("index_note").format(runs=len(results), failed=failed)
    if no_data:
        note += t("index_note_no_data").format(runs=no_data)
    page = (
        f'<!DOCTYPE html><html lang="{say("html.lang", lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(t('index_title'))}</title><style>{CSS}</style></head><body><main>"
        f"<h1>{html.escape(t('index_title'))}</h1>"
        f'<p class="wb-subtitle">{html.escape(note)}</p>'
        f'<p><a href="rollup.xlsx">rollup.xlsx</a></p>'
        f'<table class="wb-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        f"</main></body></html>\n"
    )
    from workbook.review.output import readable

    fd, tmp = tempfile.mkstemp(prefix=".index.html.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(readable(Path(tmp)), path)
    return path

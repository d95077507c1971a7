"""The no-code web app: the planner notebooks served by Voila on localhost, code hidden.

Nothing is loaded from the internet: charts draw with the Vega bundle from vl-convert
(`alt.JupyterChart.enable_offline()`), and the page uses Voila's lab template minus its Font
Awesome CDN links (`workbook/planners/jupyter/voila/templates/workbook`).

`serve(port)` runs Voila in this process until interrupted, over a folder holding each zone's
copy of the planner notebooks (`--params` repeated or a folder: one zone per params file). Each
zone's planners keep `warm` kernels preheated (already executed, so a page opened after start-up
is drawn at once; Voila refills the pool after a page takes it), started with that zone's params
file in `WORKBOOK_PARAMS`; a kernel left idle for `cull_idle` seconds with no page connected (the
tab was closed, the browser died) is shut down, so memory returns to the preheated baseline. The
as-of date and language come from the environment (`WORKBOOK_AS_OF`, `WORKBOOK_LANG`): kernels
inherit it, and a notebook parameter left at `None` takes the value from there (see
`workbook.planners.controls.resolve_settings`). `login_policy` checks the login options
(`workbook.planners.auth`); every page needs a login unless `--no-login`.
Voila is imported only when the app starts: `import workbook` never imports Jupyter.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from workbook.planners.zones import APP_NOTEBOOKS, ENV_PARAMS, PLANNERS, Zone
from workbook.text.errors import InputError
from workbook.text.labels import check_lang
from workbook.text.messages import Message
from workbook.text.resources import ENV_WORKDIR, notebooks_dir, sample_params

NOTEBOOKS_DIR = notebooks_dir()  # the checkout's notebooks/, or the wheel's workbook/notebooks/
# Our Voila template (lab, minus its CDN links) lives under <JUPYTER_DIR>/voila/templates.
JUPYTER_DIR = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "workbook"
DEFAULT_PORT = 8866
MAX_SESSION_HOURS = 24 * 30  # a login lasts at most 30 days
DEFAULT_CULL_IDLE = 600  # seconds a kernel without a page may stay idle before it is shut down
DEFAULT_WARM = 2  # kernels kept warm (already run through the notebook) per zone and planner
# A page that takes a warm kernel gets its replacement started this long after (Voila's
# fill_delay, 1 s by default): planners opening pages at once get them drawn before the
# replacements' start-up (imports, draws, the first forecast) takes the cores (10 pages at once:
# page drawn p50 151 s with 30 s, 41 s with 300 s; benchmarks/bench_app.py).
REFILL_DELAY_S = 300
IOPUB_TIMEOUT_S = 120  # seconds a cell's output may follow its reply (nbclient's default: 4)
# Preheated in the pool: the planners, not the quarterly review (papermill runs that one).
PREHEAT_DENYLIST = ("quarterly_review.ipynb",)
# jupyter_server's culler, made safe for preheated kernels handed to a page still loading.
KERNEL_MANAGER = "workbook.planners.voila_app.WorkbookKernelManager"

REPORTS_DIR = "reports"  # under the folder the app runs in: the home page lists reviews there

ENV_AS_OF = "WORKBOOK_AS_OF"
ENV_LANG = "WORKBOOK_LANG"
ENV_CHART_JS = "WORKBOOK_CHART_JS"  # where the app serves the charts' Vega bundle (below)
CHART_JS = "workbook/static/jupyter-chart.js"  # under the base URL (voila_app serves it)


def zone_files(params: Sequence[str | Path] | str | Path | None) -> list[Path]:
    """The params files `--params` names (files, or folders of *.yaml), in order; the sample
    zone when none is given; an InputError naming what is missing or repeated."""
    given = [params] if isinstance(params, str | Path) else list(params or [])
    if not given:
        sample = sample_params()
        if not sample.is_file():  # installed: no sample zone
            raise InputError(Message("err.no_params"))
        given = [sample]
    files: list[Path] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.yaml") if p.is_file())
            if not found:
                raise InputError(Message("at", where=str(item), body=Message("app.no_yaml")))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(Message("at", where=str(item), body=Message("params.not_found")))
    ids = [f.stem for f in files]
    for stem in ids:
        if ids.count(stem) > 1:
            raise InputError(Message("app.zone_twice", name=stem))
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", stem):
            raise InputError(Message("app.zone_name", name=stem))
        if stem == "plans":  # reports/plans/ holds every zone's exports: not a zone's reports
            raise InputError(Message("app.zone_reserved", name=stem))
    return [f.resolve() for f in files]


def load_zones(files: Sequence[Path], lang: str) -> tuple[Zone, ...]:
    """Each params file loaded once (a bad file stops the app with its message)."""
    from workbook.zone.params import load_params

    return tuple(Zone(f.stem, load_params(f).zone_name(lang), f) for f in files)


def zone_notebooks(zones: Sequence[Zone], into: Path, lang: str = "zh") -> Path:
    """A folder holding, per zone, a copy of the two planner notebooks (`<zone>/<notebook>`):
    Voila keeps one preheated kernel per notebook path, so each zone gets its own pool. Each
    copy's title (the browser tab's) names the planner and the zone, as the home page does."""
    import json

    from workbook.planners.home import home_text

    source = app_notebooks_dir()
    for zone in zones:
        (into / zone.id).mkdir(parents=True, exist_ok=True)
        for key, name in PLANNERS.items():
            nb = json.loads((source / name).read_text(encoding="utf-8"))
            nb.setdefault("metadata", {})["title"] = f"{home_text(key, lang)} · {zone.name}"
            text = json.dumps(nb, ensure_ascii=False, indent=1)
            (into / zone.id / name).write_text(text, encoding="utf-8")
    return into


def app_notebooks_dir() -> Path:
    """The folder holding the planner notebooks; an InputError naming what is missing."""
    missing = [n for n in APP_NOTEBOOKS if not (NOTEBOOKS_DIR / n).is_file()]
    if missing:
        raise InputError(
            Message(
                "at",
                where=str(NOTEBOOKS_DIR),
                body=Message("err.notebooks", names=", ".join(missing)),
            )
        )
    return NOTEBOOKS_DIR


def cull_interval(cull_idle: int) -> int:
    """How often (seconds) the culler looks: a tenth of the idle time, between 1 s and 60 s."""
    return max(1, min(60, cull_idle // 10))


def check_warm(warm: int, max_kernels: int) -> int:
    """`warm` checked: from 0 to `max_kernels` (a planner never needs more warm kernels than
    pages may be open at once); an InputError saying so otherwise."""
    if not 0 <= warm <= max_kernels:
        raise InputError(Message("app.warm", hi=max_kernels, found=warm))
    return warm


UNUSED_LABEXTENSIONS = ("jupyterlab_pygments",)


def voila_argv(
    port: int,
    open_browser: bool = False,
    cull_idle: int = DEFAULT_CULL_IDLE,
    root: Path | None = None,
    lang: str = "zh",
    warm: int = DEFAULT_WARM,
    refill_delay: float = REFILL_DELAY_S,
) -> list[str]:
    """Voila's command line: tree of the planner notebooks on 127.0.0.1:port, sources stripped,
    `warm` preheated kernels per planner, kernels without a page culled after `cull_idle` s."""
    if not 0 < port < 65536:
        raise InputError(Message("err.port", found=port))
    if cull_idle < 1:
        raise InputError(Message("err.cull_idle", found=cull_idle))
    argv = [
        str(root or app_notebooks_dir()),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        f"--template={TEMPLATE}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",  # details go to the server log only
        # code highlighting styles: a planner page shows no code (sources stripped)
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in UNUSED_LABEXTENSIONS),
        f"--HTMLExporter.language_code={check_lang(lang)}",  # <html lang=...>
        "--Voila.port_retries=0",
        f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={warm}",
        f"--VoilaKernelManager.fill_delay={refill_delay:g}",
        # A planner cell's output (the widgets) may come well after its reply on a busy server;
        # nbclient's 4 s would drop it and leave a warm kernel whose page shows nothing.
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
        f"--VoilaKernelManager.preheat_denylist={list(PREHEAT_DENYLIST)!r}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={cull_interval(cull_idle)}",
        # A page left open keeps its kernel (the planner may come back to it); a kernel whose
        # page is gone has no connection and goes after cull_idle seconds of quiet.
        "--MappingKernelManager.cull_connected=False",
    ]
    if not open_browser:
        argv.append("--no-browser")
    return argv


def app_environment(
    params: str | Path | None = None, as_of: dt.date | None = None, lang: str | None = None
) -> dict[str, str]:
    """Environment variables that set the notebooks' default zone, date and language."""
    env: dict[str, str] = {}
    if params is not None:
        path = Path(params).resolve()
        if not path.is_file():
            raise InputError(Message("at", where=str(params), body=Message("params.not_found")))
        env[ENV_PARAMS] = str(path)
    if as_of is not None:
        env[ENV_AS_OF] = as_of.isoformat()
    if lang is not None:
        env[ENV_LANG] = lang
    return env


def login_policy(
    users: str | Path | None = None,
    no_login: bool = False,
    session_hours: float = 8,
    trusted_header: str | None = None,
    trusted_proxy: str | None = None,
    allowed_hosts: str | None = None,
):
    """The app's login settings, checked: an `auth.AuthPolicy` (an InputError on a bad mix)."""
    import ipaddress

    from workbook.planners.auth import AuthPolicy
    from workbook.planners.users import load_users

    if no_login and (users or trusted_header):
        raise InputError(Message("app.no_login_with"))
    if not no_login and not users:
        raise InputError(Message("app.needs_login"))
    if bool(trusted_header) != bool(trusted_proxy):
        raise InputError(Message("app.trusted_pair"))
    if trusted_proxy:
        try:
            trusted_proxy = str(ipaddress.ip_address(trusted_proxy))
        except ValueError:
            raise InputError(Message("app.trusted_proxy", found=trusted_proxy)) from None
    if not 0 < session_hours <= MAX_SESSION_HOURS:
        found = session_hours
        raise InputError(Message("app.session_hours", lo=0, hi=MAX_SESSION_HOURS, found=found))
    if users:
        path = Path(users)
        if not path.is_file():
            raise InputError(Message("at", where=str(users), body=Message("app.users_not_found")))
        if not load_users(path):  # a bad file stops here, with its message
            raise InputError(Message("at", where=str(users), body=Message("app.no_account")))
        users_file: str | None = str(path.resolve())
    else:
        users_file = None
    hosts = tuple(h.strip().lower() for h in (allowed_hosts or "").split(",") if h.strip())
    return AuthPolicy(
        users_file=users_file,
        no_login=no_login,
        session_s=round(session_hours * 3600),
        trusted_header=trusted_header,
        trusted_proxy=trusted_proxy,
        allowed_hosts=hosts,
    )


def _prune_draws(log: logging.Logger) -> None:
    """The shared draws' folder is never cleaned otherwise: earlier engines' draws (other dates,
    ledgers, versions) beyond the most recently used go (a running kernel keeps what it mapped;
    `workbook.forecast.shared.prune`). Done once the app is about to start."""
    from workbook.forecast.shared import prune

    pruned = prune()
    if pruned.folders or pruned.files:
        log.info(
            "shared draws: %d old engine folder(s), %d file(s), %.0f MB removed, %d kept",
            pruned.folders, pruned.files, pruned.freed_bytes / 2**20, pruned.kept,
        )  # fmt: skip


def serve(
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    params: Sequence[str | Path] | str | Path | None = None,
    as_of: dt.date | None = None,
    lang: str | None = None,
    cull_idle: int = DEFAULT_CULL_IDLE,
    policy=None,
    max_kernels: int = 10,
    max_kernels_per_user: int = 3,
    warm: int = DEFAULT_WARM,
    refill_delay: float = REFILL_DELAY_S,
) -> int:
    """Run Voila over the planner notebooks of every zone until interrupted; returns its exit
    status. `params`: params files or folders of them (default: WORKBOOK_PARAMS, else the sample
    zone). `policy`: `login_policy(...)`; None is `--no-login`. At most `max_kernels` planner
    pages hold a kernel at once, `max_kernels_per_user` of one user (the preheated pools aside);
    each zone's planners keep `warm` kernels preheated (0 to `max_kernels`), a taken one replaced
    `refill_delay` seconds later."""
    check_warm(warm, max_kernels)
    if policy is None:
        policy = login_policy(no_login=True)
    os.environ.update(app_environment(None, as_of, lang))
    files = zone_files(params or os.environ.get(ENV_PARAMS) or None)
    # Each zone's kernels get their params file from their pool (voila_app), not from here.
    os.environ.pop(ENV_PARAMS, None)
    os.environ[ENV_WORKDIR] = str(Path.cwd())  # planners export under reports/ of this folder
    # The kernels of a zone share its draws: one copy in files, memory-mapped by each
    # (workbook.forecast.shared).
    from workbook.forecast.shared import ENV_DRAWS_DIR, default_dir

    os.environ.setdefault(ENV_DRAWS_DIR, str(default_dir()))
    # Charts import the Vega bundle from the app once per page (not 0.9 MB in each chart's state).
    os.environ[ENV_CHART_JS] = CHART_JS
    # Voila finds templates on the Jupyter data path: put ours first.
    path = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(JUPYTER_DIR), path) if p)
    from workbook.text.labels import check_lang

    page_lang = check_lang(os.environ.get(ENV_LANG) or "zh")
    zones = load_zones(files, page_lang)  # a bad file stops here
    from workbook.planners.auth import no_login_banner
    from workbook.planners.voila_app import launch

    server_log = logging.getLogger("workbook")  # logins, refusals, closed pages: to the app's log
    if not server_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[workbook %(asctime)s] %(levelname)s %(message)s"))
        server_log.addHandler(handler)
        server_log.setLevel(logging.INFO)
    if policy.no_login:
        print(no_login_banner(), flush=True)
        print(no_login_banner(), file=sys.stderr, flush=True)
    from workbook.planners.audit import ENV_OWNERS

    with tempfile.TemporaryDirectory(prefix="workbook-app-") as tmp:
        # Who each kernel was handed to (audit lines, roles): readable by this user only.
        owners = Path(tmp) / "owners"
        owners.mkdir(mode=0o700)
        os.environ[ENV_OWNERS] = str(owners)
        root = zone_notebooks(zones, Path(tmp) / "nb", page_lang)
        argv = voila_argv(port, open_browser, cull_idle, root, page_lang, warm, refill_delay)
        names = ", ".join(z.id for z in zones)
        _prune_draws(server_log)
        print(f"workbook app: http://127.0.0.1:{port}/ ({names}; Ctrl-C to stop)", flush=True)
        launch(
            argv,
            CHART_JS,
            zones=zones,
            lang=page_lang,
            reports_dir=Path.cwd() / REPORTS_DIR,
            policy=policy,
            max_kernels=max_kernels,
            per_user=max_kernels_per_user,
            warm=warm,
        )
    return 0

"""Voila with the workbook's own pages, one app for several zones: `WorkbookVoila` is Voila's
application in which every route is behind the login gate (`workbook.planners.auth`), `/` lists
the zones granted to the user, and each zone has its own URLs: `/z/<zone>/` (its home page),
`/z/<zone>/scenario` and `/z/<zone>/roadshow` (its planners, each from its own pool of `warm`
preheated kernels of the zone's copy of the notebook), `/z/<zone>/reports/...` (its review
runs, read-only) and `/z/<zone>/audit` (its audit log, for its 管理 users). Voila's file list,
contents API and `/voila/render/...` are not served.

`WorkbookKernelManager` records whose page each kernel was handed to (`KernelSeats`: only the
owner may reach it; caps per user and for the server), and culls like jupyter_server's, with one
fix for preheated kernels: a kernel taken from the pool by a page has been idle since it was
preheated (maybe for longer than the cull time) and has no connection until the page's scripts
open one, so the stock culler could shut it down under a page that is still loading. A kernel
that never had a page connected is counted idle from when the culler first sees it out of the
pool (Voila keeps pooled kernels from the culler), and for at least HANDOFF_GRACE_S, so a page
on a busy server has time to connect.

Imported only by `workbook.planners.app.serve` (it imports Voila and tornado).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import path_regex
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado import web
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from workbook.planners.audit import ENV_OWNERS, owner_file, read_audit, record, write_owner
from workbook.planners.auth import (
    Auth,
    AuthPolicy,
    LoginHandler,
    LogoutHandler,
    WorkbookIdentityProvider,
    app_log,
    gated,
)
from workbook.planners.home import REVIEW_FILE, audit_html, home_html, latest_reviews, zones_html
from workbook.planners.kernels import (
    DEFAULT_MAX_KERNELS,
    DEFAULT_PER_USER,
    PAGE_OWNER,
    KernelSeats,
    Seat,
)
from workbook.planners.live_chart import chart_bundle
from workbook.planners.login import sentence_html
from workbook.planners.zones import APP_NOTEBOOKS, ENV_PARAMS, ENV_ROLE, PLANNERS, Zone

_SECURITY_HEADERS = {
    # Nothing on the home page or a review may load from anywhere but this server.
    "Content-Security-Policy": "default-src 'self' data: blob: 'unsafe-inline' 'unsafe-eval'",
    "X-Content-Type-Options": "nosniff",
}


def _account(handler: Any) -> str | None:
    """The user shown on a page (none without logins)."""
    user = getattr(handler, "workbook_user", None)
    no_login = handler.settings["workbook_auth"].policy.no_login
    return user.name if user is not None and not no_login else None


def _html_headers(handler: web.RequestHandler) -> None:
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    for key, value in _SECURITY_HEADERS.items():
        handler.set_header(key, value)


class ZoneListHandler(web.RequestHandler):
    """`/` (and Voila's `/voila/tree/...`): the zones this user may open, one link each."""

    def initialize(self, zones: tuple[Zone, ...], lang: str) -> None:
        self.zones, self.lang = zones, lang

    def get(self, path: str = "") -> None:
        if path.strip("/"):  # /voila/tree/<anything>: the zone list, not a file list
            self.redirect(url_path_join(self.settings.get("base_url", "/"), "/"))
            return
        # workbook_user is set on every handler by the login gate (planners.auth) before this runs
        user = self.workbook_user  # type: ignore[attr-defined]
        mine = [(z.id, z.name) for z in self.zones if user.role(z.id) is not None]
        _html_headers(self)
        self.finish(zones_html(mine, self.lang, account=_account(self)))


class HomeHandler(web.RequestHandler):
    """`/z/<zone>/`: the zone, its two planners, its latest reviews (re-read on every visit)."""

    def initialize(self, zone: Zone, lang: str, reports_dir: Path) -> None:
        self.zone, self.lang, self.reports_dir = zone, lang, reports_dir
        self.workbook_zone = zone.id

    def get(self) -> None:
        if not self.request.path.endswith("/"):  # relative links need the slash
            self.redirect(self.request.path + "/")
            return
        _html_headers(self)
        reviews = latest_reviews(self.reports_dir / self.zone.id)
        self.finish(home_html(self.zone.name, reviews, self.lang, account=_account(self)))


class AuditHandler(web.RequestHandler):
    """`/z/<zone>/audit`: the zone's audit log, newest first, for its 管理 users only."""

    def initialize(self, zone: Zone, lang: str) -> None:
        self.zone, self.lang = zone, lang
        self.workbook_zone = zone.id

    def get(self) -> None:
        # workbook_user is set on every handler by the login gate (planners.auth) before this runs
        if not self.workbook_user.may(self.zone.id, "admin"):  # type: ignore[attr-defined]
            self.set_status(403)
            _html_headers(self)
            self.finish(sentence_html("denied", self.lang, self.settings["base_url"]))
            return
        _html_headers(self)
        self.finish(audit_html(self.zone.name, read_audit(self.zone.params)[::-1], self.lang))


class ReportFileHandler(web.StaticFileHandler):
    """Files of one zone's review runs under reports/<zone>/ (review.html and what sits beside
    it); a path leaving that folder (.., a symlink out) is refused by tornado."""

    # the route passes the zone beside tornado's own arguments
    def initialize(  # type: ignore[override]
        self, path: str, zone: str, default_filename: str | None = None
    ) -> None:
        super().initialize(path, default_filename)
        self.workbook_zone = zone

    def set_extra_headers(self, path: str) -> None:
        for key, value in _SECURITY_HEADERS.items():
            self.set_header(key, value)

    def get_content_type(self) -> str:
        kind = super().get_content_type()
        textual = kind.startswith("text/") or kind in ("application/json", "text/calendar")
        return f"{kind}; charset=utf-8" if textual and "charset" not in kind else kind

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        # A run's manifest names the server's folders: not for a visitor.
        if Path(absolute_path).name == "manifest.json":
            raise web.HTTPError(404)
        return super().validate_absolute_path(root, absolute_path)

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        return super().get_absolute_path(root, path or REVIEW_FILE)


# Voila's page loads MathJax 3 (~340 kB of scripts) and typesets every output with it; no
# planner shows a formula. Without a MathJax URL the page takes JupyterLab's MathJax 2 plugin
# instead (2 kB, which would load MathJax from that URL on a first formula), disabled here too.
NO_MATHJAX = "null"  # the page's own word for an option left unset
UNUSED_PLUGINS = ("@jupyterlab/mathjax-extension", "@jupyterlab/mathjax2-extension")


def lean_page_config(page_config: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Voila's `page_config_hook`: the planner page's config without MathJax."""
    disabled = page_config.get("disabledExtensions") or []
    if isinstance(disabled, dict):  # jupyterlab_server's {name: bool} form
        disabled = [name for name, off in disabled.items() if off]
    page_config["disabledExtensions"] = [*disabled, *UNUSED_PLUGINS]
    page_config["fullMathjaxUrl"] = page_config["mathjaxConfig"] = NO_MATHJAX
    return page_config


HANDOFF_GRACE_S = 120  # a page's kernel may wait this long for the page to connect (at least)


class WorkbookKernelManager(AsyncMappingKernelManager):
    """Culls kernels whose page is gone; a kernel no page has connected to yet gets the cull
    time counted from when it left the pool, not from its last activity."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._connected_once: set[str] = set()
        self._unclaimed_since: dict[str, dt.datetime] = {}
        self.seats = KernelSeats()

    def claim_for_page(self, kernel_id: str) -> None:
        """`kernel_id` was handed to the page being rendered: it is its user's now (and the
        kernel can read whose: its owner file, for its audit lines and the user's role)."""
        seat = PAGE_OWNER.get()
        if seat is not None and seat.kernel_id is None:
            self.seats.claim(seat, kernel_id)
            folder = os.environ.get(ENV_OWNERS)
            if folder:
                write_owner(folder, kernel_id, seat.user, seat.role)

    def owner_of(self, kernel_id: str) -> tuple[bool, str | None]:
        """(whether the kernel is running, the user it was handed to or None)."""
        return kernel_id in self, self.seats.owner(kernel_id)

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self._connected_once.add(kernel_id)
        self._unclaimed_since.pop(kernel_id, None)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        # Voila's preheating subclass returns before this for kernels still in its pool.
        if kernel_id not in self._connected_once:
            now = dt.datetime.now(dt.UTC)
            since = self._unclaimed_since.setdefault(kernel_id, now)
            grace = max(self.cull_idle_timeout, HANDOFF_GRACE_S)
            if now - since <= dt.timedelta(seconds=grace):
                return
        await super().cull_kernel_if_idle(kernel_id)

    # jupyter_client types MultiKernelManager.shutdown_kernel as a plain method; the async
    # managers (this one's base) make it a coroutine at run time.
    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._connected_once.discard(kernel_id)
        self._unclaimed_since.pop(kernel_id, None)
        try:
            await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self.seats.forget(kernel_id)
            folder = os.environ.get(ENV_OWNERS)
            if folder:
                owner_file(folder, kernel_id).unlink(missing_ok=True)


def _claiming(km: Any, name: str) -> None:
    """Wrap the kernel manager's `name` (which hands a page its kernel) so that the kernel it
    returns is recorded as the page's user's, and a kernel started for a page gets the page's
    zone and role in its environment. On the instance: Voila builds the preheating class around
    ours, and its pool refills call the class's own start_kernel (not claimed)."""
    original = getattr(km, name)

    async def claiming(*args: Any, **kwargs: Any) -> Any:
        seat = PAGE_OWNER.get()
        if name == "start_kernel" and seat is not None:
            kwargs["env"] = {**(kwargs.get("env") or os.environ), **seat.env}
        result = await ensure_async(original(*args, **kwargs))
        km.claim_for_page(result if isinstance(result, str) else result[2])
        return result

    setattr(km, name, claiming)


class PlannerPageHandler(TornadoVoilaHandler):
    """`/z/<zone>/scenario` and `/z/<zone>/roadshow`: that zone's planner, with a kernel only
    while the server and the user are under their caps (else the busy page). A user who may only
    look (查看) gets a kernel of their own started with WORKBOOK_ROLE=view (no save, no export),
    never a preheated one. Voila's own `/voila/render/<path>` answers 404: only the planners are
    served, at their zone's URL (the quarterly review is papermill's)."""

    def initialize(self, zone: Zone | None = None, planner: str | None = None, **kw: Any) -> None:
        super().initialize(**kw)
        self.workbook_zone = zone.id if zone is not None else None
        self.zone, self.planner = zone, planner
        self.seat: Seat | None = None

    zone_stamps: dict[str, tuple[int, int] | None] = {}  # each params file as the pools ran it

    async def get(self, path: str | None = None) -> None:
        lang = self.settings["workbook_auth"].lang
        if self.zone is None or self.planner is None:
            self.set_status(404)
            self.finish(sentence_html("denied", lang, self.base_url))
            return
        problem = zone_problem(self.zone)  # a params file broken after start-up
        if problem is not None:
            self.log.error("zone %s: %s", self.zone.id, problem)
            self.set_status(503)
            self.set_header("Cache-Control", "no-store")
            self.finish(sentence_html("params", lang, self.base_url))
            return
        km = self.kernel_manager
        user = self.workbook_user
        role = user.role(self.zone.id)
        seat = km.seats.reserve(user.name)
        if seat is None:
            self.log.warning("busy: %s refused a kernel (%d held)", user.name, km.seats.held())
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Cache-Control", "no-store")
            self.finish(sentence_html("busy", lang, self.base_url))
            return
        seat.env = {ENV_PARAMS: str(self.zone.params)}
        seat.role = role or "view"
        if role == "view":
            seat.env[ENV_ROLE] = "view"
        self.seat = seat
        token = PAGE_OWNER.set(seat)
        try:
            await super().get(f"{self.zone.id}/{PLANNERS[self.planner]}")
        finally:
            PAGE_OWNER.reset(token)
            km.seats.release(seat)

    def should_use_rendered_notebook(self, *args: Any, **kwargs: Any) -> bool:
        if self.seat is not None and ENV_ROLE in self.seat.env:
            return False  # a preheated kernel may save and export: not for a viewer
        if self.zone is not None and _stamp(self.zone.params) != self.zone_stamps.get(self.zone.id):
            return False  # the params file changed since the pool ran it: a fresh kernel
        return bool(super().should_use_rendered_notebook(*args, **kwargs))


class PageClosedHandler(VoilaShutdownKernelHandler):
    """`/voila/api/shutdown/<kernel>`: the beacon a planner page sends when it is closed or
    left; its kernel is shut down at once (the gate has checked it is the user's own)."""

    async def post(self, kernel_id: str) -> None:
        user = self.workbook_user.name
        app_log.info("page closed: kernel %s of %s shut down", kernel_id, user)
        await super().post(kernel_id)


class WarmHandler(web.RequestHandler):
    """`/api/workbook/warm`: for each preheated notebook, whether all of its pool's kernels have
    finished running it (a page opened now is drawn at once), and under "pools" how many of
    them: {"warm": k, "of": N}. 200 when every planner's pool is all warm, else 503: a health
    check for a reverse proxy or a start-up script."""

    def initialize(self, zones: tuple[Zone, ...] = (), size: int = 1) -> None:
        self.zones, self.size = zones, size

    def get(self) -> None:
        km = self.settings["kernel_manager"]
        names = [f"{z.id}/{nb}" for z in self.zones for nb in APP_NOTEBOOKS]
        counts = {name: sum(_rendered(item) for item in km._pools.get(name, ())) for name in names}
        warm: dict[str, Any] = {name: n >= self.size for name, n in counts.items()}
        problems = {z.id: p for z in self.zones if (p := zone_problem(z)) is not None}
        healthy = bool(names) and all(warm.values()) and not problems
        warm["pools"] = {name: {"warm": n, "of": self.size} for name, n in counts.items()}
        if problems:  # the reason, in the file's own words (its name, not its path)
            warm["problems"] = problems
        self.set_status(200 if healthy else 503)
        self.set_header("Cache-Control", "no-store")
        self.finish(warm)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def zone_problem(zone: Zone) -> str | None:
    """What is wrong with the zone's params file now (None when it loads), without its path."""
    from workbook.text.errors import WorkbookError
    from workbook.zone.params import load_params

    try:
        load_params(zone.params)
    except WorkbookError as exc:
        text = " ".join(exc.lines("en"))
        return text.replace(str(zone.params), zone.params.name)
    return None


def _rendered(pool_item: Any) -> bool:
    """A pool entry (a task giving {"task": render task, ...}) whose notebook has run to the end."""
    if not pool_item.done() or pool_item.cancelled() or pool_item.exception() is not None:
        return False
    render = pool_item.result().get("task")
    return render is not None and render.done()


class ChartScriptHandler(web.RequestHandler):
    """The chart widget's code (`live_chart.CHART_JS`) with the Vega bundle (vl-convert's,
    offline), made once."""

    script: bytes = b""

    @classmethod
    def build(cls) -> None:
        """Bundle once, before the first page asks (vl-convert takes a second or two)."""
        if not cls.script:
            cls.script = chart_bundle().encode("utf-8")

    def get(self) -> None:
        self.build()
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "public, max-age=86400")
        self.finish(ChartScriptHandler.script)


class WorkbookVoila(Voila):
    """Voila serving the planner notebooks, with the workbook home page in front."""

    zones: tuple[Zone, ...] = ()
    lang: str = "zh"
    reports_dir: Path = Path("reports")
    chart_js: str = ""  # where the charts' Vega bundle is served (planners.app.CHART_JS)
    auth_policy: AuthPolicy = AuthPolicy(no_login=True)
    max_kernels: int = DEFAULT_MAX_KERNELS
    max_kernels_per_user: int = DEFAULT_PER_USER
    warm: int = 1  # preheated kernels per zone and planner

    def init_settings(self) -> dict:
        self.identity_provider_class = WorkbookIdentityProvider  # Jupyter sees the gate's user
        # `warm` preheated kernels per zone and planner, started with that zone's params file.
        self.config.VoilaKernelManager.kernel_pools_config = {
            f"{z.id}/{nb}": {
                "pool_size": self.warm,
                "kernel_env_variables": {ENV_PARAMS: str(z.params)},
            }
            for z in self.zones
            for nb in APP_NOTEBOOKS
        }
        # before Voila's init_settings: the pools render their pages with it
        self.voila_configuration.page_config_hook = lean_page_config
        settings = super().init_settings()
        settings["workbook_auth"] = Auth(self.auth_policy, self.lang)
        km = self.kernel_manager
        km.seats.max_kernels, km.seats.per_user = self.max_kernels, self.max_kernels_per_user
        for name in ("get_rendered_notebook", "start_kernel"):
            _claiming(km, name)
        settings["workbook_kernel_owner"] = km.owner_of
        settings["workbook_on_login"] = self._audit_login
        settings["login_url"] = url_path_join(self.base_url, "/login")
        # The planner page's scripts read the _xsrf cookie (a closed page's shutdown beacon).
        settings["xsrf_cookie_kwargs"] = {"samesite": "Strict", "path": self.base_url}
        return settings

    def init_handlers(self) -> list[Any]:
        """Every route Voila and the workbook serve, each behind the login gate, except the
        login and logout pages themselves."""
        base = self.server_url
        open_routes: list[Any] = [
            (url_path_join(base, "/login"), LoginHandler),
            (url_path_join(base, "/logout"), LogoutHandler),
        ]
        return open_routes + [(r[0], gated(r[1]), *r[2:]) for r in self._routes()]

    def _audit_login(self, user: Any, address: str) -> None:
        """A login goes into the audit log of every zone the user may open."""
        for zone in self.zones:
            if user.role(zone.id) is not None:
                try:
                    record(zone.params, "login", user.name, address=address)
                except OSError:
                    self.log.exception("audit log of %s not written", zone.id)

    def _voila_page_kwargs(self) -> dict[str, Any]:
        """What Voila gives its own notebook page handler (`Voila.init_handlers`)."""
        return {
            "template_paths": self.template_paths,
            "config": self.config,
            "voila_configuration": self.voila_configuration,
        }

    def _routes(self) -> list[Any]:
        base = self.server_url
        listing = {"zones": self.zones, "lang": self.lang}
        ours: list[Any] = [
            (base, ZoneListHandler, listing),
            (url_path_join(base, r"/voila/tree" + path_regex), ZoneListHandler, listing),
            (
                url_path_join(base, r"/api/workbook/warm"),
                WarmHandler,
                {"zones": self.zones, "size": self.warm},
            ),
            (url_path_join(base, "/" + self.chart_js), ChartScriptHandler),
        ]
        for zone in self.zones:  # each zone's routes name it: the gate checks its grant
            z = url_path_join(base, "/z/" + zone.id)
            home = {"zone": zone, "lang": self.lang, "reports_dir": self.reports_dir}
            ours.append((z + "/?", HomeHandler, home))
            reports = str((self.reports_dir / zone.id).resolve())
            ours.append(
                (z + "/reports/(.*)", ReportFileHandler, {"path": reports, "zone": zone.id})
            )
            ours.append((z + "/audit", AuditHandler, {"zone": zone, "lang": self.lang}))
            for planner in PLANNERS:
                page = {"zone": zone, "planner": planner, **self._voila_page_kwargs()}
                ours.append((z + "/" + planner, PlannerPageHandler, page))
        voila: list[Any] = []
        for route in super().init_handlers():
            pattern, handler = route[0], route[1]
            if handler in (VoilaContentsHandler, TornadoVoilaTreeHandler):
                continue  # a file list of the notebooks folder: the home page replaces it
            if handler is TornadoVoilaHandler:  # /voila/render/...: 404 (see PlannerPageHandler)
                route = (pattern, PlannerPageHandler, *route[2:])
            if handler is VoilaShutdownKernelHandler:  # named: the gate checks the owner
                pattern = pattern.replace("(.*)", "(?P<kernel_id>[^/]+)")
                route = (pattern, PageClosedHandler, *route[2:])
            voila.append(route)
        return ours + voila  # tornado takes the first pattern that matches


def configure(
    zones: tuple[Zone, ...],
    lang: str,
    reports_dir: Path,
    chart_js: str,
    policy: AuthPolicy,
    max_kernels: int = DEFAULT_MAX_KERNELS,
    per_user: int = DEFAULT_PER_USER,
    warm: int = 1,
) -> type[WorkbookVoila]:
    """The app class set up for its zones, language, login policy, kernel caps and the number
    of preheated kernels per zone and planner."""
    WorkbookVoila.zones, WorkbookVoila.lang, WorkbookVoila.reports_dir = zones, lang, reports_dir
    PlannerPageHandler.zone_stamps = {z.id: _stamp(z.params) for z in zones}
    WorkbookVoila.chart_js, WorkbookVoila.auth_policy = chart_js, policy
    WorkbookVoila.max_kernels, WorkbookVoila.max_kernels_per_user = max_kernels, per_user
    WorkbookVoila.warm = warm
    return WorkbookVoila


def launch(argv: list[str], chart_js: str, **settings: Any) -> None:
    """Run the app until interrupted (`settings`: those of `configure`)."""
    configure(chart_js=chart_js, **settings)
    ChartScriptHandler.build()
    WorkbookVoila.launch_instance(argv=argv)

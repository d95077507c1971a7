"""Who may use the app: logins, sessions and the gate in front of every route.

`Auth` holds the policy of one running app: the users file (`workbook.planners.users`), how
long a session lasts, the single sign-on header trusted from one proxy address, the Host
allow-list, or `--no-login` (one local user who may do everything). `gated(cls)` makes a
handler class whose `prepare` asks `Auth` first: a request without a session gets the login
page (a page or file fetched by a browser: a redirect) or 401 (everything else: APIs, kernels,
websockets), before the handler does anything (no kernel is started, no file read).
`WorkbookVoila` passes every handler it serves through `gated`, except the login and logout
handlers here, which are the only routes open to a visitor (the login page has no assets).

The session is a signed cookie (tornado's, with the app's random cookie secret: a restart ends
every session) holding the user name, when it was made and the account's fingerprint, so a
session ends after `session_s`, when the account is removed, or when its password or grants
change. Passwords are checked with argon2 off the event loop; repeated failures from one
address are refused for a while.

Imported only by `workbook.planners.voila_app` (it imports tornado and jupyter_server).
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import quote, urlparse

from jupyter_server.auth.identity import IdentityProvider
from jupyter_server.auth.identity import User as JupyterUser
from tornado import web
from tornado.websocket import WebSocketHandler

from workbook.planners.login import login_html, login_text, sentence_html
from workbook.planners.users import ALL_ZONES, User, UserFile

log = app_log = logging.getLogger("workbook.app")  # the server's own lines: logins, refusals

SESSION_COOKIE = "workbook_session"
DEFAULT_SESSION_HOURS = 8
LOCAL_USER = User("local", "", {ALL_ZONES: "admin"})  # --no-login: the one person at the machine
FAIL_WINDOW_S = 15 * 60
FAIL_LIMIT = 10  # failed logins from one address within the window before it is refused


@dataclass(frozen=True)
class AuthPolicy:
    """What `workbook app` was told about logins (checked by the command line)."""

    users_file: str | None = None
    no_login: bool = False
    session_s: int = DEFAULT_SESSION_HOURS * 3600
    trusted_header: str | None = None
    trusted_proxy: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # empty: any Host


class Auth:
    """The policy at work: who a request comes from, login and logout."""

    def __init__(self, policy: AuthPolicy, lang: str = "zh") -> None:
        self.policy, self.lang = policy, lang
        self.users = UserFile(policy.users_file) if policy.users_file else None
        self._failures: dict[str, collections.deque[float]] = {}

    # -- who is asking -------------------------------------------------------------------
    def host_allowed(self, request: Any) -> bool:
        if not self.policy.allowed_hosts:
            return True
        host = request.host.lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return host in self.policy.allowed_hosts or name in self.policy.allowed_hosts

    def _account(self, name: str | None) -> User | None:
        if not name or self.users is None:
            return None
        return self.users.get(name)

    def user(self, handler: web.RequestHandler) -> User | None:
        """The account this request comes from, or None (not logged in)."""
        if self.policy.no_login:
            return LOCAL_USER
        p = self.policy
        if p.trusted_header and handler.request.remote_ip == p.trusted_proxy:
            name = handler.request.headers.get(p.trusted_header)
            if name:
                return self._account(name.strip())
        raw = handler.get_signed_cookie(SESSION_COOKIE, max_age_days=p.session_s / 86400)
        if not raw:
            return None
        try:
            session = json.loads(raw)
            name, made, fingerprint = session["u"], float(session["t"]), session["f"]
        except (ValueError, KeyError, TypeError):
            return None
        if not 0 <= time.time() - made <= p.session_s:
            return None
        user = self._account(name)
        return user if user is not None and user.fingerprint == fingerprint else None

    # -- login ---------------------------------------------------------------------------
    def throttled(self, address: str) -> bool:
        now = time.monotonic()
        fails = self._failures.get(address)
        while fails and now - fails[0] > FAIL_WINDOW_S:
            fails.popleft()
        return fails is not None and len(fails) >= FAIL_LIMIT

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, collections.deque()).append(time.monotonic())

    async def check_password(self, name: str, password: str) -> User | None:
        """The account if `password` is its password (argon2, off the event loop), else None."""
        user = self._account(name) if name else None
        probe = user if user is not None else User("-")  # same work for an unknown name
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(None, probe.verify, password)
        return user if ok and user is not None else None

    def start_session(self, handler: web.RequestHandler, user: User) -> None:
        value = json.dumps({"u": user.name, "t": time.time(), "f": user.fingerprint})
        handler.set_signed_cookie(
            SESSION_COOKIE,
            value,
            expires_days=None,  # a browser session cookie; the server ends it after session_s
            httponly=True,
            samesite="Lax",
            path=handler.settings.get("base_url", "/"),
        )

    def end_session(self, handler: web.RequestHandler) -> None:
        handler.clear_cookie(SESSION_COOKIE, path=handler.settings.get("base_url", "/"))


def _base(handler: web.RequestHandler) -> str:
    return str(handler.settings.get("base_url", "/"))


def _safe_next(handler: web.RequestHandler, target: str | None) -> str:
    """Where to go after the login: a path on this app, never another site."""
    base = _base(handler)
    if not target or not target.startswith(base) or target.startswith("//") or "\\" in target:
        return base
    parts = urlparse(target)
    return target if not parts.scheme and not parts.netloc else base


def _page_request(handler: web.RequestHandler) -> bool:
    """A page or file a browser fetches (answered with a redirect to the login page), as
    opposed to an API call or a websocket (answered with 401)."""
    if handler.request.method not in ("GET", "HEAD") or isinstance(handler, WebSocketHandler):
        return False
    path = handler.request.path[len(_base(handler)) - 1 :]
    return "/api/" not in path and not path.startswith("/api")


class GateMixin:
    """First in every served handler's `prepare`: Host allowed, a user logged in."""

    workbook_user: User | None = None

    async def prepare(self) -> Any:
        handler: Any = self
        auth: Auth = handler.settings["workbook_auth"]
        if not auth.host_allowed(handler.request):
            _refuse(handler, 400, "bad host")
        user = auth.user(handler)
        if user is None:
            if _page_request(handler):
                login = _base(handler) + "login?next=" + quote(handler.request.uri, safe="")
                handler.redirect(login)
                raise web.Finish()
            _refuse(handler, 401, "login required")
        handler.workbook_user = user
        zone = getattr(handler, "workbook_zone", None)
        if zone is not None and user.role(zone) is None:  # a zone not granted to this user
            log.warning("%s refused zone %s: %s", user.name, zone, handler.request.path)
            if _page_request(handler):
                _deny_page(handler, auth.lang)
            _refuse(handler, 403, "not your zone")
        kernel_id = handler.path_kwargs.get("kernel_id")
        owner_of = handler.settings.get("workbook_kernel_owner")
        if kernel_id and owner_of is not None:
            exists, owner = owner_of(kernel_id)
            if exists and owner != user.name:  # a pooled kernel, or another user's
                log.warning("%s refused kernel %s (owner %s)", user.name, kernel_id, owner)
                _refuse(handler, 403, "not your kernel")
        # a mixin: prepare is the Jupyter handler's it is mixed into (it sets current_user)
        result = super().prepare()  # type: ignore[misc]
        if inspect.isawaitable(result):
            result = await result
        if _page_request(handler) and not handler._finished:
            handler.xsrf_token  # noqa: B018  (sets the _xsrf cookie the page's scripts send)
        return result


def _refuse(handler: Any, status: int, reason: str) -> NoReturn:
    """Answer `status` with one short text and stop the request (no handler code runs)."""
    handler.clear()
    handler.set_status(status)
    handler.set_header("Content-Type", "text/plain; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(reason + "\n")
    raise web.Finish()


def _deny_page(handler: Any, lang: str) -> NoReturn:
    handler.clear()
    handler.set_status(403)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.finish(sentence_html("denied", lang, _base(handler)))
    raise web.Finish()


def gated(cls: type) -> type:
    """`cls` behind the gate (the login and logout handlers stay open)."""
    if getattr(cls, "workbook_open", False) or issubclass(cls, GateMixin):
        return cls
    return type(cls.__name__, (GateMixin, cls), {"__module__": cls.__module__})


class WorkbookIdentityProvider(IdentityProvider):
    """Jupyter's view of the user: the one the gate found (Jupyter's own handlers then know
    who is asking); no login handlers of Jupyter's (the app has its own)."""

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    def get_user(self, handler: web.RequestHandler) -> JupyterUser | None:
        user = getattr(handler, "workbook_user", None)
        return JupyterUser(username=user.name) if user is not None else None

    def get_handlers(self) -> list:
        return []

    def should_check_origin(self, handler: web.RequestHandler) -> bool:
        return True

    def is_token_authenticated(self, handler: web.RequestHandler) -> bool:
        return False


class _OpenPage(web.RequestHandler):
    """The login and logout pages: open to anyone (they are how one gets in)."""

    workbook_open = True

    @property
    def auth(self) -> Auth:
        return self.settings["workbook_auth"]

    def prepare(self) -> None:
        if not self.auth.host_allowed(self.request):
            _refuse(self, 400, "bad host")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")

    def show(self, note: str | None = None, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        nxt = _safe_next(self, self.get_argument("next", None))
        self.finish(login_html(self.auth.lang, note, self.xsrf_form_html(), nxt))


class LoginHandler(_OpenPage):
    def get(self) -> None:
        if self.auth.policy.no_login or self.auth.user(self) is not None:
            self.redirect(_safe_next(self, self.get_argument("next", None)))
            return
        self.show()

    async def post(self) -> None:
        self.check_xsrf_cookie()
        address = self.request.remote_ip or "-"
        if self.auth.throttled(address):
            log.warning("login refused: too many failures from %s", address)
            self.show("throttled", 429)
            return
        name = self.get_body_argument("username", "").strip()[:64]
        password = self.get_body_argument("password", "")
        user = await self.auth.check_password(name, password)
        if user is None:
            self.auth.failed(address)
            log.warning("login failed for %r from %s", name, address)
            self.show("failed", 403)
            return
        self.auth.start_session(self, user)
        log.info("login: %s from %s", user.name, address)
        hook = self.settings.get("workbook_on_login")
        if hook is not None:
            hook(user, address)
        self.redirect(_safe_next(self, self.get_body_argument("next", None)))


class LogoutHandler(_OpenPage):
    def get(self) -> None:
        self.auth.end_session(self)
        self.show("logged_out")

    def post(self) -> None:
        self.check_xsrf_cookie()
        self.get()


def no_login_banner() -> str:
    line = "!" * 72
    return (
        f"{line}\n!! workbook app --no-login: NO LOGIN. Anyone who reaches this port can open,\n"
        f"!! save and export everything (未启用登录：能访问此端口的任何人都可使用全部功能).\n"
        f"!! Use it only for one person on their own machine.\n{line}"
    )


__all__ = [
    "Auth",
    "AuthPolicy",
    "GateMixin",
    "LoginHandler",
    "LogoutHandler",
    "WorkbookIdentityProvider",
    "gated",
    "login_text",
    "no_login_banner",
]

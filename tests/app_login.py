"""Logging in to `workbook app` as a planner does, for the app's tests: a users file made with
the library, an HTTP client (urllib, a cookie jar, redirects not followed) that fills in the
login form, and the same in a Playwright page."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from workbook.planners.users import add_user

# name -> (password, grants)
ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    "wang": ("wang-password-1", {"jining-2020": "plan"}),
    "zhao": ("zhao-password-2", {"zoucheng-2020": "plan"}),
    "admin": ("admin-password-3", {"*": "admin"}),
    "li": ("li-password-4", {"jining-2020": "view"}),
}


def zone_copies(folder: Path) -> tuple[Path, Path]:
    """The two sample zones' params and data copied under `folder` (the app writes each zone's
    audit log beside its params file: not into the checkout): (Jining, Zoucheng) params."""
    from tests.conftest import REPO

    for part in ("params", "data"):
        shutil.copytree(REPO / part, folder / part)
    return folder / "params" / "jining-2020.yaml", folder / "params" / "zoucheng-2020.yaml"


def make_users(folder: Path, accounts: dict = ACCOUNTS) -> Path:
    path = folder / "users.json"
    for name, (password, grants) in accounts.items():
        add_user(path, name, password, grants)
    return path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 30x is returned, not followed
        return None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One browser-like visitor: keeps its cookies, does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self,
        path: str,
        data: dict | bytes | None = None,
        method: str | None = None,
        headers: dict | None = None,
        timeout: float = 30,
    ) -> Reply:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return Reply(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, dict(exc.headers), exc.read())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def login(self, name: str, password: str | None = None, next_url: str = "/") -> Reply:
        """GET the login page (its form's anti-forgery field), then POST the form."""
        password = ACCOUNTS[name][0] if password is None else password
        page = self.request("/login")
        assert page.status == 200, page.status
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        assert xsrf, "no _xsrf field in the login form"
        return self.request(
            "/login",
            {"_xsrf": xsrf[1], "username": name, "password": password, "next": next_url},
        )


def logged_in(base: str, name: str) -> Client:
    client = Client(base)
    reply = client.login(name)
    assert reply.status == 302, (reply.status, reply.text[:300])
    return client


def browser_login(page, base: str, name: str, timeout_ms: int = 60_000) -> None:
    """Fill in the login form in a Playwright page, as a planner does."""
    page.goto(base + "/login", timeout=timeout_ms)
    page.fill("#wb-name", name)
    page.fill("#wb-password", ACCOUNTS[name][0])
    with page.expect_navigation(timeout=timeout_ms):
        page.click("button[type=submit]")

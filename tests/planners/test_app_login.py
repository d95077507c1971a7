"""`workbook app` lets no one in without a login. Against one real app (started through the CLI
with a users file), over plain HTTP (urllib, http.client):

- every route the app's tornado application holds (enumerated from the application itself,
  not a hand-written list), with every method its handler answers, refuses a visitor without a
  session: a page or file with a redirect to the login page, anything else (APIs, the kernel,
  websockets, the shutdown beacon) with 401/403; a real kernel's id does not help;
- planner pages requested without a session start no kernel;
- a kernel is its user's: another user cannot reach or shut it; the caps per user and for the
  server give a Chinese busy page; a closed page's beacon shuts its kernel down at once; the
  review notebook is not served;
- the login form: a wrong password is refused, a right one gives a session that opens the
  pages, logging out ends it, a forged cookie is nobody;
- a planner page (a warm kernel's, rendered ahead) asks the browser for no MathJax and no code
  highlighting styles, and its loading spinner turns in steps.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import re
import signal
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import tornado.httputil
import tornado.routing
import tornado.web

from tests.app_login import Client, logged_in, make_users, zone_copies
from tests.conftest import REPO, SAMPLE_PARAMS
from tests.planners.test_app_browser import _wait_for_http, _wait_warm
from tests.processes import free_port, start_app, stop_group
from workbook.planners.app import ENV_AS_OF, ENV_LANG, ENV_PARAMS

pytestmark = [pytest.mark.slow]

PATH_REGEX = r"(?P<path>(?:(?:/[^/]+)+|/?))"
MAX_KERNELS, PER_USER = 3, 2
OTHER_PARAMS = REPO / "params" / "zoucheng-2020.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, int, Path]]:
    folder = tmp_path_factory.mktemp("login")
    review = folder / "reports" / "jining-2020" / "2020Q2" / "review.html"
    review.parent.mkdir(parents=True)
    review.write_text("<html><body>confidential</body></html>", encoding="utf-8")
    (review.parent / "manifest.json").write_text('{"out": "/srv/secret/path"}', encoding="utf-8")
    other = folder / "reports" / "zoucheng-2020" / "2020Q2" / "review.html"
    other.parent.mkdir(parents=True)
    other.write_text("<html><body>邹城 confidential</body></html>", encoding="utf-8")
    users = make_users(folder)
    jining, zoucheng = zone_copies(folder)
    log = folder / "voila.log"
    env = {**os.environ, ENV_PARAMS: str(SAMPLE_PARAMS), ENV_AS_OF: "2020-06-30", ENV_LANG: "zh"}
    proc, base = start_app(
        folder,
        ["--users", str(users), "--cull-idle", "600", "--warm", "1", "--refill-delay", "1"]
        + ["--max-kernels", str(MAX_KERNELS), "--max-kernels-per-user", str(PER_USER)]
        + ["--params", str(jining), "--params", str(zoucheng)]
        + ["--allowed-hosts", "127.0.0.1,localhost"]
        + ["--trusted-header", "X-Remote-User", "--trusted-proxy", "127.0.0.1"],
        env,
        log,
    )
    try:
        _wait_for_http(base + "/login", proc, log)
        _wait_warm(base, log)
        yield base, proc.pid, users, jining
    finally:
        stop_group(proc)


def _kernel_processes(pid: int) -> set[int]:
    found = set()
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                found.add(child.pid)
    return found


def _application(users: Path) -> tornado.web.Application:
    """The app's tornado application, built as `workbook app` builds it (not listening)."""
    from workbook.planners import app as wb_app
    from workbook.planners.auth import AuthPolicy
    from workbook.planners.voila_app import configure

    # Voila finds the app's template on JUPYTER_PATH: set for this build only (the worker
    # process goes on to run other tests).
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(wb_app.JUPYTER_DIR))
        policy = AuthPolicy(users_file=str(users))
        zones = wb_app.load_zones([SAMPLE_PARAMS, OTHER_PARAMS], "zh")
        cls = configure(zones, "zh", Path("reports"), wb_app.CHART_JS, policy)
        sigterm = signal.getsignal(signal.SIGTERM)
        try:
            voila = cls()
            voila.initialize(wb_app.voila_argv(free_port()))
        finally:
            signal.signal(signal.SIGTERM, sigterm)  # Voila sets its own
        voila.connection_dir = str(users.parent)
        application = tornado.web.Application(**voila.init_settings())
        application.add_handlers(".*$", voila.init_handlers())
    return application


def _rules(router) -> Iterator[tornado.routing.Rule]:
    for rule in router.rules:
        if isinstance(rule.target, tornado.routing.Router):
            yield from _rules(rule.target)
        else:
            yield rule


def _sample_path(rule: tornado.routing.Rule, kernel_id: str) -> str:
    """A request path the rule matches: its groups filled with a real kernel's id, a real
    review, or a notebook's name."""
    pattern = rule.matcher.regex.pattern.rstrip("$")
    if PATH_REGEX in pattern:
        return pattern.replace(PATH_REGEX, "/scenario_planner.ipynb")
    template = rule.matcher._path
    assert template is not None, f"cannot make a path for {pattern}"
    n = template.count("%s")
    if "kernel_id" in pattern:
        fill = [kernel_id] * n
    elif "/reports/" in template:
        fill = ["2020Q2/review.html"]
    elif template.startswith("/voila/render/"):
        fill = ["jining-2020/scenario_planner.ipynb"]
    elif template.startswith("/voila/api/shutdown/"):
        fill = [kernel_id]
    else:
        fill = ["index.js"] * n
    return template % tuple(fill)


def _methods(handler: type) -> list[str]:
    """The HTTP methods a handler class answers (those it defines beyond RequestHandler's)."""
    return [
        m
        for m in handler.SUPPORTED_METHODS
        if getattr(handler, m.lower(), None) is not getattr(tornado.web.RequestHandler, m.lower())
    ]


def _anonymous(base: str, method: str, path: str, websocket: bool = False) -> tuple[int, str]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Host": parts.netloc}
    if websocket:
        headers |= {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        }
    body = b"" if method in ("POST", "PUT", "PATCH") else None
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status, r.getheader("Location") or ""
    finally:
        conn.close()


def test_every_route_refuses_a_visitor_without_a_session(server):
    base, pid, users, _ = server
    owner = logged_in(base, "wang")
    page = owner.request("/z/jining-2020/roadshow")
    assert page.status == 200
    kernel_id = json.loads(
        re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page.text, re.S)[1]
    )["kernelId"]
    try:
        application = _application(users)
        walked, seen = [], set()
        for rule in _rules(application.default_router):
            handler = rule.target
            path = _sample_path(rule, kernel_id)
            request = tornado.httputil.HTTPServerRequest(
                start_line=tornado.httputil.RequestStartLine("GET", path, "HTTP/1.1"),
                headers=tornado.httputil.HTTPHeaders({"Host": "127.0.0.1"}),
            )
            assert rule.matcher.match(request) is not None, (path, rule.matcher.regex.pattern)
            name = handler.__name__
            if name in ("LoginHandler", "LogoutHandler"):
                assert getattr(handler, "workbook_open", False)
                continue
            assert any(c.__name__ == "GateMixin" for c in handler.__mro__), f"{name} is not gated"
            websocket = issubclass(handler, tornado.websocket.WebSocketHandler)
            for method in _methods(handler):
                status, location = _anonymous(base, method, path, websocket and method == "GET")
                walked.append((name, method, path, status))
                if status == 302:
                    assert location.startswith("/login?next="), (name, method, path, location)
                    assert method in ("GET", "HEAD") and not websocket and "/api/" not in path
                else:
                    assert status in (401, 403), (name, method, path, status)
                seen.add(name)
        # Every kind of route was walked: pages, files, the kernel API, websockets, the beacon.
        for name in (
            "HomeHandler",
            "ReportFileHandler",
            "WarmHandler",
            "ChartScriptHandler",
            "KernelHandler",
            "VoilaKernelWebsocketHandler",
            "RequestInfoSocketHandler",
            "PageClosedHandler",
            "PlannerPageHandler",
            "MultiStaticFileHandler",
            "AllowListFileHandler",
        ):
            assert name in seen, name
        assert len(walked) >= 20, walked
        # The kernel whose id the visitor used is untouched (DELETE and the shutdown were refused).
        assert owner.request(f"/api/kernels/{kernel_id}").status == 200
    finally:
        assert _beacon(owner, kernel_id) == 204  # its owner closes the page (other tests' caps)


def test_planner_pages_without_a_login_start_no_kernel(server):
    base, pid, _, _ = server
    # An earlier test's page took a preheated kernel, and the pool starts another a second
    # later (`--refill-delay 1`): CI caught that one starting during this test. Counted once
    # every pool is full again; the page's own kernel may end meanwhile (it was closed).
    _wait_warm(base)
    before = _kernel_processes(pid)
    for _ in range(6):
        for path in (
            "/z/jining-2020/scenario",
            "/z/zoucheng-2020/roadshow",
            "/voila/render/jining-2020/scenario_planner.ipynb",
            "/voila/render/quarterly_review.ipynb",
        ):
            status, location = _anonymous(base, "GET", path)
            assert status == 302 and location.startswith("/login?next=")
    assert _kernel_processes(pid) - before == set()


def test_login_form_wrong_password_refused_right_one_opens_the_app_logout_ends_it(server):
    base = server[0]
    visitor = Client(base)
    wrong = visitor.login("wang", "not-the-password")
    assert wrong.status == 403 and "用户名或密码不正确。" in wrong.text
    assert visitor.request("/").status == 302
    unknown = visitor.login("nobody", "whatever-password")
    assert unknown.status == 403 and "用户名或密码不正确。" in unknown.text
    ok = visitor.login("wang", next_url="/z/jining-2020/reports/2020Q2/review.html")
    assert ok.status == 302
    assert ok.headers["Location"] == "/z/jining-2020/reports/2020Q2/review.html"
    assert visitor.request("/z/jining-2020/reports/2020Q2/review.html").text.endswith(
        "confidential</body></html>"
    )
    home = visitor.request("/")
    assert home.status == 200 and '<span>wang</span><a href="logout">退出登录</a>' in home.text
    session = visitor.cookie("workbook_session")
    assert session and "wang-password-1" not in session
    assert visitor.request("/logout").status == 200
    assert visitor.request("/").status == 302
    # The old cookie, replayed, still works until it expires or the account changes; a cookie
    # made up by the visitor is nobody.
    forger = Client(base)
    forged = json.dumps({"u": "admin", "t": 9e9, "f": "x"})
    reply = forger.request("/", headers={"Cookie": f"workbook_session={forged}"})
    assert reply.status == 302


def test_login_page_is_chinese_self_contained_and_next_stays_on_the_app(server):
    base = server[0]
    page = Client(base).request("/login?next=https://evil.example/")
    assert page.status == 200
    assert '<html lang="zh-CN">' in page.text and "<title>招商引资规划 · 登录</title>" in page.text
    assert "<script" not in page.text and "http" not in page.text  # nothing fetched, no link out
    assert 'name="next" value="/"' in page.text  # another site is never where a login leads
    assert page.headers["Cache-Control"] == "no-store"


def _open_page(client: Client, zone: str = "zoucheng-2020") -> tuple[int, str | None, str]:
    """GET a zone's roadshow planner page: (status, its kernel id, the page)."""
    page = client.request(f"/z/{zone}/roadshow", timeout=300)
    found = re.search(r'"kernelId": "([0-9a-f-]+)"', page.text)
    return page.status, found[1] if found else None, page.text


def _beacon(client: Client, kernel_id: str) -> int:
    """What the page sends when it is closed: a form with the _xsrf cookie's value."""
    xsrf = client.cookie("_xsrf")
    assert xsrf, "the page set no _xsrf cookie: its shutdown beacon would be refused"
    return client.request(f"/voila/api/shutdown/{kernel_id}", {"_xsrf": xsrf}).status


def test_a_planner_page_loads_no_mathjax_no_code_styles_and_a_stepped_spinner(server):
    base, _, _, _ = server
    wang = logged_in(base, "wang")
    status, kernel_id, page = _open_page(wang, "jining-2020")
    assert status == 200 and kernel_id is not None
    try:
        config = json.loads(
            re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1]
        )
        assert config["fullMathjaxUrl"] == config["mathjaxConfig"] == "null"
        assert {
            "@jupyterlab/mathjax-extension",
            "@jupyterlab/mathjax2-extension",
        } <= set(config["disabledExtensions"])
        loaded = {ext["name"] for ext in config["federated_extensions"]}
        assert "jupyterlab_pygments" not in loaded
        assert "@jupyter-widgets/jupyterlab-manager" in loaded and "anywidget" in loaded
        assert "cdnjs" not in page and "cdn.jsdelivr" not in page
        assert re.search(r"\.spinner \{\s*animation-timing-function: steps\(8, end\);", page)
    finally:
        assert _beacon(wang, kernel_id) == 204


def test_kernels_are_their_users_capped_and_a_closed_pages_kernel_goes_at_once(server):
    base, pid, _, _ = server
    zhao, admin = logged_in(base, "zhao"), logged_in(base, "admin")
    mine = []
    for _ in range(PER_USER):
        status, kernel_id, _ = _open_page(zhao)
        assert status == 200 and kernel_id
        mine.append(kernel_id)
    status, kernel_id, page = _open_page(zhao)  # one more than a user may hold
    assert status == 503 and kernel_id is None
    assert "<title>服务器繁忙</title>" in page and '<html lang="zh-CN">' in page
    assert "服务器繁忙：打开的规划页面过多。请关闭不再使用的页面，或几分钟后再试。" in page
    # Another user can neither see, open nor shut down zhao's kernel.
    assert admin.request(f"/api/kernels/{mine[0]}").status == 403
    assert admin.request("/").status == 200  # (sets admin's _xsrf cookie)
    assert _beacon(admin, mine[0]) == 403
    status, _ = _anonymous(base, "GET", f"/api/kernels/{mine[0]}/channels", True)
    assert status == 401
    assert zhao.request(f"/api/kernels/{mine[0]}").status == 200
    # The server cap: zhao's two and wang's one fill it; admin is turned away.
    wang = logged_in(base, "wang")
    status, wangs, _ = _open_page(wang, "jining-2020")
    assert status == 200
    status, _, page = _open_page(admin)
    assert status == 503 and "服务器繁忙" in page
    assert _beacon(wang, wangs) == 204
    # Closing a page (its beacon) shuts its kernel down at once: the process is gone.
    before = _kernel_processes(pid)
    assert _beacon(zhao, mine[0]) == 204
    assert zhao.request(f"/api/kernels/{mine[0]}").status == 404
    # (a warm pool's refill may start meanwhile: count what went, not what is left)
    assert len(before - _kernel_processes(pid)) == 1
    status, kernel_id, _ = _open_page(zhao)  # a seat is free again
    assert status == 200 and kernel_id not in mine
    for k in [mine[1], kernel_id]:
        assert _beacon(zhao, k) == 204


def test_the_review_notebook_and_the_notebook_folder_are_not_served(server):
    client = logged_in(server[0], "admin")
    for path in (
        "/voila/render/quarterly_review.ipynb",
        "/voila/render/jining-2020/scenario_planner.ipynb",  # only at its zone's URL
        "/z/jining-2020/quarterly_review",
    ):
        page = client.request(path)
        assert page.status == 404, path
    assert client.request("/voila/api/contents/").status == 404
    tree = client.request("/voila/tree/")  # the home page, not a file list
    assert tree.status == 200 and "<h1>招商引资规划</h1>" in tree.text
    assert "quarterly_review" not in tree.text
    assert client.request("/voila/files/quarterly_review.ipynb").status in (403, 404)


def test_a_zone_is_closed_to_users_without_a_grant_on_it(server):
    base = server[0]
    wang = logged_in(base, "wang")  # 规划 on Jining only
    front = wang.request("/")
    assert front.status == 200 and 'href="z/jining-2020/"' in front.text
    assert "zoucheng" not in front.text and "邹城" not in front.text
    home = wang.request("/z/jining-2020/")
    assert home.status == 200 and "<h1>济宁高新区 招商引资规划</h1>" in home.text
    assert 'href="2020Q2/review.html"' not in home.text  # links are under reports/
    assert 'href="reports/2020Q2/review.html"' in home.text
    for path in (
        "/z/zoucheng-2020/",
        "/z/zoucheng-2020/scenario",
        "/z/zoucheng-2020/reports/2020Q2/review.html",
        "/z/jining-2020/reports/../../zoucheng-2020/2020Q2/review.html",
    ):
        reply = wang.request(path)
        assert reply.status in (403, 404), (path, reply.status)
        assert "邹城" not in reply.text
    denied = wang.request("/z/zoucheng-2020/")
    assert "您的账户无权打开此页面，请联系本局管理员开通。" in denied.text
    admin = logged_in(base, "admin")  # * grants every zone
    assert admin.request("/z/zoucheng-2020/").status == 200


def test_logins_are_in_each_zones_audit_log_readable_by_its_admin_only(server):
    base, _, _, jining = server
    logged_in(base, "wang")
    path = jining.parent / "audit" / "jining-2020.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    mine = [x for x in lines if x["user"] == "wang"]
    assert mine and {x["event"] for x in mine} == {"login"}
    assert mine[-1]["zone"] == "jining-2020" and mine[-1]["address"] == "127.0.0.1"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    zoucheng_log = jining.parent / "audit" / "zoucheng-2020.jsonl"
    assert not zoucheng_log.exists() or "wang" not in zoucheng_log.read_text(encoding="utf-8")
    page = logged_in(base, "admin").request("/z/jining-2020/audit")
    assert page.status == 200 and "<td>登录</td><td>wang</td>" in page.text
    assert logged_in(base, "wang").request("/z/jining-2020/audit").status == 403


def test_a_params_file_broken_after_start_gives_503_with_the_reason_and_one_sentence(server):
    base, pid, _, jining = server
    wang, admin = logged_in(base, "wang"), logged_in(base, "admin")
    good = jining.read_text(encoding="utf-8")
    before = _kernel_processes(pid)
    try:
        jining.write_text(good.replace("annual: 56", "annual: -56"), encoding="utf-8")
        health = admin.request("/api/workbook/warm")
        assert health.status == 503
        problem = json.loads(health.body)["problems"]["jining-2020"]
        assert "jining-2020.yaml" in problem and "annual" in problem
        assert str(jining.parent) not in health.text  # no server path
        page = wang.request("/z/jining-2020/scenario")
        assert page.status == 503
        assert "该园区的参数文件有误，规划页面暂时无法打开" in page.text
        assert "Traceback" not in page.text and str(jining.parent) not in page.text
        assert _kernel_processes(pid) == before  # no kernel for a broken zone
    finally:
        jining.write_text(good, encoding="utf-8")
    assert "problems" not in json.loads(admin.request("/api/workbook/warm").body)


def test_a_runs_manifest_with_server_paths_is_not_served(server):
    wang = logged_in(server[0], "wang")
    assert wang.request("/z/jining-2020/reports/2020Q2/manifest.json").status == 404
    assert wang.request("/z/jining-2020/reports/2020Q2/review.html").status == 200


def test_only_the_allowed_host_names_are_answered(server):
    base = server[0]
    wang = logged_in(base, "wang")
    assert wang.request("/").status == 200
    for path in ("/", "/login", "/z/jining-2020/"):
        assert wang.request(path, headers={"Host": "evil.example"}).status == 400, path
    parts = urllib.parse.urlsplit(base)
    reply = wang.request("/", headers={"Host": f"localhost:{parts.port}"})
    assert reply.status == 200


def test_single_sign_on_header_from_the_proxy_address_is_the_user(server):
    """The app trusts X-Remote-User from 127.0.0.1 here (the tests' own address): no cookie,
    no login form; the account's grants apply; a name not in the users file is nobody."""
    base = server[0]
    sso = Client(base)
    home = sso.request("/z/zoucheng-2020/", headers={"X-Remote-User": "zhao"})
    assert home.status == 200 and "<span>zhao</span>" in home.text
    assert sso.cookie("_xsrf")  # set on the first page (the page's beacon needs it)
    first = Client(base)  # a planner page (a Jupyter handler) as the very first request
    page = first.request(  # a kernel is started for it: as long as `_open_page` waits
        "/z/zoucheng-2020/roadshow", headers={"X-Remote-User": "zhao"}, timeout=300
    )
    assert page.status == 200 and first.cookie("_xsrf")
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', page.text)[1]
    xsrf = {"_xsrf": first.cookie("_xsrf")}
    closed = first.request(
        f"/voila/api/shutdown/{kernel_id}", xsrf, headers={"X-Remote-User": "zhao"}
    )
    assert closed.status == 204
    assert sso.request("/z/jining-2020/", headers={"X-Remote-User": "zhao"}).status == 403
    stranger = sso.request("/z/zoucheng-2020/", headers={"X-Remote-User": "stranger"})
    assert stranger.status == 302 and stranger.headers["Location"].startswith("/login?next=")

"""The app's accounts and sessions without a server: the users file (argon2 hashes only, written
atomically, owner-only), `workbook users add/remove/list`, the login policy's checks, and who a
request comes from (session cookie expiry, an account removed or changed, the single sign-on
header trusted from the proxy's address only)."""

from __future__ import annotations

import io
import json
import stat
from types import SimpleNamespace

import pytest

from workbook.cli import main
from workbook.planners import auth
from workbook.planners.app import login_policy
from workbook.planners.users import User, add_user, load_users, remove_user
from workbook.text.errors import InputError


def test_users_file_holds_argon2_hashes_only_owner_readable_and_no_temp_left(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "wang", "wang-password-1", {"jining-2020": "规划"})
    add_user(path, "li", "", {"*": "查看"})  # single sign-on only
    text = path.read_text(encoding="utf-8")
    assert "wang-password-1" not in text
    data = json.loads(text)
    assert data["users"]["wang"]["password"].startswith("$argon2id$")
    assert data["users"]["wang"]["zones"] == {"jining-2020": "plan"}
    assert data["users"]["li"] == {"password": "", "zones": {"*": "view"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json"]
    users = load_users(path)
    assert users["wang"].verify("wang-password-1")
    assert not users["wang"].verify("wang-password-2")
    assert not users["li"].verify("") and not users["li"].verify("anything-at-all")
    remove_user(path, "li")
    assert list(load_users(path)) == ["wang"]


def test_roles_are_ordered_and_star_grants_every_zone():
    u = User("wang", "", {"jining-2020": "plan", "*": "view"})
    assert u.role("jining-2020") == "plan" and u.role("zoucheng-2020") == "view"
    assert u.may("jining-2020", "view") and u.may("jining-2020", "plan")
    assert not u.may("jining-2020", "admin") and not u.may("zoucheng-2020", "plan")
    assert User("x").role("jining-2020") is None


def test_a_password_change_or_new_grant_changes_the_fingerprint(tmp_path):
    path = tmp_path / "users.json"
    a = add_user(path, "wang", "wang-password-1", {"jining-2020": "plan"})
    b = add_user(path, "wang", None, {})  # grants kept, password kept
    assert a.fingerprint == b.fingerprint
    c = add_user(path, "wang", None, {"zoucheng-2020": "view"})
    d = add_user(path, "wang", "wang-password-9", {})
    assert len({a.fingerprint, c.fingerprint, d.fingerprint}) == 3


@pytest.mark.parametrize(
    ("name", "grants", "problem"),
    [
        ("a b", {}, "user name 'a b'"),
        ("w\u202eang", {}, "user name"),  # a right-to-left override
        ("wang", {"../x": "plan"}, "zone '../x'"),
        ("wang", {"jining-2020": "boss"}, "role 'boss'"),
    ],
)
def test_bad_names_zones_and_roles_are_refused(tmp_path, name, grants, problem):
    with pytest.raises(InputError, match=problem.replace("(", r"\(")):
        add_user(tmp_path / "u.json", name, "long-enough-pw", grants)
    assert not (tmp_path / "u.json").exists()


def test_short_password_and_broken_file_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="8 to 1024 characters"):
        add_user(tmp_path / "u.json", "wang", "short", {})
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "users": {"wang": {"password": "clear-text"}}}')
    with pytest.raises(InputError, match="users.wang.password must be an argon2 hash"):
        load_users(bad)


def test_users_command_adds_lists_and_removes(tmp_path, monkeypatch, capsys):
    path = str(tmp_path / "users.json")
    monkeypatch.setattr("sys.stdin", io.StringIO("wang-password-1\n"))
    args = ["users", "add", "wang", "--grant", "jining-2020=规划", "--password-stdin"]
    assert main([*args, "--users", path]) == 0
    assert main(["users", "add", "li", "--sso", "--grant", "*=查看", "--users", path]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--users", path]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "li\t单点登录\t*=查看",
        "wang\t密码\tjining-2020=规划",
    ]
    assert main(["users", "list", "--users", path, "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "li\tsso\t*=view",
        "wang\tpassword\tjining-2020=plan",
    ]
    assert load_users(path)["wang"].verify("wang-password-1")
    assert main(["users", "remove", "li", "--users", path]) == 0
    assert capsys.readouterr().out == f"li：已从 {path} 中删除\n"
    assert main(["users", "remove", "li", "--users", path]) == 2
    assert capsys.readouterr().err == f"error: {path}：没有用户 'li'\n"
    assert main(["users", "remove", "li", "--users", path, "--lang", "en"]) == 2
    assert capsys.readouterr().err == f"error: {path}: no user 'li'\n"
    assert main(["users", "add", "x", "--grant", "nozone", "--sso", "--users", path]) == 2


def test_a_broken_users_file_is_named_in_chinese_by_default_and_in_english_with_lang_en(
    tmp_path, capsys
):
    bad = tmp_path / "users.json"
    bad.write_text('{"version": 2, "users": {}}', encoding="utf-8")
    assert main(["users", "list", "--users", str(bad)]) == 2
    assert capsys.readouterr().err == f"error: {bad}：用户文件版本应为 1，实际为 2\n"
    assert main(["users", "list", "--users", str(bad), "--lang", "en"]) == 2
    assert capsys.readouterr().err == f"error: {bad}: users file version 2 is not 1\n"
    bad.write_text('{"version": 1, "users": {"wang": {"zones": {"jining-2020": "boss"}}}}')
    assert main(["users", "add", "li", "--sso", "--users", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"error: {bad}：未知角色 'boss'（应为以下之一：查看/view、规划/plan、管理/admin）\n"
    )
    assert main(["users", "add", "li", "--sso", "--users", str(bad), "--lang", "en"]) == 2
    assert capsys.readouterr().err == (
        f"error: {bad}: role 'boss': one of view/查看, plan/规划, admin/管理\n"
    )
    assert main(["app", "--users", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'none.json'}：用户文件不存在（请用 `workbook users add` 创建）\n"
    )
    assert not json.loads(bad.read_text())["users"].get("li")  # nothing was written


def test_login_policy_needs_users_or_an_explicit_no_login(tmp_path):
    with pytest.raises(InputError, match="--users FILE"):
        login_policy()
    with pytest.raises(InputError, match="users file not found"):
        login_policy(tmp_path / "none.json")
    with pytest.raises(InputError, match="go together"):
        login_policy(tmp_path / "none.json", trusted_header="X-User")
    path = tmp_path / "users.json"
    add_user(path, "wang", "wang-password-1", {"*": "view"})
    with pytest.raises(InputError, match="not an IP address"):
        login_policy(path, trusted_header="X-User", trusted_proxy="proxy.local")
    with pytest.raises(InputError, match="cannot go with"):
        login_policy(path, no_login=True)
    p = login_policy(path, session_hours=2, allowed_hosts="Zs.Example.cn, localhost")
    assert p.session_s == 7200 and p.allowed_hosts == ("zs.example.cn", "localhost")
    assert not p.no_login and login_policy(no_login=True).no_login


def test_app_without_users_or_no_login_exits_2_and_no_login_is_loud(capsys):
    assert main(["app"]) == 2
    assert "--no-login" in capsys.readouterr().err
    banner = auth.no_login_banner()
    assert "NO LOGIN" in banner and "未启用登录" in banner and banner.count("\n") >= 3


class FakeHandler:
    """The parts of a tornado handler `Auth.user` reads: peer address, headers, cookie."""

    def __init__(self, ip: str = "127.0.0.1", headers: dict | None = None) -> None:
        self.request = SimpleNamespace(remote_ip=ip, headers=headers or {}, host="a:1")
        self.settings = {"base_url": "/"}
        self.cookie: str | None = None

    def set_signed_cookie(self, name, value, **kwargs) -> None:
        self.cookie = value

    def get_signed_cookie(self, name, max_age_days=31):
        return self.cookie


def _auth(tmp_path, **policy) -> auth.Auth:
    path = tmp_path / "users.json"
    if not path.exists():
        add_user(path, "wang", "wang-password-1", {"jining-2020": "plan"})
        add_user(path, "sso-li", "", {"jining-2020": "view"})
    return auth.Auth(auth.AuthPolicy(users_file=str(path), **policy))


def test_a_session_ends_after_its_time_or_when_the_account_changes(tmp_path, monkeypatch):
    a = _auth(tmp_path, session_s=3600)
    h = FakeHandler()
    now = [1_000_000.0]
    monkeypatch.setattr(auth.time, "time", lambda: now[0])
    a.start_session(h, a.users.get("wang"))
    assert a.user(h).name == "wang"
    now[0] += 3599
    assert a.user(h).name == "wang"
    now[0] += 2
    assert a.user(h) is None  # expired
    now[0] -= 3000
    add_user(a.users.path, "wang", "wang-password-2", {})  # password changed: session void
    assert a.user(h) is None
    a.start_session(h, a.users.get("wang"))
    assert a.user(h).name == "wang"
    remove_user(a.users.path, "wang")
    assert a.user(h) is None  # the account is gone


def test_trusted_header_is_believed_only_from_the_proxy_address(tmp_path):
    a = _auth(tmp_path, trusted_header="X-Remote-User", trusted_proxy="10.0.0.5")
    assert a.user(FakeHandler("10.0.0.5", {"X-Remote-User": "sso-li"})).name == "sso-li"
    assert a.user(FakeHandler("10.0.0.9", {"X-Remote-User": "sso-li"})) is None
    assert a.user(FakeHandler("10.0.0.5", {"X-Remote-User": "stranger"})) is None
    assert a.user(FakeHandler("10.0.0.5")) is None  # no header: the login page


def test_allowed_hosts(tmp_path):
    a = _auth(tmp_path, allowed_hosts=("zs.example.cn",))
    assert a.host_allowed(SimpleNamespace(host="zs.example.cn:8866"))
    assert a.host_allowed(SimpleNamespace(host="ZS.example.cn"))
    assert not a.host_allowed(SimpleNamespace(host="evil.example"))
    assert _auth(tmp_path).host_allowed(SimpleNamespace(host="anything"))


def test_failed_logins_from_one_address_are_throttled(tmp_path):
    a = _auth(tmp_path)
    for _ in range(auth.FAIL_LIMIT - 1):
        a.failed("10.0.0.7")
    assert not a.throttled("10.0.0.7")
    a.failed("10.0.0.7")
    assert a.throttled("10.0.0.7") and not a.throttled("10.0.0.8")

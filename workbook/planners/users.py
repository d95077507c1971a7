"""The app's accounts: a users file the bureau keeps (`workbook users add/remove/list`).

One JSON file, written only by this module, atomically (a temporary file beside it, flushed,
then moved into place) and readable by its owner only::

    {"version": 1, "users": {"wang": {"password": "$argon2id$...",
                                      "zones": {"jining-2020": "plan", "*": "view"}}}}

A password is stored only as its argon2id hash (`argon2-cffi`); an account without one (an
empty string) can log in only through the bureau's single sign-on (the app's `--trusted-header`).
`zones` grants each zone (the params file's stem, as in `reports/<zone>/`) one role; `*` stands
for every zone the app serves. Roles, weakest first: view (查看: read reviews, move controls),
plan (规划: also save scenarios and export), admin (管理: also read the audit log and manage users).

Pure Python and argon2: no tornado, no Jupyter (the command line and the app share it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from workbook.text.errors import InputError
from workbook.text.messages import Message

ROLES = ("view", "plan", "admin")  # weakest first
ROLE_NAMES_ZH = {"view": "查看", "plan": "规划", "admin": "管理"}
ROLE_BY_NAME = {**{r: r for r in ROLES}, **{zh: r for r, zh in ROLE_NAMES_ZH.items()}}
ALL_ZONES = "*"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes any length; a bound keeps a login request cheap
# Letters (any script), digits and . _ - @; no space, control or bidirectional character.
_NAME = re.compile(r"^[^\W][\w.@-]{0,63}$")
_ZONE = re.compile(r"^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$")
FORMAT_VERSION = 1


def _hasher():  # argon2 imported when a password is hashed or checked
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def check_name(name: str) -> str:
    """A user name as given, or an InputError saying what a name may hold."""
    if not isinstance(name, str) or not _NAME.match(name) or name != name.strip():
        raise InputError(Message("users.name", name=name))
    return name


def check_zone(zone: str) -> str:
    if not _ZONE.match(zone):
        raise InputError(Message("users.zone", zone=zone))
    return zone


def check_role(role: str) -> str:
    """'view', 'plan' or 'admin' (also accepted in Chinese: 查看, 规划, 管理)."""
    try:
        return ROLE_BY_NAME[role]
    except KeyError:
        raise InputError(Message("users.role", role=role)) from None


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(Message("users.password_length", lo=MIN_PASSWORD, hi=MAX_PASSWORD))
    return _hasher().hash(password)


@dataclass(frozen=True)
class User:
    """One account: its password hash ('' = single sign-on only) and its grants."""

    name: str
    password: str = ""
    zones: Mapping[str, str] = field(default_factory=dict)

    def role(self, zone: str) -> str | None:
        """The role granted on `zone` (the stronger of its own grant and '*'), or None."""
        granted = [self.zones[z] for z in (zone, ALL_ZONES) if z in self.zones]
        return max(granted, key=ROLES.index) if granted else None

    def may(self, zone: str, role: str) -> bool:
        """Whether this user holds at least `role` on `zone`."""
        have = self.role(zone)
        return have is not None and ROLES.index(have) >= ROLES.index(role)

    def verify(self, password: str) -> bool:
        """Whether `password` is this user's (constant work whether or not it is)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        known = bool(self.password) and len(password) <= MAX_PASSWORD
        try:  # an unknown or SSO-only account costs the same work as a wrong password
            ok = _hasher().verify(self.password if known else _dummy(), password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return False
        return bool(ok) and known

    @property
    def fingerprint(self) -> str:
        """Changes when the password or the grants change: a session made before is void."""
        import hashlib

        data = json.dumps([self.password, dict(self.zones)], sort_keys=True).encode()
        return hashlib.sha256(data).hexdigest()[:16]


_DUMMY_HASH: list[str] = []


def _dummy() -> str:
    """A hash no password given at login matches (made once, of random bytes)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher().hash(os.urandom(32).hex()))
    return _DUMMY_HASH[0]


def _at(path: str | Path, body: str | Message) -> Message:
    """A problem in the users file, named with the file."""
    return Message("at", where=str(path), body=body)


def _user(name: str, raw: object, path: Path) -> User:
    if not isinstance(raw, dict):
        raise InputError(_at(path, Message("users.entry", name=name)))
    password = raw.get("password", "")
    zones = raw.get("zones", {})
    if not isinstance(password, str) or (password and not password.startswith("$argon2")):
        raise InputError(_at(path, Message("users.password_hash", name=name)))
    if not isinstance(zones, dict):
        raise InputError(_at(path, Message("users.zones", name=name)))
    try:
        check_name(name)
        grants = {check_zone(str(z)): check_role(str(r)) for z, r in zones.items()}
    except InputError as exc:
        raise InputError([_at(path, p) for p in exc.problems]) from None
    return User(name, password, grants)


def load_users(path: str | Path) -> dict[str, User]:
    """Every account in the users file; an InputError naming the file on anything wrong.
    A file that does not exist yet holds no account."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        error = type(exc).__name__
        raise InputError(_at(path, Message("users.unreadable", error=error))) from None
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise InputError(_at(path, Message("users.no_users")))
    if data.get("version") != FORMAT_VERSION:
        found = data.get("version")
        raise InputError(_at(path, Message("users.version", found=found, expected=FORMAT_VERSION)))
    return {name: _user(name, raw, path) for name, raw in data["users"].items()}


def save_users(path: str | Path, users: Mapping[str, User]) -> None:
    """Write the users file atomically (never half-written), readable by its owner only."""
    path = Path(path)
    data = {
        "version": FORMAT_VERSION,
        "users": {
            u.name: {"password": u.password, "zones": dict(sorted(u.zones.items()))}
            for u in sorted(users.values(), key=lambda u: u.name)
        },
    }
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def add_user(
    path: str | Path,
    name: str,
    password: str | None,
    grants: Mapping[str, str],
    replace_grants: bool = False,
) -> User:
    """Add an account or change one: a new password (None keeps the old one; '' means single
    sign-on only) and grants added to (or, with replace_grants, instead of) the ones it has."""
    name = check_name(name)
    users = load_users(path)
    old = users.get(name, User(name))
    grants = {check_zone(z): check_role(r) for z, r in grants.items()}
    zones = grants if replace_grants else {**old.zones, **grants}
    hashed = old.password if password is None else (hash_password(password) if password else "")
    users[name] = User(name, hashed, zones)
    save_users(path, users)
    return users[name]


def remove_user(path: str | Path, name: str) -> None:
    users = load_users(path)
    if name not in users:
        raise InputError(_at(path, Message("users.no_user", name=name)))
    del users[name]
    save_users(path, users)


class UserFile:
    """The users file as the app reads it: re-read when it changes on disk (so an account
    removed or a password changed takes effect on the next request, without a restart);
    a file broken after start-up keeps the last good accounts and says so in the server log."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, User] = load_users(self.path)
        self._stamp = self._current_stamp()
        self.error: str | None = None

    def _current_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def users(self) -> dict[str, User]:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            try:
                self._users = load_users(self.path)
                self.error = None
            except InputError as exc:
                self.error = str(exc)
            self._stamp = stamp
        return self._users

    def get(self, name: str) -> User | None:
        return self.users().get(name)

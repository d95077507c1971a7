"""A warm process behind the quick commands, so that `workbook simulate`, `status`, `validate`,
`compare`, `sensitivity` and `goalseek` answer without loading Python's libraries each time.

Each of these commands spends most of its time importing (pandas alone is a quarter of a
second on a bureau's 2-core PC) before it reads a single cell. So the first one, once it has
answered, starts a server in the background: a process that has imported what they need and
waits on a socket. Every later one sends it its arguments, working directory, environment
and its three streams (the file descriptors themselves); the server forks, and the copy runs
the command as a fresh process would: the same files read, the same output to the same
terminal or pipe, the same exit code, Ctrl-C and `kill` passed on to it. Mercurial's `chg`
does the same for `hg`.

What keeps it the same as a fresh process:
- one server per Python, package files as they are on disk (path, size, time), `sys.path`,
  interpreter flags and environment: a changed file, another venv or other settings start
  another server. A server leaves after IDLE_SECONDS without a command.
- only the commands in SERVED go there: `review`, `plan`, `app`, `batch`, … run here.
- the copy starts from the server's state after its imports, not after an earlier command.
- the socket is in a directory only its user can enter (checked before use), and the server
  answers only its own user (SO_PEERCRED).
- any trouble on the way (no fork or AF_UNIX, a directory that is not safe, a server gone)
  and the command runs in its own process, as before. WORKBOOK_SERVER=0 turns it off.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from workbook.files import heap
from workbook.files.ending import wind_down

# socket, json, hashlib and struct are imported where they are used: `workbook --help` and
# the commands that are never served import this module and none of them.
if TYPE_CHECKING:
    import socket

SERVED = ("validate", "status", "simulate", "compare", "sensitivity", "goalseek")
IDLE_SECONDS = 20 * 60  # WORKBOOK_SERVER_IDLE overrides (seconds)
SWITCH = "WORKBOOK_SERVER"  # "0": every command in its own process
# What the server imports before it listens: the commands and what their `run` imports.
PRELOAD = (
    "numpy",
    "pandas",
    "pydantic",
    "python_calamine",
    "yaml",
    "workbook.zone.loader",
    "workbook.zone.pacing",
    "workbook.forecast.engine",
    "workbook.forecast.explain",
    "workbook.forecast.results",
    "workbook.forecast.campaigns",
    "workbook.forecast.goalseek",
    "workbook.forecast.check",
    "workbook.roadshow.check",
    *(f"workbook.cli.{name}" for name in SERVED),
)
# Shell bookkeeping that differs between two shells and changes no command's result.
_VOLATILE_ENV = {"PWD", "OLDPWD", "_", "SHLVL"}
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
_MAX_SOCKET_PATH = 100  # bytes: Linux allows 107, macOS 103


def enabled(argv: list[str]) -> bool:
    """Whether this command line may go to a server."""
    if not argv or argv[0] not in SERVED:
        return False
    if os.environ.get(SWITCH, "1").strip().lower() in {"0", "off", "no", "false"}:
        return False
    import socket

    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def directory() -> Path | None:
    """The user's own directory for the servers' sockets, made if need be; None when it is not
    safe (not a real directory, another owner, open to others)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) / "workbook" if runtime else Path(f"/tmp/workbook-{os.getuid()}")
    try:
        base.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return base


class Address(NamedTuple):
    """Where a command's server is, and what it shares with the command: taken before the
    command runs, so a server started after it has the command's own start-up state."""

    socket_path: Path
    sys_path: list[str]  # its folders absolute
    env: dict[str, str]

    @property
    def name(self) -> str:
        return self.socket_path.stem


def address(argv: list[str]) -> Address | None:
    """The server for this command line; None when it may not have one."""
    if not enabled(argv):
        return None
    where = directory()
    if where is None:
        return None
    try:  # relative folders ('' for the working one) as the folders they stand for now
        path = [os.path.abspath(p) if p == "" or os.path.isdir(p) else p for p in sys.path]
    except OSError:  # the working directory is gone
        return None
    env = dict(os.environ)
    sock = where / f"{key(path, env)}.sock"
    if len(os.fsencode(sock)) > _MAX_SOCKET_PATH:
        return None  # a socket's path has a hard limit: no server rather than a failing one
    return Address(sock, path, env)


def key(path: list[str], env: dict[str, str]) -> str:
    """What a server must share with the command it runs: the interpreter, the package's files
    as they are now, the import path, the flags and the environment."""
    import hashlib
    import json

    package = Path(__file__).resolve().parents[1]  # workbook/
    h = hashlib.sha256()
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            file = os.path.join(root, name)
            with contextlib.suppress(OSError):
                st = os.stat(file)
                h.update(f"{file}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    facts = [
        sys.executable,
        sys.version,
        path,
        repr(sys.flags),
        sys.warnoptions,
        repr(sorted(sys._xoptions.items())),
        sorted((k, v) for k, v in env.items() if k not in _VOLATILE_ENV),
        os.getuid(),
    ]
    h.update(json.dumps(facts, default=str).encode())
    return h.hexdigest()[:20]


# ---- the command's side -------------------------------------------------------------------


def call(where: Address, argv: list[str]) -> int | None:
    """Run `argv` in the server's copy and return its exit code; None when no server took it
    (nothing has run: the caller runs the command itself)."""
    import json
    import socket
    import struct

    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(10)
        conn.connect(str(where.socket_path))
        request = {
            "argv": argv,
            "cwd": os.getcwd(),
            "env": where.env,
            "path": where.sys_path,
            "umask": _umask(),
        }
        body = json.dumps(request).encode()
        socket.send_fds(conn, [struct.pack("!I", len(body)) + body], [0, 1, 2])
        reader = conn.makefile("rb")
        first = reader.readline()
        pid = int(json.loads(first)["pid"]) if first else 0
    except (OSError, ValueError, KeyError):
        conn.close()
        return None  # no server, or it did not start the command: run it here
    if not pid:
        conn.close()
        return None
    conn.settimeout(None)
    sent: list[int] = []

    def forward(signum: int, frame: Any) -> None:
        sent.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for sig in _FORWARDED:
        signal.signal(sig, forward)
    try:
        last = reader.readline()
    except OSError:
        last = b""
    conn.close()
    if last:
        return int(json.loads(last)["code"])
    if sent:  # the copy died of a signal passed on: so does this process, as it would have
        signal.signal(sent[-1], signal.SIG_DFL)
        os.kill(os.getpid(), sent[-1])
    return 1


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def start(where: Address) -> None:
    """After a command ran here: start its server for the next ones (in the background, with
    the command's interpreter, flags, path and environment), unless one is listening."""
    import json
    import socket
    import subprocess

    failed = where.socket_path.with_suffix(".failed")
    with contextlib.suppress(OSError):
        if time.time() - failed.stat().st_mtime < IDLE_SECONDS:
            return  # one could not start lately: not one more per command
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(where.socket_path))
        return  # one is listening
    except OSError:
        pass
    finally:
        probe.close()

    # -X options, -O, -B, … as this process has them (what multiprocessing's children get)
    flags: list[str] = getattr(subprocess, "_args_from_interpreter_flags", list)()
    boot = [str(where.socket_path.parent), where.name, json.dumps(where.sys_path)]
    with contextlib.suppress(OSError):
        subprocess.Popen(
            [sys.executable, *flags, "-c", _BOOT, *boot],
            env=where.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )


# The server's first lines: the command's own import path, then the command line's `main`.
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[3]); "
    "from workbook.cli import main, served; served.serve(sys.argv[1], sys.argv[2], main)"
)


# ---- the server's side --------------------------------------------------------------------


def serve(where: str, name: str, main: Callable[[list[str]], int]) -> None:
    """Import PRELOAD, then run each command sent to `where`/`name`.sock in a copy of this
    process (`main` runs it); leave after IDLE_SECONDS (or WORKBOOK_SERVER_IDLE) without one.
    A server that cannot start leaves `name`.failed: no other is tried for IDLE_SECONDS."""
    import fcntl
    import gc
    import importlib
    import selectors
    import socket

    base = Path(where)
    lock = open(base / f"{name}.lock", "a+")  # noqa: SIM115 - held for the server's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another server of this key is starting or running
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    sock_path = base / f"{name}.sock"
    try:
        idle = float(os.environ.get("WORKBOOK_SERVER_IDLE") or IDLE_SECONDS)
        for module in PRELOAD:
            importlib.import_module(module)
        from workbook.forecast import compiled, draws

        draws.prepare()  # tables no driver changes, made once for every copy
        # numba's set-up, once: compare, sensitivity, goalseek and big forecasts use it (a
        # copy that needs numba meets any error of its own)
        with contextlib.suppress(Exception):
            compiled.warm()
        # What is loaded now lives as long as the server: kept out of the garbage collector's
        # passes (gc.freeze, made for servers that fork), so a copy's collections do not walk
        # (and so copy) the pages of every module object the server holds.
        gc.collect()
        gc.freeze()
        os.chdir("/")  # hold no planner's directory; each copy goes to its command's own
        with contextlib.suppress(FileNotFoundError):
            sock_path.unlink()  # a dead server's: the lock says none is alive
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(sock_path))
        os.chmod(sock_path, 0o600)
        mine = os.stat(sock_path).st_ino
        listener.listen(16)
    except Exception as exc:  # noqa: BLE001 - the commands run alone, as before; say why
        (base / f"{name}.failed").write_text(f"{type(exc).__name__}: {exc}\n")
        return
    signal.signal(signal.SIGCHLD, _reap)  # (their CPU time then counts as the server's children's)
    signal.signal(signal.SIGTERM, _leave)  # `stop_all`: leave through the `finally` below
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    try:
        while selector.select(timeout=idle):
            conn, _ = listener.accept()
            try:
                _fork_for(conn, listener, lock, main)
            except Exception:  # noqa: BLE001 - one bad request never ends the server
                pass
            finally:
                conn.close()
    finally:
        with contextlib.suppress(OSError):
            if os.stat(sock_path).st_ino == mine:  # not a newer server's
                sock_path.unlink()
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(lock.name)  # held until the close below: no other server has it
        lock.close()


def _reap(signum: int, frame: Any) -> None:
    """Collect every copy that has ended."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def _leave(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _fork_for(
    conn: socket.socket,
    listener: socket.socket,
    lock: Any,
    main: Callable[[list[str]], int],
) -> None:
    import json
    import socket
    import struct

    if hasattr(socket, "SO_PEERCRED"):
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        if struct.unpack("3i", creds)[1] != os.getuid():
            return
    conn.settimeout(10)
    head, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    try:
        if len(fds) != 3 or len(head) < 4:
            return
        (size,) = struct.unpack("!I", head[:4])
        body = head[4:]
        while len(body) < size:
            more = conn.recv(size - len(body))
            if not more:
                return
            body += more
        request = json.loads(body)
        pid = os.fork()
        if pid == 0:
            listener.close()
            lock.close()
            _run_copy(conn, fds, request, main)  # never returns
    finally:
        for fd in fds:
            os.close(fd)


def _run_copy(
    conn: socket.socket,
    fds: list[int],
    request: dict[str, Any],
    main: Callable[[list[str]], int],
) -> None:
    """The copy: take the command's streams, directory and environment, run it, tell the
    command its exit code."""
    import json

    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setpgrp()  # its own group: a signal for the server is not one for the command
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _reopen_streams()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.umask(int(request["umask"]))
        sys.path[:] = request["path"]
        sys.argv = ["workbook", *request["argv"]]
        conn.settimeout(None)
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        threading.Thread(target=_end_with_caller, args=(conn,), daemon=True).start()
        heap.own_process()  # it ends with the command
        code = _main(main, request["argv"])
        wind_down()
    finally:
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"code": code}).encode() + b"\n")
        os._exit(code)


def _main(main: Callable[[list[str]], int], argv: list[str]) -> int:
    """The command as `python -m workbook` runs it, an uncaught error or SystemExit too."""
    try:
        return main(argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return int(exc.code or 0)
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:
        import traceback

        traceback.print_exc()
        return 1


def _reopen_streams() -> None:
    """sys.stdin, stdout and stderr on the command's own descriptors, buffered as Python
    buffers them at start-up (a terminal's stdout by line, stderr always by line)."""
    out, err = sys.stdout, sys.stderr
    sys.stdin = open(  # noqa: SIM115
        0, encoding=sys.stdin.encoding if sys.stdin else "utf-8", closefd=False
    )
    sys.stdout = open(  # noqa: SIM115
        1,
        "w",
        encoding=out.encoding if out else "utf-8",
        errors=out.errors if out else "strict",
        closefd=False,
        buffering=1 if os.isatty(1) else -1,
    )
    sys.stderr = open(  # noqa: SIM115
        2,
        "w",
        encoding=err.encoding if err else "utf-8",
        errors="backslashreplace",
        closefd=False,
        buffering=1,
    )


def _end_with_caller(conn: socket.socket) -> None:
    """The command's process is gone (killed outright): stop as it would have."""
    with contextlib.suppress(OSError):
        conn.recv(1)
    os.kill(os.getpid(), signal.SIGTERM)


def stop_all(where: Path | None = None) -> int:
    """Stop every server of this user (or in `where`): the number stopped. A server holds its
    lock file for its whole life, so a lock that can be taken is a dead server's: its files
    are removed, and its old pid is never signalled."""
    import fcntl

    base = where or directory()
    if base is None:
        return 0
    stopped = 0
    for lock_path in base.glob("*.lock"):
        with contextlib.suppress(OSError, ValueError), open(lock_path, "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held: a live server
                lock.seek(0)
                os.kill(int(lock.read().strip()), signal.SIGTERM)
                stopped += 1
                continue
            lock_path.unlink()
            with contextlib.suppress(FileNotFoundError):
                lock_path.with_suffix(".sock").unlink()
    return stopped

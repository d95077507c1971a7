"""Run folders: a command replaces only a folder that is recognisably its own earlier run.

Every command that writes a folder (`review`, `plan`, each run of `batch`) goes through
`RunFolder`: the files are written into a temporary folder beside the run folder and, when
they are complete, put in its place in one step. Before anything runs, `check_run_folder`
refuses (InputError, exit 2, one line naming the folder) a path that is a file, a link, or a
folder holding anything this tool did not write. A folder is the tool's own earlier run when
its `manifest.json` says so (`"tool": "workbook"` and the same kind) and lists every entry
in it. A missing or empty folder is fine too; nothing else is ever renamed or deleted.

While a run writes, it holds an exclusive lock on `.<name>.lock` beside the run folder: a
second run aimed at the same folder at the same moment is refused, never mixed in. Under
that lock the run clears what killed runs left beside the folder (`.<name>.XXXXXXXX.tmp`
temporary folders, `.<name>.old-XXXXXXXX` previous runs set aside) and, when a kill fell
between the two renames of a swap, first puts the previous run back.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from workbook.text.errors import InputError
from workbook.text.messages import Message

TOOL = "workbook"
MANIFEST = "manifest.json"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:lock|[A-Za-z0-9_]{8}\.(?:tmp|xlsx)|old-[0-9a-f]{8})$")


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return m if isinstance(m, dict) else None


def is_own_run(folder: Path, kind: str) -> bool:
    """The folder holds a manifest of this tool and kind that lists every entry in it.
    (Review runs written before manifests carried "tool" are known by their fingerprint.)"""
    m = read_manifest(folder)
    if m is None or not isinstance(m.get("files"), list):
        return False
    legacy = "tool" not in m and kind == "review" and "fingerprint" in m
    if not legacy and (m.get("tool") != TOOL or m.get("kind") != kind):
        return False
    listed = {str(f) for f in m["files"]} | {MANIFEST}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    return all(e.name in listed and e.is_file(follow_symlinks=False) for e in entries)


def failed_folder(folder: Path) -> Path:
    """Where the record of a failed run goes when a good run holds `folder`."""
    return folder.with_name(f"{folder.name}.failed")


def holds_good_run(folder: Path, kind: str) -> bool:
    """The folder holds a complete earlier run of this kind (its manifest says "ok")."""
    m = read_manifest(folder)
    return m is not None and m.get("status", "ok") == "ok" and is_own_run(folder, kind)


def is_leftover(name: str) -> bool:
    """A lock file, temporary folder or set-aside run this module (or a writer) leaves."""
    return _LEFTOVER.match(name) is not None


def _refuse(key: str, folder: Path, **extra: Any) -> InputError:
    return InputError(Message(key, folder=str(folder), **extra))


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_writable(path: Path) -> None:
    """The folder can be made and written by this user (checked before anything runs)."""
    base = _nearest_existing(path)
    if not base.is_dir():
        raise _refuse("out.not_folder", base)
    if not os.access(base, os.W_OK | os.X_OK):
        raise _refuse("out.read_only", base)


def check_run_folder(path: str | Path, kind: str) -> Path:
    """The absolute run folder if this run may write it; else InputError naming it."""
    folder = Path(os.path.abspath(path))
    if folder == folder.parent:
        raise _refuse("out.not_own", folder)
    if folder.is_symlink():
        raise _refuse("out.not_own", folder)
    if folder.exists():
        if not folder.is_dir():
            raise _refuse("out.is_file", folder)
        if any(os.scandir(folder)) and not is_own_run(folder, kind):
            raise _refuse("out.not_own", folder)
    check_writable(folder.parent)
    return folder


# ---- the swap ------------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def put_in_place(tmp: Path, folder: Path) -> None:
    """Make `tmp` the run folder: an empty folder receives the files (it may be a shell's
    working folder); an earlier run is swapped out in one step and then removed."""
    if folder.is_dir() and not any(os.scandir(folder)):
        # the manifest first: stopped half-way, the folder is still known as the tool's own
        for entry in sorted(os.scandir(tmp), key=lambda e: e.name != MANIFEST):
            os.replace(entry.path, folder / entry.name)
        os.rmdir(tmp)
        return
    if not folder.exists():
        os.replace(tmp, folder)
        return
    if _exchange(tmp, folder):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the earlier run
        return
    old = folder.with_name(f".{folder.name}.old-{os.urandom(4).hex()}")
    os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


# ---- the lock ------------------------------------------------------------------------------


class FolderLock:
    """An exclusive lock on `.<name>.lock` beside a folder, refused (InputError) while another
    process holds it. The lock file is removed on release; one left by a killed process is
    taken over (the kernel released its lock)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder.with_name(f".{folder.name}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
            except OSError as exc:
                raise _refuse("out.cannot_write", self.folder, error=exc.strerror or exc) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise _refuse("out.busy", self.folder) from None
            try:  # the holder before us may have removed the file as it finished
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return
            os.close(fd)
        raise _refuse("out.busy", self.folder)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class RunFolder:
    """`with RunFolder(path, kind) as rf:` write into `rf.tmp`, then `rf.commit()`.

    Entering checks the folder (see `check_run_folder`), takes the lock (refusing when
    another run holds it), clears leftovers of killed runs and makes the temporary folder;
    leaving without a commit removes it, so the previous run stays as it was.
    """

    def __init__(self, path: str | Path, kind: str) -> None:
        self.kind = kind
        self.folder = Path(os.path.abspath(path))
        self.tmp: Path = Path()
        self._lock = FolderLock(self.folder)

    def __enter__(self) -> RunFolder:
        check_run_folder(self.folder, self.kind)
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _refuse("out.cannot_write", self.folder, error=exc.strerror or exc) from None
        self._lock.acquire()
        try:
            clear_leftovers(self.folder, self.kind)
            check_run_folder(self.folder, self.kind)  # again, now that no one else writes it
            self.tmp = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.folder.name}.", suffix=".tmp", dir=self.folder.parent
                )
            )
            os.chmod(self.tmp, 0o777 & ~_umask())
        except BaseException:
            self._lock.release()
            raise
        return self

    def commit(self, failed: bool = False) -> Path:
        """Put the run in place; returns where it went. A failed run never replaces a good
        one: when the folder holds a complete earlier run (manifest status "ok"), the failed
        record goes beside it, to `<folder>.failed`, and the earlier run stays as it was. A
        run that succeeds removes the failed record an earlier run left beside it."""
        if failed and holds_good_run(self.folder, self.kind):
            target = failed_folder(self.folder)
            check_run_folder(target, self.kind)
            put_in_place(self.tmp, target)
            return target
        put_in_place(self.tmp, self.folder)
        stale = failed_folder(self.folder)
        if (
            not failed
            and stale.is_dir()
            and not stale.is_symlink()
            and is_own_run(stale, self.kind)
        ):
            shutil.rmtree(stale, ignore_errors=True)
        return self.folder

    def __exit__(self, *exc: object) -> None:
        try:
            if self.tmp != Path() and self.tmp.exists():
                shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            self._lock.release()


def clear_leftovers(folder: Path, kind: str) -> None:
    """Under the folder's lock: put back a run set aside by a killed swap, and remove the
    temporary folders and set-aside runs that killed runs left beside the folder."""
    name = folder.name
    aside = sorted(
        (p for p in folder.parent.glob(f".{_glob_escape(name)}.old-*") if _mine(p, name)),
        key=lambda p: p.stat().st_mtime,
    )
    if aside and not folder.exists() and is_own_run(aside[-1], kind):
        os.replace(aside.pop(), folder)
    for p in [*aside, *folder.parent.glob(f".{_glob_escape(name)}.*.tmp")]:
        if _mine(p, name) and p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)


def check_batch_root(path: str | Path) -> Path:
    """The absolute batch folder if a batch may write it: missing, empty, or holding only
    what batches and reviews of this tool wrote (its own manifest, index.html and
    rollup.xlsx; zone folders of review runs); else InputError naming it."""
    root = Path(os.path.abspath(path))
    if root == root.parent or root.is_symlink():
        raise _refuse("out.not_own", root)
    if root.exists():
        if not root.is_dir():
            raise _refuse("out.is_file", root)
        m = read_manifest(root)
        own: set[str] = set()
        if m is not None and m.get("tool") == TOOL and m.get("kind") == "batch":
            own = {str(f) for f in m.get("files", [])} | {MANIFEST}
        for e in os.scandir(root):
            if e.name in own and e.is_file(follow_symlinks=False):
                continue
            if is_leftover(e.name) or (
                e.is_dir(follow_symlinks=False) and _holds_only_runs(Path(e.path))
            ):
                continue
            raise _refuse("out.not_own", root)
        check_writable(root)
    else:
        check_writable(root.parent)
    return root


def _holds_only_runs(folder: Path) -> bool:
    for e in os.scandir(folder):
        if is_leftover(e.name):
            continue
        if not (e.is_dir(follow_symlinks=False) and is_own_run(Path(e.path), "review")):
            return False
    return True


def _mine(p: Path, name: str) -> bool:
    m = _LEFTOVER.match(p.name)
    return m is not None and m.group("name") == name


def _glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""The app's audit log: who logged in, saved, overwrote or exported what, and when.

One file per zone beside its params file, `audit/<zone>.jsonl` (the params file's folder),
append-only JSON lines, each written with one `write` to a file opened with O_APPEND (lines
from several kernels and the server never interleave) and readable by its owner only::

    {"at": "2026-12-06T09:12:03+00:00", "event": "save", "user": "wang", "zone": "jining-2020",
     "what": "延迟五个月"}

The server writes the logins; a planner kernel writes its saves and exports, and learns whose
page it serves from the owner file the app writes for it when it hands the kernel to a page
(`owner_file`: a folder only the app's user can read, named in WORKBOOK_OWNERS). Pure Python.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

ENV_OWNERS = "WORKBOOK_OWNERS"  # folder of <kernel id>.json: the user a kernel was handed to
EVENTS = ("login", "save", "overwrite", "export")
AUDIT_FOLDER = "audit"


def audit_path(params_file: str | Path) -> Path:
    """The zone's audit log: `audit/<zone>.jsonl` beside its params file."""
    params_file = Path(params_file)
    return params_file.parent / AUDIT_FOLDER / f"{params_file.stem}.jsonl"


def record(params_file: str | Path, event: str, user: str, **what: Any) -> None:
    """Append one line to the zone's audit log (the folder is made when missing)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    path = audit_path(params_file)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    line = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "event": event,
        "user": user,
        "zone": Path(params_file).stem,
        **what,
    }
    data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_audit(params_file: str | Path, last: int = 500) -> list[dict[str, Any]]:
    """The last `last` lines of the zone's audit log, oldest first (a damaged line is skipped)."""
    path = audit_path(params_file)
    if not path.is_file():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines()[-last:]:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out


def owner_file(folder: str | Path, kernel_id: str) -> Path:
    return Path(folder) / f"{kernel_id}.json"


def write_owner(folder: str | Path, kernel_id: str, user: str, role: str) -> None:
    """Tell the kernel `kernel_id` whose page it serves (the app, when it hands it out)."""
    path = owner_file(folder, kernel_id)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"user": user, "role": role}, out)
    os.replace(tmp, path)


def this_kernels_owner() -> dict[str, str] | None:
    """In a planner kernel under `workbook app`: {"user", "role"} of the page it serves, or
    None (not under the app, or not handed to a page yet)."""
    folder = os.environ.get(ENV_OWNERS)
    if not folder:
        return None
    try:
        from ipykernel.kernelapp import IPKernelApp

        connection = IPKernelApp.instance().connection_file
    except Exception:  # not in a kernel
        return None
    kernel_id = Path(connection).stem.removeprefix("kernel-")
    try:
        data = json.loads(owner_file(folder, kernel_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None

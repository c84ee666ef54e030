"""Replace a file in one step: write a sibling temp file, then rename it over the target.

A crash, a full disk or an exception half-way leaves the old file untouched and
no temp file behind. Generic on purpose: any part of the project that rewrites
a file in place can use it.

Only ``kill -9`` (or a power cut) can leave a temp file; its name says whose it
is, ``.NAME.remap-HOST-PID-XXXXXXXX.tmp``, and the next write into the same
directory removes those of a process on this host that no longer runs
(:func:`remove_stale_temps`).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
from pathlib import Path
from typing import Iterator, Set, Union

PathLike = Union[str, "os.PathLike[str]"]

_TAG = "remap"
_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:64] or "host"
_STALE = re.compile(rf"^\..+\.{_TAG}-(?P<host>[A-Za-z0-9_.]+)-(?P<pid>[0-9]+)-[A-Za-z0-9_]+\.tmp$")
_cleaned: Set[str] = set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temps(folder: PathLike) -> int:
    """Remove our temp files in ``folder`` left by a killed process; return how many.

    Only files with our name pattern, written on this host (another container
    sharing the directory has other pids), by a pid that no longer runs, and
    owned by this user are removed. Each directory is scanned once per process.
    """
    folder = os.path.abspath(folder)
    if folder in _cleaned:
        return 0
    _cleaned.add(folder)
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        match = _STALE.match(name)
        if not match or match["host"] != _HOST or int(match["pid"]) == os.getpid() or _alive(int(match["pid"])):
            continue
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            if os.lstat(path).st_uid == os.getuid():
                os.unlink(path)
                removed += 1
    return removed


def _mode_for(target: Path) -> int:
    """Keep the permissions of the file we replace; new files get 0666 minus the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: PathLike, durable: bool = True) -> Iterator[Path]:
    """Yield a temp path next to ``target``; rename it over ``target`` if the block succeeds.

    The temp file lives in the same directory so the final ``os.replace`` is a
    rename on one file system, never a copy. If the block raises, or deletes
    the temp path (nothing to replace), the target is not touched. ``durable``
    flushes the data to disk before the rename so even a power cut leaves the
    old or the new file, never an empty one.
    """
    target = Path(target)
    remove_stale_temps(target.parent)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.{_TAG}-{_HOST}-{os.getpid()}-", suffix=".tmp",
                                    dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        if temp.exists():
            os.chmod(temp, _mode_for(target))
            if durable:
                with open(temp, "rb+") as synced:
                    os.fsync(synced.fileno())
            os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def atomic_write_bytes(target: PathLike, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``target`` so readers see either the old or the new content."""
    with atomic_path(target, durable) as temp:
        temp.write_bytes(data)

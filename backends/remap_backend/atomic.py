"""Replace a file in one step: write a sibling temp file, then rename it over the target.

A crash, a full disk or an exception half-way leaves the old file untouched and
no temp file behind. Generic on purpose: any part of the project that rewrites
a file in place can use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator, Union

PathLike = Union[str, "os.PathLike[str]"]


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
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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

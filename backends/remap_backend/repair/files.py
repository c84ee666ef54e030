"""Replace several files all-or-nothing: stage every temp file first, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

from ..atomic import atomic_write_bytes
from ..errors import RemapError

BACKUP_SUFFIX = ".remap-backend.bak"


def read_text(path: Path) -> str:
    """Text as stored, line endings and undecodable bytes kept, so a rewrite changes only paths."""
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _stage(path: Path, data: bytes) -> Path:
    descriptor, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        if path.exists():
            shutil.copymode(path, temp)
    except BaseException:
        os.unlink(temp)
        raise
    return Path(temp)


def replace_all(updates: Sequence[tuple[Path, str]], backup: Sequence[Path] = (), why: str = "") -> None:
    """Write each ``(path, text)`` atomically, in order; ``backup`` files are copied aside first.

    Nothing is renamed until every temp file (and backup) is staged, so a
    read-only directory or a full disk leaves all files as they were.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path in backup:
            staged.append((_stage(path, path.read_bytes()), path.with_name(path.name + BACKUP_SUFFIX)))
        for path, text in updates:
            staged.append((_stage(path, text.encode("utf-8", "surrogateescape")), path))
    except OSError as exc:
        for temp, _ in staged:
            os.unlink(temp)
        where = Path(exc.filename).parent if exc.filename else updates[0][0].parent
        raise RemapError(
            f"cannot {why or 'update files'} in {where}: {exc.strerror}; make the directory writable "
            f"(chmod -R u+w {where}) or delete it so the build starts afresh"
        ) from None
    for temp, target in staged:
        os.replace(temp, target)


def write_atomic(path: Path, text: str) -> None:
    """One file, atomically (temp file in the same directory, then rename)."""
    atomic_write_bytes(path, text.encode("utf-8"), durable=False)

"""Canonicalize .pyc files on disk: one file, or every .pyc under a directory.

For installed site-packages or a Docker layer built with
``UV_COMPILE_BYTECODE=1``. Each file is replaced atomically and keeps its mode
and timestamps; files we cannot rewrite safely are left as they are, with a
warning (an unknown magic number, a limit); a corrupt file is an error.
Symlinks are never followed, so nothing outside the tree is touched.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List, Tuple

from .. import log
from ..errors import RemapError
from ..atomic import atomic_path
from .pyc import CorruptPyc, UnsupportedPyc, canonical_pyc

#: .pyc files larger than this are skipped with a warning (none in practice).
MAX_PYC_BYTES = 256 * 1024**2

REASON = ".pyc marshal data"


def normalize_pyc_file(path: Path, check: bool = False) -> List[str]:
    """Canonicalize one .pyc in place; return [reason] if it changed (or would)."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise RemapError(f"{path}: not a regular file; give a .pyc file or a directory")
    if info.st_size > MAX_PYC_BYTES:
        log.warn(f"{path}: larger than {MAX_PYC_BYTES} bytes, left untouched")
        return []
    data = path.read_bytes()
    try:
        canonical = canonical_pyc(data)
    except CorruptPyc as exc:
        raise RemapError(f"{path}: corrupt .pyc ({exc}); delete it or compile it again") from None
    except UnsupportedPyc as exc:
        log.warn(f"{path}: left untouched: {exc}")
        return []
    if canonical == data:
        return []
    if not check:
        with atomic_path(path, durable=False) as temp:
            temp.write_bytes(canonical)
            os.utime(temp, ns=(info.st_atime_ns, info.st_mtime_ns))
    return [REASON]


def normalize_pyc_tree(root: Path, check: bool = False) -> List[Tuple[Path, Tuple[str, ...]]]:
    """Canonicalize every regular ``*.pyc`` under ``root`` (sorted walk, no symlinks followed)."""
    changed = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".pyc"):
                continue
            path = Path(folder) / name
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            if normalize_pyc_file(path, check):
                changed.append((path, (REASON,)))
    return changed

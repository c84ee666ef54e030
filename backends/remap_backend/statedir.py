"""``.remap-backend/`` in the source tree: the proxy's own directory for state it keeps between builds.

Repair keeps its state file and lock there, and adapters put generated files
there (the CMake include script). It is a dot-directory with its own
``.gitignore`` so VCS-based sdist tools skip it. Here so that both find it
through :attr:`BuildContext.state_dir` without importing each other.
"""

from __future__ import annotations

from pathlib import Path

from . import log
from .atomic import atomic_write_bytes

DIRECTORY = ".remap-backend"
LOCK_NAME = "lock"
IGNORE_EVERYTHING = b"# remap-backend build state; never part of an sdist or a commit\n*\n"


def path(source_dir: Path) -> Path:
    return source_dir / DIRECTORY


def prepare(directory: Path) -> bool:
    """Create the state directory; False when the tree cannot be written (repair then skips)."""
    try:
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            atomic_write_bytes(ignore, IGNORE_EVERYTHING, durable=False)
        with open(directory / LOCK_NAME, "a"):
            pass
    except OSError as exc:
        log.warn(f"cannot create {directory} ({exc.strerror}); building without repair of earlier build state")
        return False
    return True

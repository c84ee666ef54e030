"""Temporary build directories the proxy chooses, so it knows their paths before the build.

scikit-build-core and meson-python build a wheel in a random temporary
directory they create inside the hook, too late to map it. The proxy creates
an equivalent temporary directory itself, passes it as ``build-dir`` and
maps it; it is removed when the hook's process exits, as theirs would be.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

PREFIX = "remap-backend-build-"


def temporary_build_dir(parent: Path | None = None, prefix: str = PREFIX) -> Path:
    """A new empty directory, deleted at interpreter exit (the hook runs in its own process)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=None if parent is None else str(parent)))
    atexit.register(shutil.rmtree, str(path), True)
    return path

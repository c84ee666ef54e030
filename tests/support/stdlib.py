"""A copy of this interpreter's standard library sources, for .pyc tests and benchmarks."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

STDLIB = Path(sysconfig.get_paths()["stdlib"])
#: Third-party and cached code that is not the standard library's own.
SKIP_DIRS = {"site-packages", "dist-packages", "__pycache__"}


def copy_stdlib_sources(target: Path) -> int:
    """Copy every stdlib ``.py`` into ``target`` (same layout); return how many."""
    count = 0
    for source in STDLIB.rglob("*.py"):
        relative = source.relative_to(STDLIB)
        if SKIP_DIRS & set(relative.parts):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        count += 1
    return count

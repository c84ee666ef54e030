"""The build-system files CMake generated from a cache, which carry the same paths.

They are rewritten with the same rule as the cache, so the regeneration step
itself (``RERUN_CMAKE`` in ninja, ``cmake_check_build_system`` in make) starts
the current cmake. Writing the cache last makes it the newest input, so the
generator then re-runs and rewrites all of them consistently.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

_NAMES = {"build.ninja", "rules.ninja", "Makefile", "Makefile2", "Makefile.cmake", "cmake_install.cmake", "CTestTestfile.cmake"}
_SUFFIXES = (".make", ".ninja")


def generated_files(build_dir: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(build_dir):
        subdirs[:] = [d for d in subdirs if d != "CMakeScratch" and not d.startswith(".")]
        for name in files:
            if name in _NAMES or name.endswith(_SUFFIXES):
                yield Path(directory) / name

"""Where backends keep state in a source tree, and the CMake caches inside those places."""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import Iterable, Iterator

from ..adapters.base import Adapter
from ..context import BuildContext

#: The file CMake keeps its cache in (read and relocated by :mod:`.cmakecache`).
CACHE_NAME = "CMakeCache.txt"
#: How deep below a state directory a CMake cache is looked for (build/temp.*/CMakeCache.txt is 1).
CACHE_DEPTH = 2


def _expand(source_dir: Path, pattern: str) -> list[Path]:
    """A directory setting, with scikit-build-core's ``{wheel_tag}``-style fields as wildcards."""
    path = Path(pattern) if Path(pattern).is_absolute() else source_dir / pattern
    if "{" not in pattern:
        return [path]
    wildcard = re.sub(r"\{[^}]*\}", "*", glob.escape(str(path)))
    return [Path(found) for found in sorted(glob.glob(wildcard)) if Path(found).is_dir()]


def state_dirs(ctx: BuildContext, adapter: Adapter) -> list[Path]:
    """Every known state directory that exists: the adapter's and the user's."""
    candidates: list[Path] = list(adapter.state_dirs(ctx))
    for configured in ctx.settings.cmake_build_dirs:
        candidates += _expand(ctx.source_dir, configured)
    return _unique_resolved(path for path in candidates if path.is_dir())


def _unique_resolved(paths: Iterable[Path]) -> list[Path]:
    """``paths`` in order, each place once however it is spelled (symlinks, ``..``)."""
    seen, found = set(), []
    for path in paths:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(path)
    return found


def _caches_below(directory: Path) -> Iterator[Path]:
    for depth in range(CACHE_DEPTH + 1):
        for cache in sorted(directory.glob("/".join(["*"] * depth + [CACHE_NAME]))):
            if "CMakeFiles" not in cache.relative_to(directory).parts and cache.is_file():
                yield cache


def cmake_caches(directories: Iterable[Path]) -> list[Path]:
    """CMakeCache.txt files in or shortly below each directory (not inside CMake's own CMakeFiles)."""
    return _unique_resolved(cache for directory in directories for cache in _caches_below(directory))

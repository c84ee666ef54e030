"""Throw away intermediate artifacts a backend would wrongly reuse after its environment changed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterable, Sequence

from .. import log

#: Parts whose change makes values CMake cached at configure time stale. Not "injected": the
#: proxy's path maps reach CMake at every configure, and a map of a moved environment in a
#: cached flag is relocated like any other path.
CACHE_PARTS = ("interpreter", "toolchain", "distributions", "config-settings")


def cmake_configuration(cache: Path) -> list[Path]:
    """A CMake cache and ``CMakeFiles/`` beside it: CMake configures and compiles afresh.

    Values cached at configure time (a version or include dir asked from a
    build dependency, the compiler) are recomputed; the objects in
    ``CMakeFiles/`` go too, since an installer may give an upgraded header an
    older mtime than the objects built against the previous one.
    """
    return [p for p in (cache, cache.parent / "CMakeFiles") if p.exists()]


def stale_artifacts(
    state_dir: Path, caches: Iterable[Path], changed: Sequence[str], known: bool, intermediates: Sequence[Path]
) -> list[Path]:
    """What to remove in ``state_dir`` given which fingerprint parts ``changed``.

    Any change makes the backend's ``intermediates`` stale (setuptools'
    objects carry the flags and headers of the build that made them). A CMake build is dropped
    only for a change in :data:`CACHE_PARTS`, and only when its fingerprint is
    known: a cache we know nothing about is relocated, not discarded.
    """
    if not changed:
        return []
    stale = list(intermediates)
    if known and any(part in changed for part in CACHE_PARTS):
        for cache in caches:
            if cache.parent == state_dir or state_dir in cache.parents:
                stale += cmake_configuration(cache)
    return stale


def remove(paths: Iterable[Path], reason: str) -> None:
    for path in paths:
        log.info(f"removing stale {path} ({reason})")
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()

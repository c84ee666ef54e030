"""A path map: one varying absolute path and the fixed placeholder it becomes.

Compilers match maps by plain string prefix and apply the *last* one that
matches (GCC, clang >= 10 and rustc's ``--remap-path-prefix`` alike), so a
list of maps is only right when every map comes after each map whose source
is a prefix of its own: general first, specific last. :func:`ordered` makes
such a list and drops repeated sources, since a second map for the same
path would silently override the first.
"""

from __future__ import annotations

import enum
import os
from typing import Iterable, NamedTuple


class Kind(str, enum.Enum):
    """What a mapped path is, so renderers choose maps by meaning, not by placeholder text."""

    SOURCE = "source"  # the unpacked source tree
    BUILD = "build"  # a backend's build directory
    ENV = "env"  # the isolated build environment, or site dirs standing in for one
    PYTHON = "python"  # the base interpreter's prefix and include dirs
    TOOL = "tool"  # a toolchain's home (CARGO_HOME, RUSTUP_HOME) or a launcher program (a compiler cache)
    HOME = "home"  # the user's home directory
    TMP = "tmp"  # the temporary directory, and the hook's private one
    USER = "user"  # a map the user configured


class PathMap(NamedTuple):
    source: str
    target: str
    #: Why this path varies (for --verbose and docs): "source tree", "build env", ...
    reason: str = ""
    kind: Kind = Kind.USER


def normalized_source(path: str) -> str:
    """``path`` without a trailing separator or ``..`` parts (compilers compare text)."""
    return os.path.normpath(path)


def is_under(path: str, parent: str) -> bool:
    """Whether ``path`` is ``parent`` or lies below it, compared as normalized text."""
    path, parent = normalized_source(path), normalized_source(parent)
    return path == parent or path.startswith(parent.rstrip(os.sep) + os.sep)


def ordered(maps: Iterable[PathMap]) -> tuple[PathMap, ...]:
    """Maps in emit order for last-match-wins tools: general before specific, each source once.

    Of maps with the same source, the first one given wins; callers list the
    ones that must win (the user's) first. Sorting by source length is stable
    and puts every string prefix before the strings it prefixes.
    """
    unique: dict[str, PathMap] = {}
    for path_map in maps:
        unique.setdefault(normalized_source(path_map.source), path_map)
    return tuple(sorted(unique.values(), key=lambda m: len(normalized_source(m.source))))


def apply(maps: Iterable[PathMap], path: str) -> str:
    """What a last-match-wins tool makes of ``path`` under ``maps`` (in emit order)."""
    result = path
    for path_map in maps:
        source = normalized_source(path_map.source)
        if path.startswith(source):
            result = path_map.target + path[len(source):]
    return result

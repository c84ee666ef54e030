"""A path map: one varying absolute path and the fixed placeholder it becomes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PathMap:
    source: str
    target: str
    #: Why this path varies (for --verbose and docs): "source tree", "build env", ...
    reason: str = ""

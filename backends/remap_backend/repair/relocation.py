"""Move paths from a vanished build environment to the current one, one path at a time.

The rule, everywhere: a path is rewritten only when it no longer exists and its
counterpart in the current environment does. So a still-existing environment,
or a file the new environment lacks, is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from typing import Callable, Optional, Pattern

#: Characters that end a path inside a CMake value, a command line or a ninja file.
_PATH_END = r"\s;\"'=:,()$<>|&"
_EXECUTABLE_TAIL = re.compile(r"[/\\](?:bin|Scripts)[/\\](?P<name>[^/\\]+)$")
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)?)?(?:\.exe)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Relocation:
    #: Roots of earlier build environments (vanished ones matter).
    old_roots: tuple[str, ...]
    #: Roots of the current build environment, most specific first.
    new_roots: tuple[str, ...]
    #: The interpreter of this build: where a vanished Python executable moves.
    executable: str
    #: PATH to find a tool the new roots lack (e.g. a cmake from the system).
    search_path: str | None = None
    exists: Callable[[str], bool] = os.path.exists
    #: Compiled from the old roots; matches one whole path under any of them.
    _pattern: Optional[Pattern[str]] = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        new = {os.path.normcase(r) for r in self.new_roots}
        old = sorted({r for r in self.old_roots if os.path.normcase(r) not in new}, key=len, reverse=True)
        object.__setattr__(self, "old_roots", tuple(old))
        roots = "|".join(re.escape(root) for root in old)
        # A whole path under an old root: not inside a longer path, except right after -I/-L.
        pattern = rf"(?:(?<![\w./\\-])|(?<=-[IL]))(?:{roots})(?:[/\\][^{_PATH_END}]*)?(?![^{_PATH_END}/\\])"
        object.__setattr__(self, "_pattern", re.compile(pattern) if old else None)

    def relocate(self, path: str) -> str | None:
        """Where ``path`` is now, or None when it should stay as it is."""
        for old in self.old_roots:
            if path != old and not path.startswith((old + "/", old + "\\")):
                continue
            if self.exists(path):
                return None
            tail = path[len(old):]
            for new in self.new_roots:
                if self.exists(new + tail):
                    return new + tail
            return self._executable_elsewhere(tail)
        return None

    def _executable_elsewhere(self, tail: str) -> str | None:
        match = _EXECUTABLE_TAIL.search(tail)
        if match is None:
            return None
        name = match.group("name")
        if _PYTHON.match(name):
            return self.executable
        return shutil.which(name, path=self.search_path)

    def rewrite_text(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """Relocate every path under an old root inside ``text`` (a value, a command, a file)."""
        pattern = self._pattern
        if pattern is None:
            return text, []
        changes: list[tuple[str, str]] = []

        def substitute(match: re.Match) -> str:
            old = match.group(0)
            new = self.relocate(old)
            if new is None:
                return old
            changes.append((old, new))
            return new

        return pattern.sub(substitute, text), changes

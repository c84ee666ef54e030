"""Read a CMakeCache.txt, check it belongs here, and relocate the paths in its entries."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import RemapError
from .relocation import Relocation

_ENTRY = re.compile(r'^(?:"(?P<quoted>[^"]*)"|(?P<key>[^"=:][^=:]*?))(?::(?P<type>[A-Za-z_]+))?=(?P<value>.*)$')
#: Entries whose value is a flag, not a path.
_NOT_PATHS = {"BOOL"}


@dataclass(frozen=True)
class Entry:
    key: str
    type: str
    value: str
    #: Index of the entry's line in :attr:`CMakeCache.lines`, and where the value starts in it.
    line: int
    start: int


@dataclass(frozen=True)
class CMakeCache:
    path: Path
    #: The file's lines, each with its own line ending.
    lines: tuple[str, ...]
    entries: tuple[Entry, ...]

    def get(self, key: str) -> str | None:
        for entry in self.entries:
            if entry.key == key:
                return entry.value
        return None

    @property
    def text(self) -> str:
        return "".join(self.lines)


def parse(text: str, path: Path) -> CMakeCache:
    """Parse the cache; anything CMake itself would not read is a RemapError naming the line."""
    lines = tuple(text.splitlines(keepends=True))
    entries = []
    for number, line in enumerate(lines):
        content = line.rstrip("\r\n")
        stripped = content.strip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        match = _ENTRY.match(stripped) if "\x00" not in content else None
        if match is None:
            raise RemapError(
                f"{path} line {number + 1} is not a CMake cache entry ({stripped[:60]!r}): the cache is corrupt; "
                f"delete {path} (or the whole build directory) so CMake configures afresh"
            )
        key = match.group("quoted") if match.group("quoted") is not None else match.group("key")
        start = len(content) - len(content.lstrip()) + match.start("value")
        entry_type = (match.group("type") or "UNINITIALIZED").upper()
        entries.append(Entry(key=key, type=entry_type, value=match.group("value"), line=number, start=start))
    if not any(entry.key == "CMAKE_CACHEFILE_DIR" for entry in entries):
        raise RemapError(
            f"{path} has no CMAKE_CACHEFILE_DIR entry, so it is not a cache CMake wrote (corrupt or truncated); "
            f"delete it (or the whole build directory) so CMake configures afresh"
        )
    return CMakeCache(path=path, lines=lines, entries=tuple(entries))


def read(path: Path) -> CMakeCache:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RemapError(f"cannot read {path} ({exc.strerror}); make it readable or delete it") from None
    return parse(data.decode("utf-8", "surrogateescape"), path)


def _same_place(a: str, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: str, directory: Path) -> bool:
    try:
        Path(path).resolve().relative_to(directory.resolve())
    except (OSError, ValueError):
        return False
    return True


def check_owner(cache: CMakeCache, source_dir: Path) -> None:
    """A cache copied or moved from another tree makes CMake fail later; say so now, precisely."""
    made_in = cache.get("CMAKE_CACHEFILE_DIR") or ""
    if not _same_place(made_in, cache.path.parent):
        raise RemapError(
            f"{cache.path} belongs to another build tree: it was created in {made_in} "
            f"(CMAKE_CACHEFILE_DIR); delete {cache.path.parent} so CMake configures this tree afresh"
        )
    home = cache.get("CMAKE_HOME_DIRECTORY")
    if home is not None and not _inside(home, source_dir):
        raise RemapError(
            f"{cache.path} was configured for the sources in {home} (CMAKE_HOME_DIRECTORY), not for "
            f"{source_dir}; delete {cache.path.parent} so CMake configures this tree afresh"
        )


@dataclass(frozen=True)
class Change:
    key: str
    old: str
    new: str


def relocated(cache: CMakeCache, relocation: Relocation) -> tuple[str, list[Change]]:
    """The cache text with every relocatable path moved, and what moved."""
    lines = list(cache.lines)
    changes: list[Change] = []
    for entry in cache.entries:
        if entry.type in _NOT_PATHS:
            continue
        value, moved = relocation.rewrite_text(entry.value)
        if not moved:
            continue
        line = lines[entry.line]
        lines[entry.line] = line[: entry.start] + value + line[entry.start + len(entry.value):]
        changes.extend(Change(entry.key, old, new) for old, new in moved)
    return "".join(lines), changes


def paths_in(cache: CMakeCache) -> list[str]:
    """Absolute paths mentioned by the cache's entries (to find vanished environments)."""
    found = []
    for entry in cache.entries:
        if entry.type in _NOT_PATHS:
            continue
        for item in re.split(r"[;\s=\"',]+", entry.value):
            item = item[2:] if item.startswith(("-I", "-L")) else item
            if os.path.isabs(item) and item not in found:
                found.append(item)
    return found

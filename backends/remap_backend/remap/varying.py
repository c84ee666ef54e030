"""This build's varying paths, and where a piece of bytes names one of them at a path boundary.

Shared by the text scrubber (``archives/scrub.py``, replaces them) and the leak
guard (``guard.py``, reports them), so both agree on what counts as a match:

* the sources of the plan's maps (their resolved spellings are maps of their
  own), except shared locations that every machine has (``/``, ``/usr``,
  ``/tmp``, ``/opt``, ...): a literal ``"/tmp"`` in a package is not a build
  path, while ``/tmp/build-env-x`` is a map of its own;
* longest source first, so ``/home/me/.cargo`` wins over ``/home/me``;
* only at path boundaries: the byte after the match must not continue a file
  name (``/tmp/x`` does not match in ``/tmp/xy`` or ``/tmp/x.py``), and the
  match must not sit inside a longer path (``/root`` does not match in
  ``/home/root``), while a flag prefix is fine (``-I/tmp/x``, ``-L/tmp/x``).
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, NamedTuple, Tuple

from .pathmap import PathMap, normalized_source

#: Locations that are the same on every machine; never searched for on their own.
SHARED_LOCATIONS = frozenset({"/", "/usr", "/usr/local", "/opt", "/tmp", "/var", "/var/tmp", "/dev/shm", "/usr/tmp"})

#: Bytes that continue a file name (ASCII name characters and any UTF-8 non-ASCII byte).
_NAME_BYTES = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~@%-" + bytes(range(0x80, 0x100))
)
_NOT_NAME = rb"(?![A-Za-z0-9._+~@%\x80-\xff-])"
#: How far back a match is checked for being the tail of a longer path.
_LOOKBACK = 255


class Match(NamedTuple):
    start: int
    end: int
    source: str
    target: str


class Matcher:
    """Finds the given maps' sources in bytes, longest first, at path boundaries."""

    def __init__(self, maps: Iterable[PathMap]) -> None:
        targets: dict[str, str] = {}
        for path_map in maps:
            source = normalized_source(path_map.source)
            if source not in SHARED_LOCATIONS and source.startswith("/"):
                targets.setdefault(source, path_map.target)
        self.targets = targets
        self.sources: Tuple[str, ...] = tuple(sorted(targets, key=lambda s: (-len(s), s)))
        self._encoded = {source.encode("utf-8", "surrogateescape"): source for source in self.sources}
        alternatives = b"|".join(re.escape(s) for s in self._encoded)
        self._pattern = re.compile(b"(?:" + alternatives + b")" + _NOT_NAME) if self.sources else None

    def __bool__(self) -> bool:
        return bool(self.sources)

    def finditer(self, data: bytes) -> Iterator[Match]:
        """Every boundary match in ``data``, left to right, never overlapping."""
        if self._pattern is None:
            return
        position = 0
        search = self._pattern.search
        while True:
            found = search(data, position)
            if found is None:
                return
            start, end = found.span()
            if _starts_a_path(data, start):
                source = self._encoded[found.group()]
                yield Match(start, end, source, self.targets[source])
                position = end
            else:
                position = start + 1

    def replace(self, data: bytes) -> bytes:
        """``data`` with every match replaced by its map's target."""
        pieces = []
        last = 0
        for match in self.finditer(data):
            pieces.append(data[last:match.start])
            pieces.append(match.target.encode("utf-8", "surrogateescape"))
            last = match.end
        if not pieces:
            return data
        pieces.append(data[last:])
        return b"".join(pieces)


def _starts_a_path(data: bytes, start: int) -> bool:
    """False if the match at ``start`` is the tail of a longer path (``/home/root`` for ``/root``)."""
    index = start - 1
    limit = max(0, start - _LOOKBACK)
    while index >= limit and data[index] in _NAME_BYTES:
        index -= 1
    if index < 0 or data[index] != 0x2F:
        return True
    # "file:///tmp/x" names /tmp/x; "//tmp/x" and "/a/tmp/x" do not
    return index == start - 1 and data[max(0, start - 3):start] == b"://"

"""Where a rewritten archive's bytes go: a file, a comparison with the original, or both.

Comparing while writing tells us for free whether the normalized archive is
byte-identical to the input, so an already-normalized file is left alone (not
even its mtime changes) and ``--check`` can answer without writing anything.
"""

from __future__ import annotations

from typing import BinaryIO, Optional


class CompareSink:
    """Accepts bytes and remembers whether they equal ``original`` so far."""

    def __init__(self, original: BinaryIO, also: Optional[BinaryIO] = None) -> None:
        self._original = original
        self._also = also
        self._original.seek(0)
        self.same = True

    def write(self, data: bytes) -> int:
        if self._also is not None:
            self._also.write(data)
        if self.same and self._original.read(len(data)) != data:
            self.same = False
        return len(data)

    def identical(self) -> bool:
        """True if everything written equals the whole original file."""
        return self.same and not self._original.read(1)

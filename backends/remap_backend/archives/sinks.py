"""Where a rewritten archive's bytes go: a file, a comparison with the original, or both.

Comparing while writing tells us for free whether the normalized archive is
byte-identical to the input, so an already-normalized file is left alone (not
even its mtime changes) and ``--check`` can answer without writing anything.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Optional

_CHUNK = 1 << 20


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

    def copy_range(self, source: BinaryIO, offset: int, length: int) -> None:
        """Append ``length`` bytes of ``source`` from ``offset``, in the kernel when we can.

        Once the output already differs from the original there is nothing
        left to compare, so the bytes go straight from file to file
        (``copy_file_range``); in check mode they need not go anywhere.
        """
        if not self.same and self._also is None:
            return
        if not self.same and _copy_in_kernel(source.fileno(), self._also, offset, length):  # type: ignore[arg-type]
            return
        source.seek(offset)
        left = length
        while left:
            chunk = source.read(min(_CHUNK, left))
            if not chunk:
                raise OSError(f"unexpected end of file at offset {offset + length - left}")
            self.write(chunk)
            left -= len(chunk)


def _copy_in_kernel(source_fd: int, target: BinaryIO, offset: int, length: int) -> bool:
    """``copy_file_range`` into an unbuffered ``target``; False if the kernel cannot (nothing copied)."""
    copy = getattr(os, "copy_file_range", None)
    if copy is None or not hasattr(target, "fileno") or getattr(target, "raw", None) is not None:
        return False  # no such call, or a buffered file whose position we would bypass
    copied = 0
    while copied < length:
        try:
            done = copy(source_fd, target.fileno(), length - copied, offset + copied)
        except OSError:
            if copied:
                raise
            return False
        if done == 0:
            raise OSError(f"unexpected end of file at offset {offset + copied}")
        copied += done
    return True

"""Hashes and CRC of a member's content, on a helper thread for large members.

Inflating, writing and hashing a big wheel are each about as fast as a file
copy; ``hashlib`` and ``zlib.crc32`` release the GIL, so hashing large members
on a second thread lets it overlap with inflating and writing.
"""

from __future__ import annotations

import collections
import hashlib
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Deque, Dict, Iterable, Optional, Tuple

#: Members at least this large are hashed on the helper thread.
BACKGROUND_THRESHOLD = 1 << 20
_MAX_PENDING = 8  # chunks queued for the helper before we wait (bounds memory)


class Digest:
    """Running digests (by hashlib name) and CRC-32 of one stream of bytes."""

    def __init__(self, algorithms: Iterable[str], helper: Optional[ThreadPoolExecutor] = None) -> None:
        self._hashes = {name: hashlib.new(name) for name in algorithms}
        self._crc = 0
        self._helper = helper
        self._pending: Deque[Future] = collections.deque()

    def _consume(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        for hashed in self._hashes.values():
            hashed.update(data)

    def update(self, data: bytes) -> None:
        if self._helper is None:
            self._consume(data)
            return
        self._pending.append(self._helper.submit(self._consume, data))
        if len(self._pending) > _MAX_PENDING:
            self._pending.popleft().result()

    def result(self) -> Tuple[Dict[str, bytes], int]:
        """(digest by algorithm, crc32) once every update has been consumed."""
        while self._pending:
            self._pending.popleft().result()
        return {name: hashed.digest() for name, hashed in self._hashes.items()}, self._crc

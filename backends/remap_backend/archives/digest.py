"""Hashes and CRC-32 of a member's content, computed in one pass."""

from __future__ import annotations

import hashlib
import zlib
from typing import Dict, Iterable, Tuple


class Digest:
    """Running digests (by hashlib name) and CRC-32 of one stream of bytes."""

    def __init__(self, algorithms: Iterable[str]) -> None:
        self._hashes = {name: hashlib.new(name) for name in algorithms}
        self._crc = 0

    def update(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        for hashed in self._hashes.values():
            hashed.update(data)

    def result(self) -> Tuple[Dict[str, bytes], int]:
        """(digest by algorithm, crc32)."""
        return {name: hashed.digest() for name, hashed in self._hashes.items()}, self._crc

"""The zip container, read and written by hand so every byte of the output is ours.

``zipfile`` decides timestamps, extra fields, "made by" and flags for us and
silently truncates names at a NUL; here the reader validates the central
directory against the local headers (bounds, overlaps, encryption, names) and
the writer emits exactly one canonical layout:

* no extra fields except the zip64 ones a >4 GiB member or archive needs;
* "made by" Unix / zip 2.0, "version needed" 2.0 (4.5 with zip64);
* general-purpose flags only the UTF-8 bit (for non-ASCII names);
* no data descriptors, no comments.
"""

from __future__ import annotations

import calendar
import os
import struct
import time
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator, List, Optional, Tuple

from ..errors import RemapError

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s2B5H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")

_SIG_EOCD = b"PK\x05\x06"
_SIG_EOCD64 = b"PK\x06\x06"
_SIG_LOCATOR = b"PK\x06\x07"
_SIG_CENTRAL = b"PK\x01\x02"
_SIG_LOCAL = b"PK\x03\x04"

_U16 = 0xFFFF
_U32 = 0xFFFFFFFF
FLAG_ENCRYPTED = 0x1
FLAG_UTF8 = 0x800
STORED, DEFLATED = 0, 8

#: Compression of every member we compress ourselves: raw deflate, level 6,
#: memLevel 8, default strategy (exactly what ``zipfile`` uses by default).
DEFLATE_LEVEL = 6
#: Earliest and latest instants a DOS timestamp can hold (UTC).
ZIP_MIN_EPOCH = 315532800  # 1980-01-01T00:00:00Z
ZIP_MAX_EPOCH = calendar.timegm((2107, 12, 31, 23, 59, 58))
_MADE_BY = (3 << 8) | 20  # Unix, spec 2.0
_CHUNK = 1 << 20


@dataclass
class Entry:
    """One central-directory record, checked against its local header."""

    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int
    create_system: int
    external_attr: int
    dos_time: Tuple[int, int] = (0, 0)
    has_extras: bool = False
    data_offset: int = 0

    @property
    def unix_mode(self) -> int:
        """The st_mode the archiver recorded, or 0 if it did not record one."""
        return (self.external_attr >> 16) & 0xFFFF if self.create_system == 3 else 0

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


def _corrupt(archive: str, what: str) -> RemapError:
    return RemapError(f"{archive}: not a valid zip archive ({what}); rebuild it or download it again")


def read_entries(handle: BinaryIO, file_size: int, archive: str) -> List[Entry]:
    """All entries of the zip in ``handle``, validated; raise RemapError on anything odd."""
    try:
        return _read_entries(handle, file_size, archive)
    except struct.error:
        raise _corrupt(archive, "truncated record") from None


def _read_entries(handle: BinaryIO, file_size: int, archive: str) -> List[Entry]:
    tail_size = min(file_size, _EOCD.size + _U16)
    handle.seek(file_size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_SIG_EOCD)
    while at >= 0 and at + _EOCD.size + _EOCD.unpack_from(tail, at)[-1] != len(tail):
        at = tail.rfind(_SIG_EOCD, 0, at)
    if at < 0:
        if tail.rfind(_SIG_EOCD) >= 0:  # the record is there, but something follows it
            raise _corrupt(archive, "data after the end-of-central-directory record (garbage appended?)")
        raise _corrupt(archive, "no end-of-central-directory record in the last 64 KiB; "
                                "truncated, or more than 64 KiB appended")
    eocd_offset = file_size - tail_size + at
    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
    cd_end = eocd_offset
    if _U16 in (count, disk, cd_disk) or _U32 in (cd_size, cd_offset):
        locator_at = eocd_offset - _EOCD64_LOCATOR.size
        if locator_at < 0:
            raise _corrupt(archive, "zip64 locator missing")
        handle.seek(locator_at)
        sig, _, eocd64_offset, _ = _EOCD64_LOCATOR.unpack(handle.read(_EOCD64_LOCATOR.size))
        if sig != _SIG_LOCATOR or eocd64_offset + _EOCD64.size > locator_at:
            raise _corrupt(archive, "bad zip64 locator")
        handle.seek(eocd64_offset)
        fields = _EOCD64.unpack(handle.read(_EOCD64.size))
        if fields[0] != _SIG_EOCD64:
            raise _corrupt(archive, "bad zip64 end record")
        disk, cd_disk, count, cd_size, cd_offset = fields[4], fields[5], fields[7], fields[8], fields[9]
        cd_end = eocd64_offset
    if disk or cd_disk:
        raise _corrupt(archive, "multi-disk archives are not supported")
    if cd_offset + cd_size != cd_end:
        raise _corrupt(archive, "central directory is not where the end record says; extra data in the file?")
    handle.seek(cd_offset)
    directory = handle.read(cd_size)
    if len(directory) != cd_size:
        raise _corrupt(archive, "central directory truncated")
    entries = _parse_central(directory, count, archive)
    _check_local_headers(handle, entries, cd_offset, archive)
    return entries


def _parse_central(directory: bytes, count: int, archive: str) -> List[Entry]:
    entries: List[Entry] = []
    pos = 0
    for _ in range(count):
        if directory[pos:pos + 4] != _SIG_CENTRAL:
            raise _corrupt(archive, "bad central directory record")
        (_, _, system, _, flags, method, mtime, mdate, crc, csize, usize,
         name_len, extra_len, comment_len, _, _, external, offset) = _CENTRAL.unpack_from(directory, pos)
        pos += _CENTRAL.size
        raw_name = directory[pos:pos + name_len]
        extra = directory[pos + name_len:pos + name_len + extra_len]
        pos += name_len + extra_len + comment_len
        if pos > len(directory):
            raise _corrupt(archive, "central directory record runs past its end")
        usize, csize, offset = _zip64_sizes(extra, usize, csize, offset, archive)
        if flags & FLAG_ENCRYPTED:
            raise RemapError(f"{archive}: member {raw_name!r} is encrypted; wheels and sdists cannot be encrypted")
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            name = raw_name.decode("utf-8", "surrogateescape")  # rejected by the name checks
        entries.append(Entry(name, raw_name, flags, method, crc, csize, usize, offset, system, external,
                             (mtime, mdate), bool(extra_len or comment_len)))
    if pos != len(directory):
        raise _corrupt(archive, "central directory has more records than the end record says")
    return entries


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int, archive: str) -> Tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<2H", extra, pos)
        body = extra[pos + 4:pos + 4 + size]
        pos += 4 + size
        if tag != 1:
            continue
        values = [v for v in struct.unpack_from(f"<{len(body) // 8}Q", body)]
        try:
            if usize == _U32:
                usize = values.pop(0)
            if csize == _U32:
                csize = values.pop(0)
            if offset == _U32:
                offset = values.pop(0)
        except IndexError:
            raise _corrupt(archive, "zip64 extra field too short") from None
    if _U32 in (usize, csize, offset):
        raise _corrupt(archive, "zip64 sizes missing")
    return usize, csize, offset


def _check_local_headers(handle: BinaryIO, entries: List[Entry], cd_offset: int, archive: str) -> None:
    """Each member's data must lie before the central directory and overlap no other member."""
    previous_end = 0
    for entry in sorted(entries, key=lambda e: e.header_offset):
        if entry.header_offset < previous_end:
            raise _corrupt(archive, f"member {entry.name!r} overlaps another member (a zip bomb?)")
        handle.seek(entry.header_offset)
        header = handle.read(_LOCAL.size)
        if len(header) != _LOCAL.size:
            raise _corrupt(archive, "local header truncated")
        sig, _, _, _, _, _, _, _, _, name_len, extra_len = _LOCAL.unpack(header)
        if sig != _SIG_LOCAL:
            raise _corrupt(archive, f"no local header for {entry.name!r}")
        if handle.read(name_len) != entry.raw_name:
            raise _corrupt(archive, f"local header name differs from the directory for {entry.name!r}")
        entry.data_offset = entry.header_offset + _LOCAL.size + name_len + extra_len
        entry.has_extras = entry.has_extras or bool(extra_len)
        previous_end = entry.data_offset + entry.compressed_size
        if previous_end > cd_offset:
            raise _corrupt(archive, f"data of {entry.name!r} runs past the central directory; truncated?")


def read_raw(handle: BinaryIO, entry: Entry) -> Iterator[bytes]:
    """The stored (possibly compressed) bytes of ``entry``, in chunks."""
    handle.seek(entry.data_offset)
    left = entry.compressed_size
    while left:
        chunk = handle.read(min(left, _CHUNK))
        if not chunk:
            raise RemapError(f"member {entry.name!r}: unexpected end of file; the archive is truncated")
        left -= len(chunk)
        yield chunk


def read_raw_at(fd: int, entry: Entry) -> Iterator[bytes]:
    """Like :func:`read_raw` but with positioned reads, so several threads can share ``fd``."""
    offset, end = entry.data_offset, entry.data_offset + entry.compressed_size
    while offset < end:
        chunk = os.pread(fd, min(end - offset, _CHUNK), offset)
        if not chunk:
            raise RemapError(f"member {entry.name!r}: unexpected end of file; the archive is truncated")
        offset += len(chunk)
        yield chunk


class Inflater:
    """Decompress one member's chunks, never producing more than ``limit`` bytes at once."""

    def __init__(self, entry: Entry, archive: str) -> None:
        self.entry = entry
        self.archive = archive
        if entry.method == DEFLATED:
            self._inflate: Optional["zlib._Decompress"] = zlib.decompressobj(-15)
        elif entry.method == STORED:
            self._inflate = None
        else:
            raise RemapError(
                f"{archive}: member {entry.name!r} uses compression method {entry.method}; "
                "only stored and deflate are supported, rebuild the archive with deflate"
            )

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            yield chunk
            return
        try:
            out = self._inflate.decompress(chunk, _CHUNK)
            while True:
                if out:
                    yield out
                tail = self._inflate.unconsumed_tail
                if not tail:
                    break
                out = self._inflate.decompress(tail, _CHUNK)
        except zlib.error as exc:
            raise RemapError(f"{self.archive}: member {self.entry.name!r} has corrupt deflate data ({exc})") from None

    def finish(self) -> None:
        if self._inflate is None:
            return
        if not self._inflate.eof:
            raise RemapError(f"{self.archive}: member {self.entry.name!r} has truncated deflate data")
        if self._inflate.unused_data:
            raise RemapError(
                f"{self.archive}: member {self.entry.name!r} has bytes after the end of its deflate data; "
                "the archive is corrupt, rebuild it"
            )


def dos_datetime(epoch: int) -> Tuple[int, int]:
    """(time, date) of ``epoch`` in UTC, clamped into what a DOS timestamp can hold."""
    clamped = min(max(int(epoch), ZIP_MIN_EPOCH), ZIP_MAX_EPOCH)
    tm = time.gmtime(clamped)
    return (
        (tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec // 2),
        ((tm.tm_year - 1980) << 9) | (tm.tm_mon << 5) | tm.tm_mday,
    )


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class Writer:
    """Append members to a binary stream, then finish with the central directory."""

    def __init__(self, out: BinaryIO, dos_time: Tuple[int, int]) -> None:
        self.out = out
        self.offset = 0
        self.time, self.date = dos_time
        self.central: List[bytes] = []
        self._open: Optional[Tuple[bytes, int, int, int, int, int, int]] = None
        self._written = 0

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def begin(self, name: str, mode: int, crc: int, compressed_size: int, size: int) -> None:
        """Write the local header of a deflated member; its data follows with :meth:`data`."""
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else FLAG_UTF8
        zip64 = size >= _U32 or compressed_size >= _U32
        extra = struct.pack("<2H2Q", 1, 16, size, compressed_size) if zip64 else b""
        self._emit(_LOCAL.pack(
            _SIG_LOCAL, 45 if zip64 else 20, flags, DEFLATED, self.time, self.date, crc,
            _U32 if zip64 else compressed_size, _U32 if zip64 else size, len(raw), len(extra),
        ) + raw + extra)
        self._open = (raw, flags, mode, crc, compressed_size, size, self.offset - len(raw) - len(extra) - _LOCAL.size)
        self._written = 0

    def data(self, chunk: bytes) -> None:
        self._written += len(chunk)
        self._emit(chunk)

    def copy_raw(self, handle: BinaryIO, offset: int, length: int) -> None:
        """Member data straight from another file (kernel copy when the sink can)."""
        copy_range = getattr(self.out, "copy_range", None)
        if copy_range is not None:
            copy_range(handle, offset, length)
            self.offset += length
            self._written += length
            return
        handle.seek(offset)
        left = length
        while left:
            chunk = handle.read(min(left, _CHUNK))
            if not chunk:
                raise RemapError("unexpected end of file while copying a member; the archive is truncated")
            self.data(chunk)
            left -= len(chunk)

    def end(self) -> None:
        assert self._open is not None
        raw, flags, mode, crc, csize, usize, header_offset = self._open
        if self._written != csize:
            raise RemapError(f"member {raw!r}: wrote {self._written} bytes, expected {csize} (internal error)")
        values = [v for v, big in ((usize, usize >= _U32), (csize, csize >= _U32),
                                   (header_offset, header_offset >= _U32)) if big]
        extra = struct.pack(f"<2H{len(values)}Q", 1, 8 * len(values), *values) if values else b""
        self.central.append(_CENTRAL.pack(
            _SIG_CENTRAL, 20, _MADE_BY >> 8, 45 if values else 20, flags, DEFLATED, self.time, self.date, crc,
            min(csize, _U32), min(usize, _U32), len(raw), len(extra), 0, 0, 0, mode << 16,
            min(header_offset, _U32),
        ) + raw + extra)
        self._open = None

    def add(self, name: str, mode: int, content: bytes) -> None:
        """A whole member from memory, deflated with our settings."""
        packed = deflate(content)
        self.begin(name, mode, zlib.crc32(content), len(packed), len(content))
        self.data(packed)
        self.end()

    def finish(self) -> None:
        cd_offset = self.offset
        for record in self.central:
            self._emit(record)
        cd_size = self.offset - cd_offset
        count = len(self.central)
        if count >= _U16 or cd_offset >= _U32 or cd_size >= _U32:
            eocd64_offset = self.offset
            self._emit(_EOCD64.pack(_SIG_EOCD64, _EOCD64.size - 12, _MADE_BY, 45, 0, 0,
                                    count, count, cd_size, cd_offset))
            self._emit(_EOCD64_LOCATOR.pack(_SIG_LOCATOR, 0, eocd64_offset, 1))
            self._emit(_EOCD.pack(_SIG_EOCD, 0, 0, min(count, _U16), min(count, _U16),
                                  min(cd_size, _U32), min(cd_offset, _U32), 0))
        else:
            self._emit(_EOCD.pack(_SIG_EOCD, 0, 0, count, count, cd_size, cd_offset, 0))

"""Just enough ELF for the leak guard: section names and ranges, compressed sections inflated, dynamic tags.

A plain byte search of a shared library misses whatever sits in a compressed
debug section (``-gz``: ``SHF_COMPRESSED`` with a zlib or zstd header, or the
legacy ``.zdebug*`` sections with a ``ZLIB`` header), so those are inflated
and searched on their own. zstd needs ``compression.zstd`` (Python 3.14+);
without it such a section is reported as one that cannot be inspected, never
passed silently. Anything that does not parse as ELF is treated as plain bytes.
"""

from __future__ import annotations

import struct
import zlib
from typing import List, NamedTuple, Optional, Tuple

MAGIC = b"\x7fELF"
SHT_NOBITS = 8
SHT_DYNAMIC = 6
SHF_COMPRESSED = 0x800
ELFCOMPRESS_ZLIB = 1
ELFCOMPRESS_ZSTD = 2
#: Dynamic tags whose value is an offset into the dynamic string table.
STRING_TAGS = {1: "DT_NEEDED", 14: "DT_SONAME", 15: "DT_RPATH", 29: "DT_RUNPATH"}
#: No debug section inflates to more than this (a hostile header could claim anything).
MAX_INFLATED = 4 * 1024**3


class Section(NamedTuple):
    name: str
    start: int  # file offset
    end: int
    compressed: Optional[str] = None  # "zlib", "zstd", "zdebug" (legacy zlib)


class Layout(NamedTuple):
    sections: Tuple[Section, ...]
    order: str = "<"  # struct byte-order prefix
    wide: bool = True  # 64-bit
    #: (tag name, file offset of the string, string) for DT_NEEDED/SONAME/RPATH/RUNPATH.
    dynamic_strings: Tuple[Tuple[str, int, bytes], ...] = ()

    def where(self, offset: int) -> str:
        """What holds the byte at ``offset``: a dynamic tag, a section, or the file outside any section."""
        for tag, start, value in self.dynamic_strings:
            if start <= offset < start + len(value):
                return f"dynamic section {tag}"
        for section in self.sections:
            if section.start <= offset < section.end:
                return f"section {section.name}"
        return "ELF file outside any section"


class CannotInspect(Exception):
    """A section whose content this interpreter cannot decompress."""


def is_elf(data: bytes) -> bool:
    return data[:4] == MAGIC


def layout(data: bytes) -> Optional[Layout]:
    """Sections and dynamic strings of an ELF file, or None if it does not parse."""
    try:
        return _layout(data)
    except (struct.error, IndexError, ValueError):
        return None


def _layout(data: bytes) -> Optional[Layout]:
    if not is_elf(data) or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    wide = data[4] == 2
    order = "<" if data[5] == 1 else ">"
    if wide:
        shoff, = struct.unpack_from(order + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "3H", data, 0x3A)
        header = struct.Struct(order + "IIQQQQIIQQ")
    else:
        shoff, = struct.unpack_from(order + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + "3H", data, 0x2E)
        header = struct.Struct(order + "IIIIIIIIII")
    if shoff == 0 or shnum == 0 or shentsize < header.size or shoff + shnum * shentsize > len(data):
        return Layout((), order, wide)
    raw = [header.unpack_from(data, shoff + index * shentsize) for index in range(shnum)]
    # (name, type, flags, addr, offset, size, link, info, addralign, entsize)
    names = data[raw[shstrndx][4]:raw[shstrndx][4] + raw[shstrndx][5]] if shstrndx < shnum else b""
    sections: List[Section] = []
    dynamic: List[Tuple[str, int, bytes]] = []
    for name_offset, kind, flags, _, offset, size, link, _, _, entsize in raw:
        if kind == SHT_NOBITS or size == 0 or offset + size > len(data):
            continue
        name_end = names.find(b"\0", name_offset)
        name = names[name_offset:name_end if name_end != -1 else len(names)].decode("utf-8", "replace")
        compressed = None
        if flags & SHF_COMPRESSED:
            kind_code, = struct.unpack_from(order + "I", data, offset)
            compressed = {ELFCOMPRESS_ZLIB: "zlib", ELFCOMPRESS_ZSTD: "zstd"}.get(kind_code, f"type {kind_code}")
        elif name.startswith(".zdebug") and data[offset:offset + 4] == b"ZLIB":
            compressed = "zdebug"
        sections.append(Section(name, offset, offset + size, compressed))
        if kind == SHT_DYNAMIC and link < shnum:
            dynamic.extend(_dynamic_strings(data, order, wide, offset, size, raw[link][4], raw[link][5]))
    return Layout(tuple(sections), order, wide, tuple(dynamic))


def _dynamic_strings(data: bytes, order: str, wide: bool, offset: int, size: int,
                     strtab: int, strtab_size: int) -> List[Tuple[str, int, bytes]]:
    entry = struct.Struct(order + ("qQ" if wide else "iI"))
    found = []
    for position in range(offset, offset + size - entry.size + 1, entry.size):
        tag, value = entry.unpack_from(data, position)
        if tag == 0:
            break
        if tag in STRING_TAGS and value < strtab_size:
            start = strtab + value
            end = data.find(b"\0", start, strtab + strtab_size)
            found.append((STRING_TAGS[tag], start, data[start:end if end != -1 else strtab + strtab_size]))
    return found


def inflate(data: bytes, section: Section, elf: Layout) -> bytes:
    """The content of a compressed section; raises CannotInspect when that is impossible here."""
    body = data[section.start:section.end]
    if section.compressed == "zdebug":  # "ZLIB", 8-byte big-endian size, zlib stream
        return _zlib(body[12:])
    chdr = struct.Struct(elf.order + ("IIQQ" if elf.wide else "III"))
    if section.compressed == "zlib":
        return _zlib(body[chdr.size:])
    if section.compressed == "zstd":
        try:
            from compression import zstd  # type: ignore[import-not-found]  # novermin (3.14+, guarded)
        except ImportError:
            raise CannotInspect("zstd-compressed, and this Python has no zstd module (3.14+ has one)") from None
        try:
            return zstd.decompress(body[chdr.size:])
        except Exception as exc:  # zstd.ZstdError and friends: corrupt data
            raise CannotInspect(f"corrupt zstd data ({exc})") from None
    raise CannotInspect(f"compressed with an unknown method ({section.compressed})")


def _zlib(stream: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(stream, MAX_INFLATED)
    except zlib.error as exc:
        raise CannotInspect(f"corrupt zlib data ({exc})") from None
    if inflater.unconsumed_tail:
        raise CannotInspect(f"inflates to more than {MAX_INFLATED} bytes")
    return out

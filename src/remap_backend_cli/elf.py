"""ELF section layout, for naming where a difference or a leaked path sits."""

from __future__ import annotations

import io
from dataclasses import dataclass

ELF_MAGIC = b"\x7fELF"


@dataclass(frozen=True)
class Section:
    name: str
    offset: int
    size: int
    data: bytes
    compressed: bool


def is_elf(data: bytes) -> bool:
    return data[:4] == ELF_MAGIC


def read_sections(data: bytes) -> list[Section] | None:
    """Sections with their raw (on-disk) bytes, or None if pyelftools can't parse it."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        elf = ELFFile(io.BytesIO(data))
        sections = []
        for section in elf.iter_sections():
            header = section.header
            on_disk = header["sh_type"] != "SHT_NOBITS"
            size = header["sh_size"] if on_disk else 0
            offset = header["sh_offset"]
            sections.append(
                Section(
                    name=section.name,
                    offset=offset,
                    size=size,
                    data=data[offset : offset + size],
                    compressed=bool(header["sh_flags"] & 0x800),  # SHF_COMPRESSED
                )
            )
        return sections
    except (ELFError, ValueError, KeyError, OSError, AssertionError):
        return None


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The section whose file bytes contain ``offset`` (None for headers/padding)."""
    for section in sections:
        if section.size and section.offset <= offset < section.offset + section.size:
            return section
    return None


def differing_sections(a: list[Section], b: list[Section]) -> list[str]:
    """Names of sections whose bytes differ, appear in only one file, or whose size changed."""
    by_name_a = {s.name: s for s in a}
    by_name_b = {s.name: s for s in b}
    names = list(dict.fromkeys([*by_name_a, *by_name_b]))
    changed = []
    for name in names:
        left, right = by_name_a.get(name), by_name_b.get(name)
        if left is None or right is None or left.data != right.data:
            changed.append(name or "<unnamed>")
    return changed

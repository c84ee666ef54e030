"""Search built files for paths that must not be in them: raw bytes, ELF sections, DWARF.

A plain byte search misses paths in compressed debug sections
(``SHF_COMPRESSED``, ``-gz``), so ELF sections are also searched after
pyelftools decompresses them, and the DWARF path attributes (compile units,
line tables, ``.debug_str``/``.debug_line_str``) are decoded with the CLI's
extractor, :func:`remap_backend_cli.dwarf.path_records`.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

REPO = Path(__file__).resolve().parents[2]

#: Names the frontends and backends give their random directories. Any of
#: these in a built file means a random path got in, whatever its parent was.
RANDOM_DIR_PATTERNS = (
    re.compile(rb"pip-build-env-[A-Za-z0-9_]+"),
    re.compile(rb"pip-req-build-[A-Za-z0-9_]+"),
    re.compile(rb"build-env-[A-Za-z0-9_]{6,}"),
    re.compile(rb"build-via-sdist-[A-Za-z0-9_]+"),
    re.compile(rb"/\.tmp[A-Za-z0-9]{6}\b"),
    re.compile(rb"\.mesonpy-[A-Za-z0-9_]{8}"),
    re.compile(rb"remap-backend-build-[A-Za-z0-9_]+"),
    re.compile(rb"remap-backend-tmp-[A-Za-z0-9_]+"),
    re.compile(rb"pytest-of-[A-Za-z0-9_]+"),
)


@dataclass(frozen=True)
class Leak:
    member: str  # file inside the wheel (or the file name)
    where: str  # "raw bytes", "section .debug_str", "DW_AT_comp_dir", ...
    found: str  # the needle or the matched random-directory name
    excerpt: str  # the surrounding text, to see what carried it

    def __str__(self) -> str:
        return f"{self.member}: {self.where}: {self.found!r} in {self.excerpt!r}"


def _dwarf_module():
    try:
        from remap_backend_cli import dwarf
    except ImportError:
        sys.path.insert(0, str(REPO / "src"))
        from remap_backend_cli import dwarf
    return dwarf


def _excerpt(data: bytes, start: int, end: int) -> str:
    """The printable run around a hit: usually the whole path string."""
    left = start
    while left > 0 and start - left < 200 and 32 <= data[left - 1] < 127:
        left -= 1
    right = end
    while right < len(data) and right - end < 200 and 32 <= data[right] < 127:
        right += 1
    return data[left:right].decode("ascii", errors="replace")


def _search(member: str, where: str, data: bytes, needles: Sequence[bytes]) -> Iterable[Leak]:
    for needle in needles:
        start = data.find(needle)
        if start != -1:  # one hit per needle and place is enough to explain it
            yield Leak(member, where, needle.decode(errors="replace"), _excerpt(data, start, start + len(needle)))
    for pattern in RANDOM_DIR_PATTERNS:
        match = pattern.search(data)
        if match:
            yield Leak(member, where, match.group().decode(errors="replace"),
                       _excerpt(data, match.start(), match.end()))


def _elf_places(data: bytes) -> list[tuple[str, bytes]]:
    """(place, decompressed bytes) of every ELF section pyelftools can read.

    The dynamic section's strings also come as their own places
    (``DT_RUNPATH``, ``DT_RPATH``, ``DT_NEEDED``, ``DT_SONAME``), so a leak
    there says which entry carries it.
    """
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    try:
        elf = ELFFile(io.BytesIO(data))
        places = []
        for section in elf.iter_sections():
            if section.header["sh_type"] == "SHT_NOBITS":
                continue
            places.append((f"section {section.name}", section.data()))
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    for attribute in ("runpath", "rpath", "needed", "soname"):
                        value = getattr(tag, attribute, None)
                        if isinstance(value, str):
                            places.append((f"dynamic {tag.entry.d_tag}", value.encode()))
        return places
    except (ELFError, ValueError, KeyError, OSError, AssertionError):
        return []


def find_leaks(files: Mapping[str, bytes], needles: Iterable[str]) -> list[Leak]:
    """Every place a needle or a random-directory name occurs in ``files``.

    Nothing is excused: an RPATH the interpreter's own LDSHARED would put in
    an extension names the builder's machine like any other path.
    """
    needle_bytes = sorted({n.encode() for n in needles if n and n != "/"}, key=len, reverse=True)
    dwarf = _dwarf_module()
    leaks: list[Leak] = []
    for member, data in files.items():
        leaks.extend(_search(member, "raw bytes", data, needle_bytes))
        if data[:4] != b"\x7fELF":
            continue
        for where, section in _elf_places(data):
            leaks.extend(_search(member, where, section, needle_bytes))
        for record in dwarf.path_records(data):
            value = record.value.encode()
            leaks.extend(_search(member, record.where, value, needle_bytes))
    return list(dict.fromkeys(leaks))


def dwarf_paths(data: bytes) -> list[str]:
    """The DWARF path strings of one ELF file (for assertions on what they became)."""
    return [record.value for record in _dwarf_module().path_records(data)]

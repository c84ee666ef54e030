"""Paths recorded in DWARF debug info, decoded with pyelftools.

Compilers write the build directory into the compile unit
(``DW_AT_comp_dir``, ``DW_AT_name``) and into the line tables' include
directories and file names. These are exactly the strings that differ when a
build ran in a random directory, and they may sit in compressed sections
where a plain byte search cannot see them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

CU_PATH_ATTRIBUTES = ("DW_AT_comp_dir", "DW_AT_name", "DW_AT_dwo_name", "DW_AT_GNU_dwo_name")


@dataclass(frozen=True)
class PathRecord:
    """One path string and where DWARF keeps it."""

    where: str  # e.g. "DW_AT_comp_dir" or "line table include_directories"
    value: str


def path_records(data: bytes) -> list[PathRecord]:
    """Every compile-unit path attribute and line-table directory/file name.

    Returns an empty list for files without DWARF or that pyelftools can't read:
    callers use this for explanations, never as the only evidence.
    """
    from elftools.elf.elffile import ELFFile

    records: list[PathRecord] = []
    try:
        elf = ELFFile(io.BytesIO(data))
        if not elf.has_dwarf_info():
            return []
        dwarf = elf.get_dwarf_info()
        for cu in dwarf.iter_CUs():
            top = cu.get_top_DIE()
            for attribute in CU_PATH_ATTRIBUTES:
                if attribute in top.attributes:
                    records.append(PathRecord(attribute, _text(top.attributes[attribute].value)))
            program = dwarf.line_program_for_CU(cu)
            if program is None:
                continue
            for directory in program.header.get("include_directory", ()):
                records.append(PathRecord("line table include_directories", _text(directory)))
            for entry in program.header.get("file_entry", ()):
                records.append(PathRecord("line table file_names", _text(entry.name)))
    except Exception:  # noqa: BLE001 - pyelftools raises many types on odd inputs
        return records
    return list(dict.fromkeys(records))


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)

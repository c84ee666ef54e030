"""Compare two wheels, sdists, directories or files member by member.

Entry by entry (added, removed, changed), then the archive metadata
(timestamps, modes, owners, order). A changed ELF file is broken down into
the sections that differ, the strings that differ in each and the DWARF paths
that differ; a changed ``.pyc`` is compared in ``canonical_pyc`` form, the one
definition of "same .pyc"; a changed text file gets a short unified diff.
:mod:`.explain` turns what is found into one-line causes. ``diff`` prints a
report, ``verify`` compares its builds with it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import dwarf, elf
from .digests import file_sha256
from .errors import RemapError
from .explain import explain_record, likely_cause
from .members import Member, kind_of, read_members

TEXT_DIFF_LINES = 12
_PRINTABLE = re.compile(rb"[\x20-\x7e]{4,}")
#: Sections whose bytes hold data and strings (not code, hashes or tables), by name prefix.
_DATA_SECTIONS = (".rodata", ".lrodata", ".data", ".ldata", ".dynstr", ".comment", ".strtab",
                  ".debug_str", ".debug_line_str")


@dataclass
class StringChange:
    """Printable strings (4+ characters) found in one version of a section and not in the other."""

    section: str
    only_in_a: list[str]
    only_in_b: list[str]


@dataclass
class DwarfPathChange:
    where: str
    only_in_a: list[str]
    only_in_b: list[str]


@dataclass
class ChangedEntry:
    """One member present in both inputs whose content differs."""

    name: str
    kind: str  # "elf", "pyc", "text", "binary"
    size_a: int
    size_b: int
    sections: list[str] = field(default_factory=list)
    dwarf_paths: list[DwarfPathChange] = field(default_factory=list)
    strings: list[StringChange] = field(default_factory=list)
    line_endings_only: bool = False
    pyc_marshal_equal: bool | None = None
    pyc_header_differs: bool | None = None
    pyc_loads_equal: bool | None = None  # this interpreter loads both to equal objects
    text_diff: list[str] = field(default_factory=list)
    cause: str = ""


@dataclass
class MetadataChange:
    name: str  # member name, or "<archive>" for container-level fields
    field: str
    a: object
    b: object


@dataclass
class DiffReport:
    a: str
    b: str
    identical: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ChangedEntry] = field(default_factory=list)
    metadata: list[MetadataChange] = field(default_factory=list)
    order_differs: bool = False
    container_only: bool = False  # members and metadata equal, container bytes not

    @property
    def causes(self) -> list[str]:
        """Distinct likely causes, most specific first."""
        found = [c.cause for c in self.changed if c.cause]
        fields = {m.field for m in self.metadata}
        if fields & {"mtime", "date_time", "gzip mtime"}:
            found.append("file timestamps differ: archives were not normalized to SOURCE_DATE_EPOCH")
        if fields & {"mode", "external_attr"}:
            found.append("file modes differ: umask or permissions leaked into the archive")
        if "compress_type" in fields:
            found.append("compression method differs: the archive was written by different tools or settings")
        if fields & {"uid", "gid", "uname", "gname"}:
            found.append("file owners differ: build user leaked into the sdist")
        if self.order_differs:
            found.append("member order differs: directory listing order leaked into the archive")
        if self.added or self.removed:
            found.append("different file lists: the build produced different files")
        if self.container_only:
            found.append("same files and metadata but different archive bytes (compression or zip headers)")
        return list(dict.fromkeys(found))


def diff_paths(a: Path, b: Path) -> DiffReport:
    """Compare two artifacts of the same kind (wheel, sdist, directory, file)."""
    if kind_of(a) != kind_of(b):
        raise RemapError(f"cannot compare a {kind_of(a)} with a {kind_of(b)}: give two wheels, two sdists or two dirs")
    report = DiffReport(a=str(a), b=str(b), identical=False)
    if a.is_file() and b.is_file() and file_sha256(a) == file_sha256(b):
        report.identical = True
        return report
    members_a = {m.name: m for m in read_members(a)}
    members_b = {m.name: m for m in read_members(b)}
    report.added = [n for n in members_b if n not in members_a]
    report.removed = [n for n in members_a if n not in members_b]
    common = [n for n in members_a if n in members_b]
    for name in common:
        left, right = members_a[name], members_b[name]
        data_a, data_b = left.read(), right.read()
        if data_a != data_b:
            report.changed.append(compare_contents(name, data_a, data_b))
        report.metadata.extend(_metadata_changes(left, right, kind_of(a)))
    order_b = [n for n in members_b if n in members_a]
    report.order_differs = common != order_b
    report.metadata.extend(_container_changes(a, b))
    explain_record(report)
    nothing_else = not (report.added or report.removed or report.changed or report.metadata or report.order_differs)
    report.container_only = nothing_else and a.is_file()
    report.identical = nothing_else and not report.container_only
    return report


def compare_contents(name: str, data_a: bytes, data_b: bytes) -> ChangedEntry:
    """Describe how one member's bytes differ."""
    if elf.is_elf(data_a) and elf.is_elf(data_b):
        entry = ChangedEntry(name, "elf", len(data_a), len(data_b))
        sections_a, sections_b = elf.read_sections(data_a), elf.read_sections(data_b)
        if sections_a is not None and sections_b is not None:
            entry.sections = elf.differing_sections(sections_a, sections_b)
            entry.strings = _string_changes(sections_a, sections_b, entry.sections)
        entry.dwarf_paths = _dwarf_changes(data_a, data_b)
    elif name.endswith(".pyc"):
        entry = ChangedEntry(name, "pyc", len(data_a), len(data_b))
        entry.pyc_header_differs = data_a[:16] != data_b[:16]
        entry.pyc_marshal_equal = _marshal_equal(data_a, data_b)
        if not entry.pyc_marshal_equal:
            entry.pyc_loads_equal = _loads_equal(data_a, data_b)
    elif _is_text(data_a) and _is_text(data_b):
        entry = ChangedEntry(name, "text", len(data_a), len(data_b))
        entry.text_diff = _text_diff(name, data_a, data_b)
        entry.line_endings_only = _unix_lines(data_a) == _unix_lines(data_b)
    else:
        entry = ChangedEntry(name, "binary", len(data_a), len(data_b))
    entry.cause = likely_cause(entry)
    return entry


def _string_changes(sections_a: list, sections_b: list, differing: list[str]) -> list[StringChange]:
    """For each differing data section, the strings only one side has (in file order)."""
    by_name_a = {s.name: s for s in sections_a}
    by_name_b = {s.name: s for s in sections_b}
    changes = []
    for name in differing:
        left, right = by_name_a.get(name), by_name_b.get(name)
        if left is None or right is None or left.compressed or right.compressed or not name.startswith(_DATA_SECTIONS):
            continue
        strings_a = [m.decode("ascii") for m in _PRINTABLE.findall(left.data)]
        strings_b = [m.decode("ascii") for m in _PRINTABLE.findall(right.data)]
        set_a, set_b = set(strings_a), set(strings_b)
        only_a = list(dict.fromkeys(t for t in strings_a if t not in set_b))
        only_b = list(dict.fromkeys(t for t in strings_b if t not in set_a))
        if only_a or only_b:
            changes.append(StringChange(name, only_a, only_b))
    return changes


def _unix_lines(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _dwarf_changes(data_a: bytes, data_b: bytes) -> list[DwarfPathChange]:
    records_a, records_b = dwarf.path_records(data_a), dwarf.path_records(data_b)
    changes = []
    for where in dict.fromkeys(r.where for r in [*records_a, *records_b]):
        values_a = [r.value for r in records_a if r.where == where]
        values_b = [r.value for r in records_b if r.where == where]
        only_a = [v for v in values_a if v not in values_b]
        only_b = [v for v in values_b if v not in values_a]
        if only_a or only_b:
            changes.append(DwarfPathChange(where, only_a, only_b))
    return changes


def _marshal_equal(data_a: bytes, data_b: bytes) -> bool | None:
    """Whether both pycs are the same .pyc by ``canonical_pyc``'s definition; None if it cannot read one.

    Comparing bytes is not a fair test: marshal's FLAG_REF back-references
    depend on reference counts and interning, which is exactly the noise that
    the canonical form removes (for every Python version it knows).
    """
    from remap_backend.archives.pyc import HEADER_SIZE, UnsupportedPyc, canonical_pyc

    try:
        return canonical_pyc(data_a)[HEADER_SIZE:] == canonical_pyc(data_b)[HEADER_SIZE:]
    except (UnsupportedPyc, ValueError, EOFError):
        return None


def _loads_equal(data_a: bytes, data_b: bytes) -> bool | None:
    """For the explanation only: do both load to equal objects here (None: not this Python's pycs)."""
    import importlib.util
    import marshal

    if data_a[:4] != importlib.util.MAGIC_NUMBER or data_b[:4] != importlib.util.MAGIC_NUMBER:
        return None
    try:
        return marshal.loads(data_a[16:]) == marshal.loads(data_b[16:])
    except (ValueError, EOFError, TypeError):
        return None


def _is_text(data: bytes) -> bool:
    """Text as the normalizer's scrubber means it, so diff and the scrubber agree on every member."""
    from remap_backend.archives.scrub import is_text

    return is_text(data)


def _text_diff(name: str, data_a: bytes, data_b: bytes) -> list[str]:
    lines = difflib.unified_diff(
        data_a.decode().splitlines(), data_b.decode().splitlines(), f"a/{name}", f"b/{name}", n=0, lineterm=""
    )
    return [line for line in lines if not line.startswith("@@")][:TEXT_DIFF_LINES]


_SKIP_METADATA = {"date_time"}  # shown as mtime already


def _metadata_changes(left: Member, right: Member, kind: str) -> list[MetadataChange]:
    changes = []
    if kind != "dir" and left.mtime != right.mtime:
        changes.append(MetadataChange(left.name, "mtime", left.mtime, right.mtime))
    if left.mode != right.mode:
        changes.append(MetadataChange(left.name, "mode", _octal(left.mode), _octal(right.mode)))
    extra_b = dict(right.extra)
    for key, value in left.extra:
        if key not in _SKIP_METADATA and key != "external_attr" and extra_b.get(key) != value:
            changes.append(MetadataChange(left.name, key, value, extra_b.get(key)))
    return changes


def _container_changes(a: Path, b: Path) -> list[MetadataChange]:
    if kind_of(a) != "tar" or not a.name.endswith((".gz", ".tgz")):
        return []
    head_a, head_b = _head(a), _head(b)
    if head_a[4:8] != head_b[4:8]:
        return [MetadataChange("<archive>", "gzip mtime", int.from_bytes(head_a[4:8], "little"),
                               int.from_bytes(head_b[4:8], "little"))]
    return []


def _head(path: Path, size: int = 10) -> bytes:
    with path.open("rb") as stream:
        return stream.read(size)


def _octal(mode: int | None) -> str | None:
    return None if mode is None else oct(mode)

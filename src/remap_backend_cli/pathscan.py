"""Find absolute build paths baked into bytes, and say where each one sits.

A path is worth reporting when it points somewhere that only existed during
one build: a temp directory, a build environment of pip/build/uv, a home
directory, or a path the user names. Binaries are searched byte by byte; in
ELF files each hit is tied to its section and, inside debug info, to the
DWARF attribute or line table that holds it. Paths living in compressed
debug sections are found through the decoded DWARF. ``scan`` prints these
findings; the benchmarks' corpus counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from . import dwarf, elf
from .members import kind_of, read_members

# Characters that continue a path once it started with '/'.
_PATH_TOKEN = re.compile(rb"(?<![A-Za-z0-9._+\-@~%=,/])/[A-Za-z0-9._+\-@~%=,/]+")

_TEMP_ROOTS = re.compile(r"^/(?:private/)?(?:var/)?(?:tmp|folders)/.|^/dev/shm/.|^/__w/")
_TEMP_NAMES = re.compile(r"/\.tmp[A-Za-z0-9]{6}(?:/|$)")
_BUILD_ENVS = re.compile(
    r"pip-build-env-|build-env-|builds-v0|pip-req-build-|pip-install-|pip-wheel-"
    r"|pip-modern-metadata-|pip-build-tracker-|\.cache/uv/"
)
_HOMES = re.compile(r"^/home/[^/]+/.|^/root/.|^/Users/[^/]+/.")


@dataclass(frozen=True)
class Finding:
    """One occurrence of a build path."""

    file: str  # "dist/x.whl!pkg/_ext.so", or a plain file path
    offset: int | None  # byte offset in the file; None when only seen in decoded (compressed) DWARF
    kind: str  # "temp dir", "build env", "home", "given path"
    path: str
    section: str | None = None
    dwarf: str | None = None

    def describe(self) -> str:
        where = f"{self.file}:{self.offset}" if self.offset is not None else f"{self.file}"
        details = []
        if self.section:
            details.append(f"section {self.section}")
        if self.dwarf:
            details.append(f"DWARF {self.dwarf}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{where}: {self.kind}: {self.path}{suffix}"


def classify(path: str, given: Sequence[str] = (), home: str | None = "") -> str | None:
    """Why ``path`` is a build-specific path, or None if it looks stable.

    ``home`` is the user's home directory; None turns home reporting off
    entirely (``--no-home``), "" keeps only the generic /home/*, /root patterns.
    """
    for candidate in given:
        if candidate and candidate in path:
            return "given path"
    if _BUILD_ENVS.search(path):
        return "build env"
    if _TEMP_ROOTS.search(path) or _TEMP_NAMES.search(path):
        return "temp dir"
    if home is None:
        return None
    if _HOMES.search(path) or (home not in ("/", "") and path.startswith(home.rstrip("/") + "/")):
        return "home"
    return None


def scan_bytes(data: bytes, label: str, given: Sequence[str] = (), home: str | None = "") -> list[Finding]:
    """All findings in one file's bytes; ELF files also get section and DWARF details."""
    hits = list(_raw_hits(data, given, home))
    if not elf.is_elf(data):
        return [Finding(label, offset, kind, path) for offset, kind, path in hits]
    sections = elf.read_sections(data) or []
    records = dwarf.path_records(data)
    findings = []
    for offset, kind, path in hits:
        section = elf.section_at(sections, offset)
        section_name = section.name if section else None
        where = None
        if section_name and (section_name.startswith(".debug") or section_name.startswith(".zdebug")):
            where = _dwarf_where(path, records)
        findings.append(Finding(label, offset, kind, path, section_name, where))
    seen = {f.path for f in findings}
    for record in records:
        kind = classify(record.value, given, home)
        if kind and not any(record.value in path or path in record.value for path in seen):
            findings.append(Finding(label, None, kind, record.value, "(compressed debug info)", record.where))
            seen.add(record.value)
    return findings


def _raw_hits(data: bytes, given: Sequence[str], home: str | None) -> Iterable[tuple[int, str, str]]:
    reported: set[int] = set()
    for literal in given:
        needle = literal.encode()
        start = data.find(needle)
        while needle and start != -1:
            reported.add(start)
            end = _token_end(data, start + len(needle))
            yield start, "given path", data[start:end].decode("utf-8", errors="replace")
            start = data.find(needle, end)
    for match in _PATH_TOKEN.finditer(data):
        if any(match.start() <= offset < match.end() for offset in reported):
            continue
        token = match.group()
        extra_slashes = len(token) - len(token.lstrip(b"/")) - 1  # file:///tmp/x -> /tmp/x
        path = token[extra_slashes:].decode("utf-8", errors="replace")
        kind = classify(path, given, home)
        if kind:
            yield match.start() + extra_slashes, kind, path


def _token_end(data: bytes, position: int) -> int:
    match = re.compile(rb"[A-Za-z0-9._+\-@~%=,/]*").match(data, position)
    return match.end() if match else position


def _dwarf_where(path: str, records: Sequence[dwarf.PathRecord]) -> str | None:
    places = [r.where for r in records if r.value and (r.value in path or path in r.value)]
    return ", ".join(dict.fromkeys(places)) or None


def scan_path(path: Path, given: Sequence[str] = (), home: str | None = "") -> list[Finding]:
    """Findings in a wheel, sdist, directory or plain file."""
    kind = kind_of(path)
    findings = []
    for member in read_members(path):
        label = str(path) if kind == "file" else f"{path}!{member.name}" if kind != "dir" else str(
            path / member.name
        )
        findings.extend(scan_bytes(member.read(), label, given, home))
    return findings

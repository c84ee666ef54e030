"""The leak guard: after the build, search every member of the wheel for this build's varying paths.

The proxy knows which paths vary (the plan's maps: source tree, build
directories, build environment, base interpreter prefix, TMPDIR, home, cargo
and rustup homes; shared locations like ``/usr`` or ``/tmp`` are not searched,
see :mod:`.varying`). Whatever still names one of them after remapping,
scrubbing and normalizing will differ on the next build or machine. The guard
searches each member's final bytes, and in ELF files also the inflated
content of compressed debug sections; a hit in an ELF file is named by the
section that holds it, or by the dynamic tag (``DT_RUNPATH``, ...) whose
string it is. It runs inside the normalizer's single pass over the members
(:meth:`Guard.inspect` is its observer), or on its own when normalizing is off.

One line per member and path: ``remap-backend: leak: <member>: <path> (<where>)``.
With ``remap.strict`` a finding fails the build.
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional

from . import elf
from .. import log
from ..errors import RemapError
from ..remap.pathmap import PathMap
from ..remap.varying import Matcher


#: Findings the one-line error names (the lines above it list all of them).
MAX_NAMED = 5


class Finding(NamedTuple):
    member: str
    #: The varying path found, or None when part of the member could not be inspected.
    path: Optional[str]
    where: str

    def line(self) -> str:
        if self.path is None:
            return f"leak: {self.member}: cannot inspect {self.where}"
        return f"leak: {self.member}: {self.path} ({self.where})"


def scan_member(matcher: Matcher, member: str, data: bytes) -> List[Finding]:
    """Every varying path ``data`` names, one finding per path (its places joined)."""
    places: Dict[str, List[str]] = {}
    unreadable: List[str] = []
    layout = elf.layout(data) if elf.is_elf(data) else None
    for match in matcher.finditer(data):
        where = layout.where(match.start) if layout is not None else "bytes"
        _add(places, match.source, where)
    for section in layout.sections if layout is not None else ():
        if section.compressed is None:
            continue
        try:
            content = elf.inflate(data, section, layout)  # type: ignore[arg-type]
        except elf.CannotInspect as exc:
            unreadable.append(f"section {section.name}: {exc}")
            continue
        kind = "zlib" if section.compressed == "zdebug" else section.compressed
        for match in matcher.finditer(content):
            _add(places, match.source, f"section {section.name}, {kind}-compressed")
    found = [Finding(member, path, ", ".join(wheres)) for path, wheres in places.items()]
    return found + [Finding(member, None, what) for what in unreadable]


def _add(places: Dict[str, List[str]], path: str, where: str) -> None:
    wheres = places.setdefault(path, [])
    if where not in wheres:
        wheres.append(where)


class Guard:
    """Collects findings member by member; safe to call from the normalizer's helper threads."""

    def __init__(self, maps: Iterable[PathMap]) -> None:
        self.matcher = Matcher(maps)
        self._found: Dict[str, List[Finding]] = {}
        self._lock = threading.Lock()

    def inspect(self, member: str, data: bytes) -> None:
        found = scan_member(self.matcher, member, data)
        if found:
            with self._lock:
                self._found[member] = found

    def scan_wheel(self, path: Path) -> None:
        """The guard's own pass, for a wheel the normalizer did not read (``remap.normalize = false``)."""
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and not info.filename.endswith(".dist-info/RECORD"):
                    self.inspect(info.filename, archive.read(info))

    def findings(self) -> List[Finding]:
        """In member order (the threads finish in any order)."""
        with self._lock:
            return [finding for member in sorted(self._found) for finding in self._found[member]]


def report(findings: List[Finding], archive: str, strict: bool) -> None:
    """Print one line per finding; with ``strict``, fail the build with one line naming them."""
    for finding in findings:
        log.info(finding.line())
    if not findings:
        return
    named = "; ".join(_short(finding) for finding in findings[:MAX_NAMED])
    if len(findings) > MAX_NAMED:
        named += f"; and {len(findings) - MAX_NAMED} more"
    if strict:
        raise RemapError(
            f"{archive}: {len(findings)} leak finding(s): {named}; these paths differ between builds or machines: "
            "map them (path-map), keep them out of the build, or set remap.strict=false to only warn"
        )
    log.warn(f"{archive}: {len(findings)} leak finding(s) (lines above); "
             "set remap.strict=true to fail the build on them")


def _short(finding: Finding) -> str:
    if finding.path is None:
        return f"{finding.member}: cannot inspect {finding.where}"
    return f"{finding.member} names {finding.path} ({finding.where})"

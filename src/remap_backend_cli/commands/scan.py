"""``remap-backend scan``: find absolute build paths baked into artifacts.

A path is worth reporting when it points somewhere that only existed during
one build: a temp directory, a build environment of pip/build/uv, a home
directory, or a path the user names. Binaries are searched byte by byte; in
ELF files each hit is tied to its section and, inside debug info, to the
DWARF attribute or line table that holds it. Paths living in compressed
debug sections are found through the decoded DWARF.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .. import dwarf, elf
from ..errors import EXIT_DIFFERENT, EXIT_SAME
from ..members import kind_of, read_members
from ..progress import add_output_options

EXAMPLES = """\
examples:
  remap-backend scan dist/markupsafe-3.0.2-cp311-cp311-linux_x86_64.whl
  remap-backend scan build/ --path "$PWD"
  remap-backend scan --json dist/*.whl > leaks.json

exit status: 0 no build path found, 1 found, 2 error
"""

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


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="find absolute build paths (temp dirs, build envs, home) in artifacts",
        description=__doc__.split("\n\n")[0] + "\n\n" + EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="wheel, sdist, directory or file")
    parser.add_argument(
        "--path", dest="given", action="append", default=[], metavar="P",
        help="also report this path (repeatable), e.g. the source checkout",
    )
    parser.add_argument("--no-home", action="store_true", help="don't report home directories (/home/*, /root, /Users/*, $HOME)")
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    home = None if args.no_home else os.path.expanduser("~")
    given = [str(p).rstrip("/") or "/" for p in args.given]
    findings: list[Finding] = []
    for raw in args.paths:
        findings.extend(scan_path(Path(raw), given, home))
    if args.json:
        print(json.dumps({"found": len(findings), "findings": [asdict(f) for f in findings]}, indent=2))
    else:
        for finding in findings:
            print(finding.describe())
        if not args.quiet:
            files = len({f.file for f in findings})
            summary = f"{len(findings)} build path(s) in {files} file(s)" if findings else "no build paths found"
            print(summary)
    return EXIT_DIFFERENT if findings else EXIT_SAME


__all__ = ["Finding", "classify", "scan_bytes", "scan_path", "add_parser", "run"]

"""One-line causes and readable lines for a :class:`~.compare.DiffReport`.

Each guess names where the difference sits: a build path compiled into string
data is named in its section (``.rodata``), not blamed on debug info; a
change of line endings only, or of RECORD alone, is named as such.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .compare import ChangedEntry, DiffReport, StringChange

_TIMESTAMP = re.compile(
    r"\b(19|20)\d\d-\d\d-\d\d|\b\d\d:\d\d:\d\d\b|\b1[5-9]\d{8}(\.\d+)?\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b"
)
_ABS_PATH = re.compile(r"(?<![\w.])/(tmp|home|root|var|private|Users|__w)/")
STRINGS_SHOWN = 4


def likely_cause(entry: ChangedEntry) -> str:
    """A one-line best guess at why ``entry`` changed."""
    if entry.kind == "elf":
        in_data = [c for c in entry.strings if not c.section.startswith((".debug", ".zdebug"))]
        if in_data:
            first = in_data[0]
            pairs = _side_by_side(first)
            paths = any("/" in text for text in first.only_in_a + first.only_in_b)
            what = "a build path is compiled into string data" if paths else "string data differs"
            also = " (debug info differs too)" if entry.dwarf_paths else ""
            return f"{entry.name}: {what} in {first.section}: {pairs}{also}"
        if entry.dwarf_paths:
            first = entry.dwarf_paths[0]
            sample = (first.only_in_a + first.only_in_b)[:2]
            return f"{entry.name}: build paths in debug info differ ({first.where}: {' vs '.join(sample)})"
        debug = [s for s in entry.sections if s.startswith((".debug", ".zdebug"))]
        if debug:
            return f"{entry.name}: debug info differs in {', '.join(debug[:4])}"
        if entry.sections and set(entry.sections) <= {".note.gnu.build-id"}:
            return f"{entry.name}: only the build-id differs (derived from other inputs, e.g. paths passed to the linker)"
        if entry.sections:
            return f"{entry.name}: compiled code/data differs in {', '.join(entry.sections[:4])} (nondeterministic compiler input)"
        return f"{entry.name}: ELF bytes differ"
    if entry.kind == "pyc":
        if entry.pyc_marshal_equal:
            return (f"{entry.name}: same code, different marshal encoding (FLAG_REF/interning depends on refcounts; "
                    "remap-backend normalize makes the bytes equal)")
        if entry.pyc_loads_equal:
            return (f"{entry.name}: equal code objects, but encoded by another marshal version or writer "
                    "(not the same .pyc by canonical_pyc's definition)")
        if entry.pyc_header_differs:
            return f"{entry.name}: pyc header differs (source mtime or size; use checked-hash pycs)"
        return f"{entry.name}: compiled bytecode differs (its source differs)"
    if entry.kind == "text":
        changed_lines = [line[1:] for line in entry.text_diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        if entry.line_endings_only:
            return f"{entry.name}: only line endings differ (CRLF vs LF: a checkout or tool setting rewrote it)"
        if entry.name.endswith("RECORD"):
            return f"{entry.name}: lists hashes of the other changed files"
        if any(_ABS_PATH.search(line) for line in changed_lines):
            return f"{entry.name}: an absolute build path is written into this file"
        if any(_TIMESTAMP.search(line) for line in changed_lines):
            return f"{entry.name}: a timestamp is written into this file (use SOURCE_DATE_EPOCH)"
        return f"{entry.name}: generated content differs (random or environment-dependent value)"
    return f"{entry.name}: binary content differs"


def _side_by_side(change: StringChange) -> str:
    """``'a1' vs 'b1', 'a2' vs 'b2'`` for the first few strings of each side."""
    left, right = change.only_in_a[:STRINGS_SHOWN], change.only_in_b[:STRINGS_SHOWN]
    pairs = [f"{a!r} vs {b!r}" for a, b in zip(left, right)]
    pairs += [f"{a!r} vs (none)" for a in left[len(right):]] + [f"(none) vs {b!r}" for b in right[len(left):]]
    return ", ".join(pairs)


def explain_record(report: "DiffReport") -> None:
    """Say what a changed RECORD really reflects, now that every other change is known."""
    changed = {entry.name for entry in report.changed} | set(report.added) | set(report.removed)
    for entry in report.changed:
        if not entry.name.endswith(".dist-info/RECORD") or entry.kind != "text" or entry.line_endings_only:
            continue
        others = changed - {entry.name}
        named = {line[1:].rsplit(",", 2)[0] for line in entry.text_diff
                 if line[:1] in "+-" and line[:3] not in ("+++", "---") and "," in line} - {entry.name}
        if named and named <= others:
            entry.cause = f"{entry.name}: lists hashes of the other changed files"
        elif others:
            entry.cause = (f"{entry.name}: differs beyond the other changed files (entries for "
                           f"{', '.join(sorted(named - others)[:3]) or 'no file'}); rewrite it with remap-backend normalize")
        else:
            entry.cause = (f"{entry.name}: only RECORD differs (its order or hash encoding, not any file); "
                           "rewrite it with remap-backend normalize")



def format_report(report: DiffReport, limit: int = 20) -> list[str]:
    """Human-readable lines; long lists are cut to ``limit`` with a count."""
    if report.identical:
        return [f"identical: {report.a} == {report.b}"]
    lines = [f"--- {report.a}", f"+++ {report.b}"]
    lines += [f"added:   {name}" for name in report.added[:limit]]
    lines += [f"removed: {name}" for name in report.removed[:limit]]
    for entry in report.changed[:limit]:
        lines.append(f"changed: {entry.name} ({entry.kind}, {entry.size_a} -> {entry.size_b} bytes)")
        if entry.sections:
            lines.append(f"    sections: {', '.join(entry.sections)}")
        for change in entry.strings[:6]:
            lines.append(f"    strings in {change.section}: {_side_by_side(change)}")
        if entry.line_endings_only:
            lines.append("    only line endings differ")
        for change in entry.dwarf_paths[:6]:
            lines.append(f"    {change.where}:")
            lines += [f"      - {value}" for value in change.only_in_a[:4]]
            lines += [f"      + {value}" for value in change.only_in_b[:4]]
        if entry.kind == "pyc":
            equal = {True: "yes", False: "no", None: "unknown (other Python version)"}[entry.pyc_marshal_equal]
            lines.append(f"    marshal-equal: {equal}; header differs: {'yes' if entry.pyc_header_differs else 'no'}")
        lines += [f"    {line}" for line in entry.text_diff]
    if len(report.changed) > limit:
        lines.append(f"... and {len(report.changed) - limit} more changed entries")
    for change in report.metadata[:limit]:
        lines.append(f"metadata: {change.name}: {change.field} {change.a!r} -> {change.b!r}")
    if len(report.metadata) > limit:
        lines.append(f"... and {len(report.metadata) - limit} more metadata differences")
    if report.order_differs:
        lines.append("order: members are stored in a different order")
    for cause in report.causes:
        lines.append(f"likely cause: {cause}")
    return lines


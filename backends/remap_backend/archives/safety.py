"""Checks that keep a hostile or broken archive from escaping its tree or eating the disk.

Every check raises :class:`RemapError` with one line naming the archive, the
member and what to do, and runs *before* anything is written, so a bad input
never leaves a partial output behind.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Iterable, Mapping, NamedTuple

from ..errors import RemapError

#: Default ceiling on the bytes an archive may expand to (sum of all members).
DEFAULT_MAX_UNPACKED_BYTES = 4 * 1024**3
#: Default ceiling on the number of members of one archive.
DEFAULT_MAX_MEMBERS = 500_000
#: Environment variables that raise (or lower) the two ceilings.
MAX_BYTES_VARIABLE = "REMAP_BACKEND_MAX_UNPACKED_BYTES"
MAX_MEMBERS_VARIABLE = "REMAP_BACKEND_MAX_MEMBERS"

_DRIVE = re.compile(r"^[A-Za-z]:")


class Limits(NamedTuple):
    """How much an archive may expand to before we call it a bomb and stop."""

    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_members: int = DEFAULT_MAX_MEMBERS

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> "Limits":
        return cls(
            _positive_int(environ, MAX_BYTES_VARIABLE, DEFAULT_MAX_UNPACKED_BYTES),
            _positive_int(environ, MAX_MEMBERS_VARIABLE, DEFAULT_MAX_MEMBERS),
        )


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise RemapError(f"{name}={text!r} is not a positive integer; set a byte/member count or unset it")
    return value


class Budget:
    """Counts unpacked bytes and members against :class:`Limits` while we stream."""

    def __init__(self, archive: str, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        self.unpacked = 0

    def check_members(self, count: int) -> None:
        if count > self.limits.max_members:
            raise RemapError(
                f"{self.archive}: {count} members exceed the limit of {self.limits.max_members}; "
                f"if the archive is trusted raise {MAX_MEMBERS_VARIABLE}"
            )

    def check_declared(self, total: int) -> None:
        if total > self.limits.max_unpacked_bytes:
            raise self._too_big(total)

    def spend(self, size: int) -> None:
        self.unpacked += size
        if self.unpacked > self.limits.max_unpacked_bytes:
            raise self._too_big(self.unpacked)

    def _too_big(self, size: int) -> RemapError:
        return RemapError(
            f"{self.archive}: unpacks to more than {self.limits.max_unpacked_bytes} bytes "
            f"(at least {size}), which looks like a zip bomb; "
            f"if the archive is trusted raise {MAX_BYTES_VARIABLE}"
        )


def bad_member(archive: str, name: str, problem: str) -> RemapError:
    return RemapError(f"{archive}: member {name!r} {problem}; rebuild the archive or remove that member")


def check_member_name(archive: str, name: str) -> str:
    """Return ``name`` without a trailing ``/`` if it is a safe relative POSIX path, else raise."""
    if any("\udc80" <= char <= "\udcff" for char in name):
        raise bad_member(archive, name, "has a name that is not UTF-8")
    if "\x00" in name:
        raise bad_member(archive, name, "has a NUL byte in its name")
    if "\\" in name:
        raise bad_member(archive, name, "uses backslashes; archive names must use '/'")
    stripped = name[:-1] if name.endswith("/") else name
    if not stripped:
        raise bad_member(archive, name, "has an empty name")
    if stripped.startswith("/") or _DRIVE.match(stripped):
        raise bad_member(archive, name, "has an absolute name")
    parts = stripped.split("/")
    if ".." in parts:
        raise bad_member(archive, name, "has a '..' component that would escape the tree")
    if "" in parts or "." in parts:
        raise bad_member(archive, name, "has an empty or '.' path component")
    return stripped


def check_link_target(archive: str, name: str, target: str) -> None:
    """Refuse a symlink or hard link whose target leaves the archive's tree."""
    if not target or "\x00" in target or any("\udc80" <= char <= "\udcff" for char in target):
        raise bad_member(archive, name, "is a link with an empty or invalid target")
    if target.startswith("/") or _DRIVE.match(target) or "\\" in target:
        raise bad_member(archive, name, f"is a link to the absolute path {target!r} outside the tree")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if resolved == ".." or resolved.startswith("../"):
        raise bad_member(archive, name, f"is a link to {target!r}, outside the tree")


#: Links followed while resolving one path, as Linux's own limit (ELOOP).
MAX_LINK_HOPS = 40


def check_link_chains(archive: str, links: Mapping[str, str]) -> None:
    """Refuse a symlink that leaves the tree once the other symlinks of the archive are followed.

    Each link's own text is checked by :func:`check_link_target`; this follows
    the chain as the file system will after unpacking: ``l1 -> ..`` stays in
    the tree, ``l2 -> l1/..`` too, but ``l3 -> l2/etc/passwd`` does not. A loop
    (or more than :data:`MAX_LINK_HOPS` links in one path) is refused too.
    """
    for name in sorted(links):
        _resolve_link(archive, name, links)


def _resolve_link(archive: str, name: str, links: Mapping[str, str]) -> None:
    where = name.split("/")[:-1]
    pending = list(reversed(links[name].split("/")))
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not where:
                raise bad_member(archive, name, f"is a link to {links[name]!r}, which leaves the tree "
                                 "through the other links of the archive")
            where.pop()
            continue
        candidate = "/".join(where + [part])
        target = links.get(candidate)
        if target is None:
            where.append(part)
            continue
        hops += 1
        if hops > MAX_LINK_HOPS:
            raise bad_member(archive, name, "is a link in a loop of links (or a chain of more than "
                             f"{MAX_LINK_HOPS})")
        if target.startswith("/"):  # refused on its own already; kept as a guard
            raise bad_member(archive, name, f"is a link through {candidate!r}, an absolute link")
        pending.extend(reversed(target.split("/")))


def check_unique(archive: str, names: Iterable[str]) -> None:
    """Two members with one name would make the result depend on which one an installer keeps."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise bad_member(archive, name, "appears more than once")
        seen.add(name)

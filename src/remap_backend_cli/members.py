"""Read wheels, sdists, directories and plain files as one list of members.

``diff`` and ``scan`` both want "the files inside this thing, in stored
order, with their metadata" without caring which container it is. Members are
read into memory, never extracted, so names and links cannot write anywhere;
an archive past normalize's limits (``remap_backend.archives.safety``: member
count, declared unpacked size) is refused as a bomb before any member is read.
"""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from remap_backend.archives.safety import Budget, Limits

from .errors import RemapError

ZIP_SUFFIXES = (".whl", ".zip")
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")


@dataclass(frozen=True)
class Member:
    """One file inside a container; ``read()`` loads its bytes on demand."""

    name: str
    index: int
    size: int
    mode: int | None
    mtime: float | None
    read: Callable[[], bytes]
    extra: tuple[tuple[str, object], ...] = ()

    @property
    def is_symlink(self) -> bool:
        return self.mode is not None and stat.S_ISLNK(self.mode)


def kind_of(path: Path) -> str:
    """'zip', 'tar', 'dir' or 'file' — how to open ``path``."""
    if path.is_dir():
        return "dir"
    name = path.name.lower()
    if name.endswith(ZIP_SUFFIXES):
        return "zip"
    if name.endswith(TAR_SUFFIXES):
        return "tar"
    return "file"


def read_members(path: Path) -> list[Member]:
    """All regular files (and symlinks) of ``path``, in the order they are stored."""
    if not path.exists():
        raise RemapError(f"{path} does not exist; give the path of a wheel, sdist, directory or file")
    kind = kind_of(path)
    try:
        if kind == "zip":
            return _within_limits(path, list(_zip_members(path)))
        if kind == "tar":
            return _within_limits(path, list(_tar_members(path)))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise RemapError(f"{path} is not a readable {kind} archive ({exc}); check the file is complete") from None
    if kind == "dir":
        return list(_dir_members(path))
    return [_file_member(path, path.name, 0)]


def _within_limits(path: Path, members: list[Member], limits: Limits | None = None) -> list[Member]:
    """``members``, unless their number or declared sizes pass the limits (each read stops at its size)."""
    budget = Budget(str(path), limits or Limits.from_environ())
    budget.check_members(len(members))
    budget.check_declared(sum(member.size for member in members))
    return members


def _zip_members(path: Path) -> Iterator[Member]:
    archive = zipfile.ZipFile(path)
    for index, info in enumerate(archive.infolist()):
        if info.is_dir():
            continue
        mode = (info.external_attr >> 16) or None
        extra = (
            ("compress_type", info.compress_type),
            ("create_system", info.create_system),
            ("date_time", info.date_time),
            ("external_attr", info.external_attr),
            ("extra", info.extra.hex()),
            ("comment", info.comment.hex()),
        )
        yield Member(
            name=info.filename,
            index=index,
            size=info.file_size,
            mode=mode,
            mtime=_zip_time(info.date_time),
            read=lambda info=info: _read_zip_member(path, archive, info),
            extra=extra,
        )


def _read_zip_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise RemapError(f"{path}: member {info.filename} is corrupt ({exc}); rebuild or re-download it") from None


def _zip_time(date_time: tuple[int, int, int, int, int, int]) -> float:
    import calendar

    return float(calendar.timegm((*date_time, 0, 0, 0)))


def _tar_members(path: Path) -> Iterator[Member]:
    archive = tarfile.open(path)
    for index, info in enumerate(archive.getmembers()):
        if not (info.isfile() or info.issym()):
            continue
        kind_bits = stat.S_IFLNK if info.issym() else stat.S_IFREG
        extra = (
            ("uid", info.uid),
            ("gid", info.gid),
            ("uname", info.uname),
            ("gname", info.gname),
            ("pax_headers", tuple(sorted(info.pax_headers.items()))),
        )
        yield Member(
            name=info.name,
            index=index,
            size=info.size,
            mode=kind_bits | info.mode,
            mtime=float(info.mtime),
            read=(lambda info=info: info.linkname.encode()) if info.issym() else (
                lambda info=info: archive.extractfile(info).read()  # type: ignore[union-attr]
            ),
            extra=extra,
        )


def _dir_members(root: Path) -> Iterator[Member]:
    index = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            full = Path(dirpath, filename)
            relative = full.relative_to(root).as_posix()
            yield _file_member(full, relative, index)
            index += 1


def _file_member(path: Path, name: str, index: int) -> Member:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(path)
        return Member(name, index, len(target), info.st_mode, info.st_mtime, lambda: target.encode())
    return Member(name, index, info.st_size, info.st_mode, info.st_mtime, path.read_bytes)

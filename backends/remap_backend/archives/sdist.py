"""Rewrite an sdist (.tar.gz) so its bytes depend only on its content and SOURCE_DATE_EPOCH.

Tar members are sorted by path, owned by 0:0 with empty user/group names,
stamped with the epoch, moded 0644/0755 (directories 0755, symlinks 0777),
hard links become copies; only the pax ``path``/``linkpath`` records that long
or non-ASCII names need survive (no times, no xattrs). The gzip wrapper has
mtime 0, no file name, OS "unknown" and compression level 9.
"""

from __future__ import annotations

import gzip
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional, Tuple

from ..errors import RemapError
from ..atomic import atomic_path
from .safety import Budget, Limits, check_link_chains, check_link_target, check_member_name, check_unique
from .sinks import CompareSink

GZIP_LEVEL = 9
#: Largest mtime a plain ustar header holds; later epochs are clamped to it
#: so no pax time record is ever needed.
MAX_TAR_MTIME = 8**11 - 1
_SPOOL_IN_MEMORY = 64 * 1024**2
_CHUNK = 1 << 20
_SUPPORTED = {
    tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink",
}


def _corrupt(archive: str, what: str) -> RemapError:
    return RemapError(f"{archive}: not a valid .tar.gz ({what}); rebuild it or download it again")


def _unpack_gzip(handle: BinaryIO, spool: "tempfile.SpooledTemporaryFile[bytes]", budget: Budget,
                 archive: str) -> None:
    """Inflate into ``spool``; runs of all-zero chunks become holes, so trailing zeros take no disk.

    Every byte counts against the budget (a bomb stops at the limit, before
    the spool holds more than that), but gigabytes of zeros after the
    end-of-archive blocks neither fill the disk nor, later, memory.
    """
    zeros = 0  # zero bytes held back as a hole
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as unpacked:
            while True:
                chunk = unpacked.read(_CHUNK)
                if not chunk:
                    break
                budget.spend(len(chunk))
                if len(chunk) == _CHUNK and chunk.count(0) == _CHUNK:
                    zeros += len(chunk)
                    continue
                if zeros:
                    _hole(spool, zeros)
                    zeros = 0
                spool.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise _corrupt(archive, f"gzip: {exc}") from None
    if zeros:
        _hole(spool, zeros)


def _hole(spool: "tempfile.SpooledTemporaryFile[bytes]", size: int) -> None:
    """Extend ``spool`` by ``size`` zero bytes without writing them (a sparse file on disk)."""
    spool.rollover()
    end = spool.tell() + size
    spool.truncate(end)
    spool.seek(end)


def _members(tar: tarfile.TarFile, total: int, archive: str, budget: Budget) -> List[tarfile.TarInfo]:
    members = []
    try:
        while True:
            member = tar.next()
            if member is None:
                break
            budget.check_members(len(members) + 1)
            if member.isreg() and member.offset_data + member.size > total:
                raise _corrupt(archive, f"data of {member.name!r} is cut off; truncated")
            members.append(member)
    except tarfile.TarError as exc:
        raise _corrupt(archive, f"tar: {exc}") from None
    tar.fileobj.seek(tar.offset)
    rest = 0
    while True:  # in chunks: the tail may be gigabytes of zeros
        chunk = tar.fileobj.read(_CHUNK)
        if not chunk:
            break
        if chunk.count(0) != len(chunk):
            raise _corrupt(archive, "data after the end-of-archive marker; truncated or damaged")
        rest += len(chunk)
    if rest < 512:
        raise _corrupt(archive, "no end-of-archive marker after the last member; truncated or damaged")
    if not members:
        raise _corrupt(archive, "no members")
    return members


def _check(members: List[tarfile.TarInfo], archive: str) -> Dict[str, tarfile.TarInfo]:
    """Validate names and link targets; return the members by cleaned name."""
    by_name: Dict[str, tarfile.TarInfo] = {}
    clean_names = []
    for member in members:
        if member.type not in _SUPPORTED:
            raise RemapError(
                f"{archive}: member {member.name!r} is a device, fifo or sparse file; "
                "sdists may hold only files, directories and links"
            )
        clean = check_member_name(archive, member.name)
        clean_names.append(clean)
        by_name[clean] = member
        if member.issym():
            check_link_target(archive, clean, member.linkname)
    check_unique(archive, clean_names)
    check_link_chains(archive, {clean: m.linkname for clean, m in by_name.items() if m.issym()})
    for clean, member in by_name.items():
        if member.islnk():
            target = by_name.get(member.linkname.rstrip("/"))
            if target is None or not target.isreg():
                raise RemapError(
                    f"{archive}: member {clean!r} is a hard link to {member.linkname!r}, "
                    "which is not a regular file in the archive; rebuild the sdist"
                )
    return by_name


def _order_key(name: str) -> List[str]:
    return name.split("/")


def _canonical_info(name: str, member: tarfile.TarInfo, target: tarfile.TarInfo, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if member.isdir():
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    elif member.issym():
        info.type, info.mode, info.linkname = tarfile.SYMTYPE, 0o777, member.linkname
    else:  # regular file, or a hard link written as a copy of its target
        info.type = tarfile.REGTYPE
        info.mode = 0o755 if target.mode & 0o111 else 0o644
        info.size = target.size
    return info


def _write(tar_in: tarfile.TarFile, by_name: Dict[str, tarfile.TarInfo], sink: CompareSink, mtime: int) -> None:
    # No name and mtime 0 in the gzip header: the same bytes whoever compresses, whenever.
    gz = gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=GZIP_LEVEL, mtime=0)  # type: ignore[arg-type]
    with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar_out:  # type: ignore[call-overload]
        for name in sorted(by_name, key=_order_key):
            member = by_name[name]
            target = by_name[member.linkname.rstrip("/")] if member.islnk() else member
            info = _canonical_info(name, member, target, mtime)
            if info.isreg():
                tar_out.addfile(info, tar_in.extractfile(target))
            else:
                tar_out.addfile(info)
    gz.close()


def _reasons(members: List[tarfile.TarInfo], raw_header: bytes, mtime: int) -> List[str]:
    found = []
    names = [m.name.rstrip("/") for m in members]
    if names != sorted(names, key=_order_key):
        found.append("member order")
    if any(m.mtime != mtime for m in members):
        found.append("timestamps")
    if any(m.uid or m.gid or m.uname or m.gname for m in members):
        found.append("owners")
    if any(m.pax_headers.keys() - {"path", "linkpath"} for m in members):
        found.append("pax headers")
    if raw_header[4:8] != b"\x00\x00\x00\x00" or raw_header[3] & 0x08:
        found.append("gzip header")
    return found


def _rewrite(
    path: Path, temp: Optional[Path], budget: Budget, mtime: int,
) -> Tuple[List[tarfile.TarInfo], bytes, bool]:
    """Write the canonical sdist to ``temp`` (None: only compare); (members, gzip header, identical?)."""
    archive = path.name
    with open(path, "rb") as handle, tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY, dir=path.parent) as spool:
        raw_header = handle.read(10)
        handle.seek(0)
        _unpack_gzip(handle, spool, budget, archive)  # type: ignore[arg-type]
        total = spool.tell()
        spool.seek(0)
        try:
            tar_in = tarfile.open(fileobj=spool, mode="r:", encoding="utf-8", errors="surrogateescape")  # type: ignore[call-overload]
        except tarfile.TarError as exc:
            raise _corrupt(archive, f"tar: {exc}") from None
        with tar_in:
            members = _members(tar_in, total, archive, budget)
            by_name = _check(members, archive)
            if temp is None:
                sink = CompareSink(handle)
                _write(tar_in, by_name, sink, mtime)
            else:
                with open(temp, "r+b") as out:  # no O_TRUNC: ext4 would flush on close
                    sink = CompareSink(handle, also=out)
                    _write(tar_in, by_name, sink, mtime)
            return members, raw_header, sink.identical()


def normalize_sdist(path: Path, epoch: int, check: bool = False, limits: Optional[Limits] = None,
                    durable: bool = True) -> List[str]:
    """Normalize the sdist at ``path`` in place; return why it changed ([] = already canonical)."""
    budget = Budget(path.name, limits or Limits.from_environ())
    mtime = min(max(int(epoch), 0), MAX_TAR_MTIME)
    if check:
        members, raw_header, same = _rewrite(path, None, budget, mtime)
    else:
        # the input is closed before the rename: Windows cannot replace an open file
        with atomic_path(path, durable) as temp:
            members, raw_header, same = _rewrite(path, temp, budget, mtime)
            if same:
                temp.unlink()
    if same:
        return []
    return _reasons(members, raw_header, mtime) or ["tar metadata"]

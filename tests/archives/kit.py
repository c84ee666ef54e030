"""Build wheels, sdists and .pyc files for the archive tests, with every knob a real tool turns.

The knobs are what differs between two builds of the same content in real
life: timestamps (file mtimes, time zone), permission bits (umask), member
order (file system order), extra fields (Info-ZIP's extended timestamps).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import struct
import tarfile
import zipfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence, Tuple

DIST_INFO = "demo-1.0.dist-info"
CONTENT = {
    "demo/__init__.py": b"from demo.util import answer\n",
    "demo/util.py": b"def answer():\n    return 42\n",
    "demo/data/table.txt": b"x" * 5000 + b"\n",
    "demo-1.0.data/scripts/demo-run": b"#!python\nimport demo\nprint(demo.answer())\n",
    f"{DIST_INFO}/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    f"{DIST_INFO}/WHEEL": b"Wheel-Version: 1.0\nGenerator: kit\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
EXECUTABLE = {"demo-1.0.data/scripts/demo-run"}


# An independent RECORD writer on purpose: it checks archives/record.py rather than trusting it.
def record_line(name: str, data: bytes) -> Tuple[str, str, str]:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return name, f"sha256={digest}", str(len(data))


def record_for(content: Mapping[str, bytes]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, data in content.items():
        writer.writerow(record_line(name, data))
    writer.writerow((f"{DIST_INFO}/RECORD", "", ""))
    return out.getvalue().encode()


def make_wheel(
    path: Path,
    content: Mapping[str, bytes] = CONTENT,
    *,
    order: Sequence[str] | None = None,
    date_time: Tuple[int, int, int, int, int, int] = (2024, 5, 1, 12, 30, 0),
    umask: int = 0o022,
    extra: bytes = b"",
    directories: bool = False,
    compression: int = zipfile.ZIP_DEFLATED,
    record: bytes | None = None,
    executable: Iterable[str] = EXECUTABLE,
    compresslevel: int | None = None,
) -> Path:
    """A wheel of ``content`` (plus RECORD) written with the given quirks."""
    members = dict(content)
    members[f"{DIST_INFO}/RECORD"] = record if record is not None else record_for(content)
    names = list(order) if order is not None else list(members)
    executable = set(executable)
    # Raw zipfile on purpose: this stands in for a wheel some other tool wrote (its own times, modes, order),
    # so the normalizer is tested on input it did not write itself (see tests/archives/test_one_writer.py).
    with zipfile.ZipFile(path, "w") as archive:
        if directories:
            for folder in sorted({n.rsplit("/", 1)[0] + "/" for n in names if "/" in n}):
                info = zipfile.ZipInfo(folder, date_time)
                info.external_attr = (0o40777 & ~umask) << 16 | 0x10
                archive.writestr(info, b"")
        for name in names:
            info = zipfile.ZipInfo(name, date_time)
            mode = 0o777 if name in executable else 0o666
            info.external_attr = (0o100000 | (mode & ~umask)) << 16
            info.compress_type = compression
            info.extra = extra
            archive.writestr(info, members[name], compresslevel=compresslevel)
    return path


def extended_timestamp(mtime: int) -> bytes:
    """Info-ZIP's "UT" extra field, as zip(1) adds it."""
    return struct.pack("<HHBl", 0x5455, 5, 1, mtime)


def make_sdist(
    path: Path,
    files: Mapping[str, bytes],
    *,
    order: Sequence[str] | None = None,
    mtime: float = 1714566600.5,
    umask: int = 0o022,
    owner: Tuple[int, int, str, str] = (1000, 1000, "alice", "staff"),
    fmt: int = tarfile.PAX_FORMAT,
    gzip_mtime: int = 1714566600,
    gzip_name: str = "demo-1.0.tar",
    executable: Iterable[str] = (),
    directories: bool = True,
) -> Path:
    """A .tar.gz of ``files`` under ``demo-1.0/`` written with the given quirks."""
    import gzip

    executable = set(executable)
    names = list(order) if order is not None else list(files)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        uid, gid, uname, gname = owner
        entries = []
        if directories:
            entries += sorted({"demo-1.0/" + n.rsplit("/", 1)[0] for n in names if "/" in n} | {"demo-1.0"})
        for folder in entries:
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o777 & ~umask, mtime
            info.uid, info.gid, info.uname, info.gname = uid, gid, uname, gname
            tar.addfile(info)
        for name in names:
            data = files[name]
            info = tarfile.TarInfo("demo-1.0/" + name)
            info.size, info.mtime = len(data), mtime
            info.mode = (0o777 if name in executable else 0o666) & ~umask
            info.uid, info.gid, info.uname, info.gname = uid, gid, uname, gname
            tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename=gzip_name, mode="wb", fileobj=raw, mtime=gzip_mtime) as gz:
            gz.write(buffer.getvalue())
    return path


def listing(folder: Path) -> dict:
    """Every file under ``folder`` with its bytes and mtime: to prove nothing else was written."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None, os.lstat(p).st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }

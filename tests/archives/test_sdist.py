"""Sdists: canonical tar + gzip, idempotence, and refusal of bad input without side effects."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from remap_backend.archives import Limits, normalize_artifact, normalize_path
from remap_backend.errors import RemapError

from .kit import listing, make_sdist

FILES = {
    "PKG-INFO": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    "pyproject.toml": b"[build-system]\nrequires = []\n",
    "src/demo/__init__.py": b"X = 1\n",
    "src/demo/very/" + "long-" * 30 + "name.py": b"Y = 2\n",
    "src/demo/caf\u00e9.py": b"Z = 3\n",
    "tools/run.sh": b"#!/bin/sh\necho hi\n",
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_content_packed_differently_gives_identical_bytes(tmp_path: Path) -> None:
    a = make_sdist(tmp_path / "a.tar.gz", FILES, executable={"tools/run.sh"})
    b = make_sdist(
        tmp_path / "b.tar.gz", FILES, executable={"tools/run.sh"},
        order=list(reversed(FILES)), mtime=1800000000, umask=0o002,
        owner=(501, 20, "bob", "wheel"), fmt=tarfile.GNU_FORMAT, gzip_mtime=1800000000, gzip_name="other.tar",
    )
    assert sha(a) != sha(b)
    assert normalize_artifact(a, 1700000000) is True
    assert normalize_artifact(b, 1700000000) is True
    assert sha(a) == sha(b)


def test_canonical_layout(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "demo-1.0.tar.gz", FILES, executable={"tools/run.sh"}, umask=0o002)
    normalize_path(path, 1700000000)
    raw = path.read_bytes()
    assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, mtime 0, level 9, OS unknown
    with tarfile.open(path) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names, key=lambda n: n.split("/"))
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert member.mtime == 1700000000
        assert set(member.pax_headers) <= {"path", "linkpath"}
        if member.isdir():
            assert member.mode == 0o755
        else:
            assert member.mode == (0o755 if member.name.endswith("run.sh") else 0o644), member.name
    with tarfile.open(path) as tar:
        contents = {m.name[len("demo-1.0/"):]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert contents == FILES


@pytest.mark.parametrize("epoch, expected", [(0, 0), (-10, 0), (315532800, 315532800), (2**40, 8**11 - 1)])
def test_epoch(tmp_path: Path, epoch: int, expected: int) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    normalize_path(path, epoch)
    with tarfile.open(path) as tar:
        assert {m.mtime for m in tar.getmembers()} == {expected}
        assert all("mtime" not in m.pax_headers for m in tar.getmembers())


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    assert normalize_path(path, 0)
    before = listing(tmp_path)
    assert normalize_path(path, 0) == []
    assert listing(tmp_path) == before


def test_check_writes_nothing(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    before = listing(tmp_path)
    (change,) = normalize_path(path, 0, check=True)
    assert {"timestamps", "owners", "gzip header"} <= set(change.reasons)
    assert listing(tmp_path) == before


def test_hard_link_becomes_a_copy(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("demo-1.0/b.txt")  # sorts before its link target
        info.type, info.linkname = tarfile.LNKTYPE, "demo-1.0/z.txt"
        tar.addfile(info)
        data = b"content\n"
        info = tarfile.TarInfo("demo-1.0/z.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path = tmp_path / "x.tar.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()))
    # the link comes first in the input too: tarfile resolves it by name, we copy the data
    normalize_path(path, 0)
    with tarfile.open(path) as tar:
        assert [m.name for m in tar.getmembers()] == ["demo-1.0/b.txt", "demo-1.0/z.txt"]
        assert tar.extractfile("demo-1.0/b.txt").read() == b"content\n"


# --- bad input ------------------------------------------------------------------------


def tar_gz(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return path


def member(name: str, **fields) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    for key, value in fields.items():
        setattr(info, key, value)
    return info


def assert_refused(path: Path, fragment: str, **kwargs) -> None:
    before = listing(path.parent)
    with pytest.raises(RemapError) as caught:
        normalize_path(path, 0, **kwargs)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    assert listing(path.parent) == before


@pytest.mark.parametrize(
    "info, fragment",
    [
        (member("demo-1.0/../../evil"), "'..'"),
        (member("/etc/evil"), "absolute"),
        (member("demo-1.0/link", type=tarfile.SYMTYPE, linkname="../../etc/passwd"), "outside the tree"),
        (member("demo-1.0/link", type=tarfile.SYMTYPE, linkname="/etc/passwd"), "absolute path"),
        (member("demo-1.0/hard", type=tarfile.LNKTYPE, linkname="demo-1.0/missing"), "hard link"),
        (member("demo-1.0/dev", type=tarfile.CHRTYPE), "device"),
        (member("demo-1.0/fifo", type=tarfile.FIFOTYPE), "fifo"),
    ],
)
def test_unsafe_members(tmp_path: Path, info: tarfile.TarInfo, fragment: str) -> None:
    path = tar_gz(tmp_path / "x.tar.gz", [(member("demo-1.0/ok.py"), b"ok"), (info, b"data")])
    assert_refused(path, fragment)


def test_duplicate_names(tmp_path: Path) -> None:
    path = tar_gz(tmp_path / "x.tar.gz", [(member("demo-1.0/a.py"), b"1"), (member("demo-1.0/a.py"), b"2")])
    assert_refused(path, "more than once")


def test_name_not_utf8(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        info = tarfile.TarInfo("demo-1.0/caf\u00e9.py")
        tar.addfile(info, io.BytesIO(b""))
    path = tmp_path / "x.tar.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()))
    assert_refused(path, "not UTF-8")


def test_truncated_gzip(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    path.write_bytes(path.read_bytes()[:-40])
    assert_refused(path, "not a valid .tar.gz")


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert_refused(path, "not a valid .tar.gz")


def test_not_gzip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_bytes(b"PK\x03\x04 this is a zip, not a tar.gz")
    assert_refused(path, "not a valid .tar.gz")


def test_truncated_tar_inside_valid_gzip(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    tar = gzip.decompress(path.read_bytes())
    first_member_end = 512 * 4
    path.write_bytes(gzip.compress(tar[:first_member_end + 100]))
    assert_refused(path, "not a valid .tar.gz")


def test_gzip_bomb(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", dict(FILES, **{"zeros.bin": b"\0" * 20_000_000}))
    assert path.stat().st_size < 100_000
    assert_refused(path, "zip bomb", limits=Limits(max_unpacked_bytes=10_000_000))


def test_member_limit(tmp_path: Path) -> None:
    path = make_sdist(tmp_path / "x.tar.gz", FILES)
    assert_refused(path, "exceed the limit", limits=Limits(max_members=3))


def _hand_written_gzip(data: bytes) -> bytes:
    """The gzip writer sdist.py had before it used gzip.GzipFile: fixed header, raw deflate level 9."""
    import struct
    import zlib

    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush()
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + struct.pack("<2L", zlib.crc32(data), len(data))


@pytest.mark.parametrize("size", [0, 1, 70_000, 3 * 1024**2])
def test_gzipfile_writes_the_bytes_of_the_old_hand_written_writer(size: int) -> None:
    """gzip.GzipFile(filename="", mtime=0) is a drop-in: the same header, deflate stream and trailer."""
    import random

    data = random.Random(size).randbytes(size // 2) + b"tar block " * (size // 20)
    out = io.BytesIO()
    out.name = "/tmp/some-temp-name.tar.gz"  # a file object's name must not reach the header
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=out, mtime=0) as gz:
        for start in range(0, len(data), 10240):  # tarfile writes in records
            gz.write(data[start:start + 10240])
    assert out.getvalue() == _hand_written_gzip(data)

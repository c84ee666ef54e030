"""Wheels: the canonical layout, idempotence, and refusal of bad input without side effects."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import threading
import zipfile
from pathlib import Path

import pytest

from remap_backend.archives import DEFAULT_EPOCH, Limits, normalize_artifact, normalize_path
from remap_backend.errors import RemapError

from .kit import CONTENT, DIST_INFO, extended_timestamp, listing, make_wheel, record_for

RECORD = f"{DIST_INFO}/RECORD"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_content_built_differently_gives_identical_bytes(tmp_path: Path) -> None:
    """mtimes, umask 022/002, entry order, extra fields, directory entries, stored vs deflated."""
    a = make_wheel(tmp_path / "a.whl")
    b = make_wheel(
        tmp_path / "b.whl",
        order=list(reversed([*CONTENT, RECORD])),
        date_time=(2031, 1, 2, 3, 4, 6),
        umask=0o002,
        extra=extended_timestamp(1900000000),
        directories=True,
        compression=zipfile.ZIP_STORED,
    )
    assert sha(a) != sha(b)  # the problem: same content, different bytes
    assert normalize_artifact(a, 1700000000) is True
    assert normalize_artifact(b, 1700000000) is True
    assert sha(a) == sha(b)


def test_canonical_layout(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl", directories=True, extra=extended_timestamp(5), umask=0o002)
    normalize_path(wheel, 1700000000)
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[-1] == RECORD
        assert names == sorted(names[:-1], key=lambda n: (n.startswith(DIST_INFO), n.split("/"))) + [RECORD]
        assert not any(n.endswith("/") for n in names)
        assert [n for n in names if n.startswith(DIST_INFO)] == names[-3:]
        for info in infos:
            assert info.date_time == (2023, 11, 14, 22, 13, 20)
            assert info.extra == b""
            assert info.create_system == 3 and info.create_version == 20
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.flag_bits == 0
            mode = info.external_attr >> 16
            expected = 0o755 if info.filename == "demo-1.0.data/scripts/demo-run" else 0o644
            assert mode == stat.S_IFREG | expected, info.filename
        assert archive.comment == b""
        assert archive.testzip() is None
        record = archive.read(RECORD)
    assert record == record_for({n: CONTENT[n] for n in names[:-1]})


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    assert normalize_path(wheel, 0)
    before = listing(tmp_path)
    assert normalize_path(wheel, 0) == []
    assert normalize_path(wheel, 0, check=True) == []
    assert listing(tmp_path) == before  # not even the mtime changed


@pytest.mark.parametrize(
    "epoch, expected",
    [
        (0, (1980, 1, 1, 0, 0, 0)),
        (-5, (1980, 1, 1, 0, 0, 0)),
        (200000000, (1980, 1, 1, 0, 0, 0)),
        (DEFAULT_EPOCH, (1980, 1, 1, 0, 0, 0)),
        (None, (1980, 1, 1, 0, 0, 0)),
        (1700000001, (2023, 11, 14, 22, 13, 20)),  # DOS time has 2-second steps
        (2**40, (2107, 12, 31, 23, 59, 58)),
    ],
)
def test_epoch_is_clamped_into_zip_range(tmp_path: Path, epoch: int, expected: tuple) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    normalize_path(wheel, epoch)
    with zipfile.ZipFile(wheel) as archive:
        assert {i.date_time for i in archive.infolist()} == {expected}


def test_timestamps_do_not_depend_on_time_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    results = []
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        wheel = make_wheel(tmp_path / f"{zone.replace('/', '_')}.whl")
        normalize_path(wheel, 1700000000)
        results.append(sha(wheel))
    monkeypatch.delenv("TZ")
    time.tzset()
    assert len(set(results)) == 1


def test_check_reports_and_writes_nothing(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    before = listing(tmp_path)
    changes = normalize_path(wheel, 0, check=True)
    assert [c.path for c in changes] == [wheel]
    assert "timestamps" in changes[0].reasons
    assert listing(tmp_path) == before


def test_recompress_gives_one_level_throughout(tmp_path: Path) -> None:
    """Members deflated at level 1 by one tool and level 9 by another end up the same."""
    fast = make_wheel(tmp_path / "fast.whl", compresslevel=1)
    best = make_wheel(tmp_path / "best.whl", compresslevel=9)
    normalize_path(fast, 0)
    normalize_path(best, 0)
    assert sha(fast) != sha(best)  # raw copy keeps each producer's deflate stream
    normalize_path(fast, 0, recompress=True)
    normalize_path(best, 0, recompress=True)
    assert sha(fast) == sha(best)


def test_record_is_regenerated_when_it_lacks_entries(tmp_path: Path) -> None:
    """auditwheel-like: a member added without a RECORD line gets one, when asked for."""
    partial = {k: v for k, v in CONTENT.items() if k != "demo/util.py"}
    wheel = make_wheel(tmp_path / "x.whl", record=record_for(partial))
    assert_refused(wheel, "'demo/util.py' is not listed in RECORD")
    changes = normalize_path(wheel, 0, allow_unlisted=True)
    assert "RECORD" in changes[0].reasons
    with zipfile.ZipFile(wheel) as archive:
        assert b"demo/util.py,sha256=" in archive.read(RECORD)


def test_pyc_members_are_canonicalized(tmp_path: Path) -> None:
    import importlib.util
    import marshal

    code = compile("X = frozenset({'a', 'b'})\nY = ('shared', 'shared')\n", "m.py", "exec")
    keep = list(code.co_consts)  # an extra reference: marshal flags more objects
    pyc = importlib.util.MAGIC_NUMBER + b"\x03\x00\x00\x00" + b"\x00" * 8 + marshal.dumps(code)
    del keep
    content = dict(CONTENT, **{"demo/__pycache__/m.cpython-311.pyc": pyc})
    wheel = make_wheel(tmp_path / "x.whl", content=content)
    changes = normalize_path(wheel, 0)
    assert ".pyc marshal data" in changes[0].reasons
    with zipfile.ZipFile(wheel) as archive:
        stored = archive.read("demo/__pycache__/m.cpython-311.pyc")
    assert stored != pyc and marshal.loads(stored[16:]) == code


def central_record(data: bytearray, name: str) -> int:
    at = data.index(b"PK\x01\x02")
    while data[at + 46:at + 46 + len(name)] != name.encode():
        at = data.index(b"PK\x01\x02", at + 1)
    return at


# --- bad input: one clear error, original untouched, nothing else written -------------


def assert_refused(wheel: Path, fragment: str, **kwargs) -> None:
    before = listing(wheel.parent)
    with pytest.raises(RemapError) as caught:
        normalize_path(wheel, 0, **kwargs)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert listing(wheel.parent) == before


def test_record_that_lies_about_a_hash(tmp_path: Path) -> None:
    lying = record_for(dict(CONTENT, **{"demo/util.py": b"def answer():\n    return 43\n"}))  # same size
    wheel = make_wheel(tmp_path / "x.whl", record=lying)
    assert_refused(wheel, "RECORD claims sha256=")


def test_record_that_lies_about_a_size(tmp_path: Path) -> None:
    lying = record_for(CONTENT).replace(b"demo/util.py,", b"demo/util.py,").replace(
        f",{len(CONTENT['demo/util.py'])}\n".encode(), b",999\n", 1
    )
    wheel = make_wheel(tmp_path / "x.whl", record=lying)
    assert_refused(wheel, "size of 999")


def test_record_listing_a_missing_file(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl", record=record_for(dict(CONTENT, **{"demo/gone.py": b""})))
    assert_refused(wheel, "not in the wheel")


def test_no_record(tmp_path: Path) -> None:
    path = tmp_path / "x.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/__init__.py", b"")
    assert_refused(path, "dist-info/RECORD")


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("../evil.py", "'..'"),
        ("demo/../../evil.py", "'..'"),
        ("/etc/evil.py", "absolute"),
        ("C:/evil.py", "absolute"),
        ("demo\\evil.py", "backslashes"),
        ("demo//evil.py", "empty or '.'"),
    ],
)
def test_unsafe_names(tmp_path: Path, name: str, fragment: str) -> None:
    wheel = make_wheel(tmp_path / "x.whl", content=dict(CONTENT, **{name: b"x"}))
    assert_refused(wheel, fragment)


def test_duplicate_names(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    with pytest.warns(UserWarning):
        with zipfile.ZipFile(wheel, "a") as archive:
            archive.writestr("demo/util.py", b"second copy")
    assert_refused(wheel, "more than once")


def test_name_not_utf8(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl", content=dict(CONTENT, **{"demo/cafe.py": b""}))
    data = wheel.read_bytes()
    wheel.write_bytes(data.replace(b"demo/cafe.py", b"demo/caf\xe9.py"))  # Latin-1, not UTF-8
    assert_refused(wheel, "not UTF-8")


def test_symlink_pointing_outside(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    with zipfile.ZipFile(wheel, "a") as archive:
        info = zipfile.ZipInfo("demo/link", (2024, 1, 1, 0, 0, 0))
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "../../../etc/passwd")
    assert_refused(wheel, "outside the tree", allow_unlisted=True)


def test_symlink_inside_is_kept(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    with zipfile.ZipFile(wheel, "a") as archive:
        info = zipfile.ZipInfo("demo/alias.py", (2024, 1, 1, 0, 0, 0))
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "util.py")
    normalize_path(wheel, 0, allow_unlisted=True)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.getinfo("demo/alias.py").external_attr >> 16 == stat.S_IFLNK | 0o777


def test_truncated(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    wheel.write_bytes(wheel.read_bytes()[:-30])
    assert_refused(wheel, "not a valid zip archive")


def test_corrupt_deflate_data(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("demo/data/table.txt")
    start = info.header_offset + 30 + len(info.filename) + 5
    data[start:start + 4] = b"\xff\xff\xff\xff"
    wheel.write_bytes(bytes(data))
    with pytest.raises(RemapError):
        normalize_path(wheel, 0)


def test_encrypted_member(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    data = bytearray(wheel.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1  # general purpose flag bit 0 of the first directory record
    wheel.write_bytes(bytes(data))
    assert_refused(wheel, "encrypted")


def test_zip_bomb_hits_the_size_limit(tmp_path: Path) -> None:
    bomb = dict(CONTENT, **{"demo/zeros.bin": b"\0" * 20_000_000})
    wheel = make_wheel(tmp_path / "x.whl", content=bomb)
    assert wheel.stat().st_size < 100_000
    assert_refused(wheel, "zip bomb", limits=Limits(max_unpacked_bytes=10_000_000))


def test_size_field_lying_low_is_caught_while_inflating(tmp_path: Path) -> None:
    """A bomb that declares small sizes: inflating stops as soon as it exceeds the declared size."""
    bomb = dict(CONTENT, **{"demo/zeros.bin": b"\0" * 5_000_000})
    wheel = make_wheel(tmp_path / "x.whl", content=bomb)
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("demo/zeros.bin")
    central = central_record(data, info.filename)
    struct.pack_into("<L", data, central + 24, 1000)  # declared uncompressed size
    struct.pack_into("<L", data, info.header_offset + 22, 1000)
    wheel.write_bytes(bytes(data))
    assert_refused(wheel, "more than its declared")


def test_member_limit(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    assert_refused(wheel, "exceed the limit", limits=Limits(max_members=3))


def test_overlapping_members(tmp_path: Path) -> None:
    """Two directory records pointing at the same data (the overlapping-file zip bomb)."""
    wheel = make_wheel(tmp_path / "x.whl")
    data = bytearray(wheel.read_bytes())
    first = data.index(b"PK\x01\x02")
    second = data.index(b"PK\x01\x02", first + 1)
    offset = struct.unpack_from("<L", data, first + 42)[0]
    struct.pack_into("<L", data, second + 42, offset)
    wheel.write_bytes(bytes(data))
    with pytest.raises(RemapError):
        normalize_path(wheel, 0)


@pytest.mark.e2e
def test_more_than_65535_members_need_zip64_records(tmp_path: Path) -> None:
    import shutil
    import subprocess

    content = dict(CONTENT, **{f"demo/many/f{i:05d}.txt": b"%d\n" % i for i in range(70000)})
    wheel = make_wheel(tmp_path / "x.whl", content)
    assert normalize_path(wheel, 0)
    assert normalize_path(wheel, 0) == []
    with zipfile.ZipFile(wheel) as archive:
        assert len(archive.infolist()) == len(content) + 1
        assert archive.testzip() is None
    assert b"PK\x06\x06" in wheel.read_bytes()[-200:]  # zip64 end of central directory
    if shutil.which("unzip"):  # Info-ZIP as a second, independent reader
        done = subprocess.run(["unzip", "-tq", str(wheel)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout


def test_bytes_after_the_deflate_stream(tmp_path: Path) -> None:
    """Hidden data behind a member's deflate stream would survive a raw copy: refused."""
    wheel = make_wheel(tmp_path / "x.whl")
    with zipfile.ZipFile(wheel) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        members = {name: archive.read(name) for name in infos}
    import zlib

    rebuilt = tmp_path / "y.whl"
    with open(rebuilt, "wb") as out:
        central = []
        for name, data in members.items():
            packed = zlib.compress(data, 6)[2:-4] + (b"HIDDEN" if name == "demo/util.py" else b"")
            offset = out.tell()
            raw = name.encode()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, zlib.crc32(data), len(packed),
                                  len(data), len(raw), 0) + raw + packed)
            central.append(struct.pack("<4s2B5H3L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 8, 0, 33, zlib.crc32(data),
                                       len(packed), len(data), len(raw), 0, 0, 0, 0, 0o100644 << 16, offset) + raw)
        start = out.tell()
        out.write(b"".join(central))
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                              out.tell() - start, start, 0))
    assert zipfile.ZipFile(rebuilt).read("demo/util.py") == CONTENT["demo/util.py"]  # zipfile does not notice
    assert_refused(rebuilt, "after the end of its deflate data")


def test_pyc_member_of_an_unknown_python_is_kept_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    future = struct.pack("<H", 9999) + b"\r\n" + b"\x00" * 12 + b"\xe3future marshal data"
    wheel = make_wheel(tmp_path / "x.whl", content=dict(CONTENT, **{"demo/__pycache__/m.cpython-399.pyc": future}))
    normalize_path(wheel, 0)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("demo/__pycache__/m.cpython-399.pyc") == future
    assert "m.cpython-399.pyc left untouched: unknown .pyc magic number 9999" in capsys.readouterr().err


def test_without_pread_and_copy_file_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has neither: the same bytes come out of the portable fallbacks."""
    fast = make_wheel(tmp_path / "fast.whl", umask=0o002)
    normalize_path(fast, 0)
    import os

    monkeypatch.delattr(os, "pread", raising=False)
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    portable = make_wheel(tmp_path / "portable.whl", umask=0o002)
    normalize_path(portable, 0)
    assert sha(portable) == sha(fast)
    lying = record_for(dict(CONTENT, **{"demo/util.py": b"def answer():\n    return 43\n"}))
    assert_refused(make_wheel(tmp_path / "lying.whl", record=lying), "RECORD claims sha256=")


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["helper-threads", "inline"])
def test_both_verification_modes_give_the_same_wheel_and_refuse_the_same_lies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    """Small wheels are verified inline, large ones by helper threads: same bytes, same refusals."""
    from remap_backend.archives import wheel as wheel_module

    for name in ("reference", "same", "lying"):
        (tmp_path / name).mkdir()
    reference = make_wheel(tmp_path / "reference" / "x.whl")
    normalize_path(reference, 0)
    monkeypatch.setattr(wheel_module, "PARALLEL_VERIFY_BYTES", threshold)
    started = []
    real_verify = wheel_module._verify
    monkeypatch.setattr(wheel_module, "_verify", lambda *a: started.append(threading.current_thread().name)
                        or real_verify(*a))

    same = make_wheel(tmp_path / "same" / "x.whl")
    normalize_path(same, 0)
    assert same.read_bytes() == reference.read_bytes()
    on_helpers = [name.startswith("remap-verify") for name in started]
    assert started and all(on_helpers) == (threshold == 0) and any(on_helpers) == (threshold == 0)

    lying = record_for(dict(CONTENT, **{"demo/util.py": b"def answer():\n    return 43\n"}))
    assert_refused(make_wheel(tmp_path / "lying" / "x.whl", record=lying), "RECORD claims sha256=")


def test_a_built_archive_is_replaced_atomically_without_a_flush_and_a_users_file_with_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy's rewrite of a fresh build skips fsync (the backend did not flush it either); the CLI's does not."""
    flushed = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd) or real_fsync(fd))
    built = make_wheel(tmp_path / "built.whl")
    assert normalize_artifact(built, 0)
    assert flushed == []
    users = make_wheel(tmp_path / "users.whl")
    assert normalize_path(users, 0)
    assert len(flushed) == 1
    assert built.read_bytes() == users.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built.whl", "users.whl"]  # no temp left behind


def test_normalizing_a_small_wheel_starts_no_threads(tmp_path: Path) -> None:
    """Every proxied build pays for what this pass imports and starts (bench_hook_overhead.py)."""
    import subprocess
    import sys

    import remap_backend

    wheel = make_wheel(tmp_path / "x.whl")
    code = (
        "import sys, threading; from pathlib import Path\n"
        "from remap_backend.archives import normalize_artifact\n"
        f"assert normalize_artifact(Path({str(wheel)!r}), 0)\n"
        "print(threading.active_count(), 'concurrent.futures' in sys.modules)\n"
    )
    backends = str(Path(remap_backend.__file__).parents[1])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": backends})
    assert done.stdout.split() == ["1", "False"]

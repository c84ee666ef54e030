"""A corrupt deflate stream is never copied into a new wheel; members RECORD does not list are refused.

Old code: a wheel with one corrupt deflate byte was "normalized" with exit 0
under ``--trust-record`` and then failed ``python -m zipfile -t``. The flag is
gone: it could still copy a RECORD hash that lies, for 14 % less CPU
(docs/archives.md, "No trusted mode").
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from .kit import CONTENT, listing, make_wheel, record_for
from .test_cli_normalize import cli
from .test_hostile_cli import one_error_line

BIG = "demo/data.txt"


def wheel_with_corrupt_member(path: Path, offset_in_data: int) -> Path:
    content = dict(CONTENT, **{BIG: b"".join(b"line %d of some text\n" % i for i in range(20000))})
    make_wheel(path, content)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(BIG)
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    at = info.header_offset + 30 + name_len + extra_len + offset_in_data
    data[at] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def sound(wheel: Path) -> bool:
    """What ``python -m zipfile -t`` checks: every member inflates and matches its CRC."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, zlib.error):
        return False


@pytest.mark.parametrize("where", [20, 2000], ids=["early", "middle"])
def test_a_corrupt_deflate_stream_is_refused(tmp_path: Path, where: int) -> None:
    wheel = wheel_with_corrupt_member(tmp_path / "demo-1.0-py3-none-any.whl", where)
    assert not sound(wheel)
    before = listing(tmp_path)
    for args in ([], ["--check"]):
        result = cli(*args, wheel)
        assert result.returncode == 2, (result.stdout, result.stderr)
        line = one_error_line(result)
        assert "demo/data.txt" in line and ("CRC" in line or "deflate" in line or "corrupt" in line), line
        assert listing(tmp_path) == before


def test_trust_record_is_gone(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl")
    before = listing(tmp_path)
    result = cli("--trust-record", wheel)
    assert result.returncode == 2 and "unrecognized arguments: --trust-record" in result.stderr
    assert listing(tmp_path) == before
    assert cli(wheel).returncode == 0 and sound(wheel)
    assert sorted(os.listdir(tmp_path)) == [wheel.name]


def test_a_member_record_does_not_list_is_refused_unless_allowed(tmp_path: Path) -> None:
    """Old code: silently added to the new RECORD."""
    partial = {k: v for k, v in CONTENT.items() if k != "demo/util.py"}
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", record=record_for(partial))
    before = listing(tmp_path)
    result = cli(wheel)
    assert result.returncode == 2
    assert "'demo/util.py' is not listed in RECORD" in one_error_line(result)
    assert "--allow-unlisted" in result.stderr
    assert listing(tmp_path) == before
    allowed = cli("--allow-unlisted", wheel)
    assert allowed.returncode == 0, allowed.stderr
    with zipfile.ZipFile(wheel) as archive:
        assert b"demo/util.py,sha256=" in archive.read("demo-1.0.dist-info/RECORD")

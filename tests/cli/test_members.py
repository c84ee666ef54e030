"""diff and scan read archives under normalize's limits: a bomb is refused before a member is read."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from remap_backend.archives.safety import Limits
from remap_backend_cli.errors import RemapError
from remap_backend_cli.members import _within_limits, read_members


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_too_many_members_is_refused_with_the_variable_to_raise(tmp_path, monkeypatch):
    wheel = zip_with(tmp_path / "many-1.0-py3-none-any.whl", {f"m{i}.txt": b"x" for i in range(12)})
    monkeypatch.setenv("REMAP_BACKEND_MAX_MEMBERS", "10")
    with pytest.raises(RemapError, match=r"12 members exceed the limit of 10.*REMAP_BACKEND_MAX_MEMBERS"):
        read_members(wheel)
    monkeypatch.setenv("REMAP_BACKEND_MAX_MEMBERS", "12")
    assert len(read_members(wheel)) == 12


def test_a_small_archive_that_unpacks_big_is_refused_before_reading(tmp_path, monkeypatch):
    wheel = zip_with(tmp_path / "bomb-1.0-py3-none-any.whl", {"zeros.bin": bytes(8 << 20)})
    assert wheel.stat().st_size < 64 << 10
    monkeypatch.setenv("REMAP_BACKEND_MAX_UNPACKED_BYTES", str(1 << 20))
    with pytest.raises(RemapError, match="zip bomb"):
        read_members(wheel)


def test_tar_members_count_against_the_same_limits(tmp_path):
    sdist = tmp_path / "bomb-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        info = tarfile.TarInfo("bomb-1.0/zeros.bin")
        info.size = 4 << 20
        archive.addfile(info, io.BytesIO(bytes(info.size)))
    members = read_members(sdist)
    assert [m.size for m in members] == [4 << 20]
    with pytest.raises(RemapError, match="zip bomb"):
        _within_limits(sdist, members, Limits(max_unpacked_bytes=1 << 20))


def test_diff_of_a_bomb_is_one_line_and_exit_2(tmp_path, cli):
    (tmp_path / "a").mkdir()
    first = zip_with(tmp_path / "a" / "bomb-1.0-py3-none-any.whl", {"zeros.bin": bytes(4 << 20)})
    second = zip_with(tmp_path / "bomb-1.0-py3-none-any.whl", {"zeros.bin": bytes(4 << 20) + b"!"})
    done = cli("diff", first, second, env_extra={"REMAP_BACKEND_MAX_UNPACKED_BYTES": str(1 << 20)})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "zip bomb" in lines[0] and "REMAP_BACKEND_MAX_UNPACKED_BYTES" in lines[0], done.stderr

"""Wheels made by other tools (ensurepip's bundled wheels, pip's wheel cache) normalize cleanly.

Each one, copied to a temp dir: normalizes (or is already canonical), passes
zipfile's CRC test, carries a RECORD whose every hash and size is right and
that lists exactly its members, keeps every member's content, and a second
run changes nothing.
"""

from __future__ import annotations

import base64
import csv
import ensurepip
import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from remap_backend.archives import normalize_path

BUNDLED = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("*.whl"))
CACHED = sorted((Path.home() / ".cache" / "pip" / "wheels").rglob("*.whl"))[:40]


def contents(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}


def check_record(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        (record_name,) = [n for n in names if n.count("/") == 1 and n.endswith(".dist-info/RECORD")]
        rows = list(csv.reader(io.StringIO(archive.read(record_name).decode())))
        assert [row[0] for row in rows] == names
        for name, hashed, size in rows[:-1]:
            data = archive.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (hashed, int(size)) == (f"sha256={digest}", len(data)), name
        assert rows[-1] == [record_name, "", ""]


@pytest.mark.e2e
@pytest.mark.parametrize("source", BUNDLED + CACHED, ids=lambda p: p.name)
def test_wheels_from_other_tools(tmp_path: Path, source: Path) -> None:
    wheel = tmp_path / source.name
    shutil.copyfile(source, wheel)
    before = contents(wheel)
    normalize_path(wheel, 0)
    after = contents(wheel)
    record = next(n for n in after if n.count("/") == 1 and n.endswith(".dist-info/RECORD"))
    changed = {n for n in before if before[n] != after.get(n)} - {record}
    assert all(n.endswith(".pyc") for n in changed)  # only RECORD and canonicalized .pyc differ
    assert set(before) == set(after)
    check_record(wheel)
    assert normalize_path(wheel, 0) == []

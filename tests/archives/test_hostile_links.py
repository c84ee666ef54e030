"""Links are resolved against the other links of the archive, in tar and zip alike.

Each link of the chain ``l1 -> ..``, ``l2 -> l1/..``, ``l3 -> l2/etc/passwd``
stays inside the tree on its own text (the old check), but once unpacked
``l3`` is ``../etc/passwd`` relative to the tree's parent: outside.
"""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import Dict

import pytest

from .kit import listing, make_wheel
from .test_wheel import assert_refused

ESCAPE = {"demo/l1": "..", "demo/l2": "l1/..", "demo/l3": "l2/etc/passwd"}
LOOP = {"demo/a": "b", "demo/b": "a"}
FINE = {"demo/l1": "..", "demo/l2": "l1/demo/util.py", "demo/up": "../demo"}


def wheel_with_links(path: Path, links: Dict[str, str]) -> Path:
    make_wheel(path)
    with zipfile.ZipFile(path, "a") as archive:
        for name, target in links.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def sdist_with_links(path: Path, links: Dict[str, str]) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("demo-1.0/PKG-INFO", b"Name: demo\n"), ("demo-1.0/demo/util.py", b"x = 1\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            info = tarfile.TarInfo("demo-1.0/" + name.split("/", 1)[1])  # same depth as in the wheel
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    path.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return path


MAKERS = {"zip": (wheel_with_links, "x.whl"), "tar": (sdist_with_links, "demo-1.0.tar.gz")}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_chain_of_links_that_leaves_the_tree_is_refused(tmp_path: Path, kind: str) -> None:
    """Old code: accepted (each link checked on its own text only)."""
    make, name = MAKERS[kind]
    assert_refused(make(tmp_path / name, ESCAPE), "leaves the tree through the other links", allow_unlisted=True)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_the_chain_in_reverse_order_is_refused_too(tmp_path: Path, kind: str) -> None:
    make, name = MAKERS[kind]
    reverse = dict(reversed(list(ESCAPE.items())))
    assert_refused(make(tmp_path / name, reverse), "leaves the tree through the other links", allow_unlisted=True)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_loop_of_links_is_refused(tmp_path: Path, kind: str) -> None:
    make, name = MAKERS[kind]
    assert_refused(make(tmp_path / name, LOOP), "loop of links", allow_unlisted=True)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_chains_that_stay_inside_are_kept(tmp_path: Path, kind: str) -> None:
    from remap_backend.archives import normalize_path

    make, name = MAKERS[kind]
    archive = make(tmp_path / name, FINE)
    normalize_path(archive, 0, allow_unlisted=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert not normalize_path(archive, 0, check=True)
    assert listing(tmp_path)

"""Text scrubbing: boundary matching, what counts as text, and the wheel rewrite (content and RECORD)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from remap_backend.archives import normalize_artifact
from remap_backend.archives.scrub import is_text, is_text_name, scrubbed
from remap_backend.remap.pathmap import PathMap
from remap_backend.remap.varying import Matcher

from .kit import DIST_INFO, make_wheel

SOURCE = "/tmp/build-via-sdist-k3j2/demo-1.0"
ENV = "/tmp/build-env-q9z8"
MAPS = [
    PathMap("/tmp", "/remap/tmp", "temporary directory"),
    PathMap("/root", "/remap/home", "home directory"),
    PathMap(ENV, "/remap/env", "build environment (sys.prefix)"),
    PathMap(SOURCE, "/remap/source", "source tree"),
    PathMap(f"{SOURCE}/build", "/remap/build", "backend build directory"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{SOURCE}", "/remap/source"),
        (f"'{SOURCE}/src/x.c'", "'/remap/source/src/x.c'"),
        (f"{SOURCE}y", f"{SOURCE}y"),  # /tmp/x must not rewrite /tmp/xy
        (f"{SOURCE}.dist-info", f"{SOURCE}.dist-info"),
        (f"{SOURCE}-2", f"{SOURCE}-2"),
        (f"-I{SOURCE}/include -L{ENV}/lib", "-I/remap/source/include -L/remap/env/lib"),
        (f"/var{SOURCE}", f"/var{SOURCE}"),  # the tail of a longer path is not the path
        ("/home/root/x", "/home/root/x"),
        (f"file://{SOURCE}/a", "file:///remap/source/a"),
        (f"/{SOURCE}", f"/{SOURCE}"),
        (f"PATH={ENV}/bin:/root/.local/bin", "PATH=/remap/env/bin:/remap/home/.local/bin"),
        (f"{SOURCE}/build/meson-logs", "/remap/build/meson-logs"),  # longest source first
        (f"{ENV}/bin/python", "/remap/env/bin/python"),
        ("/tmp/other and /tmp", "/tmp/other and /tmp"),  # shared locations are not build paths
        ("/root", "/remap/home"),
        (f"{SOURCE}/\u00e9t\u00e9 {SOURCE}\u00e9", f"/remap/source/\u00e9t\u00e9 {SOURCE}\u00e9"),
    ],
)
def test_replaces_only_whole_paths(text: str, expected: str) -> None:
    assert Matcher(MAPS).replace(text.encode()).decode() == expected


def test_a_rejected_candidate_does_not_stop_the_search() -> None:
    matcher = Matcher([PathMap("/a/b", "/A"), PathMap("/b/c", "/B")])
    assert matcher.replace(b"/var/a/b /a/b/c /b/c") == b"/var/a/b /A/c /B"


def test_shared_locations_are_never_sources() -> None:
    matcher = Matcher([PathMap(p, "/x") for p in ("/", "/usr", "/usr/local", "/tmp", "/opt", "/var/tmp")])
    assert not matcher and matcher.replace(b"/usr/include /tmp/a") == b"/usr/include /tmp/a"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pkg/_build_config.py", True), ("pkg/__init__.pyi", True), ("pkg/lib/pkgconfig/x.pc", True),
        ("pkg/share/cmake/XConfig.cmake", True), ("pkg/include/x.h", True), ("pkg/config.JSON", True),
        (f"{DIST_INFO}/METADATA", True), (f"{DIST_INFO}/entry_points.txt", True),
        (f"{DIST_INFO}/licenses/LICENSE", True), ("demo-1.0.data/scripts/demo-run", True), ("pkg/LICENSE", True),
        (f"{DIST_INFO}/RECORD", False), (f"{DIST_INFO}/RECORD.jws", False),
        ("pkg/_x.cpython-311-x86_64-linux-gnu.so", False), ("pkg/__pycache__/a.cpython-311.pyc", False),
        ("pkg/libz.so.1", False), ("pkg/logo.png", False), ("pkg/data.bin", False), ("pkg/.hidden", False),
    ],
)
def test_text_names(name: str, text: bool) -> None:
    assert is_text_name(name) is text


def test_text_content_is_utf8_without_nul() -> None:
    assert is_text("x = '/tmp'\n\u00e9".encode())
    assert not is_text(b"\x7fELF\x02\x01\x01\x00")
    assert not is_text(b"caf\xe9 latin-1")
    assert not is_text(b"text\x00with nul")


def test_binary_or_unlisted_members_are_never_edited() -> None:
    matcher = Matcher(MAPS)
    assert scrubbed("pkg/x.txt", f"{SOURCE}\x00".encode(), matcher) is None
    assert scrubbed("pkg/x.txt", f"{SOURCE} caf\xe9".encode("latin-1"), matcher) is None
    assert scrubbed("pkg/x.so", SOURCE.encode(), matcher) is None
    assert scrubbed("pkg/x.py", b"nothing here", matcher) is None
    assert scrubbed("pkg/x.py", SOURCE.encode(), matcher) == b"/remap/source"


def _record_rows(wheel: Path) -> dict[str, tuple[str, str]]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{DIST_INFO}/RECORD").decode()
    return {row[0]: (row[1], row[2]) for row in csv.reader(io.StringIO(text)) if row}


def _sha(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


BUILD_CONFIG = (
    f"python = '{ENV}/bin/python3.11'\nbuild_dir = '{SOURCE}/build'\nsource_dir = '{SOURCE}'\n"
    f"other = '{SOURCE}y'\n"
).encode()
CONTENT = {
    "demo/__init__.py": b"from demo._build_config import python\n",
    "demo/_build_config.py": BUILD_CONFIG,
    "demo/_native.so": b"\x7fELF\x02\x01\x01\x00" + SOURCE.encode() + b"\x00" * 8,
    "demo/latin1.txt": f"{SOURCE} caf\xe9\n".encode("latin-1"),
    f"{DIST_INFO}/METADATA": f"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nBuilt in {SOURCE}\n".encode(),
    f"{DIST_INFO}/WHEEL": b"Wheel-Version: 1.0\nGenerator: kit\nRoot-Is-Purelib: false\nTag: py3-none-any\n",
}


def test_wheel_text_members_scrubbed_and_record_updated(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", CONTENT)
    assert normalize_artifact(wheel, 1700000000, scrub=Matcher(MAPS)) is True
    with zipfile.ZipFile(wheel) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert members["demo/_build_config.py"] == (
        b"python = '/remap/env/bin/python3.11'\nbuild_dir = '/remap/build'\nsource_dir = '/remap/source'\n"
        + f"other = '{SOURCE}y'\n".encode()
    )
    assert members[f"{DIST_INFO}/METADATA"].endswith(b"Built in /remap/source\n")
    # binary members are left exactly as they were
    assert members["demo/_native.so"] == CONTENT["demo/_native.so"]
    assert members["demo/latin1.txt"] == CONTENT["demo/latin1.txt"]
    rows = _record_rows(wheel)
    for name, data in members.items():
        if not name.endswith("RECORD"):
            assert rows[name] == (_sha(data), str(len(data))), name
    # idempotent: a second pass finds nothing left to change
    before = wheel.read_bytes()
    assert normalize_artifact(wheel, 1700000000, scrub=Matcher(MAPS)) is False
    assert wheel.read_bytes() == before


def test_without_scrub_the_paths_stay(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", CONTENT)
    normalize_artifact(wheel, 1700000000)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("demo/_build_config.py") == BUILD_CONFIG


def test_unchanged_text_members_keep_the_producers_deflate_stream(tmp_path: Path) -> None:
    """Scrubbing on, nothing to scrub: the same bytes as the normalizer without scrubbing."""
    content = {"demo/a.py": b"x = 1\n" * 500, f"{DIST_INFO}/WHEEL": CONTENT[f"{DIST_INFO}/WHEEL"]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = make_wheel(tmp_path / "a" / "demo-1.0-py3-none-any.whl", content, compresslevel=1)
    scrub = make_wheel(tmp_path / "b" / "demo-1.0-py3-none-any.whl", content, compresslevel=1)
    normalize_artifact(plain, 1700000000)
    normalize_artifact(scrub, 1700000000, scrub=Matcher(MAPS))
    assert plain.read_bytes() == scrub.read_bytes()


def test_observer_sees_final_content_of_every_member(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", CONTENT)
    seen: dict[str, bytes] = {}
    normalize_artifact(wheel, 1700000000, scrub=Matcher(MAPS), observe=seen.__setitem__)
    with zipfile.ZipFile(wheel) as archive:
        expected = {n: archive.read(n) for n in archive.namelist() if not n.endswith("/RECORD")}
    assert seen == expected

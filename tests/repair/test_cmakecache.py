"""Parsing, ownership and relocation of CMakeCache.txt (pure logic on hand-written caches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remap_backend.errors import RemapError
from remap_backend.repair import cmakecache
from remap_backend.repair.relocation import Relocation


def write_cache(build: Path, source: Path, extra: str = "", made_in: Path | None = None) -> Path:
    build.mkdir(parents=True, exist_ok=True)
    path = build / "CMakeCache.txt"
    path.write_text(
        "# This is the CMakeCache file.\n"
        "//Program used to build from build.ninja files.\n"
        f"{extra}"
        "CMAKE_BUILD_TYPE:STRING=Release\n"
        "BUILD_SHARED_LIBS:BOOL=ON\n"
        f"CMAKE_CACHEFILE_DIR:INTERNAL={made_in or build}\n"
        f"CMAKE_HOME_DIRECTORY:INTERNAL={source}\n"
        '"QUOTED KEY":STRING=x\n'
        "UNTYPED=value\n"
    )
    return path


def test_parse_reads_entries_of_every_form(tmp_path):
    cache = cmakecache.read(write_cache(tmp_path / "build", tmp_path))
    assert cache.get("CMAKE_BUILD_TYPE") == "Release"
    assert cache.get("QUOTED KEY") == "x"
    assert cache.get("UNTYPED") == "value"
    assert cache.text == (tmp_path / "build" / "CMakeCache.txt").read_text()


@pytest.mark.parametrize("garbage", ["this line has no equals sign\n", "KEY:STRING=\x00\x00\n"])
def test_corrupt_cache_names_the_line_and_the_fix(tmp_path, garbage):
    path = write_cache(tmp_path / "build", tmp_path, extra=garbage)
    with pytest.raises(RemapError) as error:
        cmakecache.read(path)
    assert f"{path} line 3" in str(error.value) and "delete" in str(error.value)


def test_truncated_cache_without_cachefile_dir_is_corrupt(tmp_path):
    path = tmp_path / "CMakeCache.txt"
    path.write_text("CMAKE_BUILD_TYPE:STRING=Release\n")
    with pytest.raises(RemapError, match="no CMAKE_CACHEFILE_DIR"):
        cmakecache.read(path)


def test_owner_check_accepts_own_tree(tmp_path):
    cache = cmakecache.read(write_cache(tmp_path / "build", tmp_path))
    cmakecache.check_owner(cache, tmp_path)


def test_cache_copied_from_another_build_dir(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    cache = cmakecache.read(write_cache(tmp_path / "build", tmp_path, made_in=tmp_path / "elsewhere"))
    with pytest.raises(RemapError, match="belongs to another build tree.*CMAKE_CACHEFILE_DIR"):
        cmakecache.check_owner(cache, tmp_path)


def test_cache_configured_for_other_sources(tmp_path):
    other = tmp_path / "other-project"
    other.mkdir()
    tree = tmp_path / "tree"
    cache = cmakecache.read(write_cache(tree / "build", other))
    with pytest.raises(RemapError, match="CMAKE_HOME_DIRECTORY"):
        cmakecache.check_owner(cache, tree)


def test_relocated_rewrites_values_but_keeps_everything_else(tmp_path):
    new = tmp_path / "new"
    (new / "bin").mkdir(parents=True)
    (new / "bin" / "ninja").write_text("")
    old = tmp_path / "old"
    path = write_cache(tmp_path / "build", tmp_path, extra=(
        f"CMAKE_MAKE_PROGRAM:UNINITIALIZED={old}/bin/ninja\r\n"
        f"TOOLS:STRING={old}/bin/ninja;{old}/bin/gone\n"
        f"FLAG:BOOL={old}/bin/ninja\n"
    ))
    cache = cmakecache.read(path)
    text, changes = cmakecache.relocated(cache, Relocation((str(old),), (str(new),), executable="/py"))
    assert [c.key for c in changes] == ["CMAKE_MAKE_PROGRAM", "TOOLS"]
    original = path.read_bytes().decode()
    assert text == original.replace(
        f"UNINITIALIZED={old}/bin/ninja\r\n", f"UNINITIALIZED={new}/bin/ninja\r\n"
    ).replace(f"TOOLS:STRING={old}/bin/ninja;", f"TOOLS:STRING={new}/bin/ninja;")
    assert "\r\n" in text  # line endings kept as they were


def test_paths_in_finds_paths_inside_lists_and_flags(tmp_path):
    cache = cmakecache.read(write_cache(tmp_path / "b", tmp_path, extra="X:STRING=-ffile-prefix-map=/a/b=/c;/d/e f\n"))
    paths = cmakecache.paths_in(cache)
    assert {"/a/b", "/c", "/d/e"} <= set(paths) and "/a/b=/c" not in paths

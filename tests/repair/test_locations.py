"""Which directories count as a backend's state, and where caches are found in them."""

from __future__ import annotations

from pathlib import Path

from remap_backend.adapters import for_backend
from remap_backend.settings import Settings
from remap_backend.context import BuildContext
from remap_backend.repair import locations, statefile


def context(source: Path, backend: str, config_settings=None, environ=None, cmake_build_dirs=()) -> BuildContext:
    return BuildContext(
        hook="build_wheel", source_dir=source, backend_ref=backend,
        settings=Settings(backend=backend, cmake_build_dirs=tuple(cmake_build_dirs)),
        config_settings=config_settings or {}, environ=environ or {}, epoch=0,
    )


def test_setuptools_build_dir_and_configured_dirs(tmp_path):
    for name in ("build", "native-build", "other"):
        (tmp_path / name).mkdir()
    ctx = context(tmp_path, "setuptools.build_meta", cmake_build_dirs=["native-build", "missing"])
    assert locations.state_dirs(ctx, for_backend(ctx.backend_ref)) == [tmp_path / "build", tmp_path / "native-build"]


def test_scikit_build_core_user_build_dir_template(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.scikit-build]\nbuild-dir = "build/{wheel_tag}"\n')
    (tmp_path / "build" / "cp311-cp311-linux_x86_64").mkdir(parents=True)
    ctx = context(tmp_path, "scikit_build_core.build")
    cache = tmp_path / "build" / "cp311-cp311-linux_x86_64" / "CMakeCache.txt"
    cache.write_text("")
    dirs = locations.state_dirs(ctx, for_backend(ctx.backend_ref))
    assert dirs == [tmp_path / "build"] and locations.cmake_caches(dirs) == [cache]


def test_scikit_build_core_without_user_build_dir_has_no_state(tmp_path):
    ctx = context(tmp_path, "scikit_build_core.build")
    (tmp_path / "build").mkdir()
    assert locations.state_dirs(ctx, for_backend(ctx.backend_ref)) == []


def test_caches_found_below_state_dirs_but_not_in_cmake_files(tmp_path):
    build = tmp_path / "build"
    for cache in ("CMakeCache.txt", "temp.linux/CMakeCache.txt", "CMakeFiles/x/CMakeCache.txt", "a/b/c/CMakeCache.txt"):
        (build / cache).parent.mkdir(parents=True, exist_ok=True)
        (build / cache).write_text("")
    assert locations.cmake_caches([build, build]) == [build / "CMakeCache.txt", build / "temp.linux" / "CMakeCache.txt"]


def test_fingerprints_of_deleted_dirs_are_forgotten(tmp_path):
    (tmp_path / "build").mkdir()
    state = statefile.State(fingerprints={"build": {}, "gone": {}, str(tmp_path / "elsewhere"): {}})
    assert list(state.without_missing_dirs(tmp_path).fingerprints) == ["build"]

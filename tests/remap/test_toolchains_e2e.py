"""What the rendered flags do in real compilers: LTO link lines, Fortran, old-compiler fallback.

Each test compiles a tiny file with debug info in a directory that stands
for a random build directory, once without the flag under test (the path
leaks into DWARF) and once with it (only the placeholder is left).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from remap_backend.remap import cflags
from remap_backend.remap.pathmap import PathMap
from support.leaks import dwarf_paths, find_leaks

from .test_flags import fake_old_compiler

pytestmark = pytest.mark.e2e


def compile_in(directory: Path, argv: list[str]) -> None:
    subprocess.run(argv, cwd=directory, check=True, capture_output=True)


def leaked(binary: Path, directory: Path) -> bool:
    return bool(find_leaks({binary.name: binary.read_bytes()}, [str(directory)]))


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_under_lto_the_maps_must_also_be_on_the_link_line(tmp_path):
    """With -flto the debug info is written at link time: compile-only maps do not reach it."""
    build = tmp_path / "build-rAnD0m"
    build.mkdir()
    (build / "lib.c").write_text("int twice(int x) { return 2 * x; }\n")
    maps = [PathMap(str(build), "/remap/build")]
    flags = shlex.split(cflags.c_family_environment({"CC": "gcc", "PATH": ""}, maps, ("CPPFLAGS",))["CPPFLAGS"])
    compile_in(build, ["gcc", "-flto", "-g", "-O2", "-fPIC", *flags, "-c", "lib.c", "-o", "lib.o"])

    compile_in(build, ["gcc", "-flto", "-g", "-O2", "-shared", "lib.o", "-o", "without.so"])
    compile_in(build, ["gcc", "-flto", "-g", "-O2", "-shared", *flags, "lib.o", "-o", "with.so"])

    assert leaked(build / "without.so", build)
    assert not leaked(build / "with.so", build)
    assert "/remap/build" in dwarf_paths((build / "with.so").read_bytes())


@pytest.mark.skipif(shutil.which("gfortran") is None, reason="needs gfortran")
def test_fortran_gets_maps_through_fflags_when_gfortran_is_present(tmp_path):
    build = tmp_path / "build-f0rtran"
    build.mkdir()
    (build / "m.f90").write_text("subroutine twice(x)\n  real :: x\n  x = 2 * x\nend subroutine\n")
    maps = [PathMap(str(build), "/remap/build")]
    environment = cflags.c_family_environment({"CC": "gcc", "PATH": "/usr/bin:/bin"}, maps, ("CFLAGS",))
    assert environment["FFLAGS"] == environment["FCFLAGS"] == f"-ffile-prefix-map={build}=/remap/build"

    compile_in(build, ["gfortran", "-g", "-c", "m.f90", "-o", "plain.o"])
    compile_in(build, ["gfortran", "-g", *shlex.split(environment["FFLAGS"]), "-c", "m.f90", "-o", "mapped.o"])
    assert leaked(build / "plain.o", build)
    assert not leaked(build / "mapped.o", build)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_compilers_without_file_prefix_map_get_the_older_options_that_work(tmp_path):
    """A compiler that rejects -ffile-prefix-map (GCC 7, clang 9) gets -fdebug-prefix-map instead."""
    old = fake_old_compiler(tmp_path, shutil.which("gcc"), ("-ffile-prefix-map", "-fmacro-prefix-map"))
    build = tmp_path / "build-0ld"
    build.mkdir()
    (build / "a.c").write_text("int f(void) { return 1; }\n")
    maps = [PathMap(str(build), "/remap/build")]
    flags = shlex.split(cflags.c_family_environment({"CC": old, "PATH": ""}, maps, ("CFLAGS",))["CFLAGS"])
    assert flags == [f"-fdebug-prefix-map={build}=/remap/build"]
    compile_in(build, [old, "-g", *flags, "-c", "a.c", "-o", "a.o"])
    assert not leaked(build / "a.o", build)
    compile_in(build, [old, "-g", "-c", "a.c", "-o", "plain.o"])
    assert leaked(build / "plain.o", build)


CMAKE_PROJECT = """cmake_minimum_required(VERSION 3.15)
project(probe C)
add_library(probe SHARED probe.c)
"""


def configure_and_build(source: Path, build: Path, env: dict[str, str], *defines: str) -> None:
    subprocess.run(["cmake", "-S", source, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Debug", *defines],
                   check=True, capture_output=True, env=env)
    subprocess.run(["cmake", "--build", build], check=True, capture_output=True, env=env)


def library_paths(build: Path) -> list[str]:
    (library,) = build.glob("libprobe.so")
    return dwarf_paths(library.read_bytes())


@pytest.mark.skipif(not (shutil.which("cmake") and shutil.which("ninja") and shutil.which("gcc")),
                    reason="needs cmake, ninja and gcc")
def test_cmake_script_applies_new_maps_at_every_configure_where_cflags_go_stale(tmp_path):
    """A persistent CMake build dir ignores a changed CFLAGS; the project-include script does not."""
    import os

    from remap_backend.remap import cmake

    source = tmp_path / "src"
    source.mkdir()
    (source / "CMakeLists.txt").write_text(CMAKE_PROJECT)
    (source / "probe.c").write_text("int probe(void) { return 1; }\n")
    base = {k: v for k, v in os.environ.items() if k not in ("CFLAGS", cmake.MAPS_VARIABLE)}
    first, second = [PathMap(str(source), "/first")], [PathMap(str(source), "/second")]

    stale = tmp_path / "with-cflags"
    for maps in (first, second):
        configure_and_build(source, stale, {**base, "CFLAGS": f"-ffile-prefix-map={source}={maps[0].target}"})
    assert "/first" in library_paths(stale) and "/second" not in library_paths(stale)

    script = cmake.write_script(tmp_path / "state")
    fresh = tmp_path / "with-script"
    for maps in (first, second):
        env = {**base, cmake.MAPS_VARIABLE: cmake.maps_value(maps)}
        configure_and_build(source, fresh, env, f"-DCMAKE_PROJECT_INCLUDE={script}")
    assert "/second" in library_paths(fresh) and "/first" not in library_paths(fresh)
    assert not any(str(source) in path for path in library_paths(fresh))

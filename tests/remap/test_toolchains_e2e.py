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

from remap_backend import remap
from remap_backend.pathmap import PathMap
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
    flags = shlex.split(remap.c_family_environment({"CC": "gcc", "PATH": ""}, maps, ("CPPFLAGS",))["CPPFLAGS"])
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
    environment = remap.c_family_environment({"CC": "gcc", "PATH": "/usr/bin:/bin"}, maps, ("CFLAGS",))
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
    flags = shlex.split(remap.c_family_environment({"CC": old, "PATH": ""}, maps, ("CFLAGS",))["CFLAGS"])
    assert flags == [f"-fdebug-prefix-map={build}=/remap/build"]
    compile_in(build, [old, "-g", *flags, "-c", "a.c", "-o", "a.o"])
    assert not leaked(build / "a.o", build)
    compile_in(build, [old, "-g", "-c", "a.c", "-o", "plain.o"])
    assert leaked(build / "plain.o", build)

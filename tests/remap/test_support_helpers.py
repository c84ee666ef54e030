"""The shared test helpers find what they claim to find (so a passing e2e test means something)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from support.frontends import EXAMPLES
from support.leaks import find_leaks
from support.reproducibility import plain_pyproject

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WRAPPED = {
    "setuptools-c": "setuptools.build_meta",
    "setuptools-cython": "setuptools.build_meta",
    "lto-c": "setuptools.build_meta",
    "scikit-build-core-cpp": "scikit_build_core.build",
    "meson-python-c": "mesonpy",
    "pytorch-shaped": "setuptools.build_meta",
}


@pytest.mark.parametrize("example, backend", sorted(WRAPPED.items()))
def test_plain_copy_of_each_example_uses_the_wrapped_backend(example, backend):
    original = (EXAMPLES / example / "pyproject.toml").read_text()
    assert tomllib.loads(original)["build-system"]["build-backend"] == "remap_backend"
    plain = tomllib.loads(plain_pyproject(original))
    assert plain["build-system"]["build-backend"] == backend
    assert [r for r in plain["build-system"]["requires"] if "remap" in r] == []
    assert tomllib.loads(original)["project"] == plain["project"]


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_paths_in_compressed_debug_sections_are_found(tmp_path):
    """A byte search misses -gz output; the decompressed sections and DWARF records do not."""
    build = tmp_path / "somewhere-unique"
    build.mkdir()
    (build / "a.c").write_text("int f(void) { return 1; }\n")
    subprocess.run(["gcc", "-g", "-gz=zlib", "-c", "a.c", "-o", "a.o"], cwd=build, check=True)
    data = (build / "a.o").read_bytes()
    assert str(build).encode() not in data
    places = {leak.where for leak in find_leaks({"a.o": data}, [str(build)])}
    assert "DW_AT_comp_dir" in places
    assert any(place.startswith("section .debug") for place in places), places


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@pytest.mark.parametrize("dtags, entry", [("--enable-new-dtags", "DT_RUNPATH"), ("--disable-new-dtags", "DT_RPATH")])
def test_paths_in_the_dynamic_section_are_found_and_named(tmp_path, dtags, entry):
    """An interpreter's ``-Wl,-rpath,<libdir>`` lands in DT_RUNPATH (or DT_RPATH): reported as such."""
    libdir = tmp_path / "home-of-the-builder" / "lib"
    (tmp_path / "a.c").write_text("int f(void) { return 1; }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "a.c", "-o", "a.so", f"-Wl,{dtags},-rpath,{libdir}"],
                   cwd=tmp_path, check=True)
    places = {leak.where for leak in find_leaks({"a.so": (tmp_path / "a.so").read_bytes()}, [str(libdir)])}
    assert f"dynamic {entry}" in places, places
    assert "section .dynstr" in places, places


def test_random_directory_names_are_found_without_knowing_their_parent():
    data = b"/anything/.tmpAbC123/pkg/mod.c\x00/x/pip-build-env-k2j4/overlay\x00"
    found = {leak.found for leak in find_leaks({"x.so": data}, [])}
    assert found == {"/.tmpAbC123", "pip-build-env-k2j4"}

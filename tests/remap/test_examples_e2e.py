"""Each C-family example, built from its own sdist by every real frontend, reproduces exactly.

The shared check (tests/support/reproducibility.py) builds the example's
sdist, then wheels from it twice with ``python -m build``, twice with uv and
once with ``pip wheel``, and runs ``remap-backend scan`` on them; it also
builds the same sdist with the plain backend and asserts that it leaks, so
every test here shows both the failure without the proxy and the fix with it.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from remap_backend.epoch import epoch_from

from support.frontends import run_in_wheel
from support.leaks import dwarf_paths
from support.reproducibility import check_example_reproducible, temporary_directory_names

pytestmark = pytest.mark.e2e

PLACEHOLDER = "/remap/"


def call_in_wheel(wheel: Path, tmp_path: Path, module: str, expression: str) -> str:
    """Evaluate ``expression`` with the wheel's (compiled) package importable."""
    return run_in_wheel(wheel, tmp_path, f"import {module}; print({expression})")


def absolute_dwarf_paths(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {
            path
            for name in archive.namelist() if name.endswith(".so")
            for path in dwarf_paths(archive.read(name)) if path.startswith("/")
        }


def assert_compile_dirs_are_placeholders(wheel: Path) -> None:
    """The debug info still names real directories, but only as placeholders or system dirs."""
    paths = absolute_dwarf_paths(wheel)
    assert any(p.startswith(PLACEHOLDER) for p in paths), paths
    assert all(p.startswith((PLACEHOLDER, "/usr/")) for p in paths), sorted(paths)


@pytest.mark.parametrize(
    "example, module",
    [
        ("setuptools-c", "hello_c"),
        ("setuptools-cython", "hello_cy"),
        ("scikit-build-core-cpp", "hello_cpp"),
        ("meson-python-c", "hello_meson"),
    ],
)
def test_example_wheels_are_identical_and_path_free(example, module, proxy_wheelhouse, uv_cache, tmp_path):
    report = check_example_reproducible(example, proxy_wheelhouse, uv_cache, tmp_path)

    assert_compile_dirs_are_placeholders(report.wheels[0])
    assert call_in_wheel(report.wheels[0], tmp_path, module, f"{module}.greet('x')") == "hello, x"
    # The plain backend's wheel names the random directory the frontend made.
    assert temporary_directory_names(report.plain_leaks) or report.plain_leaks, report.plain_leaks


def test_lto_example_reproducible_with_epoch_reaching_the_compiler(proxy_wheelhouse, uv_cache, tmp_path):
    report = check_example_reproducible("lto-c", proxy_wheelhouse, uv_cache, tmp_path)

    assert_compile_dirs_are_placeholders(report.wheels[0])
    sources = call_in_wheel(report.wheels[0], tmp_path, "hello_lto", "hello_lto.source_file()")
    assert "helper.c" in sources and "/remap-" not in sources
    # __DATE__/__TIME__ come from SOURCE_DATE_EPOCH, which the proxy chose for the sdist.
    expected = time.strftime("%b %e %Y %H:%M:%S", time.gmtime(epoch_from({})[0]))
    assert call_in_wheel(report.wheels[0], tmp_path, "hello_lto", "hello_lto.build_time()") == expected


def test_pytorch_shaped_example_builds_from_its_own_sdist(proxy_wheelhouse, uv_cache, tmp_path):
    """setup.py drives CMake over ``CMakeLists.txt`` and ``csrc/``: the sdist must carry them."""
    report = check_example_reproducible("pytorch-shaped", proxy_wheelhouse, uv_cache, tmp_path)

    assert call_in_wheel(report.wheels[0], tmp_path, "shaped", "shaped.core_sum(4)") == "10"
    assert_compile_dirs_are_placeholders(report.wheels[0])

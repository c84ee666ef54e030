"""Rust extensions through the proxy: identical wheels from random directories, no build paths.

Each example is built from one sdist four times (twice ``python -m build``,
twice ``uv build``), each in its own random directory and TMPDIR, by the
shared check in ``support.reproducibility``; the same sdist with plain maturin
must leak, which shows the proxy is what removed the paths. On top of that,
the project's own ``.cargo/config.toml`` rustflags must still reach rustc,
observable from Python.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.reproducibility import check_example_reproducible

pytestmark = pytest.mark.e2e


def call_extension(wheel: Path, tmp_path: Path, code: str) -> str:
    """Run ``code`` with the wheel's contents importable; return what it prints."""
    target = tmp_path / f"unpacked-{wheel.stem}"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=target, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def sbom_text(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if "/sboms/" in n]
        return "".join(archive.read(n).decode() for n in names)


def test_maturin_pyo3_reproducible(proxy_wheelhouse: Path, uv_cache: Path, tmp_path: Path) -> None:
    report = check_example_reproducible("maturin-pyo3", proxy_wheelhouse, uv_cache, tmp_path)

    # The leak the proxy removed was really there: random dirs or cargo home in the plain .so.
    assert any(leak.member.endswith(".so") for leak in report.plain_leaks), report.plain_leaks

    # The project's build.rustflags (--cfg hello_pyo3_project_flag) survived our --remap-path-prefix.
    code = "import hello_pyo3; print(hello_pyo3.project_flag(), hello_pyo3.greet('x'))"
    assert call_extension(report.wheels[0], tmp_path, code) == "True hello, x"
    assert call_extension(report.plain_wheel, tmp_path, code) == "True hello, x"

    # maturin's SBOM names the source tree; the proxy's copy names the placeholder instead.
    assert "path+file:///remap/source#" in sbom_text(report.wheels[0])
    assert "path+file:///remap/source#" not in sbom_text(report.plain_wheel)

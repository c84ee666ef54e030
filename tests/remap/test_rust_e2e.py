"""Rust extensions through the proxy: identical wheels from random directories, no build paths.

Each example's own sdist is built, then wheels from it (twice ``python -m build``,
twice ``uv build``, once ``pip wheel``), each in its own random directory and TMPDIR, by the
shared check in ``support.reproducibility``; the same sdist with plain maturin
must leak, which shows the proxy is what removed the paths. On top of that,
the project's own ``.cargo/config.toml`` rustflags must still reach rustc,
observable from Python.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from support import frontends
from support.frontends import run_in_wheel
from support.reproducibility import check_example_reproducible, forbidden_paths, leaks_in_wheel, plain_sdist

pytestmark = pytest.mark.e2e


def sbom_text(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if "/sboms/" in n]
        return "".join(archive.read(n).decode() for n in names)


def test_maturin_pyo3_reproducible(proxy_wheelhouse: Path, uv_cache: Path, tmp_path: Path) -> None:
    report = check_example_reproducible("maturin-pyo3", proxy_wheelhouse, uv_cache, tmp_path)

    # The leaks the proxy removed were really there in the plain .so: the random directories and
    # the cargo home (registry sources of PyO3, named by panic locations and debug info).
    plain_so = [leak for leak in report.plain_leaks if leak.member.endswith(".so")]
    assert plain_so, report.plain_leaks
    cargo_home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
    assert any(leak.found == cargo_home for leak in plain_so), [str(leak) for leak in plain_so]

    # The project's build.rustflags (--cfg hello_pyo3_project_flag) survived our --remap-path-prefix.
    code = "import hello_pyo3; print(hello_pyo3.project_flag(), hello_pyo3.greet('x'))"
    assert run_in_wheel(report.wheels[0], tmp_path, code) == "True hello, x"
    assert run_in_wheel(report.plain_wheel, tmp_path, code) == "True hello, x"

    # maturin's SBOM names the source tree; the proxy's copy names the placeholder instead.
    assert "path+file:///remap/source#" in sbom_text(report.wheels[0])
    assert "path+file:///remap/source#" not in sbom_text(report.plain_wheel)


def test_rust_cc_reproducible(proxy_wheelhouse: Path, uv_cache: Path, tmp_path: Path) -> None:
    report = check_example_reproducible("rust-cc", proxy_wheelhouse, uv_cache, tmp_path)

    code = "import rust_cc as m; print(m.c_source_file(), m.rust_source_file(), m.add(), m.project_flag())"
    # __FILE__ of the C file compiled by build.rs through the cc crate: the placeholder, not the
    # random directory; and the project's target.'cfg(unix)' rustflags still reached rustc.
    assert run_in_wheel(report.wheels[0], tmp_path, code) == "/remap/source/csrc/greeting.c src/lib.rs 5 True"
    plain = run_in_wheel(report.plain_wheel, tmp_path, code).split()
    assert plain[0].endswith("/csrc/greeting.c") and not plain[0].startswith("/remap/"), plain
    assert any(plain[0].startswith(leak.found) or leak.found in plain[0] for leak in report.plain_leaks), plain
    assert plain[1:] == ["src/lib.rs", "5", "True"]


def host_triple() -> str:
    output = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
    return next(line.split(":", 1)[1].strip() for line in output.splitlines() if line.startswith("host:"))


def test_rust_cc_with_explicit_target(proxy_wheelhouse: Path, uv_cache: Path, tmp_path: Path) -> None:
    """maturin's ``--target`` puts cargo in cross mode (target/<triple>/): the maps still reach rustc and cc."""
    triple = host_triple()
    project = frontends.copy_project(frontends.EXAMPLES / "rust-cc", tmp_path / "project")
    sdist = frontends.build_sdist(
        project, tmp_path / "sdist", frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "t-sdist"))
    args = ["-C", f"maturin.build-args=--target={triple}"]
    # One build is enough here: reproducibility across directories is the other tests' job;
    # this one shows the maps still reach rustc and cc when cargo runs with --target.
    env = frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp-proxy")
    wheel = frontends.wheel_from_sdist_with_build(sdist, env, args)
    (source,) = [p for p in wheel.parent.parent.iterdir() if p.is_dir() and p.name != "dist"]
    assert (source / "target" / triple / "release").is_dir(), "maturin did not build with --target"

    needles = forbidden_paths(tmp_path, uv_cache)
    leaks = leaks_in_wheel(wheel, needles)
    assert not leaks, "\n".join(map(str, leaks[:20]))
    code = "import rust_cc as m; print(m.c_source_file(), m.project_flag())"
    assert run_in_wheel(wheel, tmp_path, code) == "/remap/source/csrc/greeting.c True"

    # Plain maturin with the same --target leaks the random directory.
    plain_env = frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp-plain")
    plain = frontends.wheel_from_sdist_with_build(plain_sdist(sdist, tmp_path / "plain-sdist"), plain_env, args)
    assert leaks_in_wheel(plain, needles)


def test_setuptools_rust_gets_the_rust_maps_too(proxy_wheelhouse: Path, uv_cache: Path, tmp_path: Path) -> None:
    """Not maturin: the generic plan gives cargo and the cc crate the maps for any backend with a Cargo.toml.

    The crate is rust-cc's, so the target.'cfg(unix)' rustflags and the cc crate are exercised.
    """
    report = check_example_reproducible("setuptools-rust", proxy_wheelhouse, uv_cache, tmp_path)
    code = "import hello_setuptools_rust as m; print(m.c_source_file(), m.project_flag(), m.add())"
    assert run_in_wheel(report.wheels[0], tmp_path, code) == "/remap/source/csrc/greeting.c True 5"
    plain = run_in_wheel(report.plain_wheel, tmp_path, code).split()
    assert not plain[0].startswith("/remap/") and plain[1:] == ["True", "5"], plain

"""Seed 004: a CMake cache pointing into a deleted build environment (PyTorch-style setup.py).

The same in-tree build run twice by real frontends: the plain backend fails the
second time with CMake's "build tool execution failed" (ninja from the first,
deleted environment); through the proxy both builds succeed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from support.frontends import EXAMPLES, copy_project, frontend_env, run

from .kit import as_plain_backend, build_wheel, cache_entry, install, make_venv, output

EXAMPLE = EXAMPLES / "pytorch-shaped"
SEQUENCES = {
    "uv-then-uv-reinstall": [("uv", ()), ("uv", ("--reinstall",))],
    "pip-then-uv": [("pip", ()), ("uv", ())],
    "build-then-build": [("build", ()), ("build", ())],
    "uv-editable-twice": [("uv", ("-e",)), ("uv", ("--reinstall", "-e"))],
}


def run_step(step, project: Path, python: Path, env, outdir: Path, check: bool):
    frontend, args = step
    if frontend == "build":
        return build_wheel(project, outdir, env, args, check=check)
    return install(frontend, project, python, env, args, check=check)


@pytest.mark.e2e
@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_second_build_in_a_new_environment(sequence, tmp_path, proxy_wheelhouse, uv_cache):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    first, second = SEQUENCES[sequence]
    seed_pip = any(frontend == "pip" for frontend, _ in (first, second))

    # Without the proxy: the first build works, the second finds the first env's ninja gone.
    plain = as_plain_backend(copy_project(EXAMPLE, tmp_path / "plain"), "setuptools.build_meta")
    python = make_venv(tmp_path / "venv-plain", env, seed=seed_pip)
    run_step(first, plain, python, env, tmp_path / "dist-plain-1", check=True)
    first_ninja = cache_entry(plain / "build" / "CMakeCache.txt", "CMAKE_MAKE_PROGRAM")
    assert not Path(first_ninja).exists(), "the first build environment should be gone"
    failed = run_step(second, plain, python, env, tmp_path / "dist-plain-2", check=False)
    assert failed.returncode != 0
    assert "build tool execution failed" in output(failed) and first_ninja in output(failed)

    # Through the proxy: the same two builds succeed, against the second environment's tools.
    proxied = copy_project(EXAMPLE, tmp_path / "proxied")
    python = make_venv(tmp_path / "venv-proxied", env, seed=seed_pip)
    run_step(first, proxied, python, env, tmp_path / "dist-1", check=True)
    cache = proxied / "build" / "CMakeCache.txt"
    first_ninja = cache_entry(cache, "CMAKE_MAKE_PROGRAM")
    run_step(second, proxied, python, env, tmp_path / "dist-2", check=True)

    backup = cache.with_name(cache.name + ".remap-backend.bak")
    assert cache_entry(backup, "CMAKE_MAKE_PROGRAM") == first_ninja  # what it was before the repair
    assert cache_entry(cache, "CMAKE_MAKE_PROGRAM") != first_ninja
    first_root = first_ninja.rsplit("/bin/", 1)[0]
    assert first_root not in (proxied / "build" / "build.ninja").read_text()  # CMake regenerated it
    assert first_root not in (proxied / "build" / "CMakeFiles" / "rules.ninja").read_text()

    if sequence == "build-then-build":
        (wheel,) = (tmp_path / "dist-2").glob("*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        assert any(name.startswith("shaped/_shaped") for name in names)
        assert not any(".remap-backend" in name for name in names)
        run([__import__("sys").executable, "-m", "build", "--sdist", "--outdir", tmp_path / "sdist", proxied], env)
        (sdist,) = (tmp_path / "sdist").glob("*.tar.gz")
        import tarfile

        assert not any(".remap-backend" in name for name in tarfile.open(sdist).getnames())
    else:
        upto = 1000
        done = run([python, "-c", f"import shaped; print(shaped.core_sum({upto}))"], env)
        assert int(done.stdout) == sum(range(1, upto + 1))

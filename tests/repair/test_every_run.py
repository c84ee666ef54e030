"""Issue 9 item 4: a setup.py that drives CMake on every run, ``egg_info`` included.

setuptools runs setup.py in ``get_requires_for_build_wheel``, so the second
isolated install of the tree meets the CMake cache of the first (deleted)
build environment in that hook, before any build hook. The plain backend
fails there with CMake's stale-ninja error; through the proxy, which repairs
around every hook, both installs succeed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.frontends import copy_project, frontend_env, run

from .kit import PROJECTS, as_plain_backend, cache_entry, install, make_venv, output

PROJECT = PROJECTS / "cmake-every-run"
SEQUENCES = {
    "uv-then-uv-reinstall": [("uv", ()), ("uv", ("--reinstall",))],
    "pip-then-uv-reinstall": [("pip", ()), ("uv", ("--reinstall",))],
}


@pytest.mark.e2e
@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_setup_py_driving_cmake_in_egg_info(sequence, tmp_path, proxy_wheelhouse, uv_cache):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    (first, first_args), (second, second_args) = SEQUENCES[sequence]
    seed_pip = first == "pip"

    # Without the proxy: the second install fails in setup.py, with the first env's ninja gone.
    plain = as_plain_backend(copy_project(PROJECT, tmp_path / "plain"), "setuptools.build_meta")
    python = make_venv(tmp_path / "venv-plain", env, seed=seed_pip)
    install(first, plain, python, env, first_args)
    first_ninja = cache_entry(plain / "build" / "CMakeCache.txt", "CMAKE_MAKE_PROGRAM")
    assert not Path(first_ninja).exists(), "the first build environment should be gone"
    failed = install(second, plain, python, env, second_args, check=False)
    assert failed.returncode != 0
    assert "build tool execution failed" in output(failed) and first_ninja in output(failed)
    assert "get_requires_for_build_wheel" in output(failed)  # it fails before any build hook

    # Through the proxy: both installs succeed, the second against its own environment's ninja.
    proxied = copy_project(PROJECT, tmp_path / "proxied")
    python = make_venv(tmp_path / "venv-proxied", env, seed=seed_pip)
    install(first, proxied, python, env, first_args)
    cache = proxied / "build" / "CMakeCache.txt"
    first_ninja = cache_entry(cache, "CMAKE_MAKE_PROGRAM")
    done = install(second, proxied, python, env, [*second_args, "-v"])
    text = output(done)
    start = text.index("setuptools.build_meta get_requires_for_build_wheel")
    assert "relocated" in text[start:text.index("setuptools.build_meta ", start + 1)]  # in that hook
    assert cache_entry(cache, "CMAKE_MAKE_PROGRAM") != first_ninja
    assert Path(cache_entry(cache, "CMAKE_MAKE_PROGRAM")).name == "ninja"
    assert run([python, "-c", "import everyrun; print(everyrun.square(12))"], env).stdout.strip() == "144"

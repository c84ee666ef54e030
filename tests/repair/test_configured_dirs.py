"""``[tool.remap-backend] cmake-build-dirs``, and a cache the proxy did not create.

The PyTorch-shaped project configured CMake in ``native-build/`` (not a
directory any backend is known to use) with the plain backend, so no state
file records the environment: the proxy must find the cache through the
setting and infer the vanished environment from the cache itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.frontends import EXAMPLES, copy_project, frontend_env, run

from .kit import as_plain_backend, cache_entry, install, make_venv, output

EXAMPLE = EXAMPLES / "pytorch-shaped"


def use_native_build_dir(project: Path) -> None:
    setup = project / "setup.py"
    setup.write_text(setup.read_text().replace('HERE / "build"', 'HERE / "native-build"'))


@pytest.mark.e2e
def test_cache_made_without_the_proxy_in_a_configured_dir(tmp_path, proxy_wheelhouse, uv_cache):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    project = copy_project(EXAMPLE, tmp_path)
    proxied_pyproject = (project / "pyproject.toml").read_text()
    use_native_build_dir(project)
    python = make_venv(tmp_path / "venv", env)

    as_plain_backend(project, "setuptools.build_meta")
    install("uv", project, python, env)
    cache = project / "native-build" / "CMakeCache.txt"
    vanished_ninja = cache_entry(cache, "CMAKE_MAKE_PROGRAM")
    assert not Path(vanished_ninja).exists()
    assert not (project / ".remap-backend").exists()  # nothing recorded the environment

    # Through the proxy, but it is not told about native-build/: the same failure as plain.
    (project / "pyproject.toml").write_text(proxied_pyproject)
    failed = install("uv", project, python, env, ["--reinstall"], check=False)
    assert failed.returncode != 0 and "build tool execution failed" in output(failed)

    # Told about it: the vanished environment is inferred from the cache and the build works.
    (project / "pyproject.toml").write_text(proxied_pyproject + '\n[tool.remap-backend]\ncmake-build-dirs = ["native-build"]\n')
    install("uv", project, python, env, ["--reinstall"])
    assert cache_entry(cache, "CMAKE_MAKE_PROGRAM") != vanished_ninja
    upto = 77
    done = run([python, "-c", f"import shaped; print(shaped.core_sum({upto}))"], env)
    assert int(done.stdout) == sum(range(1, upto + 1))

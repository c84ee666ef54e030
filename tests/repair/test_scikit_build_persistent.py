"""The changed-environment guard for scikit-build-core with a persistent ``build-dir``.

CMake tracks headers itself (ninja depfiles), but not values a project asked
a build dependency for once and cached. After the dependency is upgraded in
place (``--no-build-isolation``), plain scikit-build-core keeps compiling with
the cached 1.0; through the proxy the cache is dropped and CMake configures
against 2.0. A build with nothing changed recompiles nothing.

(A *moved* isolated environment needs no repair here: scikit-build-core
itself discards its cache when its own install path changes.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.frontends import frontend_env, run

from .kit import compiled_files, make_tree

BUILD_REQUIREMENTS = ("scikit-build-core>=0.10", "cmake", "ninja")


def report(python: Path, env) -> tuple[int, str]:
    code = "import skpersist; print(skpersist.header_value(), skpersist.configured_version())"
    value, version = run([python, "-c", code], env).stdout.splitlines()[-1].split()  # after any rebuild log
    return int(value), version


def installed_version(python: Path, env) -> str:
    return run([python, "-c", "import importlib.metadata as m; print(m.version('hdrdep'))"], env).stdout.strip()


@pytest.mark.e2e
def test_cached_configure_values_follow_an_upgraded_dependency(tmp_path, proxy_wheelhouse, uv_cache, hdrdep_wheels):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")

    plain = make_tree("skbuild-persistent", "plain", tmp_path, env, hdrdep_wheels,
                      "scikit_build_core.build", BUILD_REQUIREMENTS)
    plain.build()
    assert report(plain.python, env) == (1, installed_version(plain.python, env))
    plain.pip("hdrdep==2.0")
    plain.build()
    assert installed_version(plain.python, env) == "2.0"
    assert report(plain.python, env)[1] == "1.0", "plain: the version cached at configure time is stale"

    proxied = make_tree("skbuild-persistent", "proxied", tmp_path, env, hdrdep_wheels, None, BUILD_REQUIREMENTS)
    proxied.build()
    assert report(proxied.python, env) == (1, installed_version(proxied.python, env))
    assert list((proxied.tree / "build").glob("*/CMakeCache.txt")), "the build-dir should persist in the tree"
    proxied.pip("hdrdep==2.0")
    proxied.build()
    assert report(proxied.python, env) == (2, installed_version(proxied.python, env))

    unchanged = compiled_files(proxied.tree)
    assert unchanged
    proxied.build()
    assert compiled_files(proxied.tree) == unchanged
    assert report(proxied.python, env) == (2, "2.0")


@pytest.mark.e2e
def test_editable_install_still_rebuilds_on_import(tmp_path, proxy_wheelhouse, uv_cache, hdrdep_wheels):
    """scikit-build-core rebuilds an editable install from the persistent build-dir at import."""
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    tree = make_tree("skbuild-persistent", "editable", tmp_path, env, hdrdep_wheels, None, BUILD_REQUIREMENTS)
    editable = ("-C", "editable.rebuild=true", "-e")
    tree.build(*editable)
    assert report(tree.python, env) == (1, "1.0")

    source = tree.tree / "src" / "skpersist" / "_ext.c"
    source.write_text(source.read_text().replace("PyLong_FromLong(HDRDEP_VALUE)", "PyLong_FromLong(HDRDEP_VALUE + 40)"))
    # CMake's install skips a file whose mtime is within one second of the installed copy; age
    # the installed copy as if the edit came a minute after the install (a user's pace).
    for installed in (tree.tree / "build").glob("*/install/**/*.so"):
        old = installed.stat().st_mtime - 60
        os.utime(installed, (old, old))
    assert report(tree.python, env) == (41, "1.0")  # rebuilt by scikit-build-core at import

    objects = compiled_files(tree.tree, ["**/*.o"])
    tree.build(*editable)
    assert compiled_files(tree.tree, ["**/*.o"]) == objects  # nothing recompiled
    tree.pip("hdrdep==2.0")
    tree.build(*editable)
    assert report(tree.python, env) == (42, "2.0")

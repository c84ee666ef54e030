"""Seed 003: a build dependency upgraded in place; setuptools reuses objects built against the old one.

An extension compiles against a header shipped by a build dependency and is
installed with ``--no-build-isolation`` from a persistent tree. After the
dependency goes from 1.0 to 2.0 the plain backend still ships the extension
built against 1.0; through the proxy it is rebuilt against 2.0, and a third
build with nothing changed recompiles nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.frontends import frontend_env, run

from .kit import compiled_files, installed_header_value, make_tree


def built_against(python: Path, env) -> int:
    return int(run([python, "-c", "import uses_header; print(uses_header.built_against())"], env).stdout)


@pytest.mark.e2e
def test_upgraded_build_dependency_is_compiled_against(tmp_path, proxy_wheelhouse, uv_cache, hdrdep_wheels):
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")

    # Plain setuptools: the extension still reports 1 after the switch to 2.
    plain = make_tree("uses-header", "plain", tmp_path, env, hdrdep_wheels, "setuptools.build_meta")
    plain.build()
    assert built_against(plain.python, env) == installed_header_value(plain.python, env) == 1
    plain.pip("hdrdep==2.0")
    plain.build()
    assert installed_header_value(plain.python, env) == 2
    assert built_against(plain.python, env) == 1, "plain setuptools was expected to reuse the stale object"

    # Through the proxy: rebuilt against 2.
    proxied = make_tree("uses-header", "proxied", tmp_path, env, hdrdep_wheels)
    proxied.build()
    assert built_against(proxied.python, env) == installed_header_value(proxied.python, env) == 1
    before_upgrade = compiled_files(proxied.tree)
    assert before_upgrade, "setuptools should have left objects in build/temp.*"
    proxied.pip("hdrdep==2.0")
    proxied.build()
    assert built_against(proxied.python, env) == installed_header_value(proxied.python, env) == 2
    rebuilt = compiled_files(proxied.tree)
    assert rebuilt.keys() == before_upgrade.keys()
    assert all(rebuilt[name] != mtime for name, mtime in before_upgrade.items())

    # Nothing changed: an incremental build stays incremental (no object or extension rewritten).
    after_upgrade = compiled_files(proxied.tree)
    proxied.build()
    assert compiled_files(proxied.tree) == after_upgrade
    assert built_against(proxied.python, env) == 2

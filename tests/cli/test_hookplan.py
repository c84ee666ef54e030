"""hookplan: which backend the hooks call, proxied or plain."""

from __future__ import annotations

import pytest

from remap_backend_cli import hookplan
from remap_backend_cli.errors import RemapError


def test_hook_plan_wraps_declared_backend_through_environment():
    system = hookplan.read_build_system(
        {"build-system": {"requires": ["setuptools", "Remap_Backend>=0.1"], "build-backend": "pep517_backend.hooks",
                          "backend-path": ["packaging", "more"]}}
    )
    plan = hookplan.proxied_plan(system)
    assert plan.backend == "remap_backend" and plan.backend_path is None
    assert plan.requires == ("setuptools",)
    assert plan.environment == {"REMAP_BACKEND": "pep517_backend.hooks", "REMAP_BACKEND_PATH": "packaging:more"}


def test_hook_plan_keeps_projects_that_already_use_the_proxy():
    system = hookplan.read_build_system({"build-system": {"requires": ["remap-backend", "setuptools"],
                                                          "build-backend": "remap_backend"}})
    plan = hookplan.proxied_plan(system)
    assert plan.environment == {} and set(plan.unset) == {"REMAP_BACKEND", "REMAP_BACKEND_PATH"}
    plain = hookplan.plain_plan(system, "setuptools.build_meta", ())
    assert plain.backend == "setuptools.build_meta" and plain.requires == ("setuptools",) and not plain.proxied


def test_missing_build_system_means_setuptools_legacy():
    system = hookplan.read_build_system({})
    assert system.backend == "setuptools.build_meta:__legacy__" and system.requires == ("setuptools>=40.8.0",)
    with pytest.raises(RemapError, match="requires must be a list"):
        hookplan.read_build_system({"build-system": {"requires": "setuptools"}})

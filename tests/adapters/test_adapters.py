"""Which adapter serves which backend."""

from __future__ import annotations

import pytest

from remap_backend.adapters import adapter_names, for_backend


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("setuptools.build_meta", "setuptools"),
        ("setuptools.build_meta:__legacy__", "setuptools"),
        ("scikit_build_core.build", "scikit-build-core"),
        ("mesonpy", "meson-python"),
        ("maturin", "maturin"),
        ("hatchling.build", "generic"),
        ("base", "generic"),
    ],
)
def test_adapter_for_backend(reference: str, name: str) -> None:
    assert for_backend(reference).name == name


def test_every_adapter_module_defines_an_adapter() -> None:
    assert adapter_names() == ["maturin", "mesonpy", "scikit_build_core", "setuptools"]
    for module in adapter_names():
        assert for_backend(module).name != "generic"

"""Pure logic of settings: inference, precedence, parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from remap_backend import settings as config
from remap_backend.settings import split_config_settings
from remap_backend.errors import RemapError


@pytest.mark.parametrize(
    ("requirement", "backend"),
    [
        ("setuptools>=64", "setuptools.build_meta"),
        ("scikit_build_core[pyproject]>=0.10", "scikit_build_core.build"),
        ("maturin>=1,<2", "maturin"),
        ("meson-python", "mesonpy"),
        ("hatchling", "hatchling.build"),
        ("flit_core >=3.2,<4", "flit_core.buildapi"),
        ("pdm-backend", "pdm.backend"),
        ("poetry-core>=1.0.0", "poetry.core.masonry.api"),
    ],
)
def test_infers_each_known_backend(requirement: str, backend: str) -> None:
    assert config.infer_backend([requirement, "cython>=3", "remap-backend", "setuptools-scm"]) == backend


def test_inference_ambiguity_names_both_choices() -> None:
    with pytest.raises(RemapError, match='backend = "maturin" or backend = "setuptools.build_meta"'):
        config.infer_backend(["setuptools", "maturin"])


def test_inference_with_nothing_known() -> None:
    with pytest.raises(RemapError, match="names none of"):
        config.infer_backend(["cython"])


def test_precedence_environment_over_settings_over_table(tmp_path: Path) -> None:
    pyproject = {"build-system": {"requires": ["setuptools"]},
                 "tool": {"remap-backend": {"backend": "a.table", "path-map": {"/x": "/X"}}}}
    assert config.load(tmp_path, None, {}, pyproject).backend == "a.table"
    settings = config.load(tmp_path, {"remap.backend": "b.setting", "remap.map": ["/y=/Y", "/z=/Z"]}, {}, pyproject)
    assert settings.backend == "b.setting"
    assert settings.path_map == (("/x", "/X"), ("/y", "/Y"), ("/z", "/Z"))
    assert config.load(tmp_path, {"remap.backend": "b.setting"}, {"REMAP_BACKEND": "c.env"}, pyproject).backend == "c.env"


def test_inferred_when_no_table(tmp_path: Path) -> None:
    settings = config.load(tmp_path, {"--opt": "v"}, {}, {"build-system": {"requires": ["maturin>=1"]}})
    assert settings.backend == "maturin"
    assert split_config_settings({"--opt": "v", "remap.verbose": "1"}) == ({"verbose": "1"}, {"--opt": "v"})


def test_repeated_scalar_setting_takes_last(tmp_path: Path) -> None:
    settings = config.load(tmp_path, {"remap.verbose": ["false", "true"]}, {}, {"tool": {"remap-backend": {"backend": "x"}}})
    assert settings.verbose is True


def test_wrapping_ourselves_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RemapError, match="cannot be remap_backend itself"):
        config.load(tmp_path, None, {}, {"tool": {"remap-backend": {"backend": "remap_backend"}}})


def test_remap_backend_path_env_splits_on_pathsep(tmp_path: Path) -> None:
    settings = config.load(tmp_path, None, {"REMAP_BACKEND": "x", "REMAP_BACKEND_PATH": "a:b"}, {})
    assert settings.backend_path == ("a", "b")

"""Configuration errors that help: a suggestion for a misspelled key, and where the bad value came from.

Old code: no suggestion for ``backned``, ``normalise``, ``path_map`` or
``-C remap.normalise``; ``REMAP_BACKEND=nosuch.mod`` told the user to fix
``[tool.remap-backend] backend``; ``REMAP_BACKEND_PATH=/nonexistent`` did not
name the variable.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hooks.fake_backends import RECORDING, write_project
from hooks.test_hooks import run_python
from remap_backend import settings as config
from remap_backend.errors import RemapError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("key", "meant"), [("backned", "backend"), ("normalise", "normalize"),
                                            ("path_map", "path-map"), ("cmake-build-dir", "cmake-build-dirs")])
def test_a_misspelled_table_key_gets_a_suggestion(tmp_path: Path, key: str, meant: str) -> None:
    with pytest.raises(RemapError) as caught:
        config.load(tmp_path, None, {}, {"tool": {"remap-backend": {key: "x"}}})
    assert f"unknown key {key!r} in [tool.remap-backend] (did you mean {meant!r}?)" in str(caught.value)


@pytest.mark.parametrize(("key", "meant"), [("normalise", "remap.normalize"), ("verbsoe", "remap.verbose"),
                                            ("backend_path", "remap.backend-path")])
def test_a_misspelled_config_setting_gets_a_suggestion(tmp_path: Path, key: str, meant: str) -> None:
    with pytest.raises(RemapError) as caught:
        config.load(tmp_path, {f"remap.{key}": "x"}, {}, {"tool": {"remap-backend": {"backend": "x"}}})
    assert f"unknown config-setting 'remap.{key}' (did you mean {meant!r}?)" in str(caught.value)


def test_no_suggestion_for_something_unrelated(tmp_path: Path) -> None:
    with pytest.raises(RemapError) as caught:
        config.load(tmp_path, None, {}, {"tool": {"remap-backend": {"zzzzqq": "x"}}})
    assert "did you mean" not in str(caught.value)


def test_suggestions_come_from_the_declared_keys() -> None:
    """A key another change adds to the option table is suggested without touching did_you_mean."""
    assert config.did_you_mean("scrub_txt", config._TABLE_KEYS + ["scrub-text"]) == " (did you mean 'scrub-text'?)"


def test_a_misspelled_environment_variable_gets_a_warning_with_a_suggestion(tmp_path: Path, capsys) -> None:
    config.load(tmp_path, None, {"REMAP_BACKEND_PTAH": "tb"}, {"tool": {"remap-backend": {"backend": "x"}}})
    err = capsys.readouterr().err
    assert "unknown environment variable REMAP_BACKEND_PTAH (did you mean 'REMAP_BACKEND_PATH'?)" in err


def test_every_remap_backend_variable_in_the_code_is_declared() -> None:
    """So the warning above never fires for a variable the project itself reads."""
    used = set()
    for folder in ("backends", "src"):
        for path in (REPO / folder).rglob("*.py"):
            used |= set(re.findall(r"[\"'](REMAP_BACKEND[A-Z_]*)[\"']", path.read_text()))
    used |= {"REMAP_BACKEND_CMAKE_PATH_MAPS"}  # read by the generated CMake script: $ENV{...}
    assert used <= set(config.ENVIRONMENT_VARIABLES), used - set(config.ENVIRONMENT_VARIABLES)


def test_a_bad_remap_backend_variable_is_named(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", RECORDING)
    done = run_python(project, "import remap_backend; remap_backend.build_sdist('out')", REMAP_BACKEND="nosuch.mod")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot import the wrapped backend 'nosuch.mod'" in lines[0]
    assert "fix REMAP_BACKEND" in lines[0] and "[tool.remap-backend] backend" not in lines[0]


def test_a_bad_remap_backend_path_variable_is_named(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", RECORDING)
    done = run_python(project, "import remap_backend; remap_backend.build_sdist('out')",
                      REMAP_BACKEND="fakebackend", REMAP_BACKEND_PATH="/nonexistent")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "REMAP_BACKEND_PATH entry '/nonexistent' is absolute" in lines[0], done.stderr

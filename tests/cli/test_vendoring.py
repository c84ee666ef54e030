"""vendoring: pyproject.toml pointed at a vendored proxy, edited round-trip; copies compared."""

from __future__ import annotations

import pytest

tomlkit = pytest.importorskip("tomlkit")

from remap_backend_cli import vendoring  # noqa: E402

from .adopt import COMMENTED  # noqa: E402


def test_edit_keeps_comments_moves_the_backend_and_drops_the_unresolvable_requirement():
    doc = tomlkit.parse(COMMENTED)
    changes = vendoring.edit_pyproject(doc, "_remap_backend")
    text = doc.as_string()
    assert "# The project's own words, which must survive." in text
    assert '"setuptools>=64",  # the real backend' in text
    assert "remap-backend>=0.1" not in text
    parsed = tomlkit.parse(text).unwrap()
    assert parsed["build-system"]["build-backend"] == "remap_backend"
    assert parsed["build-system"]["backend-path"] == ["_remap_backend"]
    assert parsed["build-system"]["requires"] == ["setuptools>=64", vendoring.TOMLI]
    assert parsed["tool"]["remap-backend"]["backend"] == "setuptools.build_meta"
    assert any("removed requirement" in change for change in changes)


def test_edit_is_idempotent():
    doc = tomlkit.parse(COMMENTED)
    vendoring.edit_pyproject(doc, "_remap_backend")
    once = doc.as_string()
    again = tomlkit.parse(once)
    assert vendoring.edit_pyproject(again, "_remap_backend") == []
    assert again.as_string() == once


def test_an_in_tree_backend_keeps_its_path_under_tool_remap_backend():
    doc = tomlkit.parse('[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_custom"]\n')
    vendoring.edit_pyproject(doc, "_remap_backend")
    parsed = doc.unwrap()
    assert parsed["build-system"]["backend-path"] == ["_remap_backend"]
    assert parsed["tool"]["remap-backend"] == {"backend": "backend", "backend-path": ["_custom"]}


def test_an_explicit_backend_of_the_user_is_not_overwritten():
    doc = tomlkit.parse('[build-system]\nrequires = ["maturin"]\nbuild-backend = "maturin"\n'
                        '[tool.remap-backend]\nbackend = "my_wrapper:backend"\n')
    vendoring.edit_pyproject(doc, "_remap_backend")
    assert doc.unwrap()["tool"]["remap-backend"]["backend"] == "my_wrapper:backend"


def test_differing_files_names_missing_extra_and_changed():
    installed = [("remap_backend/a.py", b"1"), ("remap_backend/b.py", b"2")]
    vendored = [("remap_backend/a.py", b"1"), ("remap_backend/b.py", b"old"), ("remap_backend/gone.py", b"")]
    assert vendoring.differing_files(installed, vendored) == ["remap_backend/b.py", "remap_backend/gone.py"]
    assert vendoring.differing_files(installed, installed) == []

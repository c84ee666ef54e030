"""One model of every knob: the README's tables and the shipped JSON schema are made from it."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from remap_backend import settings

REPO = Path(__file__).resolve().parents[2]


def generated_block(name: str) -> str:
    text = (REPO / "README.md").read_text()
    match = re.search(rf"<!-- {name}: generated from [^>]*-->\n(.*?)<!-- {name}: end -->", text, re.S)
    assert match, f"README.md lost its {name} markers"
    return match.group(1)


def test_every_settings_field_is_a_declared_knob():
    declared = {o.key.replace("-", "_") for o in settings.options()}
    assert declared == {f.name for f in dataclasses.fields(settings.Settings)} - {"origins"}


def test_every_knob_is_documented_and_spelled_alike_in_each_source():
    for option in settings.options():
        assert option.help.strip() and option.type in ("string", "array", "table", "boolean"), option
        assert option.environment is None or option.environment.startswith("REMAP_BACKEND"), option


def test_the_readme_table_is_the_model(capsys):
    expected = settings.markdown_table()
    assert generated_block("settings-table") == expected, "paste remap_backend.settings.markdown_table():\n" + expected


def test_the_readme_environment_table_is_the_model():
    rows = [f"| `{name}` | {text} |" for name, text in settings.OTHER_VARIABLES.items()]
    assert generated_block("environment-table").splitlines()[2:] == rows


def test_the_shipped_schema_is_up_to_date():
    assert settings.SCHEMA_PATH.read_text() == settings.schema_text(), "run: python -m remap_backend.resources"
    assert settings.tool_schema() == settings.schema()


def test_each_knob_is_read_from_its_environment_variable(tmp_path):
    given = {"REMAP_BACKEND_STRICT": "true", "REMAP_BACKEND_PATH_MAP": f"/a=/A{':' if sys.platform != 'win32' else ';'}/b=/B",
             "REMAP_BACKEND_NORMALIZE": "0"}
    loaded = settings.load(tmp_path, {"remap.strict": "false"}, given, {"tool": {"remap-backend": {"backend": "x.y"}}})
    assert loaded.strict is True and loaded.normalize is False
    assert loaded.path_map == (("/a", "/A"), ("/b", "/B"))
    assert loaded.origin("strict") == "REMAP_BACKEND_STRICT"


def test_a_bad_environment_value_names_the_variable(tmp_path):
    with pytest.raises(settings.RemapError, match="REMAP_BACKEND_STRICT must be true or false"):
        settings.load(tmp_path, None, {"REMAP_BACKEND_STRICT": "maybe"}, {"tool": {"remap-backend": {"backend": "x"}}})


def test_adding_a_knob_is_one_field(monkeypatch):
    """The derived tables follow a new field without further edits (what a new knob costs)."""

    @dataclasses.dataclass(frozen=True)
    class Wider(settings.Settings):
        extra_knob: bool = settings.option("extra-knob", settings._as_bool, "boolean", "A test knob.", False,
                                      environment="REMAP_BACKEND_EXTRA_KNOB")

    monkeypatch.setattr(settings, "Settings", Wider)
    assert "extra-knob" in settings.schema()["properties"]
    assert "| `extra-knob` | `-C remap.extra-knob` | `REMAP_BACKEND_EXTRA_KNOB` | boolean | `false` |" in settings.markdown_table()


def examples_with_a_table() -> list[Path]:
    return sorted(p for p in (REPO / "examples").glob("*/pyproject.toml") if "[tool.remap-backend]" in p.read_text())


@pytest.mark.skipif(shutil.which("validate-pyproject") is None, reason="needs validate-pyproject (test extra)")
def test_validate_pyproject_checks_the_table_with_the_shipped_schema(tmp_path):
    """Through validate-pyproject's plugin entry point, as users would run it; a typo is caught."""
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[project]\nname = "x"\nversion = "1"\n\n[tool.remap-backend]\nbackend = "setuptools.build_meta"\nnormalise = false\n')
    refused = subprocess.run(["validate-pyproject", str(bad)], capture_output=True, text=True)
    assert refused.returncode != 0 and "normalise" in refused.stdout + refused.stderr
    good = tmp_path / "good" / "pyproject.toml"
    good.parent.mkdir()
    good.write_text(bad.read_text().replace("normalise = false", "normalize = false\nstrict = true"))
    accepted = subprocess.run(["validate-pyproject", str(good)], capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    for path in examples_with_a_table():
        table = settings.read_pyproject(path.parent).get("tool", {}).get("remap-backend", {})
        assert set(table) <= set(settings.schema()["properties"]), path

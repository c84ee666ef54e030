"""Hook semantics, checked through real subprocess hook calls (pyproject-hooks) on small real backends."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pyproject_hooks import BuildBackendHookCaller, HookMissing

from hooks.fake_backends import OPTIONAL, RECORDING, calls, write_project

REPO = Path(__file__).resolve().parents[2]
BACKENDS = str(REPO / "backends")
ALL_HOOKS = [
    "build_wheel", "build_sdist", "build_editable",
    "get_requires_for_build_wheel", "get_requires_for_build_sdist", "get_requires_for_build_editable",
    "prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable",
]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    env.pop("SOURCE_DATE_EPOCH", None)
    env["PYTHONPATH"] = BACKENDS
    env.update(extra)
    return env


def caller(project: Path, **env: str) -> BuildBackendHookCaller:
    """pyproject-hooks runs each hook in a fresh subprocess, exactly as pip and build do."""
    environ = clean_env(**env)

    def runner(cmd, cwd=None, extra_environ=None):
        done = subprocess.run(cmd, cwd=cwd, env={**environ, **(extra_environ or {})},
                              capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"hook failed:\n{done.stderr}")

    return BuildBackendHookCaller(str(project), "remap_backend", runner=runner)


def run_python(project: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=project, env=clean_env(**env),
                          capture_output=True, text=True)


def present_hooks(project: Path, **env: str) -> list[str]:
    done = run_python(project, f"import json, remap_backend; print(json.dumps("
                               f"[h for h in {ALL_HOOKS!r} if hasattr(remap_backend, h)]))", **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_only_mandatory_hooks_when_wrapped_backend_has_only_those(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING)
    assert present_hooks(project) == ["build_wheel", "build_sdist"]
    with pytest.raises(HookMissing):
        caller(project).build_editable(str(tmp_path))


def test_every_optional_hook_present_when_wrapped_backend_has_it(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING + OPTIONAL)
    assert sorted(present_hooks(project)) == sorted(ALL_HOOKS)


def test_own_requires_add_get_requires_hooks_only_for_existing_build_hooks(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING, table='backend = "fakebackend"\nbackend-path = ["tb"]\n'
                                                      'requires = ["extra-tool>=2"]')
    assert sorted(present_hooks(project)) == sorted(
        ["build_wheel", "build_sdist", "get_requires_for_build_wheel", "get_requires_for_build_sdist"])
    assert caller(project).get_requires_for_build_wheel() == ["extra-tool>=2"]


def test_get_requires_merges_without_duplicates(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING + OPTIONAL, table='backend = "fakebackend"\n'
                            'backend-path = ["tb"]\nrequires = ["shared-dep", "ours"]')
    assert caller(project).get_requires_for_build_wheel() == ["wheel-dep>=1", "shared-dep", "ours"]
    assert caller(project).get_requires_for_build_sdist() == ["sdist-dep", "shared-dep", "ours"]


def test_config_settings_forwarded_unchanged_and_remap_keys_removed(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING + OPTIONAL)
    settings = {"--build-option": ["--a", "--b"], "plain": "1", "remap.verbose": "true", "remap.normalize": "false"}
    outdir = tmp_path / "out"
    outdir.mkdir()
    caller(project).build_wheel(str(outdir), config_settings=settings)
    caller(project).get_requires_for_build_wheel(config_settings={"k": ["x", "y"]})
    recorded = calls(project)
    assert recorded[0]["kwargs"]["config_settings"] == {"--build-option": ["--a", "--b"], "plain": "1"}
    assert recorded[1]["kwargs"]["config_settings"] == {"k": ["x", "y"]}


def test_absent_config_settings_stay_absent(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING)
    outdir = tmp_path / "out"
    outdir.mkdir()
    caller(project).build_sdist(str(outdir))
    assert calls(project)[0]["kwargs"]["config_settings"] is None


def test_metadata_directory_and_editable_reach_the_backend(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING + OPTIONAL)
    outdir = tmp_path / "out"
    outdir.mkdir()
    hooks = caller(project)
    name = hooks.prepare_metadata_for_build_wheel(str(outdir))
    assert name == "demo-1.0.dist-info"
    wheel = hooks.build_editable(str(outdir), metadata_directory=str(outdir / name))
    assert wheel == "demo-1.0-py3-none-any.whl"
    assert calls(project)[-1]["kwargs"]["metadata_directory"] == str(outdir / name)


def test_wheel_is_normalized_after_build_unless_turned_off(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING)
    for normalize, outdir in (("true", tmp_path / "on"), ("false", tmp_path / "off")):
        outdir.mkdir()
        caller(project).build_wheel(str(outdir), config_settings={"remap.normalize": normalize})
    (on,), (off,) = (tmp_path / "on").glob("*.whl"), (tmp_path / "off").glob("*.whl")
    with zipfile.ZipFile(on) as normalized, zipfile.ZipFile(off) as raw:
        assert raw.infolist()[0].date_time != (1980, 1, 1, 0, 0, 0) or raw.infolist()[0].create_system != 3
        assert normalized.namelist()[-1].endswith("RECORD")
        epoch = calls(project)[0]["epoch"]
    assert epoch is not None and int(epoch) >= 0
    assert on.read_bytes() != off.read_bytes()


def test_remap_backend_config_setting_overrides_pyproject(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING, table='backend = "does_not_exist"\nbackend-path = ["tb"]')
    outdir = tmp_path / "out"
    outdir.mkdir()
    caller(project).build_sdist(str(outdir), config_settings={"remap.backend": "fakebackend"})
    assert calls(project)[0]["hook"] == "build_sdist"


def test_environment_overrides_everything(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING, table='backend = "does_not_exist"')
    outdir = tmp_path / "out"
    outdir.mkdir()
    caller(project, REMAP_BACKEND="fakebackend", REMAP_BACKEND_PATH="tb").build_sdist(
        str(outdir), config_settings={"remap.backend": "also_missing"})
    assert calls(project)[0]["hook"] == "build_sdist"


def test_each_hook_logs_one_line(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING)
    done = run_python(project, "import remap_backend, os; os.mkdir('o'); remap_backend.build_sdist('o')")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("remap-backend:")]
    assert len(lines) == 1 and "fakebackend build_sdist" in lines[0]
    verbose = run_python(project, "import remap_backend; remap_backend.build_sdist('o', {'remap.verbose': 'true'})")
    assert "SOURCE_DATE_EPOCH=" in verbose.stderr


def test_hook_signatures_match_the_peps(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING + OPTIONAL)
    code = ("import inspect, json, remap_backend; print(json.dumps({h: str(inspect.signature(getattr(remap_backend, h)))"
            f" for h in {ALL_HOOKS!r}}}))")
    done = run_python(project, code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "build_wheel": "(wheel_directory, config_settings=None, metadata_directory=None)",
        "build_editable": "(wheel_directory, config_settings=None, metadata_directory=None)",
        "build_sdist": "(sdist_directory, config_settings=None)",
        "get_requires_for_build_wheel": "(config_settings=None)",
        "get_requires_for_build_sdist": "(config_settings=None)",
        "get_requires_for_build_editable": "(config_settings=None)",
        "prepare_metadata_for_build_wheel": "(metadata_directory, config_settings=None)",
        "prepare_metadata_for_build_editable": "(metadata_directory, config_settings=None)",
    }
    assert inspect.signature  # the module-level import is used above through the subprocess


ERROR_CASES = {
    "backend not importable": (
        'backend = "no_such_backend_module"', {}, "cannot import the wrapped backend 'no_such_backend_module'"),
    "object does not exist": (
        'backend = "fakebackend:missing.attr"\nbackend-path = ["tb"]', {},
        "module 'fakebackend' has no attribute path 'missing.attr'"),
    "backend-path outside the tree": (
        'backend = "fakebackend"\nbackend-path = ["../elsewhere"]', {}, "points outside the source tree"),
    "backend-path absolute": (
        'backend = "fakebackend"\nbackend-path = ["/opt/x"]', {}, "is absolute; write it relative"),
    "unknown table key": (
        'backend = "fakebackend"\nbackend-path = ["tb"]\nbakend = "typo"', {}, "unknown key 'bakend' in [tool.remap-backend]"),
    "wrong type in table": (
        'backend = "fakebackend"\nbackend-path = "tb"\nnormalize = "sometimes"', {}, "normalize must be true or false"),
    "malformed reference": (
        'backend = "setuptools build_meta"', {}, "is not a PEP 517 object reference"),
    "unknown remap setting": (
        'backend = "fakebackend"\nbackend-path = ["tb"]', {"remap.verbos": "1"}, "unknown config-setting 'remap.verbos'"),
    "bad map setting": (
        'backend = "fakebackend"\nbackend-path = ["tb"]', {"remap.map": "relative"}, "must look like FROM=TO"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_are_one_clear_line(tmp_path: Path, case: str) -> None:
    table, settings, expected = ERROR_CASES[case]
    project = write_project(tmp_path / "p", RECORDING, table=table)
    done = run_python(project, f"import os, remap_backend; os.mkdir('o'); remap_backend.build_sdist('o', {settings!r})")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("remap-backend: error:")]
    assert len(errors) == 1 and expected in errors[0], done.stderr


def test_inference_failure_says_what_to_add(tmp_path: Path) -> None:
    project = write_project(tmp_path, RECORDING, table="", requires='["cython"]')
    done = run_python(project, "import os, remap_backend; remap_backend.build_sdist('.')")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert 'add backend = "module:object" to [tool.remap-backend]' in done.stderr


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[build-system\n")
    done = run_python(tmp_path, "import remap_backend; remap_backend.build_sdist('.')")
    assert done.returncode == 1 and "is not valid TOML" in done.stderr and "Traceback" not in done.stderr


def test_a_build_hook_parses_pyproject_toml_once(tmp_path: Path) -> None:
    """Settings, the adapters and repair share one parse (each parse of a large file costs a build)."""
    project = write_project(tmp_path / "p", RECORDING)
    code = (
        "import json, os, tomllib\n"
        "loads = []\n"
        "real = tomllib.load\n"
        "tomllib.load = lambda stream, **kw: loads.append(stream.name) or real(stream, **kw)\n"
        "import remap_backend\n"
        "os.mkdir('o'); remap_backend.build_wheel('o')\n"
        "print(json.dumps(loads))\n"
    )
    done = run_python(project, code)
    assert done.returncode == 0, done.stderr
    parsed = json.loads(done.stdout.splitlines()[-1])
    assert [Path(name).name for name in parsed] == ["pyproject.toml"], parsed

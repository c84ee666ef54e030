"""Rendering maps into flags, probing real compilers, and each adapter's choice of carrier."""

from __future__ import annotations

import os
import shutil
import subprocess
import stat
import sys
from pathlib import Path

import pytest

from remap_backend.remap import cflags, cmake, compilers
from remap_backend.remap import plan as planning
from remap_backend.adapters import for_backend
from remap_backend.adapters.base import Adapter
from remap_backend.adapters.scikit_build_core import fixed_part
from remap_backend.remap.compilers import PrefixMapSupport
from remap_backend.settings import Settings
from remap_backend.context import BuildContext
from remap_backend.remap.pathmap import PathMap

MAPS = (PathMap("/tmp", "/remap/tmp"), PathMap("/tmp/src", "/remap/source"))
OLD_GCC = PrefixMapSupport(file_prefix_map=False, debug_prefix_map=True, macro_prefix_map=False)


def test_flags_follow_map_order_and_use_the_best_option():
    assert cflags.prefix_map_flags(MAPS, compilers.MODERN) == [
        "-ffile-prefix-map=/tmp=/remap/tmp", "-ffile-prefix-map=/tmp/src=/remap/source",
    ]
    both = PrefixMapSupport(False, True, True)
    assert cflags.prefix_map_flags(MAPS[:1], both) == [
        "-fdebug-prefix-map=/tmp=/remap/tmp", "-fmacro-prefix-map=/tmp=/remap/tmp",
    ]
    assert cflags.prefix_map_flags(MAPS[:1], OLD_GCC) == ["-fdebug-prefix-map=/tmp=/remap/tmp"]


def test_user_flags_stay_first_and_unchanged():
    environ = {"CPPFLAGS": "-DUSER=1 -I'/opt/my inc'"}
    result = cflags.flag_environment(environ, MAPS, compilers.MODERN, ("CPPFLAGS",))
    assert result["CPPFLAGS"].startswith("-DUSER=1 -I'/opt/my inc' ")
    assert result["CPPFLAGS"].endswith("-ffile-prefix-map=/tmp/src=/remap/source")


def test_a_path_the_user_maps_is_not_mapped_again_in_any_variable():
    environ = {"CFLAGS": "-O1 -fdebug-prefix-map=/tmp/src/=/mine"}
    result = cflags.flag_environment(environ, MAPS, compilers.MODERN, ("CPPFLAGS", "CFLAGS"))
    assert result["CPPFLAGS"] == "-ffile-prefix-map=/tmp=/remap/tmp"
    assert result["CFLAGS"] == "-O1 -fdebug-prefix-map=/tmp/src/=/mine -ffile-prefix-map=/tmp=/remap/tmp"


def test_nvcc_gets_each_host_flag_behind_xcompiler():
    result = cflags.nvcc_environment({"NVCC_APPEND_FLAGS": "-lineinfo"}, MAPS[:1], compilers.MODERN)
    assert result == {"NVCC_APPEND_FLAGS": "-lineinfo -Xcompiler -ffile-prefix-map=/tmp=/remap/tmp"}


def test_cmake_receives_maps_as_a_list_in_order():
    assert cmake.maps_value(MAPS) == "/tmp=/remap/tmp;/tmp/src=/remap/source"


def test_cmake_script_is_written_atomically_once(tmp_path):
    path = cmake.write_script(tmp_path / "d")
    assert path.read_text() == cmake.SCRIPT
    before = path.stat().st_mtime_ns
    assert cmake.write_script(tmp_path / "d") == path
    assert path.stat().st_mtime_ns == before
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [cmake.SCRIPT_NAME]


# -- probing real compilers ---------------------------------------------------


def fake_old_compiler(tmp_path: Path, real: str, rejects: tuple[str, ...]) -> str:
    """A wrapper around a real compiler that rejects some options, as GCC 7 or clang 9 would."""
    script = tmp_path / "old-cc"
    checks = "\n".join(f'  case "$a" in {option}=*) echo "unrecognized option $a" >&2; exit 1;; esac'
                       for option in rejects)
    script.write_text(f'#!/bin/sh\nfor a in "$@"; do\n{checks}\ndone\nexec {real} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_probe_finds_what_the_compiler_in_cc_accepts(tmp_path):
    assert compilers.probe((shutil.which("gcc"),)) == PrefixMapSupport(True, True, True)
    gcc7 = fake_old_compiler(tmp_path, shutil.which("gcc"), ("-ffile-prefix-map", "-fmacro-prefix-map"))
    support = compilers.probe((gcc7,))
    assert support == OLD_GCC
    environment = cflags.c_family_environment({"CC": gcc7, "PATH": ""}, MAPS[:1], ("CFLAGS",))
    assert environment == {"CFLAGS": "-fdebug-prefix-map=/tmp=/remap/tmp"}


def test_a_compiler_that_cannot_run_is_assumed_modern():
    assert compilers.probe(("/nonexistent/cc",)) == compilers.MODERN


# -- adapters -----------------------------------------------------------------


def context(tmp_path: Path, backend: str, hook: str = "build_wheel", config=None, environ=None) -> BuildContext:
    return BuildContext(
        hook=hook, source_dir=tmp_path, backend_ref=backend, settings=Settings(backend=backend),
        config_settings=config or {}, environ=environ or {"PATH": os.environ.get("PATH", "")}, epoch=0,
    )


def test_setuptools_maps_travel_in_cppflags_never_cflags(tmp_path):
    ctx = context(tmp_path, "setuptools.build_meta", environ={"PATH": "", "CFLAGS": "-O1"})
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    assert "CFLAGS" not in plan.environment and "CXXFLAGS" not in plan.environment
    assert f"={tmp_path}=/remap/source" in plan.environment["CPPFLAGS"]


def test_generic_backend_gets_cflags_and_cxxflags(tmp_path):
    ctx = context(tmp_path, "hatchling.build", environ={"PATH": "", "CXXFLAGS": "-O1"})
    adapter = for_backend(ctx.backend_ref)
    assert type(adapter) is Adapter
    plan = planning.plan(ctx, adapter)
    assert plan.environment["CXXFLAGS"].startswith("-O1 -ffile-prefix-map=")
    assert "CPPFLAGS" not in plan.environment


def test_hooks_that_do_not_compile_get_no_maps(tmp_path):
    ctx = context(tmp_path, "setuptools.build_meta", hook="build_sdist")
    assert planning.plan(ctx, for_backend(ctx.backend_ref)) == planning.RemapPlan()


def test_scikit_build_core_gets_a_known_build_dir_unless_the_user_gives_one(tmp_path):
    ctx = context(tmp_path, "scikit_build_core.build")
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    build_dir = Path(plan.config_settings["build-dir"])
    assert build_dir.is_dir()
    assert any(m.source == str(build_dir) and m.target == "/remap/build" for m in plan.maps)
    assert Path(plan.config_settings["cmake.define.CMAKE_PROJECT_INCLUDE"]).read_text() == cmake.SCRIPT
    assert plan.environment[cmake.MAPS_VARIABLE] == cmake.maps_value(plan.maps)
    assert "CFLAGS" not in plan.environment

    mine = context(tmp_path, "scikit_build_core.build", config={"build-dir": "build/{wheel_tag}"})
    plan = planning.plan(mine, for_backend(mine.backend_ref))
    assert plan.config_settings["build-dir"] == "build/{wheel_tag}"
    assert Path(plan.config_settings["cmake.define.CMAKE_PROJECT_INCLUDE"]).parent == tmp_path / ".remap-backend"
    assert (tmp_path / ".remap-backend" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_scikit_build_core_respects_a_project_include_of_the_user(tmp_path):
    mine = {"build-dir": str(tmp_path / "b"), "cmake.define.CMAKE_PROJECT_INCLUDE": "/my/include.cmake"}
    ctx = context(tmp_path, "scikit_build_core.build", config=mine)
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    assert plan.config_settings == mine
    assert "-ffile-prefix-map=" in plan.environment["CFLAGS"]
    assert cmake.MAPS_VARIABLE not in plan.environment


def test_build_dir_templates_map_their_fixed_part(tmp_path):
    assert fixed_part("build/{wheel_tag}", tmp_path) == tmp_path / "build"
    assert fixed_part("/abs/b-{wheel_tag}", tmp_path) == Path("/abs")
    assert fixed_part("out", tmp_path) == tmp_path / "out"


def test_meson_python_build_dir_is_inside_the_source_tree(tmp_path):
    ctx = context(tmp_path, "mesonpy")
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    build_dir = Path(plan.config_settings["build-dir"])
    assert build_dir.parent == tmp_path and build_dir.name.startswith(".mesonpy-")
    assert {"CFLAGS", "CXXFLAGS"} <= set(plan.environment) and "LDFLAGS" not in plan.environment
    editable = context(tmp_path, "mesonpy", hook="build_editable")
    assert "build-dir" not in planning.plan(editable, for_backend("mesonpy")).config_settings


def test_rust_flags_are_planned_for_every_backend(tmp_path, monkeypatch):
    """The seam the Rust half plugs into: rustflags.rust_environment(environ, source_dir, maps)."""
    calls = []
    fake = type(sys)("remap_backend.remap.rustflags")
    fake.rust_environment = lambda environ, source_dir, maps, **_: calls.append(maps) or {"RUSTFLAGS": "x"}
    monkeypatch.setitem(sys.modules, "remap_backend.remap.rustflags", fake)
    monkeypatch.setattr(sys.modules["remap_backend.remap"], "rustflags", fake, raising=False)
    ctx = context(tmp_path, "setuptools.build_meta")
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    assert "RUSTFLAGS" not in plan.environment and calls == []  # no crate: the Rust half is not asked
    (tmp_path / "rust" / "Cargo.toml").parent.mkdir()
    (tmp_path / "rust" / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n')
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    assert plan.environment["RUSTFLAGS"] == "x" and calls == [plan.maps]


def test_a_c_only_build_does_not_load_the_rust_or_cmake_halves(tmp_path):
    """What a setuptools C build imports is what it pays for at every build (bench_overhead.py)."""
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools"]\n'
                                             'build-backend = "remap_backend"\n')
    code = (
        "import sys; from pathlib import Path\n"
        "from remap_backend.context import BuildContext\n"
        "from remap_backend import settings\n"
        "from remap_backend.remap import plan\n"
        "from remap_backend.adapters import for_backend\n"
        f"src = Path({str(tmp_path)!r})\n"
        "s = settings.load(src, None, {})\n"
        "ctx = BuildContext(hook='build_wheel', source_dir=src, backend_ref=s.backend, settings=s,\n"
        "                   config_settings={}, environ={'PATH': '/usr/bin:/bin'}, epoch=0)\n"
        "plan.plan(ctx, for_backend(s.backend))\n"
        "print(sorted(m for m in sys.modules if m.startswith('remap_backend')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(Path(planning.__file__).parents[2])})
    loaded = done.stdout
    for heavy in ("rustflags", "cargoconfig", "compilercache", "cmakecache", "relocation", "sdist"):
        assert f".{heavy}'" not in loaded, heavy
    assert "remap_backend.remap.cflags'" in loaded  # the C half did run


@pytest.mark.skipif(shutil.which("rustc") is None, reason="needs rustc")
def test_a_rust_tree_under_a_generic_backend_gets_each_c_map_once(tmp_path):
    """The cc crate joins CFLAGS and HOST_CFLAGS: the Rust renderer must see the planned CFLAGS."""
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n')
    ctx = context(tmp_path, "hatchling.build", environ={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    plan = planning.plan(ctx, for_backend(ctx.backend_ref))
    assert "-ffile-prefix-map=" in plan.environment["CFLAGS"]
    assert "--remap-path-prefix=" in " ".join(v for k, v in plan.environment.items() if "RUSTFLAGS" in k)
    cc_crate_sees = " ".join(plan.environment.get(k, "") for k in ("CFLAGS", "HOST_CFLAGS", "TARGET_CFLAGS"))
    sources = [w.split("=")[1] for w in cc_crate_sees.split() if w.startswith("-ffile-prefix-map=")]
    assert len(sources) == len(set(sources))


def test_meson_options_of_a_configured_dir_lose_old_maps_and_keep_the_users(tmp_path):
    import ast
    import json

    from remap_backend.adapters import mesonpy

    info = tmp_path / "b" / "meson-info"
    info.mkdir(parents=True)
    (tmp_path / "b" / "meson-private").mkdir()
    (tmp_path / "b" / "meson-private" / "coredata.dat").write_bytes(b"")
    old = ["-O1", "-ffile-prefix-map=/old/env=/remap/env", "-ffile-prefix-map=/x=/mine"]
    (info / "intro-buildoptions.json").write_text(json.dumps([
        {"name": "c_args", "value": old, "section": "compiler", "machine": "host"},
        {"name": "c_link_args", "value": old, "section": "compiler", "machine": "host"},
        {"name": "c_args", "value": ["-Dbuild"], "section": "compiler", "machine": "build"},
        {"name": "buildtype", "value": "release", "section": "core"},
    ]))
    ctx = context(tmp_path, "mesonpy", config={"build-dir": "b", "setup-args": "-Dfoo=1"})
    settings = mesonpy.ADAPTER.config_settings_with_maps(ctx, [PathMap("/new/env", "/remap/env")])
    assert settings["setup-args"][0] == "-Dfoo=1"
    options = dict(arg[2:].split("=", 1) for arg in settings["setup-args"][1:])
    assert sorted(options) == ["c_args", "c_link_args"]
    assert ast.literal_eval(options["c_args"]) == ["-O1", "-ffile-prefix-map=/x=/mine",
                                                   "-ffile-prefix-map=/new/env=/remap/env"]
    fresh = context(tmp_path, "mesonpy", config={"build-dir": "never-configured"})
    assert mesonpy.ADAPTER.config_settings_with_maps(fresh, MAPS) == fresh.config_settings

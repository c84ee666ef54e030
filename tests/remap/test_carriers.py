"""Each carrier's quoting, checked by its real consumer's parser; each refusal, by showing that parser fail.

A rendered value is fed to what really splits it: distutils' ``split_quoted``
(setuptools), meson's own ``split_args`` and array-option reader, ``sh``
(CMake's rules and autotools' Makefiles), ``cmake -P`` (the include
script's list), real cargo (rustflags). Whatever the carrier accepts must
come back exactly; for each refused character one example shows the
consumer getting it wrong, which is why the build fails instead.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from remap_backend.remap import carriers, cflags, cmake, compilers, rustflags
from remap_backend.adapters.mesonpy import meson_array
from remap_backend.remap.carriers import UnmappedPath
from remap_backend.remap.pathmap import PathMap

#: Directory names people really have, and the shell's and CMake's special characters.
PATHS = [
    "/Users/First Last", "/tmp/My Projects A/x", "/tmp/tab\there", "/tmp/q'uote", '/tmp/d"quote',
    "/tmp/back\\slash", "/tmp/trailing\\", "/tmp/dol$lar", "/tmp/dol${HOME}", "/tmp/semi;colon",
    "/tmp/br[ack", "/tmp/pa[ir]", "/tmp/an>gle", "/tmp/new\nline", "/tmp/hash#x", "/tmp/glob*?",
    "/tmp/back`tick", "/tmp/genex$<x>", "/tmp/amp&pipe|", "/tmp/unit\x1fsep", "/tmp/a=b",
]
USER_FLAGS = "-O1 -DUSER=1"


def accepted(carrier: carriers.Carrier, option=carriers.c_option_refusal) -> list[str]:
    found = []
    for path in PATHS:
        try:
            carriers.check([PathMap(path, "/remap/x")], carrier, option)
        except UnmappedPath:
            continue
        found.append(path)
    return found


def rendered(carrier: carriers.Carrier, path: str, variable: str = "CFLAGS") -> tuple[str, str]:
    """(value of the variable, the one flag it must yield) for one map of ``path``."""
    env = cflags.flag_environment({variable: USER_FLAGS}, [PathMap(path, "/remap/x")], compilers.MODERN,
                                  (variable,), carrier)
    return env[variable], f"-ffile-prefix-map={path}=/remap/x"


def test_every_refusal_is_one_line_naming_the_path_and_the_fix():
    with pytest.raises(UnmappedPath) as caught:
        carriers.check([PathMap("/tmp/a=b", "/remap/tmp")], carriers.SPLIT_QUOTED)
    message = str(caught.value)
    assert "\n" not in message and "'/tmp/a=b'" in message
    assert "remap.allow-unmapped = true" in message and "build from a directory without" in message


# -- setuptools: split_quoted ---------------------------------------------------


def test_split_quoted_reads_back_every_path_but_one_with_equals():
    from setuptools._distutils.util import split_quoted

    assert set(PATHS) - set(accepted(carriers.SPLIT_QUOTED)) == {"/tmp/a=b"}
    for path in accepted(carriers.SPLIT_QUOTED):
        value, flag = rendered(carriers.SPLIT_QUOTED, path, "CPPFLAGS")
        # setuptools appends CPPFLAGS to the compiler's command text, then splits it.
        assert split_quoted("gcc -pthread " + value) == ["gcc", "-pthread", *USER_FLAGS.split(), flag], path


def test_split_quoted_breaks_a_spaced_path_written_raw():
    from setuptools._distutils.util import split_quoted

    assert split_quoted("-ffile-prefix-map=/Users/First Last=/remap/home") != [
        "-ffile-prefix-map=/Users/First Last=/remap/home"]


# -- meson: shlex for CFLAGS, ast.literal_eval for -D arrays ------------------------


def test_meson_reads_back_every_path_but_newlines_and_equals():
    from mesonbuild.utils.universal import listify_array_value, split_args

    assert set(PATHS) - set(accepted(carriers.MESON)) == {"/tmp/new\nline", "/tmp/a=b"}
    for path in accepted(carriers.MESON):
        value, flag = rendered(carriers.MESON, path)
        assert split_args(value) == [*USER_FLAGS.split(), flag], path
        array = meson_array(["-O1", flag])
        assert listify_array_value(array, shlex_split_args=True) == ["-O1", flag], path


# -- CFLAGS read by CMake, and the generic carrier (autotools) -------------------------


def sh_words(value: str) -> list[str]:
    """What ``sh`` makes of the text in a rule (CMake's ninja/make rules, a Makefile's recipe)."""
    done = subprocess.run(["sh", "-c", f"printf '%s\\0' {value}"], capture_output=True, check=True)
    return done.stdout.decode().split("\0")[:-1]


def test_sh_reads_back_what_cmake_flags_accept():
    assert set(PATHS) - set(accepted(carriers.CMAKE_FLAGS)) == {
        "/tmp/dol$lar", "/tmp/dol${HOME}", "/tmp/genex$<x>", "/tmp/new\nline", "/tmp/a=b"}
    for path in accepted(carriers.CMAKE_FLAGS):
        value, flag = rendered(carriers.CMAKE_FLAGS, path)
        assert sh_words(value) == [*USER_FLAGS.split(), flag], path


def test_the_generic_carrier_is_read_back_by_sh_meson_and_split_quoted():
    from mesonbuild.utils.universal import split_args
    from setuptools._distutils.util import split_quoted

    assert set(PATHS) - set(accepted(carriers.GENERIC)) == {
        "/tmp/dol$lar", "/tmp/dol${HOME}", "/tmp/genex$<x>", "/tmp/new\nline", "/tmp/trailing\\", "/tmp/a=b"}
    for path in accepted(carriers.GENERIC):
        value, flag = rendered(carriers.GENERIC, path)
        expected = [*USER_FLAGS.split(), flag]
        assert sh_words(value) == split_args(value) == split_quoted(value) == expected, path


AUTOCONF = shutil.which("autoconf")


@pytest.mark.e2e
@pytest.mark.skipif(AUTOCONF is None, reason="autoconf is not installed (apt-get install autoconf)")
def test_autotools_configure_cannot_take_a_spaced_path_however_quoted(tmp_path):
    """configure expands $CFLAGS unquoted, without unquoting: no quoting survives it, but it fails loudly.

    So the generic carrier quotes for CMake, meson and make (a spaced path in a
    pure-Python or CMake build must not fail), and an autotools build fails at
    configure ("C compiler cannot create executables") instead of giving a wheel
    that differs silently.
    """
    (tmp_path / "configure.ac").write_text("AC_INIT([t], [1.0])\nAC_PROG_CC\nAC_OUTPUT\n")
    subprocess.run([AUTOCONF], cwd=tmp_path, check=True, capture_output=True)
    results = {}
    for quoting in (carriers.MESON, carriers.SPLIT_QUOTED):
        value, _ = rendered(quoting, str(tmp_path / "My Projects"))
        done = subprocess.run(["./configure"], cwd=tmp_path, env={**os.environ, "CFLAGS": value},
                              capture_output=True, text=True)
        results[quoting.name] = (done.returncode, "cannot create executables" in done.stdout + done.stderr)
    plain = subprocess.run(["./configure"], cwd=tmp_path, env={**os.environ, "CFLAGS": "-O1"}, capture_output=True)
    assert plain.returncode == 0
    assert all(result == (77, True) for result in results.values()), results


# -- the CMake include script's list -----------------------------------------------------

CMAKE = shutil.which("cmake")
needs_cmake = pytest.mark.skipif(CMAKE is None, reason="cmake is not installed")

LIST_READER = """\
set(_maps "$ENV{REMAP_BACKEND_CMAKE_PATH_MAPS}")
foreach(_map IN LISTS _maps)
  message("ITEM<${_map}>")
endforeach()
"""


def cmake_items(value: str, tmp_path: Path) -> list[str]:
    """The items the include script's ``foreach(IN LISTS)`` sees in the variable (real ``cmake -P``)."""
    script = tmp_path / "read.cmake"
    script.write_text(LIST_READER)
    done = subprocess.run([CMAKE, "-P", str(script)], env={**os.environ, cmake.MAPS_VARIABLE: value},
                          capture_output=True, text=True, check=True)
    return [item[len("ITEM<"):] for item in done.stderr.split(">\n") if item.startswith("ITEM<")]


@needs_cmake
def test_cmake_lists_read_back_every_path_they_accept(tmp_path):
    assert set(PATHS) - set(accepted(carriers.CMAKE_LIST)) == {
        "/tmp/trailing\\", "/tmp/semi;colon", "/tmp/br[ack", "/tmp/pa[ir]", "/tmp/new\nline",
        "/tmp/genex$<x>", "/tmp/a=b"}
    for path in accepted(carriers.CMAKE_LIST):
        maps = [PathMap(path, "/remap/x"), PathMap("/tmp/other", "/remap/tmp")]
        assert cmake_items(cmake.maps_value(maps), tmp_path) == [f"{path}=/remap/x", "/tmp/other=/remap/tmp"], path


@needs_cmake
@pytest.mark.parametrize("path", ["/tmp/semi;colon", "/tmp/br[ack"])
def test_cmake_lists_break_on_what_is_refused(path, tmp_path):
    with pytest.raises(UnmappedPath, match="CMake list"):
        cmake.maps_value([PathMap(path, "/remap/x")])
    raw = f"{path}=/remap/x;/tmp/other=/remap/tmp"
    assert cmake_items(raw, tmp_path) != [f"{path}=/remap/x", "/tmp/other=/remap/tmp"]


LAUNCHER = """\
#!{python}
import json, os, sys
if "-c" in sys.argv:
    with open(os.environ["ARGV_LOG"], "a") as log:
        log.write(json.dumps(sys.argv[1:]) + "\\n")
os.execvp(sys.argv[1], sys.argv[1:])
"""


def compiler_arguments(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.e2e
@needs_cmake
def test_real_cmake_passes_each_accepted_path_as_one_exact_argument(tmp_path):
    """Configure and build through the include script: every compile line carries each map exactly."""
    launcher = tmp_path / "launcher"
    launcher.write_text(LAUNCHER.format(python=sys.executable))
    launcher.chmod(0o755)
    project = tmp_path / "My Project" / "src"
    project.mkdir(parents=True)
    (project / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.15)\nproject(t C)\n"
                                           "add_library(t SHARED t.c)\n")
    (project / "t.c").write_text("const char *f = __FILE__;\n")
    weird = [p for p in accepted(carriers.CMAKE_LIST) if p != "/tmp/unit\x1fsep"]
    maps = [PathMap(p, f"/remap/w{i}") for i, p in enumerate(weird)] + [PathMap(str(project), "/remap/source")]
    script = cmake.write_script(tmp_path)
    log = tmp_path / "argv.log"
    env = {**os.environ, "ARGV_LOG": str(log), cmake.MAPS_VARIABLE: cmake.maps_value(maps)}
    build = project / "build dir"
    subprocess.run([CMAKE, "-G", "Ninja", "-S", project, "-B", build, f"-DCMAKE_PROJECT_INCLUDE={script}",
                    f"-DCMAKE_C_COMPILER_LAUNCHER={launcher}", "-DCMAKE_BUILD_TYPE=Debug"],
                   env=env, check=True, capture_output=True)
    subprocess.run([CMAKE, "--build", build], env=env, check=True, capture_output=True)
    (argv,) = [a for a in compiler_arguments(log) if any(w.endswith("t.c") for w in a)]
    want = [f"-ffile-prefix-map={m.source}={m.target}" for m in maps]
    assert [w for w in argv if w.startswith("-ffile-prefix-map=")] == want
    library = next(build.glob("*.so")).read_bytes()
    assert b"/remap/source/t.c" in library and str(project).encode() not in library


# -- cargo -----------------------------------------------------------------------

CARGO = shutil.which("cargo")
needs_cargo = pytest.mark.skipif(CARGO is None, reason="cargo is not installed")
SPACED = PathMap("/Users/First Last/.cargo", "/remap/cargo")
SPACED_FLAG = "--remap-path-prefix=/Users/First Last/.cargo=/remap/cargo"


def test_a_spaced_map_moves_rustflags_into_the_encoded_variable():
    flags = rustflags.remap_flags([SPACED])
    assert rustflags.cargo_rustflags_environment({}, [], lambda: "t", None, flags) == {
        "CARGO_ENCODED_RUSTFLAGS": SPACED_FLAG}
    moved = rustflags.cargo_rustflags_environment({"RUSTFLAGS": " --cfg  mine "}, [], lambda: "t", None, flags)
    assert moved == {"CARGO_ENCODED_RUSTFLAGS": f"--cfg\x1fmine\x1f{SPACED_FLAG}"}
    kept = rustflags.cargo_rustflags_environment({"CARGO_ENCODED_RUSTFLAGS": "-Cx"}, [], lambda: "t", None, flags)
    assert kept == {"CARGO_ENCODED_RUSTFLAGS": f"-Cx\x1f{SPACED_FLAG}"}


def test_config_rustflags_are_carried_over_into_the_encoded_variable():
    from remap_backend.remap.cargoconfig import CargoConfig

    files = [CargoConfig(path="/home/.cargo/config.toml", build_rustflags=("-Chome",)),
             CargoConfig(path="/p/.cargo/config.toml", build_rustflags=("--cfg", "mine"))]
    cli = [CargoConfig(path="--config x", build_rustflags=("-Ccli",))]
    flags = rustflags.remap_flags([SPACED])
    env = rustflags.cargo_rustflags_environment({"CARGO_BUILD_RUSTFLAGS": "-Cenv"}, [*files, *cli],
                                                lambda: "t", None, flags, command_line=1)
    assert env == {"CARGO_ENCODED_RUSTFLAGS": "\x1f".join(["-Chome", "--cfg", "mine", "-Cenv", "-Ccli", SPACED_FLAG])}
    table = CargoConfig(path="/p/.cargo/config.toml", build_rustflags=("-Cignored",),
                        target_rustflags={"cfg(unix)": ("--cfg", "unix_flag"), "t": ("-Ctriple",)})
    env = rustflags.cargo_rustflags_environment({}, [table], lambda: "t", lambda: frozenset({("unix", None)}), flags)
    assert env == {"CARGO_ENCODED_RUSTFLAGS": "\x1f".join(["-Ctriple", "--cfg", "unix_flag", SPACED_FLAG])}


def rustc_arguments(crate: Path, environ: dict[str, str], tmp_path: Path) -> list[str]:
    """The argv cargo gives rustc for the crate (through a logging RUSTC_WRAPPER)."""
    wrapper = tmp_path / "rustc-wrapper"
    wrapper.write_text(LAUNCHER.format(python=sys.executable).replace('"-c" in sys.argv', '"demo" in sys.argv'))
    wrapper.chmod(0o755)
    log = tmp_path / "rustc.log"
    log.unlink(missing_ok=True)
    (crate / "src" / "lib.rs").touch()
    done = subprocess.run([CARGO, "build", "--offline"], cwd=crate, capture_output=True, text=True,
                          env={**environ, "RUSTC_WRAPPER": str(wrapper), "ARGV_LOG": str(log)})
    if done.returncode != 0:
        return ["FAILED", done.stderr]
    return compiler_arguments(log)[-1]


@needs_cargo
@pytest.mark.parametrize("user", [{}, {"RUSTFLAGS": "--cfg project_flag"}])
def test_real_cargo_gives_rustc_the_spaced_map_whole(user, tmp_path):
    crate = tmp_path / "My Crate" / "demo"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n')
    (crate / "src" / "lib.rs").write_text("pub fn f() -> &'static str { file!() }\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO_BUILD_", "CARGO_ENCODED_", "RUSTFLAGS"))}
    environ = {**base, **user, "CARGO_TARGET_DIR": str(tmp_path / "target")}
    maps = [PathMap(str(crate), "/remap/source")]
    updates = rustflags.rust_environment(environ, crate, maps, c_flags=lambda compiler: [])
    argv = rustc_arguments(crate, {**environ, **updates}, tmp_path)
    assert f"--remap-path-prefix={crate}=/remap/source" in argv, (updates, argv)
    if user:
        assert "project_flag" in argv
    # The whitespace-split forms cannot carry it: rustc gets it in pieces and fails.
    for variable in ("RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS"):
        broken = rustc_arguments(crate, {**base, "CARGO_TARGET_DIR": environ["CARGO_TARGET_DIR"],
                                         variable: f"--remap-path-prefix={crate}=/remap/source"},
                                 tmp_path)
        assert broken[0] == "FAILED" and "must contain '=' between FROM and TO" in broken[1], broken


@needs_cargo
@pytest.mark.parametrize("scenario", ["build.rustflags", "target triple table", "target cfg table",
                                      "cfg table for another os", "CARGO_BUILD_RUSTFLAGS", "env target table"])
def test_real_cargo_keeps_config_rustflags_beside_a_spaced_map(scenario, tmp_path):
    from remap.test_rustflags import SCENARIOS, new_crate

    config, user_env = SCENARIOS[scenario]
    crate = new_crate(tmp_path / "My Crates", config)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO_BUILD_", "CARGO_TARGET_", "CARGO_ENCODED_",
                                                                     "RUSTFLAGS"))}
    environ = {**base, **user_env, "CARGO_TARGET_DIR": str(tmp_path / "target")}
    updates = rustflags.rust_environment(environ, crate, [PathMap(str(crate), "/remap/source")],
                                         c_flags=lambda compiler: [])
    assert "CARGO_ENCODED_RUSTFLAGS" in updates, updates
    argv = rustc_arguments(crate, {**environ, **updates}, tmp_path)
    assert "project_flag" in argv and f"--remap-path-prefix={crate}=/remap/source" in argv, (updates, argv)
    assert not {"ignored_by_cargo", "windows_only"} & set(argv)


# -- the cc crate ----------------------------------------------------------------


def test_cc_gets_shell_quoted_flags_with_shell_escaping_turned_on():
    flag = "-ffile-prefix-map=/Users/First Last=/remap/home"
    updates = rustflags.cc_flags_environment({"CFLAGS": "-O1"}, None, False, [flag], [(1, 2, 0)])
    assert updates["CC_SHELL_ESCAPED_FLAGS"] == "1"
    # cc >= 1.1.11 splits with the shlex crate, which follows POSIX (and Python's shlex).
    assert shlex.split(updates["CFLAGS"]) == ["-O1", flag]
    assert shlex.split(updates["HOST_CXXFLAGS"]) == [flag]


def test_cc_is_told_to_read_meson_quoted_cflags_as_a_shell_would():
    quoted = rendered(carriers.MESON, "/tmp/My Projects A/x")[0]
    updates = rustflags.cc_flags_environment({"CFLAGS": quoted}, None, False, [])
    assert updates == {"CC_SHELL_ESCAPED_FLAGS": "1"}


@pytest.mark.parametrize(("environ", "versions", "reason"), [
    ({"CC_SHELL_ESCAPED_FLAGS": "0"}, [], "you set CC_SHELL_ESCAPED_FLAGS='0'"),
    ({}, [(1, 1, 10), (1, 2, 0)], r"cc 1.1.10 \(Cargo.lock\)"),
    ({"CFLAGS": '-DNAME="x y"'}, [], "quotes in your CFLAGS"),
])
def test_cc_refuses_when_shell_escaping_cannot_be_turned_on(environ, versions, reason):
    with pytest.raises(UnmappedPath, match=reason):
        rustflags.cc_flags_environment(environ, None, False, ["-ffile-prefix-map=/a b=/remap/x"], versions)


def test_cc_versions_come_from_cargo_lock(tmp_path):
    (tmp_path / "rust").mkdir()
    (tmp_path / "rust" / "Cargo.lock").write_text(
        'version = 3\n\n[[package]]\nname = "cc"\nversion = "1.0.83"\n\n[[package]]\nname = "ccx"\nversion = "9.0.0"\n')
    assert rustflags.cc_versions_locked(tmp_path) == [(1, 0, 83)]


# -- the plan: fail, or go on with a warning under remap.allow-unmapped ----------------


def plan_context(source: Path, allow: bool):
    from remap_backend.settings import Settings
    from remap_backend.context import BuildContext

    backend = "setuptools.build_meta"
    return BuildContext(
        hook="build_wheel", source_dir=source, backend_ref=backend,
        settings=Settings(backend=backend, allow_unmapped=allow), config_settings={},
        environ={"PATH": os.environ.get("PATH", ""), "HOME": str(source.parent)}, epoch=0,
    )


def test_a_path_no_carrier_takes_fails_the_plan_unless_allowed(tmp_path, capsys):
    from remap_backend.remap import plan as planning
    from remap_backend.adapters import for_backend

    source = tmp_path / "a=b" / "proj"
    source.mkdir(parents=True)
    with pytest.raises(UnmappedPath, match=r"cannot map '.*/a=b' for the compiler option"):
        planning.plan(plan_context(source, allow=False), for_backend("setuptools.build_meta"))

    plan = planning.plan(plan_context(source, allow=True), for_backend("setuptools.build_meta"))
    warned = capsys.readouterr().err
    assert "remap-backend: warning: cannot map" in warned and "left unmapped (remap.allow-unmapped = true)" in warned
    assert not any("=" in m.source for m in plan.maps)
    assert "a=b" not in plan.environment.get("CPPFLAGS", "")
    assert any(m.target == "/remap/tmp" for m in plan.maps)  # the other maps are still there


def test_a_spaced_source_tree_is_mapped_by_the_setuptools_plan(tmp_path):
    from setuptools._distutils.util import split_quoted

    from remap_backend.remap import plan as planning
    from remap_backend.adapters import for_backend

    source = tmp_path / "My Projects" / "proj"
    source.mkdir(parents=True)
    plan = planning.plan(plan_context(source, allow=False), for_backend("setuptools.build_meta"))
    assert f"-ffile-prefix-map={source}=/remap/source" in split_quoted(plan.environment["CPPFLAGS"])


def test_allow_unmapped_is_a_setting_in_both_places(tmp_path):
    from remap_backend import settings as config

    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\n[tool.remap-backend]\nallow-unmapped = true\n')
    assert config.load(tmp_path, None, {}).allow_unmapped is True
    assert config.load(tmp_path, {"remap.allow-unmapped": "false"}, {}).allow_unmapped is False

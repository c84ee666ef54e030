"""Where the Rust maps go: decided in pure functions, checked against what real cargo passes rustc.

Each scenario is a real crate with a real ``.cargo/config.toml``; cargo runs
with the proxy's environment updates and ``-v`` shows the rustc command line,
which must carry both the project's own flag and every map. The naive fix
(``RUSTFLAGS=--remap-path-prefix...``) is run too, and loses the project's flag.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from remap_backend.remap import rustflags
from remap_backend.remap.cargoconfig import (
    CargoConfig,
    cfg_matches,
    command_line_config,
    load_cargo_configs,
    parse_cargo_config,
    parse_print_cfg,
)
from remap_backend.remap.pathmap import PathMap
from remap_backend.remap.rustflags import (
    cargo_rustflags_environment,
    cc_flags_environment,
    remap_flags,
    rust_environment,
    target_env_name,
)

HOST = rustflags.host_triple(os.environ, Path.cwd()) or "x86_64-unknown-linux-gnu"
LINUX_CFG = parse_print_cfg('unix\ntarget_os="linux"\ntarget_arch="x86_64"\ntarget_pointer_width="64"\n')


def fail_if_called():
    raise AssertionError("rustc was probed although the answer does not depend on it")


# -- pure logic ---------------------------------------------------------------


def test_remap_flags_put_general_maps_first() -> None:
    maps = [PathMap("/a/b/c", "/remap/source"), PathMap("/a", "/remap/home"), PathMap("/a/b", "/remap/tmp")]
    assert remap_flags(maps) == [
        "--remap-path-prefix=/a=/remap/home",
        "--remap-path-prefix=/a/b=/remap/tmp",
        "--remap-path-prefix=/a/b/c=/remap/source",
    ]


def test_remap_flags_refuse_targets_rustc_cannot_parse() -> None:
    # rustc splits FROM=TO at the last '=': a source with '=' is fine, a target with '=' maps the wrong prefix.
    from remap_backend.remap.carriers import UnmappedPath

    assert remap_flags([PathMap("/p=q", "/r")]) == ["--remap-path-prefix=/p=q=/r"]
    with pytest.raises(UnmappedPath, match=r"cannot map '/x' for rustc: .*last '='.*allow-unmapped"):
        remap_flags([PathMap("/x", "/y=z"), PathMap("/p=q", "/r")])


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cfg(unix)", True),
        ("cfg(windows)", False),
        ('cfg(target_os = "linux")', True),
        ('cfg(target_os="macos")', False),
        ('cfg(all(unix, target_arch = "x86_64"))', True),
        ('cfg(all(unix, target_arch = "aarch64"))', False),
        ('cfg(any(windows, target_pointer_width = "64"))', True),
        ("cfg(not(windows))", True),
        ("cfg(not(unix))", False),
        ("cfg(all())", True),
        ("cfg(any())", False),
    ],
)
def test_cfg_expressions(expression: str, expected: bool) -> None:
    assert cfg_matches(expression, LINUX_CFG) is expected


@pytest.mark.parametrize("bad", ["cfg(", "cfg(not(unix, windows))", "unix", "cfg(all(unix)"])
def test_malformed_cfg_is_an_error_not_a_guess(bad: str) -> None:
    with pytest.raises(ValueError):
        cfg_matches(bad, LINUX_CFG)


def test_encoded_rustflags_win_and_keep_their_separator() -> None:
    environ = {"CARGO_ENCODED_RUSTFLAGS": "--cfg\x1fmine", "RUSTFLAGS": "--cfg ignored"}
    updates = cargo_rustflags_environment(environ, [], fail_if_called, None, ["--remap-path-prefix=/a=/b"])
    assert updates == {"CARGO_ENCODED_RUSTFLAGS": "--cfg\x1fmine\x1f--remap-path-prefix=/a=/b"}


def test_empty_encoded_rustflags_still_count_as_set() -> None:
    updates = cargo_rustflags_environment({"CARGO_ENCODED_RUSTFLAGS": ""}, [], fail_if_called, None, ["-Cx"])
    assert updates == {"CARGO_ENCODED_RUSTFLAGS": "-Cx"}


def test_rustflags_are_appended_to() -> None:
    updates = cargo_rustflags_environment({"RUSTFLAGS": "-C opt-level=1"}, [], fail_if_called, None, ["-Cx"])
    assert updates == {"RUSTFLAGS": "-C opt-level=1 -Cx"}


def test_build_rustflags_without_target_tables_need_no_rustc() -> None:
    configs = [CargoConfig("c.toml", build_rustflags=("--cfg", "mine"))]
    updates = cargo_rustflags_environment({}, configs, fail_if_called, None, ["-Cx"])
    assert updates == {"CARGO_BUILD_RUSTFLAGS": "-Cx"}


def test_a_matching_cfg_table_takes_the_maps() -> None:
    configs = [CargoConfig("c.toml", build_rustflags=("-Cy",), target_rustflags={"cfg(unix)": ("--cfg", "u")})]
    updates = cargo_rustflags_environment({}, configs, lambda: HOST, lambda: LINUX_CFG, ["-Cx"])
    assert updates == {target_env_name(HOST): "-Cx"}


def test_a_table_for_another_target_leaves_build_rustflags_in_force() -> None:
    configs = [CargoConfig("c.toml", target_rustflags={"cfg(windows)": ("-Cw",), "aarch64-apple-darwin": ("-Ca",)})]
    updates = cargo_rustflags_environment({}, configs, lambda: HOST, lambda: LINUX_CFG, ["-Cx"])
    assert updates == {"CARGO_BUILD_RUSTFLAGS": "-Cx"}


def test_target_env_name_matches_cargo_spelling() -> None:
    assert target_env_name("thumbv7em-none-eabihf") == "CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS"
    assert target_env_name("x86_64-unknown-linux-gnu.2.17") == "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_2_17_RUSTFLAGS"


def test_parse_config_accepts_cargo_string_or_list_forms() -> None:
    config = parse_cargo_config(
        {"build": {"rustflags": "-C a  -C b", "target": "wasm32-wasip1"},
         "target": {"cfg(unix)": {"rustflags": ["--cfg", "x"]}, "x86_64-pc-windows-msvc": {"linker": "lld"}}},
        "c.toml",
    )
    assert config.build_rustflags == ("-C", "a", "-C", "b")
    assert config.build_target == ("wasm32-wasip1",)
    assert dict(config.target_rustflags) == {"cfg(unix)": ("--cfg", "x")}


def test_cc_maps_go_to_the_spelling_cc_reads_first() -> None:
    flags = ["-ffile-prefix-map=/a=/b"]
    environ = {"CFLAGS": "-O1", "CFLAGS_x86_64_unknown_linux_gnu": "-O2"}
    updates = cc_flags_environment(environ, "x86_64-unknown-linux-gnu", False, flags)
    assert updates["CFLAGS_x86_64_unknown_linux_gnu"] == "-O2 -ffile-prefix-map=/a=/b"
    assert "CFLAGS" not in updates  # plain CFLAGS (read by other tools too) untouched
    assert updates["HOST_CXXFLAGS"] == "-ffile-prefix-map=/a=/b"


def test_cc_maps_are_not_given_twice() -> None:
    flags = ["-ffile-prefix-map=/a=/b"]
    assert cc_flags_environment({"HOST_CFLAGS": "-g -ffile-prefix-map=/a=/b", "HOST_CXXFLAGS": "-ffile-prefix-map=/a=/b"},
                                None, False, flags) == {}


def test_cross_compiling_uses_target_spellings() -> None:
    updates = cc_flags_environment({}, "aarch64-unknown-linux-gnu", True, ["-ffile-prefix-map=/a=/b"])
    assert set(updates) == {"TARGET_CFLAGS", "TARGET_CXXFLAGS"}


def test_user_remaps_of_a_path_win(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text("[package]\nname='x'\n")
    maps = [PathMap(str(tmp_path), "/remap/source"), PathMap("/home/u", "/remap/home")]
    environ = {"RUSTFLAGS": f"--remap-path-prefix={tmp_path}=/mine", "HOME": str(tmp_path / "nohome")}
    updates = rust_environment(environ, tmp_path, maps, c_flags=lambda compiler: [])
    assert updates == {"RUSTFLAGS": f"--remap-path-prefix={tmp_path}=/mine --remap-path-prefix=/home/u=/remap/home"}


def test_trees_without_cargo_toml_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    assert rust_environment({}, tmp_path, [PathMap("/a", "/b")], c_flags=lambda compiler: ["-x"]) == {}


def test_invalid_cargo_config_is_one_clear_error(tmp_path: Path) -> None:
    from remap_backend.errors import RemapError

    (tmp_path / ".cargo").mkdir()
    (tmp_path / ".cargo" / "config.toml").write_text("[build\nrustflags = 1\n")
    with pytest.raises(RemapError, match=r"config\.toml is not valid TOML.*fix the cargo config"):
        load_cargo_configs(tmp_path, {"HOME": str(tmp_path / "h")})


def test_config_files_come_lowest_precedence_first(tmp_path: Path) -> None:
    home, outer, inner = tmp_path / "cargo-home", tmp_path / "ws", tmp_path / "ws" / "pkg"
    for directory, text in ((home, 'build.rustflags = ["-Chome"]'),
                            (outer / ".cargo", 'build.rustflags = ["-Couter"]\ninclude = ["more.toml"]'),
                            (inner / ".cargo", 'build.rustflags = ["-Cinner"]')):
        directory.mkdir(parents=True)
        (directory / "config.toml").write_text(text)
    (outer / ".cargo" / "more.toml").write_text('build.rustflags = ["-Cincluded"]')
    configs = load_cargo_configs(inner, {"CARGO_HOME": str(home)})
    assert [c.build_rustflags for c in configs] == [("-Chome",), ("-Cincluded",), ("-Couter",), ("-Cinner",)]


# -- against real cargo ----------------------------------------------------------

CARGO = shutil.which("cargo")
needs_cargo = pytest.mark.skipif(CARGO is None, reason="cargo is not installed")

SCENARIOS = {
    "build.rustflags": ('[build]\nrustflags = ["--cfg", "project_flag"]\n', {}),
    "target triple table": (
        '[build]\nrustflags = ["--cfg", "ignored_by_cargo"]\n'
        f'[target.{HOST}]\nrustflags = ["--cfg", "project_flag"]\n', {}),
    "target cfg table": ('[target.\'cfg(unix)\']\nrustflags = ["--cfg", "project_flag"]\n', {}),
    "cfg table for another os": (
        '[build]\nrustflags = ["--cfg", "project_flag"]\n'
        '[target.\'cfg(windows)\']\nrustflags = ["--cfg", "windows_only"]\n', {}),
    "RUSTFLAGS": ("", {"RUSTFLAGS": "--cfg project_flag"}),
    "CARGO_ENCODED_RUSTFLAGS": ("", {"CARGO_ENCODED_RUSTFLAGS": "--cfg\x1fproject_flag"}),
    "CARGO_BUILD_RUSTFLAGS": ('[build]\nrustflags = ["--cfg", "file_flag"]\n',
                              {"CARGO_BUILD_RUSTFLAGS": "--cfg project_flag"}),
    "env target table": ("", {target_env_name(HOST): "--cfg project_flag"}),
}


def rustc_command_line(crate: Path, environ: dict[str, str]) -> str:
    """The rustc invocation cargo makes for the crate itself (``cargo build -v``)."""
    (crate / "src" / "lib.rs").touch()
    done = subprocess.run([CARGO, "build", "-v", "--offline"], cwd=crate, env=environ,
                          capture_output=True, text=True, check=True)
    (line,) = [l for l in done.stderr.splitlines() if "Running" in l and "--crate-name demo" in l]
    return line


def new_crate(parent: Path, config: str) -> Path:
    crate = parent / "demo"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text('[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n')
    (crate / "src" / "lib.rs").write_text("pub fn f() -> &'static str { file!() }\n")
    if config:
        (crate / ".cargo").mkdir()
        (crate / ".cargo" / "config.toml").write_text(config)
    return crate


@needs_cargo
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_real_cargo_passes_project_flags_and_maps(scenario: str, tmp_path: Path) -> None:
    config, user_env = SCENARIOS[scenario]
    crate = new_crate(tmp_path, config)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("CARGO_BUILD_", "CARGO_TARGET_", "CARGO_ENCODED_", "RUSTFLAGS"))}
    environ = {**base, **user_env, "CARGO_TARGET_DIR": str(tmp_path / "target")}
    maps = [PathMap(str(crate), "/remap/source"), PathMap(str(tmp_path), "/remap/tmp")]

    updates = rust_environment(environ, crate, maps, c_flags=lambda compiler: [])
    line = rustc_command_line(crate, {**environ, **updates})
    assert "project_flag" in line, (updates, line)
    assert f"--remap-path-prefix={tmp_path}=/remap/tmp" in line, (updates, line)
    assert f"--remap-path-prefix={crate}=/remap/source" in line, (updates, line)
    assert line.index(f"{tmp_path}=/remap/tmp") < line.index(f"{crate}=/remap/source")

    # The naive fix, for contrast: RUSTFLAGS replaces every config source.
    if "RUSTFLAGS" not in user_env and "CARGO_ENCODED_RUSTFLAGS" not in user_env:
        naive = rustc_command_line(crate, {**environ, "RUSTFLAGS": " ".join(remap_flags(maps))})
        assert "project_flag" not in naive


def test_command_line_config_values_are_toml_or_files(tmp_path: Path) -> None:
    from remap_backend.errors import RemapError
    inline = command_line_config('target.x86_64-unknown-linux-gnu.rustflags=["--cfg", "cli"]', tmp_path)
    assert dict(inline.target_rustflags) == {"x86_64-unknown-linux-gnu": ("--cfg", "cli")}
    (tmp_path / "more.toml").write_text('build.rustflags = "-C a"\n')
    assert command_line_config("more.toml", tmp_path).build_rustflags == ("-C", "a")
    with pytest.raises(RemapError, match="neither KEY=VALUE in TOML nor an existing file"):
        command_line_config("missing.toml", tmp_path)


@needs_cargo
def test_a_command_line_target_table_takes_the_maps(tmp_path: Path) -> None:
    """``cargo --config target...`` (maturin's ``config``) outranks build.rustflags, so the maps go there."""
    crate = new_crate(tmp_path, '[build]\nrustflags = ["--cfg", "ignored_by_cargo"]\n')
    cli = f'target.{HOST}.rustflags=["--cfg", "project_flag"]'
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO_BUILD_", "CARGO_TARGET_", "RUSTFLAGS"))}
    environ["CARGO_TARGET_DIR"] = str(tmp_path / "target")
    maps = [PathMap(str(crate), "/remap/source")]
    updates = rust_environment(environ, crate, maps, c_flags=lambda compiler: [],
                               command_line_configs=[command_line_config(cli, crate)])
    (crate / "src" / "lib.rs").touch()
    done = subprocess.run([CARGO, "build", "-v", "--offline", "--config", cli], cwd=crate,
                          env={**environ, **updates}, capture_output=True, text=True, check=True)
    (line,) = [l for l in done.stderr.splitlines() if "--crate-name demo" in l]
    assert "project_flag" in line and f"--remap-path-prefix={crate}=/remap/source" in line, (updates, line)


def test_maps_in_cppflags_still_reach_the_cc_crate(tmp_path: Path) -> None:
    """The setuptools adapter puts C maps in CPPFLAGS, which the cc crate never reads."""
    (tmp_path / "Cargo.toml").write_text("[package]\nname='x'\n")
    maps = [PathMap(str(tmp_path), "/remap/source")]
    mapped = f"-ffile-prefix-map={tmp_path}=/remap/source"
    environ = {"HOME": str(tmp_path / "h"), "CPPFLAGS": mapped, "CC": "gcc"}
    updates = rust_environment(environ, tmp_path, maps)
    assert updates["HOST_CFLAGS"] == mapped and updates["HOST_CXXFLAGS"] == mapped
    # Already in a variable cc reads (the maturin adapter's own result, seen again by the plan): nothing twice.
    again = rust_environment({**environ, **updates}, tmp_path, maps)
    assert again == {}, again


def test_build_environment_maps_stay_out_of_rustflags() -> None:
    """A new isolated env per build must not change rustflags (cargo would rebuild every crate)."""
    from remap_backend.remap.discovery import ENV
    from remap_backend.remap.pathmap import Kind
    from remap_backend.remap.rustflags import for_rustc

    maps = [PathMap("/tmp/build-env-abc", ENV, kind=Kind.ENV), PathMap("/tmp/build-env-abc/lib/x", f"{ENV}/lib/x", kind=Kind.ENV),
            PathMap("/src/tree", "/remap/source", kind=Kind.SOURCE), PathMap("/home/u/.cargo", "/remap/cargo", kind=Kind.TOOL),
            PathMap("/opt/venv", "/remap/env", kind=Kind.USER)]
    # By kind, not by target: the user's own map to a target spelled like ours stays.
    assert [m.target for m in for_rustc(maps)] == ["/remap/source", "/remap/cargo", "/remap/env"]

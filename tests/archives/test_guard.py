"""The leak guard's search: plain bytes, ELF sections, compressed debug sections, dynamic tags; report and strict."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from remap_backend import settings as config
from remap_backend.archives import elf
from remap_backend.archives import normalize_artifact
from remap_backend.errors import RemapError
from remap_backend.archives.guard import Finding, Guard, report, scan_member
from remap_backend.remap.pathmap import PathMap
from remap_backend.remap.varying import Matcher

C_SOURCE = "const char *where = BUILD_DIR;\nint answer(int x) { return x + 1; }\n"


def build_dir(tmp_path: Path) -> Path:
    """A directory with a name no toolchain file could hold by chance."""
    directory = tmp_path / "build-q7Zx2k"
    directory.mkdir()
    (directory / "mod.c").write_text(C_SOURCE)
    return directory


def compile_so(directory: Path, name: str, *flags: str, build_dir_macro: str = '"elsewhere"') -> bytes:
    subprocess.run(
        ["gcc", "-shared", "-fPIC", f"-DBUILD_DIR={build_dir_macro}", *flags, "mod.c", "-o", name],
        cwd=directory, check=True, capture_output=True,
    )
    return (directory / name).read_bytes()


def matcher_for(directory: Path) -> Matcher:
    return Matcher([PathMap(str(directory), "/remap/build", "backend build directory")])


def lines(findings: list[Finding]) -> list[str]:
    return [finding.line() for finding in findings]


def test_string_constant_found_in_rodata(tmp_path: Path) -> None:
    directory = build_dir(tmp_path)
    data = compile_so(directory, "m.so", "-O2", build_dir_macro=f'"{directory}"')
    assert lines(scan_member(matcher_for(directory), "pkg/m.so", data)) == [
        f"leak: pkg/m.so: {directory} (section .rodata)"
    ]


@pytest.mark.parametrize(("mode", "section"), [("zlib", ".debug_str"), ("zlib-gnu", ".zdebug_str")])
def test_paths_in_compressed_debug_sections(tmp_path: Path, mode: str, section: str) -> None:
    """``-gz``: the path is in no raw byte of the file, only in the inflated debug section."""
    directory = build_dir(tmp_path)
    data = compile_so(directory, "m.so", "-gdwarf-4", "-g3", f"-gz={mode}")
    assert str(directory).encode() not in data  # a plain byte search finds nothing
    layout = elf.layout(data)
    assert layout is not None and any(s.name == section and s.compressed for s in layout.sections)
    assert lines(scan_member(matcher_for(directory), "m.so", data)) == [
        f"leak: m.so: {directory} (section {section}, zlib-compressed)"
    ]


def test_zstd_section_is_inspected_or_reported_as_uninspectable(tmp_path: Path) -> None:
    directory = build_dir(tmp_path)
    compile_so(directory, "m.so", "-gdwarf-4", "-g3")
    subprocess.run(["objcopy", "--compress-debug-sections=zstd", "m.so", "z.so"], cwd=directory, check=True)
    data = (directory / "z.so").read_bytes()
    assert str(directory).encode() not in data
    found = lines(scan_member(matcher_for(directory), "z.so", data))
    try:
        import compression.zstd  # noqa: F401  # Python 3.14+
    except ImportError:
        assert found and all(line.startswith("leak: z.so: cannot inspect section .debug") for line in found)
        assert "zstd-compressed" in found[0]
    else:
        assert f"leak: z.so: {directory} (section .debug_str, zstd-compressed)" in found


def test_runpath_named_by_its_dynamic_tag(tmp_path: Path) -> None:
    directory = build_dir(tmp_path)
    data = compile_so(directory, "m.so", f"-Wl,-rpath,{directory}/lib:$ORIGIN/../lib")
    assert lines(scan_member(matcher_for(directory), "m.so", data)) == [
        f"leak: m.so: {directory} (dynamic section DT_RUNPATH)"
    ]


def test_deliberate_origin_rpath_is_no_finding(tmp_path: Path) -> None:
    directory = build_dir(tmp_path)
    data = compile_so(directory, "m.so", "-Wl,-rpath,$ORIGIN/../lib")
    assert scan_member(matcher_for(directory), "m.so", data) == []


def test_text_and_not_elf(tmp_path: Path) -> None:
    matcher = Matcher([PathMap("/tmp/build-env-a1", "/remap/env")])
    assert lines(scan_member(matcher, "pkg/cfg.py", b"python = '/tmp/build-env-a1/bin/python'\n")) == [
        "leak: pkg/cfg.py: /tmp/build-env-a1 (bytes)"
    ]
    # a file that starts like ELF but is not one is still searched as bytes
    assert lines(scan_member(matcher, "x.so", b"\x7fELF junk /tmp/build-env-a1\x00")) == [
        "leak: x.so: /tmp/build-env-a1 (bytes)"
    ]


def test_longest_source_reported_once_per_member(tmp_path: Path) -> None:
    matcher = Matcher([PathMap("/root", "/remap/home"), PathMap("/root/.pyenv/versions/3.11.7", "/remap/python")])
    data = b"a /root/.pyenv/versions/3.11.7/lib b /root/.pyenv/versions/3.11.7/include c /root/x"
    assert lines(scan_member(matcher, "f.txt", data)) == [
        "leak: f.txt: /root/.pyenv/versions/3.11.7 (bytes)", "leak: f.txt: /root (bytes)",
    ]


@pytest.fixture
def leaky_wheel(tmp_path: Path) -> tuple[Path, Path]:
    from archives.kit import DIST_INFO, make_wheel

    directory = build_dir(tmp_path)
    so = compile_so(directory, "m.so", "-g", "-gz=zlib", build_dir_macro=f'"{directory}"')
    members = {
        "demo/m.so": so, "demo/__init__.py": b"",
        f"{DIST_INFO}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: py3-none-any\n",
    }
    return make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", members), directory


def test_guard_in_the_normalizers_pass_equals_its_own_pass(leaky_wheel) -> None:
    wheel, directory = leaky_wheel
    maps = [PathMap(str(directory), "/remap/build")]
    alone = Guard(maps)
    alone.scan_wheel(wheel)
    streamed = Guard(maps)
    normalize_artifact(wheel, 1700000000, observe=streamed.inspect)
    assert streamed.findings() == alone.findings()
    assert [f.member for f in streamed.findings()] == ["demo/m.so"]
    assert ".rodata" in streamed.findings()[0].where


def test_report_warns_without_strict_and_fails_with_it(capsys) -> None:
    findings = [Finding("pkg/m.so", "/tmp/build-q7", "section .rodata"), Finding("pkg/a.py", "/root", "bytes")]
    report(findings, "demo.whl", strict=False)
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == ["remap-backend: leak: pkg/m.so: /tmp/build-q7 (section .rodata)",
                       "remap-backend: leak: pkg/a.py: /root (bytes)"]
    assert err[2].startswith("remap-backend: warning: demo.whl: 2 leak finding(s)")
    with pytest.raises(RemapError) as raised:
        report(findings, "demo.whl", strict=True)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(
        "demo.whl: 2 leak finding(s): pkg/m.so names /tmp/build-q7 (section .rodata); pkg/a.py names /root (bytes);"
    )
    report([], "demo.whl", strict=True)  # nothing found: nothing printed, no failure
    assert capsys.readouterr().err.count("leak:") == 2


def test_settings_strict_and_scrub_text(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\n[tool.remap-backend]\nscrub-text = false\n'
    )
    settings = config.load(tmp_path, None, {})
    assert (settings.scrub_text, settings.strict) == (False, False)
    settings = config.load(tmp_path, {"remap.strict": "true", "remap.scrub-text": "true"}, {})
    assert (settings.scrub_text, settings.strict) == (True, True)
    with pytest.raises(RemapError, match="remap.strict must be true or false"):
        config.load(tmp_path, {"remap.strict": "maybe"}, {})


def test_cli_turns_strict_on_unless_the_user_decided(tmp_path: Path) -> None:
    from remap_backend_cli.configsettings import with_strict_default

    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools"]\n')
    assert with_strict_default({"x": "1"}, tmp_path, strict=True) == {"x": "1", "remap.strict": "true"}
    assert with_strict_default({"x": "1"}, tmp_path, strict=False) == {"x": "1"}  # --no-strict
    assert with_strict_default({"remap.strict": "false"}, tmp_path, strict=True) == {"remap.strict": "false"}
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\n[tool.remap-backend]\nstrict = false\n'
    )
    assert with_strict_default({}, tmp_path, strict=True) == {}  # the project's own setting wins

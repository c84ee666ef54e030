"""The proxy only adds path maps (and drops the interpreter's rpath): every other argument stays as it was.

A logging wrapper stands in for ``CC``/``CXX`` and records each command line.
The same example is built with the plain backend and through the proxy
(``--no-isolation``, so both see the same environment); the extension's
command lines must be equal once the proxy's own ``-f*-prefix-map=...=/remap/...``
options are removed, and the plain link line's ``-Wl,-rpath,<the interpreter's
libdir>`` words (from Python's own ``LDSHARED``; setuptools only) with them. Both builds run with the user's own ``CFLAGS``, which
must survive, and setuptools' compile lines must keep Python's optimisation
flags (an environment ``CFLAGS`` would have replaced them).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import stat
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from support.frontends import EXAMPLES, REPO, copy_project, frontend_env, run
from support.leaks import dwarf_paths
from support.reproducibility import plain_pyproject

pytestmark = pytest.mark.e2e

PROXY_MAP = re.compile(r"^-f(file|debug|macro)-prefix-map=[^=]+=/remap/")
ANY_MAP = re.compile(r"^-f(?:file|debug|macro)-prefix-map=([^=]+)=")
USER_CFLAGS = "-DUSER_FLAG=42 -Wno-unused-parameter"

WRAPPER = """#!{python}
import json, os, sys
with open(os.environ["CC_LOG"], "a") as stream:
    stream.write(json.dumps(sys.argv[1:]) + "\\n")
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
"""


def compiler_wrapper(directory: Path, name: str, real: str) -> Path:
    path = directory / name
    path.write_text(WRAPPER.format(python=sys.executable, real=shutil.which(real)))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def build_logged(
    project: Path, tmp_path: Path, label: str, extra: dict[str, str], args: tuple[str, ...] = (),
    real_compilers: tuple[str, str] = ("gcc", "g++"),
) -> tuple[list[list[str]], Path]:
    """Build a wheel without isolation through wrapped compilers; return (command lines, wheel)."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    log = tmp_path / f"{label}.jsonl"
    env = frontend_env(tmp_path, None, tmp_path / "tmp", {
        "CC": str(compiler_wrapper(tools, "cc", real_compilers[0])),
        "CXX": str(compiler_wrapper(tools, "c++", real_compilers[1])),
        "CC_LOG": str(log),
        "PYTHONPATH": str(REPO / "backends"),
        **extra,
    })
    outdir = tmp_path / f"dist-{label}"
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check",
         "--outdir", outdir, *args, project], env)
    (wheel,) = outdir.glob("*.whl")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    return lines, wheel


def normalized(argv: list[str], project: Path, tmpdir: Path) -> list[str]:
    """Spell the directories that legitimately differ between the two builds the same way."""
    result = []
    for arg in argv:
        arg = arg.replace(str(project), "<SRC>")
        arg = re.sub(re.escape(str(tmpdir)) + r"/(tmp[^/]+/build|remap-backend-build-[^/]+)", "<BUILD>", arg)
        arg = re.sub(r"\.mesonpy-[A-Za-z0-9_]+", ".mesonpy-<BUILD>", arg)
        result.append(arg)
    return result


def extension_lines(lines: list[list[str]], sources: tuple[str, ...]) -> list[list[str]]:
    """Command lines that compile one of the example's sources or link its extension."""
    return [argv for argv in lines
            if any(a.endswith(sources) for a in argv) or any(a.endswith(".so") and "-o" in argv for a in argv)]


def interpreter_rpath_words() -> set[str]:
    """The ``-Wl,-rpath,<libdir>`` words of this interpreter's LDSHARED (pyenv's --enable-shared has them)."""
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    return {w for w in shlex.split(sysconfig.get_config_var("LDSHARED") or "") if w.startswith("-Wl,-rpath,") and libdir in w}


EXAMPLES_UNDER_TEST = [
    ("lto-c", ("_hello.c", "helper.c")),
    ("scikit-build-core-cpp", ("_hello.cpp",)),
    ("meson-python-c", ("_hello.c",)),
]


@pytest.mark.parametrize("example, sources", EXAMPLES_UNDER_TEST)
def test_only_path_maps_are_added_to_compile_and_link_lines(example, sources, tmp_path):
    user_flags = {"CFLAGS": USER_CFLAGS, "CXXFLAGS": USER_CFLAGS}
    proxied = copy_project(EXAMPLES / example, tmp_path / "proxy")
    plain = copy_project(EXAMPLES / example, tmp_path / "plain")  # same path length as "proxy"
    (plain / "pyproject.toml").write_text(plain_pyproject((plain / "pyproject.toml").read_text()))

    proxy_lines, proxy_wheel = build_logged(proxied, tmp_path, "proxy", user_flags)
    plain_lines, plain_wheel = build_logged(plain, tmp_path, "plain", user_flags)

    ours = extension_lines(proxy_lines, sources)
    theirs = extension_lines(plain_lines, sources)
    assert ours and len(ours) == len(theirs), (ours, theirs)
    assert any(PROXY_MAP.match(a) for argv in ours for a in argv), "the proxy added no path map"
    for argv in ours:
        mapped = [ANY_MAP.match(a).group(1) for a in argv if ANY_MAP.match(a)]
        assert len(mapped) == len(set(mapped)), f"a path is mapped twice in {argv}"
    stripped = [normalized([a for a in argv if not PROXY_MAP.match(a)], proxied, tmp_path / "tmp") for argv in ours]
    rpaths = interpreter_rpath_words()
    assert not any(a in rpaths for argv in ours for a in argv), "the interpreter's rpath reached the proxy's link"
    if example == "lto-c" and rpaths:  # setuptools links with Python's LDSHARED, rpath and all
        assert any(a in rpaths for argv in theirs for a in argv), theirs
    expected = [normalized([a for a in argv if a not in rpaths], plain, tmp_path / "tmp") for argv in theirs]
    assert stripped == expected

    compiles = [argv for argv in ours if "-c" in argv]
    assert compiles and all("-DUSER_FLAG=42" in argv for argv in compiles), compiles
    # The plain build leaks its directories into the debug info; ours names placeholders only.
    assert any(str(tmp_path) in p for p in wheel_dwarf_paths(plain_wheel))
    assert not any(str(tmp_path) in p for p in wheel_dwarf_paths(proxy_wheel))


def wheel_dwarf_paths(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return [p for n in archive.namelist() if n.endswith(".so") for p in dwarf_paths(archive.read(n))]


def test_setuptools_keeps_pythons_optimisation_flags_and_the_users_own_map(tmp_path):
    """setuptools >= 75.7 lets CFLAGS replace Python's flags: the proxy must not use CFLAGS."""
    project = copy_project(EXAMPLES / "lto-c", tmp_path / "proxy")
    python_flags = [f for f in shlex.split(sysconfig.get_config_var("CFLAGS") or "") if f.startswith(("-O", "-fwrapv"))]
    assert python_flags, "this interpreter has no optimisation flags to protect"
    user_map = f"-ffile-prefix-map={project}=/mine"
    lines, wheel = build_logged(project, tmp_path, "proxy", {"CPPFLAGS": f"-DUSER_FLAG=7 {user_map}"})

    compiles = [argv for argv in extension_lines(lines, ("_hello.c", "helper.c")) if "-c" in argv]
    assert compiles
    for argv in compiles:
        assert all(flag in argv for flag in python_flags), argv
        assert argv.count(user_map) == 1 and not any(a.startswith(f"-ffile-prefix-map={project}=/remap") for a in argv)
    # The user's map won for the source tree: the debug info names /mine, not /remap/source.
    paths = wheel_dwarf_paths(wheel)
    assert "/mine" in paths and "/remap/source" not in paths, paths
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "unpacked")
    done = run([sys.executable, "-c", "import hello_lto; print(hello_lto.user_flag())"],
               frontend_env(tmp_path, None), cwd=tmp_path / "unpacked")
    assert done.stdout.strip() == "7"


@pytest.mark.skipif(shutil.which("gdb") is None, reason="needs gdb")
def test_gdb_finds_the_sources_with_the_documented_substitute_path(tmp_path):
    """docs/remapping.md: `set substitute-path /remap/source <checkout>` points gdb at the code."""
    project = copy_project(EXAMPLES / "setuptools-c", tmp_path / "proxy")
    _, wheel = build_logged(project, tmp_path, "proxy", {})
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "unpacked")
    (library,) = (tmp_path / "unpacked").glob("hello_c/_hello*.so")

    def gdb_list(*commands: str) -> str:
        argv = ["gdb", "-nx", "-batch", *[a for c in commands for a in ("-ex", c)],
                "-ex", f"file {library}", "-ex", "list greet"]
        return subprocess.run(argv, capture_output=True, text=True, check=False).stdout

    assert "PyUnicode_FromFormat" not in gdb_list()
    checkout = EXAMPLES / "setuptools-c"
    assert "PyUnicode_FromFormat" in gdb_list(f"set substitute-path /remap/source {checkout}")


def test_meson_build_dir_set_up_earlier_gets_the_current_maps(tmp_path):
    """meson ignores a changed CFLAGS in a configured build dir; the proxy passes -D options instead."""
    build_dir = "build/persistent"
    plain = copy_project(EXAMPLES / "meson-python-c", tmp_path / "plain")
    (plain / "pyproject.toml").write_text(plain_pyproject((plain / "pyproject.toml").read_text()))
    stale = []
    for label in ("first", "second"):
        cflags = {"CFLAGS": f"-ffile-prefix-map={plain / build_dir}=/{label}"}
        stale.append(wheel_dwarf_paths(build_logged(plain, tmp_path, f"plain-{label}", cflags,
                                                    (f"-Cbuild-dir={build_dir}",))[1]))
    assert "/first" in stale[1] and "/second" not in stale[1], "plain meson should keep the first CFLAGS"

    proxied = copy_project(EXAMPLES / "meson-python-c", tmp_path / "proxy")
    fresh = []
    for label in ("first", "second"):
        args = (f"-Cbuild-dir={build_dir}", f"-Cremap.map={proxied / build_dir}=/{label}")
        fresh.append(wheel_dwarf_paths(build_logged(proxied, tmp_path, f"proxy-{label}", {}, args)[1]))
    assert "/first" in fresh[0]
    assert "/second" in fresh[1] and "/first" not in fresh[1], fresh[1]


def test_scikit_build_core_build_dir_configured_earlier_gets_the_current_maps(tmp_path):
    """CMake keeps the CFLAGS of its first configure; the proxy's project include re-applies maps."""
    proxied = copy_project(EXAMPLES / "scikit-build-core-cpp", tmp_path / "proxy")
    build_dir = proxied / "build" / "persistent"
    paths = []
    for label in ("first", "second"):
        args = (f"-Cbuild-dir={build_dir}", f"-Cremap.map={proxied}=/{label}")
        paths.append(wheel_dwarf_paths(build_logged(proxied, tmp_path, f"proxy-{label}", {}, args)[1]))
        assert (build_dir / "CMakeCache.txt").is_file()
    assert any(p.startswith("/first/") for p in paths[0])
    assert any(p.startswith("/second/") for p in paths[1]), paths[1]
    assert not any(p.startswith("/first") for p in paths[1]), paths[1]


@pytest.mark.skipif(shutil.which("clang") is None, reason="needs clang")
def test_clang_in_cc_is_probed_and_gets_the_maps(tmp_path):
    project = copy_project(EXAMPLES / "setuptools-c", tmp_path / "proxy")
    lines, wheel = build_logged(project, tmp_path, "clang", {}, real_compilers=("clang", "clang++"))
    compiles = [argv for argv in extension_lines(lines, ("_hello.c",)) if "-c" in argv]
    assert compiles and all(any(PROXY_MAP.match(a) for a in argv) for argv in compiles)
    paths = [p for p in wheel_dwarf_paths(wheel) if p.startswith("/")]
    assert "/remap/source" in paths
    # clang factors common directories out of the line table: "/remap" + "python/include/x.h".
    assert all(p == "/remap" or p.startswith(("/remap/", "/usr/")) for p in paths), paths

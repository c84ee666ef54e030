"""A real PyTorch C++ extension (``CppExtension`` + ``BuildExtension``, compiled by ninja).

torch's BuildExtension writes ``build/temp.*/build.ninja`` with absolute paths
(the source file, torch's include directories in the venv, the object
directory) and runs ninja there. Its compile lines are built from the
distutils compiler (``compiler_so``, which carries ``CPPFLAGS``) and the
extension's ``extra_compile_args``, so the setuptools adapter's maps reach
them with no torch-specific carrier (``test_maps_reach_the_ninja_compile_lines``).

torch extensions are built without isolation against the installed torch (an
isolated build would compile against whatever torch the index serves that
day), so these tests build with ``python -m build --no-isolation`` and
``uv pip install --no-build-isolation`` inside a venv holding torch.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest

from support.frontends import EXAMPLES, copy_project, frontend_env, run, sha256, uv, wheel_members
from support.leaks import find_leaks
from support.reproducibility import forbidden_paths, plain_pyproject

from .kit import (EXAMPLE, TORCH_A, TORCH_B, base_version, cache_torch, installed_torch, ninja_compile_lines,
                  torch_install, torch_venv, venv_env)

pytestmark = pytest.mark.e2e

REPORT = ("import torch, torch_ext; "
          "print(torch_ext.compiled_torch_version()); print(torch.__version__); "
          "print(torch_ext.scaled_add(torch.ones(3), torch.arange(3.0), 2.0).tolist()); "
          "print(torch_ext.source_file())")


def report(python: Path, env, path: Path | None = None) -> list[str]:
    """What the extension says about itself, run by the venv's interpreter (from ``path`` if given)."""
    extra = {"PYTHONPATH": str(path)} if path else {}
    return run([python, "-c", REPORT], {**env, **extra}, cwd=path).stdout.split("\n")[:4]


def unpack(wheel: Path, parent: Path) -> Path:
    target = parent / f"unpacked-{wheel.parent.name}"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def build_wheel(project: Path, python: Path, outdir: Path, env) -> tuple[Path, object]:
    """``python -m build --no-isolation`` (sdist, then the wheel from it unpacked at a random path)."""
    done = run([python, "-m", "build", "--no-isolation", "--outdir", outdir, project], env)
    (wheel,) = outdir.glob("*.whl")
    return wheel, done


def make_plain(project: Path) -> Path:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(plain_pyproject(pyproject.read_text()))
    return project


def needles_for(tmp_path: Path, uv_cache: Path, venv: Path) -> list[str]:
    """Every builder path: the random dirs (all under tmp_path), the venv, home, the interpreter."""
    return [*forbidden_paths(tmp_path, uv_cache), str(venv), os.path.realpath(venv)]


def test_wheels_identical_from_two_directories_and_free_of_builder_paths(tmp_path, proxy_wheelhouse, uv_cache):
    base_env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp-venv")
    venv = tmp_path / "venv"
    python = torch_venv(venv, base_env)

    wheels = []
    for index, where in enumerate(("one", "second-place-xxxxxx")):
        env = venv_env(venv, frontend_env(proxy_wheelhouse, uv_cache, tmp_path / f"tmp{index}-{'y' * 4 * index}"))
        project = copy_project(EXAMPLES / EXAMPLE, tmp_path / where)
        wheel, done = build_wheel(project, python, tmp_path / f"dist-{index}", env)
        assert ninja_compile_lines(done), "BuildExtension did not compile with ninja:\n" + done.stdout[-3000:]
        wheels.append(wheel)

    members = [wheel_members(w) for w in wheels]
    differing = sorted(n for n in set(members[0]) | set(members[1]) if members[0].get(n) != members[1].get(n))
    assert not differing, f"members differ between the two builds: {differing}"
    assert sha256(wheels[0]) == sha256(wheels[1])
    (extension,) = [n for n in members[0] if n.startswith("torch_ext/_C") and n.endswith(".so")]

    needles = needles_for(tmp_path, uv_cache, venv)
    leaks = find_leaks(members[0], needles)
    assert not leaks, "builder paths in the wheel:\n" + "\n".join(map(str, leaks[:30]))

    # It imports and runs against the torch it was built with, and its __FILE__ was mapped.
    compiled, runtime, result, source = report(python, base_env, unpack(wheels[0], tmp_path))
    assert compiled == base_version(runtime) == TORCH_A
    assert result == "[1.0, 3.0, 5.0]"
    assert source == "/remap/source/csrc/ops.cpp"

    # The plain backend: the same project, the same venv, the same two directories.
    plain_wheels, plain_leaks = [], []
    for index, where in enumerate(("plain-one", "plain-second-place-xxxxxx")):
        env = venv_env(venv, frontend_env(proxy_wheelhouse, uv_cache, tmp_path / f"ptmp{index}-{'z' * 4 * index}"))
        project = make_plain(copy_project(EXAMPLES / EXAMPLE, tmp_path / where))
        wheel, _ = build_wheel(project, python, tmp_path / f"plain-dist-{index}", env)
        plain_wheels.append(wheel)
        plain_leaks.extend(find_leaks(wheel_members(wheel), needles))
    assert sha256(plain_wheels[0]) != sha256(plain_wheels[1]), "the plain backend was expected to differ"
    leaked = {leak.found for leak in plain_leaks}
    assert str(venv) in leaked, f"the plain backend was expected to leak the venv, leaked {sorted(leaked)}"
    assert any(re.match(r"build-via-sdist-", found) for found in leaked), sorted(leaked)
    assert extension in wheel_members(plain_wheels[0])


def ninja_files(tree: Path) -> list[Path]:
    return sorted((tree / "build").glob("temp.*/build.ninja"))


def objects(tree: Path) -> dict[str, int]:
    build = tree / "build"
    return {str(p.relative_to(build)): p.stat().st_mtime_ns for p in build.glob("temp.*/**/*.o")}


def test_maps_reach_the_ninja_compile_lines(tmp_path, proxy_wheelhouse, uv_cache):
    """The compile rule of torch's build.ninja carries the proxy's maps (through CPPFLAGS -> compiler_so)."""
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    venv = tmp_path / "venv"
    python = torch_venv(venv, env)
    env = venv_env(venv, env)
    tree = copy_project(EXAMPLES / EXAMPLE, tmp_path / "tree")
    run([python, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path / "dist", tree], env)
    (ninja_file,) = ninja_files(tree)
    text = ninja_file.read_text()
    cflags = re.search(r"(?m)^cflags = (.*)$", text).group(1)
    assert f"-ffile-prefix-map={tree}=/remap/source" in cflags, cflags
    assert f"-ffile-prefix-map={venv}=/remap/env" in cflags, cflags
    # torch's own flags stay (they carry the extension's name and ABI).
    post_cflags = re.search(r"(?m)^post_cflags = (.*)$", text).group(1)
    assert "-DTORCH_EXTENSION_NAME=_C" in post_cflags and "-std=c++17" in post_cflags, post_cflags


def build_installed(tree: Path, python: Path, env):
    """Seed 003's frontend: ``uv pip install --no-build-isolation`` of the persistent tree into its venv."""
    return run([uv(), "pip", "install", "--python", python, "--no-build-isolation", "--no-cache", "--reinstall",
                "--no-deps", tree], env)


def test_torch_upgrade_rebuilds_the_extension(tmp_path, proxy_wheelhouse, uv_cache):
    """Seed 003: build with torch A, install torch B into the same venv, rebuild the same tree."""
    env = frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "tmp")
    cache_torch(tmp_path / "scratch-venv", TORCH_B, env)  # B's headers will be older than A's objects
    venv = tmp_path / "venv"
    python = torch_venv(venv, env)
    env = venv_env(venv, env)
    proxied = copy_project(EXAMPLES / EXAMPLE, tmp_path / "proxied")
    plain = make_plain(copy_project(EXAMPLES / EXAMPLE, tmp_path / "plain"))

    for tree in (plain, proxied):
        build_installed(tree, python, env)
        assert ninja_files(tree), f"BuildExtension left no build.ninja in {tree}/build"
        compiled, runtime, result, _ = report(python, env)
        assert compiled == base_version(runtime) == TORCH_A and result == "[1.0, 3.0, 5.0]"
    before_upgrade = objects(proxied)
    assert before_upgrade

    torch_install(python, TORCH_B, env)
    assert base_version(installed_torch(python, env)) == TORCH_B

    # Plain setuptools: BuildExtension forces build_ext and leaves the decision to ninja, which sees the
    # same command line and no input newer than the object, so it ships the object built against A.
    build_installed(plain, python, env)
    stale = run([python, "-c", REPORT], env, check=False)
    stale_version = stale.stdout.split("\n")[0] if stale.returncode == 0 else None
    assert stale_version == TORCH_A or "undefined symbol" in stale.stderr, (
        f"plain setuptools was expected to reuse the object built against torch {TORCH_A}:\n"
        f"{stale.stdout}{stale.stderr[-2000:]}"
    )

    # Through the proxy: recompiled against torch B, imports and runs with it.
    build_installed(proxied, python, env)
    compiled, runtime, result, _ = report(python, env)
    assert compiled == base_version(runtime) == TORCH_B
    assert result == "[1.0, 3.0, 5.0]"
    rebuilt = objects(proxied)
    assert rebuilt.keys() == before_upgrade.keys()
    assert all(rebuilt[name] != mtime for name, mtime in before_upgrade.items())

    # Nothing changed since: the next build recompiles nothing.
    build_installed(proxied, python, env)
    assert objects(proxied) == rebuilt
    assert report(python, env)[0] == TORCH_B

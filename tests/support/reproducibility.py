"""The shared end-to-end check: an example's wheels are identical and carry no build paths.

One sdist is built through the proxy; a wheel is built from it twice with
``python -m build``, twice with ``uv build`` and once with ``pip wheel``
(:data:`EVERY_FRONTEND`), each in a new random directory under its own
TMPDIR (of a different length, so no padding hides anything). The wheels
must be byte-identical, and no byte of any file in them, nor any DWARF path
or dynamic-section entry (DT_RUNPATH, DT_RPATH), may name the random
directories, the build environments, the interpreter's prefix, the home
directory or the cargo home; nothing is excused. ``remap-backend scan`` of
this checkout must find nothing in them either. The same sdist with the
plain backend (the proxy taken out of ``pyproject.toml``) must show such a
leak, to both searches, so the check proves the proxy is what removed it.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from . import frontends
from .leaks import Leak, find_leaks

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Prefixes too general to search for: every binary names them.
SYSTEM_PREFIXES = {"/", "/usr", "/usr/local", "/opt", "/tmp"}


@dataclass
class ReproducibilityReport:
    sdist: Path
    wheels: list[Path]
    #: Forbidden strings searched for (random dirs, build envs, home, cargo home).
    needles: list[str]
    leaks: list[Leak]
    plain_wheel: Path | None = None
    plain_leaks: list[Leak] = field(default_factory=list)
    #: What ``remap-backend scan`` reports in the plain wheel.
    plain_scan: list[dict] = field(default_factory=list)

    @property
    def hashes(self) -> list[str]:
        return [frontends.sha256(wheel) for wheel in self.wheels]


# -- the plain-backend copy ---------------------------------------------------


def real_backend(pyproject: Mapping) -> str:
    """The backend the proxy wraps for this pyproject (same rules as the proxy)."""
    from remap_backend.settings import infer_backend

    table = pyproject.get("tool", {}).get("remap-backend", {})
    if "backend" in table:
        return table["backend"]
    return infer_backend(list(pyproject.get("build-system", {}).get("requires", [])))


_REMAP_REQUIREMENT = re.compile(r"""\s*["']remap[-_.]backend(\[[^\]]*\])?[^"']*["']\s*,?""", re.IGNORECASE)
_PROXY_BACKEND = re.compile(r"""(build-backend\s*=\s*)["']remap_backend["']""")


def plain_pyproject(text: str) -> str:
    """``pyproject.toml`` text with the proxy replaced by the backend it wraps."""
    data = tomllib.loads(text)
    backend = real_backend(data)
    plain = _PROXY_BACKEND.sub(lambda m: f'{m.group(1)}"{backend}"', text, count=1)
    plain = _REMAP_REQUIREMENT.sub("", plain)
    check = tomllib.loads(plain)["build-system"]
    assert check["build-backend"] == backend, plain
    assert not any("remap" in r.lower() for r in check["requires"]), plain
    return plain


def plain_sdist(sdist: Path, outdir: Path) -> Path:
    """A copy of ``sdist`` whose pyproject uses the wrapped backend directly."""
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / sdist.name
    with tarfile.open(sdist) as source, tarfile.open(target, "w:gz") as copy:
        for info in source.getmembers():
            data = source.extractfile(info) if info.isfile() else None
            if data is not None and info.name.count("/") == 1 and info.name.endswith("/pyproject.toml"):
                text = plain_pyproject(data.read().decode()).encode()
                info.size = len(text)
                copy.addfile(info, io.BytesIO(text))
            else:
                copy.addfile(info, data)
    return target


# -- what must not be in a wheel ----------------------------------------------


def forbidden_paths(tmp_path: Path, uv_cache: Path, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Paths that differ between builds or machines, which no built file may name."""
    home = environ.get("HOME") or os.path.expanduser("~")
    candidates = [
        str(tmp_path), os.path.realpath(tmp_path),
        str(uv_cache), os.path.realpath(uv_cache),
        home,
        environ.get("CARGO_HOME") or os.path.join(home, ".cargo"),
        environ.get("RUSTUP_HOME") or os.path.join(home, ".rustup"),
        sys.prefix, sys.base_prefix,
    ]
    return list(dict.fromkeys(c for c in candidates if c and c.rstrip("/") not in SYSTEM_PREFIXES))


def leaks_in_wheel(wheel: Path, needles: Sequence[str]) -> list[Leak]:
    members = frontends.wheel_members(wheel)
    return find_leaks(members, needles)


# -- the check ----------------------------------------------------------------


def commit_as_git_repository(project: Path) -> None:
    """Make ``project`` a one-commit git checkout, as a released project is.

    ``meson dist`` (meson-python's sdist) only works in a git checkout, and a
    checkout gives the proxy its documented SOURCE_DATE_EPOCH: the commit time.
    """
    env = {**os.environ, "GIT_AUTHOR_NAME": "remap-backend tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
           "GIT_COMMITTER_NAME": "remap-backend tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "example"]):
        frontends.run(["git", "-C", project, *command], env)


#: Twice ``python -m build`` and twice uv, each in its own random directory, then ``pip wheel`` of the sdist.
EVERY_FRONTEND = ("build", "build", "uv", "uv", "pip")


def _tmpdir(tmp_path: Path, index: int, frontend: str) -> Path:
    # Different lengths, so a path can't hide in fixed-size padding.
    return tmp_path / f"tmp{index}-{frontend}-{'x' * (3 * index)}"


def check_example_reproducible(
    example: str,
    wheelhouse: Path,
    uv_cache: Path,
    tmp_path: Path,
    extra_env: Mapping[str, str] | None = None,
    check_plain: bool = True,
    frontend_names: Sequence[str] = EVERY_FRONTEND,
) -> ReproducibilityReport:
    """Build ``examples/<example>``'s sdist, then wheels from it with each frontend, and assert it reproduces.

    Raises AssertionError naming the differing members or the leaked paths.
    Returns the report so callers can check more (e.g. what ``__FILE__`` became).
    """
    project = frontends.copy_project(frontends.EXAMPLES / example, tmp_path / "project")
    commit_as_git_repository(project)
    sdist_env = frontends.frontend_env(wheelhouse, uv_cache, tmp_path / "tmp-sdist", extra_env)
    sdist = frontends.build_sdist(project, tmp_path / "sdist", sdist_env)

    uv_args = ["--python", sys.executable]
    wheels = []
    for index, frontend in enumerate(frontend_names):
        env = frontends.frontend_env(wheelhouse, uv_cache, _tmpdir(tmp_path, index, frontend), extra_env)
        if frontend == "build":
            wheels.append(frontends.wheel_from_sdist_with_build(sdist, env))
        elif frontend == "uv":
            wheels.append(frontends.wheel_from_sdist_with_uv(sdist, env, uv_args))
        elif frontend == "pip":
            wheels.append(frontends.wheel_from_sdist_with_pip(sdist, env))
        else:
            raise ValueError(f"unknown frontend {frontend!r}; use build, uv or pip")

    needles = forbidden_paths(tmp_path, uv_cache)
    report = ReproducibilityReport(sdist=sdist, wheels=wheels, needles=needles, leaks=[])

    compiled = [frontends.compiled_members(wheel) for wheel in wheels]
    assert compiled[0], f"{wheels[0].name} contains no compiled extension"
    for wheel, members in zip(wheels[1:], compiled[1:]):
        differing = sorted(
            name for name in set(members) | set(compiled[0]) if members.get(name) != compiled[0].get(name)
        )
        assert not differing, f"compiled files differ between {wheels[0]} and {wheel}: {differing}"

    for wheel in wheels:
        report.leaks.extend(leaks_in_wheel(wheel, needles))
    assert not report.leaks, "paths leaked into the wheels:\n" + "\n".join(map(str, report.leaks[:30]))

    assert len(set(report.hashes)) == 1, (
        "compiled files agree but the wheels differ: "
        + "; ".join(wheel_differences(wheels[0], wheel) for wheel, digest in zip(wheels[1:], report.hashes[1:])
                    if digest != report.hashes[0])
    )

    # The command line's own search, as a user would run it (the wheels are identical: one stands for all).
    findings = frontends.remap_backend_scan([wheels[0]], needles)
    assert not findings, f"remap-backend scan found build paths in {wheels[0]}: {findings[:10]}"

    if check_plain:
        plain = plain_sdist(sdist, tmp_path / "plain-sdist")
        env = frontends.frontend_env(wheelhouse, uv_cache, _tmpdir(tmp_path, 9, "plain"), extra_env)
        report.plain_wheel = frontends.wheel_from_sdist_with_uv(plain, env, uv_args)
        report.plain_leaks = leaks_in_wheel(report.plain_wheel, needles)
        assert report.plain_leaks, (
            f"the plain backend leaked nothing into {report.plain_wheel}: the example does not "
            "exercise path remapping (does it compile with -g and name a source path?)"
        )
        report.plain_scan = frontends.remap_backend_scan([report.plain_wheel], needles)
        assert report.plain_scan, f"remap-backend scan found nothing in the plain {report.plain_wheel}"
    return report


def wheel_differences(first: Path, other: Path) -> str:
    """Say how two wheels differ: member contents, names/order, or only zip metadata (timestamps)."""
    import zipfile

    with zipfile.ZipFile(first) as a, zipfile.ZipFile(other) as b:
        names_a, names_b = a.namelist(), b.namelist()
        if names_a != names_b:
            return f"{other.name}: members differ or are in another order"
        contents = [n for n in names_a if a.read(n) != b.read(n)]
        if contents:
            return f"{other}: contents of {contents} differ"
        times = {i.date_time for i in a.infolist()} ^ {i.date_time for i in b.infolist()}
        if times:
            return (f"{other}: only zip timestamps differ {sorted(times)} -- SOURCE_DATE_EPOCH was not "
                    "the same in both builds")
        return f"{other}: only zip metadata (attributes, order of headers) differs"


def temporary_directory_names(leaks: Sequence[Leak]) -> set[str]:
    """The random-directory names among leaks (what a plain build shows)."""
    return {leak.found for leak in leaks if not leak.found.startswith("/")}


__all__ = [
    "EVERY_FRONTEND",
    "ReproducibilityReport",
    "check_example_reproducible",
    "forbidden_paths",
    "leaks_in_wheel",
    "plain_pyproject",
    "plain_sdist",
    "real_backend",
    "temporary_directory_names",
]

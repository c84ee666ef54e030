"""Find, at hook time, every path that differs from one build (or machine) to the next.

Frontends build in random directories that nobody can predict before the
build: the unpacked sdist, the isolated environment, the backend's temporary
build directory. The proxy runs inside the build, so it sees them, and gives
each a fixed placeholder (see ``docs/remapping.md``):

==============================  ===========================  ==================
path                            placeholder                  why it varies
==============================  ===========================  ==================
source tree                     /remap/source                sdist unpack dir
backend build directory         /remap/build, /remap/build-2 temp build dirs
build environment (sys.prefix)  /remap/env                   isolated venv
other site dirs on sys.path     /remap/env                   pip's overlay/normal
base interpreter prefix         /remap/python                per machine
base interpreter include dir    /remap/python/include        per machine
base interpreter site-packages  /remap/env/lib/pythonX.Y/... build deps found there
temporary directory (TMPDIR)    /remap/tmp                   per machine
home directory                  /remap/home                  per user
CARGO_HOME                      /remap/cargo                 registry sources
RUSTUP_HOME                     /remap/rustup                toolchain sources
==============================  ===========================  ==================

User maps (``[tool.remap-backend] path-map``, ``-C remap.map=FROM=TO``) come
first and win over a discovered map of the same path.

Paths with spaces and other special characters are kept: each renderer
quotes them for its carrier, or refuses them (:mod:`.carriers`).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Sequence

from .pathmap import Kind, PathMap, is_under, normalized_source, ordered

PLACEHOLDER_ROOT = "/remap"
SOURCE = f"{PLACEHOLDER_ROOT}/source"
BUILD = f"{PLACEHOLDER_ROOT}/build"
ENV = f"{PLACEHOLDER_ROOT}/env"
PYTHON = f"{PLACEHOLDER_ROOT}/python"
PYTHON_INCLUDE = f"{PLACEHOLDER_ROOT}/python/include"
TMP = f"{PLACEHOLDER_ROOT}/tmp"
HOME = f"{PLACEHOLDER_ROOT}/home"
CARGO = f"{PLACEHOLDER_ROOT}/cargo"
RUSTUP = f"{PLACEHOLDER_ROOT}/rustup"
#: Programs a backend records by absolute path (meson's compiler-cache launcher): ``/remap/tools/<name>``.
TOOLS = f"{PLACEHOLDER_ROOT}/tools"
PLACEHOLDERS = frozenset({SOURCE, BUILD, ENV, PYTHON, PYTHON_INCLUDE, TMP, HOME, CARGO, RUSTUP, TOOLS})

#: Prefixes shared by every program on a system: mapping them would rename
#: system headers too, so only the interpreter's own directories are mapped.
SYSTEM_PREFIXES = frozenset({"/", "/usr", "/usr/local"})

class Runtime(NamedTuple):
    """The interpreter facts discovery needs, captured once so discovery stays pure."""

    prefix: str
    base_prefix: str
    base_exec_prefix: str
    include_dirs: tuple[str, ...]
    path: tuple[str, ...]
    temp_dir: str
    #: The base interpreter's own site-packages (purelib, platlib).
    base_site_dirs: tuple[str, ...] = ()

    @classmethod
    def current(cls) -> Runtime:
        paths = sysconfig.get_paths()
        includes = tuple(dict.fromkeys(p for p in (paths.get("include"), paths.get("platinclude")) if p))
        base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
        site_dirs = tuple(dict.fromkeys(p for p in (base.get("purelib"), base.get("platlib")) if p))
        return cls(
            prefix=sys.prefix,
            base_prefix=sys.base_prefix,
            base_exec_prefix=sys.base_exec_prefix,
            include_dirs=includes,
            path=tuple(sys.path),
            temp_dir=tempfile.gettempdir(),
            base_site_dirs=site_dirs,
        )


class Discovery(NamedTuple):
    #: In emit order (general first), each source once.
    maps: tuple[PathMap, ...]
    #: Varying paths that cannot be mapped at all (not absolute, the root), with the reason.
    skipped: tuple[tuple[str, str], ...] = ()


def environment_root(entry: str) -> str:
    """The prefix an import-path entry was installed under (``<root>/lib/pythonX.Y/site-packages``)."""
    parts = Path(entry).parts
    for index in range(len(parts) - 1, 0, -1):
        if parts[index] in ("site-packages", "dist-packages"):
            lib = index - 2 if index >= 2 and parts[index - 1].startswith("python") else index - 1
            if lib >= 1 and parts[lib].lower() in ("lib", "lib64"):
                return str(Path(*parts[:lib]))
            return str(Path(*parts[:index]))
    return entry


def build_environment_roots(runtime: Runtime, source_dir: str) -> list[str]:
    """Roots of import-path entries that belong to neither the base interpreter nor the venv.

    pip's isolated environments are not venvs: it puts ``overlay`` and
    ``normal`` prefixes (and a ``site`` dir for its sitecustomize) on sys.path.
    """
    owned = [runtime.base_prefix, runtime.base_exec_prefix, runtime.prefix, source_dir]
    roots: list[str] = []
    for entry in runtime.path:
        if not entry or not os.path.isabs(entry) or any(is_under(entry, o) for o in owned):
            continue
        root = environment_root(entry)
        if root not in roots and not any(is_under(root, o) for o in owned):
            roots.append(root)
    return roots


def _home(environ: Mapping[str, str]) -> str | None:
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return home or None


def _tool_home(environ: Mapping[str, str], variable: str, default_name: str) -> tuple[str | None, bool]:
    """(path, given explicitly) of CARGO_HOME / RUSTUP_HOME."""
    if environ.get(variable):
        return environ[variable], True
    home = _home(environ)
    return (os.path.join(home, default_name), False) if home else (None, False)


def candidate_maps(
    source_dir: str,
    build_dirs: Sequence[str],
    environ: Mapping[str, str],
    runtime: Runtime,
    temp_dirs: Sequence[str] = (),
    launchers: Sequence[str] = (),
) -> list[PathMap]:
    """Discovered maps, most important first (that order decides ties on the same path).

    ``launchers`` are programs the build runs, and may record, by absolute path
    (a compiler cache): each becomes ``/remap/tools/<name>`` wherever it lives.
    """
    maps = [PathMap(source_dir, SOURCE, "source tree", Kind.SOURCE)]
    for index, build_dir in enumerate(build_dirs):
        target = BUILD if index == 0 else f"{BUILD}-{index + 1}"
        maps.append(PathMap(build_dir, target, "backend build directory", Kind.BUILD))
    if runtime.prefix != runtime.base_prefix:
        maps.append(PathMap(runtime.prefix, ENV, "build environment (sys.prefix)", Kind.ENV))
    for root in build_environment_roots(runtime, source_dir):
        # One placeholder for every build-environment root: pip's overlay and
        # normal prefixes then read like a venv (/remap/env/lib/python3.X/...),
        # so pip, build and uv give the same bytes.
        maps.append(PathMap(root, ENV, "build environment (site dir on sys.path)", Kind.ENV))
    for site_dir in runtime.base_site_dirs:
        # Build requirements found in the base interpreter (--no-isolation, or
        # CMake finding pybind11 there under pip) read as if in a build env.
        relative = os.path.relpath(site_dir, runtime.base_prefix)
        target = ENV if relative.startswith("..") else f"{ENV}/{Path(relative).as_posix()}"
        maps.append(PathMap(site_dir, target, "base interpreter site-packages", Kind.ENV))
    for include in runtime.include_dirs:
        maps.append(PathMap(include, PYTHON_INCLUDE, "base interpreter include dir", Kind.PYTHON))
    for prefix in dict.fromkeys((runtime.base_prefix, runtime.base_exec_prefix)):
        if normalized_source(prefix) not in SYSTEM_PREFIXES:
            maps.append(PathMap(prefix, PYTHON, "base interpreter prefix", Kind.PYTHON))
    for variable, name, target in (("CARGO_HOME", ".cargo", CARGO), ("RUSTUP_HOME", ".rustup", RUSTUP)):
        path, explicit = _tool_home(environ, variable, name)
        if path and (explicit or os.path.isdir(path)):
            maps.append(PathMap(path, target, variable, Kind.TOOL))
    home = _home(environ)
    if home:
        maps.append(PathMap(home, HOME, "home directory", Kind.HOME))
    maps.append(PathMap(runtime.temp_dir, TMP, "temporary directory", Kind.TMP))
    for temp_dir in temp_dirs:  # inside the one above, so more specific: it wins
        maps.append(PathMap(temp_dir, TMP, "the hook's private temporary directory (tempnames)", Kind.TMP))
    for launcher in launchers:  # a file: more specific than any directory holding it
        maps.append(PathMap(launcher, f"{TOOLS}/{os.path.basename(launcher)}", "compiler-cache launcher", Kind.TOOL))
    return maps


def with_resolved(maps: Iterable[PathMap]) -> list[PathMap]:
    """Each map, followed by one for its symlink-free spelling when that differs.

    Compilers see whichever spelling a tool passed them (``/tmp`` vs
    ``/private/tmp`` on macOS, a symlinked home), so both must be mapped.
    """
    result = []
    for path_map in maps:
        result.append(path_map)
        resolved = os.path.realpath(path_map.source)
        if normalized_source(resolved) != normalized_source(path_map.source):
            result.append(PathMap(resolved, path_map.target, f"{path_map.reason} (resolved)", path_map.kind))
    return result


def unsafe_reason(path: str) -> str | None:
    if not os.path.isabs(path):
        return "not an absolute path"
    if normalized_source(path) == os.sep:
        return "the file system root"
    return None


def discover(
    source_dir: Path,
    build_dirs: Sequence[Path],
    environ: Mapping[str, str],
    user_maps: Sequence[tuple[str, str]] = (),
    runtime: Runtime | None = None,
    temp_dirs: Sequence[str] = (),
    launchers: Sequence[str] = (),
) -> Discovery:
    """All maps for one build, ordered for last-match-wins tools, and what had to be left out."""
    runtime = runtime or Runtime.current()
    given = [PathMap(source, target, "user path-map", Kind.USER) for source, target in user_maps]
    found = candidate_maps(str(source_dir), [str(d) for d in build_dirs], environ, runtime, temp_dirs, launchers)
    kept, skipped = [], []
    for path_map in with_resolved(given) + with_resolved(found):
        reason = unsafe_reason(path_map.source)
        if reason:
            skipped.append((path_map.source, reason))
        else:
            kept.append(path_map)
    return Discovery(maps=ordered(kept), skipped=tuple(dict.fromkeys(skipped)))


__all__ = [
    "BUILD", "CARGO", "ENV", "HOME", "PLACEHOLDER_ROOT", "PLACEHOLDERS", "PYTHON", "PYTHON_INCLUDE", "RUSTUP",
    "SOURCE", "TMP", "TOOLS", "Discovery", "Runtime", "build_environment_roots", "candidate_maps",
    "discover", "environment_root",
]

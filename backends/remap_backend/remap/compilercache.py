"""Launch the compilers through ccache or sccache so that a build in a new random directory hits.

Frontends build in new random directories, and both caches put paths in
their keys. What each needs, measured in ``docs/compiler-cache.md``:

* ccache hashes ``-ffile-prefix-map=`` without its value and hashes the
  working directory after applying the maps, but with ``-g`` the
  preprocessed text names the working directory too: ``hash_dir = false``
  (``CCACHE_NOHASHDIR``) drops that. ``base_dir`` rewrites absolute paths
  under it relative to the working directory *before the compiler sees
  them*, so it is set to the source tree only for backends that compile
  inside it (a sibling random directory would come out as
  ``../build-env-XXXX`` in the object). Headers of the random build
  environment (pybind11, numpy) therefore still miss with ccache.
* sccache strips ``SCCACHE_BASEDIRS`` from the preprocessed text (so every
  random directory may be listed), but hashes each compiler argument as
  written, the map options too. The maps are therefore given as
  preprocessor options (``-Wp,-fdebug-prefix-map=...``), which sccache
  leaves out of its key; the compilers apply them the same way (the
  objects are byte-identical). Base directories are read when the server
  starts, so the proxy runs a server of its own for the build (a port of
  its own) unless you chose one. rustc's ``--remap-path-prefix`` is hashed
  too: under sccache the maps travel to rustc through a small ``rustc``
  script (:data:`RUSTC_WRAPPER_SCRIPT`) and an environment variable that
  sccache does not hash.

Every setting you made yourself (``CCACHE_*``, ``SCCACHE_*``, their config
files, a ``CC`` that already starts with a cache, your own
``*_COMPILER_LAUNCHER`` or ``RUSTC_WRAPPER``) is kept. Pure functions: the
probes and file writes are in :mod:`.cacheprobe`.
"""

from __future__ import annotations

import configparser
import os
import shlex
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Iterable, Mapping, Sequence

from .pathmap import PathMap
from .arguments import option_values

CCACHE = "ccache"
SCCACHE = "sccache"
#: What ``compiler-cache = "auto"`` looks for on PATH.
KINDS = (CCACHE, SCCACHE)
#: Map options that sccache leaves out of its key: preprocessor options (see :mod:`.compilers`).
PREPROCESSOR_FORM = "preprocessor"

#: The CMake path-map script reads these (remap/cmake.py).
CMAKE_LAUNCHER = "REMAP_BACKEND_CMAKE_LAUNCHER"
CMAKE_MAP_FORM = "REMAP_BACKEND_CMAKE_MAP_FORM"
#: The rustc script reads these: the real rustc, and this build's maps separated by ``\\x1f``.
RUSTC_REAL = "REMAP_BACKEND_RUSTC"
RUSTC_ARGS = "REMAP_BACKEND_RUSTC_ARGS"
RUSTC_ARGS_SEPARATOR = "\x1f"
#: How long a server the proxy started lives without work, should the hook die before stopping it.
SCCACHE_IDLE_SECONDS = "600"

RUSTC_WRAPPER_SCRIPT = """\
#!/bin/sh
# Written by remap-backend (docs/compiler-cache.md): rustc with this build's path maps.
# They travel in $REMAP_BACKEND_RUSTC_ARGS, separated by \\037, so that sccache, which
# hashes every rustc argument, does not see this build's random directories.
set -f
IFS=$(printf '\\037')
exec "$REMAP_BACKEND_RUSTC" "$@" $REMAP_BACKEND_RUSTC_ARGS
"""
#: sccache knows rustc by the file name.
RUSTC_WRAPPER_NAME = "rustc"


@dataclass(frozen=True)
class CompilerCache:
    """The cache a build launches its compilers through, and what the user configured in it."""

    kind: str
    executable: str
    #: ccache configuration keys set in a config file or the environment (``ccache -p``).
    user_keys: frozenset = frozenset()
    #: ``basedirs`` from the user's sccache config file.
    user_basedirs: tuple = ()
    #: ccache's ``ignore_options`` as the user configured it (a file or the environment).
    user_ignore_options: str = ""

    @property
    def map_form(self) -> str:
        """How the C-family maps must be spelled for this cache to leave them out of its key."""
        return PREPROCESSOR_FORM if self.kind == SCCACHE else ""


@dataclass(frozen=True)
class CacheRun:
    """What the hook does around the build: the environment it adds, what to report and stop after."""

    cache: CompilerCache
    environment: dict = field(default_factory=dict)
    #: ccache's stats log of this build (read for the report), or "".
    stats_log: str = ""
    #: Whether the proxy owns the sccache server of this build (stopped after the hook).
    own_server: bool = False


def is_cache_command(command: str | None) -> bool:
    """Whether a ``CC``-style command already starts with a compiler cache."""
    try:
        words = shlex.split(command or "")
    except ValueError:
        words = (command or "").split()
    return bool(words) and PurePath(words[0]).name.lower().split(".")[0] in (*KINDS, "buildcache", "distcc")


def parse_ccache_config(show_config: str) -> dict[str, str]:
    """Keys ``ccache -p`` reports as set by a file or the environment, with their values.

    Its lines read ``(ORIGIN) key = value``; ORIGIN ``default`` is ccache's own.
    """
    found = {}
    for line in show_config.splitlines():
        origin, _, rest = line.strip().partition(") ")
        if origin.startswith("(") and origin != "(default" and "=" in rest:
            key, _, value = rest.partition("=")
            found[key.strip()] = value.strip()
    return found


def ccache_user_keys(environ: Mapping[str, str], from_config: Iterable[str] = ()) -> frozenset:
    """ccache keys the user set: ``ccache -p`` origins, and the environment spelled either way."""
    keys = set(from_config)
    for name in environ:
        if name.startswith("CCACHE_"):
            key = name[len("CCACHE_"):].lower()
            keys.add(key[2:] if key.startswith("no") else key)
    aliases = {"basedir": "base_dir", "hashdir": "hash_dir", "statslog": "stats_log",
               "ignoreoptions": "ignore_options"}
    return frozenset(aliases.get(key, key) for key in keys)


def _merged_list(theirs: Sequence[str], ours: Iterable[str]) -> list[str]:
    merged = list(dict.fromkeys(theirs))
    for path in ours:
        if path not in merged:
            merged.append(path)
    return merged


#: Every spelling of a map the renderers may use (remap/compilers.py).
MAP_OPTIONS = ("-ffile-prefix-map", "-fdebug-prefix-map", "-fmacro-prefix-map")


def ccache_ignored_map_options(maps: Sequence[PathMap]) -> list[str]:
    """This build's map options, exactly as the compilers get them, for ccache's ``ignore_options``.

    ccache hashes ``-ffile-prefix-map=`` without its value, but once per
    option, and the number of maps differs between frontends (pip's two
    prefixes, uv's cache). The list is split at spaces and ``$`` in it is
    expanded, and ``*`` matches a prefix: an option holding one of those is
    left out (and still hashed as ccache does).
    """
    found = []
    for path_map in maps:
        for option in MAP_OPTIONS:
            flag = f"{option}={path_map.source}={path_map.target}"
            if not any(c.isspace() or c in "$*" for c in flag):
                found.append(flag)
    return list(dict.fromkeys(found))


def base_directories(maps: Sequence[PathMap]) -> list[str]:
    """The varying directories of this build (every map's source), longest first, each once."""
    sources = [os.path.normpath(m.source) for m in maps if os.path.isabs(m.source)]
    return sorted(dict.fromkeys(sources), key=lambda s: (-len(s), s))


def settings_environment(
    cache: CompilerCache,
    environ: Mapping[str, str],
    maps: Sequence[PathMap],
    source_base_dir: str | None,
    stats_log: str = "",
    server_port: int | None = None,
) -> dict[str, str]:
    """The cache's own settings for this build, leaving alone every one the user made.

    ``source_base_dir`` is ccache's ``base_dir`` (the source tree, for backends
    that compile inside it), ``server_port`` a free port for sccache's server.
    """
    updates: dict[str, str] = {}
    if cache.kind == CCACHE:
        user = cache.user_keys | ccache_user_keys(environ)
        if "hash_dir" not in user:
            updates["CCACHE_NOHASHDIR"] = "1"
        if source_base_dir and "base_dir" not in user:
            updates["CCACHE_BASEDIR"] = source_base_dir
        if stats_log and "stats_log" not in user:
            updates["CCACHE_STATSLOG"] = stats_log
        theirs = environ.get("CCACHE_IGNOREOPTIONS", cache.user_ignore_options).split()
        ignored = _merged_list(theirs, ccache_ignored_map_options(maps))
        if ignored != theirs:
            updates["CCACHE_IGNOREOPTIONS"] = " ".join(ignored)
        return updates
    if "SCCACHE_BASEDIRS" in environ:
        theirs = [p for p in environ["SCCACHE_BASEDIRS"].split(os.pathsep) if p]
    else:
        theirs = list(cache.user_basedirs)
    ours = [path for path in base_directories(maps) if os.pathsep not in path]
    merged = _merged_list(theirs, ours)
    if merged:
        updates["SCCACHE_BASEDIRS"] = os.pathsep.join(merged)
    if server_port is not None and not owns_server_choice(environ):
        updates["SCCACHE_SERVER_PORT"] = str(server_port)
        if "SCCACHE_IDLE_TIMEOUT" not in environ:
            updates["SCCACHE_IDLE_TIMEOUT"] = SCCACHE_IDLE_SECONDS
    return updates


def owns_server_choice(environ: Mapping[str, str]) -> bool:
    """Whether the user chose the sccache server (then it is theirs: not started nor stopped by the proxy)."""
    return any(name in environ for name in ("SCCACHE_SERVER_PORT", "SCCACHE_SERVER_UDS"))


# -- launching, per backend --------------------------------------------------------


def compiler_variables(
    cache: CompilerCache, environ: Mapping[str, str], defaults: Mapping[str, str | None]
) -> dict[str, str]:
    """``CC``/``CXX`` (setuptools, and a CMake that setup.py runs) prefixed with the cache.

    ``defaults`` are the commands used when the variable is unset (Python's
    configured ``CC``/``CXX``). A command that already starts with a cache is left alone.
    """
    updates = {}
    for variable in ("CC", "CXX"):
        command = environ.get(variable) or defaults.get(variable)
        if command and not is_cache_command(command):
            updates[variable] = f"{shlex.quote(cache.executable)} {command}"
    return updates


def cmake_environment(cache: CompilerCache, environ: Mapping[str, str], uses_script: bool) -> dict[str, str]:
    """For CMake: the launcher the path-map script sets, or CMake's own variables without the script.

    The script sets ``CMAKE_<LANG>_COMPILER_LAUNCHER`` at every configure,
    for each language whose launcher you did not set (variable, cache entry
    or environment). Without it, CMake reads ``CMAKE_<LANG>_COMPILER_LAUNCHER``
    from the environment when it first configures a build directory.
    """
    if uses_script:
        updates = {CMAKE_LAUNCHER: cache.executable}
        if cache.map_form:
            updates[CMAKE_MAP_FORM] = cache.map_form
        return updates
    return {
        name: cache.executable
        for name in ("CMAKE_C_COMPILER_LAUNCHER", "CMAKE_CXX_COMPILER_LAUNCHER")
        if name not in environ and not is_cache_command(environ.get("CC" if "_C_" in name else "CXX"))
    }


def meson_string(text: str) -> str:
    """A meson string literal (machine files use meson's syntax)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def languages_in_native_files(texts: Iterable[str]) -> set[str]:
    """Compilers (``c``, ``cpp``...) a user's meson machine files define in ``[binaries]``."""
    found: set[str] = set()
    for text in texts:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        if parser.has_section("binaries"):
            found |= set(parser.options("binaries"))
    return found


#: meson's name of a language -> the variable it reads, and the compiler meson tries first.
MESON_COMPILERS = {"c": ("CC", "cc"), "cpp": ("CXX", "c++")}


def meson_native_file(cache: CompilerCache, environ: Mapping[str, str], taken: set[str]) -> str | None:
    """A native file launching C and C++ through the cache; None when there is nothing to launch.

    Each compiler is the one meson would take (``$CC``, else ``cc``); a
    language your machine files define, or whose ``$CC`` starts with a cache,
    is left out.
    """
    lines = []
    for language, (variable, default) in MESON_COMPILERS.items():
        command = environ.get(variable) or default
        if language in taken or is_cache_command(command):
            continue
        words = [cache.executable, *shlex.split(command)]
        lines.append(f"{language} = [{', '.join(meson_string(w) for w in words)}]")
    if not lines:
        return None
    return "# Written by remap-backend: compilers launched through the compiler cache.\n[binaries]\n" + "\n".join(
        lines) + "\n"


def native_files_in_setup_args(args: Sequence[str]) -> list[str]:
    """The ``--native-file`` paths in meson setup arguments."""
    return option_values(args, "--native-file")


def wraps_rustc(cache: CompilerCache | None, environ: Mapping[str, str]) -> bool:
    """Whether rustc's maps go through the ``rustc`` script (sccache as the Rust wrapper, POSIX sh)."""
    if cache is None or cache.kind != SCCACHE or os.name == "nt" or environ.get("RUSTC_WORKSPACE_WRAPPER"):
        return False
    theirs = environ.get("RUSTC_WRAPPER")
    return not theirs or PurePath(theirs).name.lower().split(".")[0] == SCCACHE


def rust_environment(
    cache: CompilerCache, environ: Mapping[str, str], real_rustc: str | None, script: str | None
) -> dict[str, str]:
    """``RUSTC_WRAPPER`` (sccache only: ccache does not cache rustc) and, when wrapping, the ``rustc`` script.

    The maps themselves (:data:`RUSTC_ARGS`) come from :mod:`.rustflags`.
    """
    if cache.kind != SCCACHE:
        return {}
    updates = {} if environ.get("RUSTC_WRAPPER") else {"RUSTC_WRAPPER": cache.executable}
    if script and real_rustc and wraps_rustc(cache, environ):
        updates.update({"RUSTC": script, RUSTC_REAL: real_rustc})
    return updates


# -- reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class CacheStats:
    hits: int = 0
    misses: int = 0
    #: Of the hits, how many came from remote storage (Redis).
    remote_hits: int = 0
    #: Compiles the cache passed through (links, crates that link, probes).
    uncacheable: int = 0

    def summary(self, kind: str) -> str:
        total = self.hits + self.misses
        rate = f" ({100.0 * self.hits / total:.0f} %)" if total else ""
        remote = f", {self.remote_hits} from remote storage" if self.remote_hits else ""
        return f"{kind}: {self.hits} of {total} compiles hit{rate}{remote}; {self.uncacheable} not cacheable"


def parse_ccache_stats_log(text: str) -> CacheStats:
    """ccache's ``stats_log``: one ``# <input>`` line per call, then its counters, one a line."""
    entries: list[set[str]] = []
    for line in text.splitlines():
        if line.startswith("# "):
            entries.append(set())
        elif entries and line.strip():
            entries[-1].add(line.strip())
    hits = misses = remote = other = 0
    for counters in entries:
        if counters & {"direct_cache_hit", "preprocessed_cache_hit"}:
            hits += 1
            remote += "remote_storage_hit" in counters and "local_storage_hit" not in counters
        elif "cache_miss" in counters:
            misses += 1
        else:
            other += 1
    return CacheStats(hits, misses, remote, other)


def parse_sccache_stats(report: Mapping) -> CacheStats:
    """``sccache --show-stats --stats-format json``: the per-language counts, summed."""
    stats = report.get("stats", {}) if isinstance(report.get("stats"), Mapping) else {}

    def counted(key: str) -> int:
        value = stats.get(key, {})
        if isinstance(value, Mapping):
            value = value.get("counts", value)
            return sum(v for v in value.values() if isinstance(v, int))
        return value if isinstance(value, int) else 0

    # not_cached counts requests_not_cacheable again, by reason; requests_not_compile are
    # calls that compile nothing (rustc -vV, a link).
    uncacheable = counted("requests_not_cacheable") + counted("non_cacheable_compilations")
    return CacheStats(counted("cache_hits"), counted("cache_misses"), 0, uncacheable)


def rustflags_args_in(environment: Mapping[str, str]) -> bool:
    """Whether the maps for rustc were rendered for the ``rustc`` script (so it must be launched)."""
    return bool(environment.get(RUSTC_ARGS))

"""Give rustc (through cargo) and the ``cc`` crate the path maps, keeping the project's own flags.

Cargo takes rustflags from exactly one source, the first that is set:
``CARGO_ENCODED_RUSTFLAGS``, ``RUSTFLAGS``, the ``target.<triple>`` and
``target.'cfg(..)'`` tables (joined when several match), and last
``build.rustflags``. Setting ``RUSTFLAGS`` naively would silently drop a
project's ``.cargo/config.toml`` flags, so the maps go into whichever source
cargo will really read. For the config tables that is their environment form
(``CARGO_TARGET_<TRIPLE>_RUSTFLAGS``, ``CARGO_BUILD_RUSTFLAGS``), which cargo
appends to the lists from the config files instead of replacing them.

The ``cc`` crate (C code compiled by ``build.rs``) reads ``CFLAGS`` and
``CXXFLAGS`` in four spellings (``CFLAGS_<target>``, ``CFLAGS_<target_u>``,
``HOST_``/``TARGET_CFLAGS``, ``CFLAGS``): cc >= 1.1 joins all that are set,
older versions read only the first, so the C maps go into the first one set.

Everything except :func:`rust_environment` (and the probes it calls) is pure.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from . import carriers
from .. import log
from .cargoconfig import CargoConfig, cfg_matches, load_cargo_configs, parse_print_cfg
from .crates import uses_rust
from .pathmap import Kind, PathMap, ordered

ENCODED_SEPARATOR = "\x1f"
ENCODED_RUSTFLAGS = "CARGO_ENCODED_RUSTFLAGS"
RUSTFLAGS = "RUSTFLAGS"
BUILD_RUSTFLAGS = "CARGO_BUILD_RUSTFLAGS"
REMAP_OPTION = "--remap-path-prefix"
#: Where the maps go instead when sccache wraps rustc: the ``rustc`` script's variable (remap/compilercache.py).
WRAPPER_ARGS = "REMAP_BACKEND_RUSTC_ARGS"

_TARGET_ENV_RUSTFLAGS = re.compile(r"^CARGO_TARGET_([A-Z0-9_]+)_RUSTFLAGS$")


# -- rustc options -------------------------------------------------------------


def remap_flags(maps: Iterable[PathMap]) -> list[str]:
    """``--remap-path-prefix=FROM=TO`` per map, general before specific (rustc applies the last match).

    rustc splits at the *last* ``=``, so a target containing ``=`` cannot be
    expressed: :class:`.carriers.UnmappedPath`.
    """
    maps = ordered(maps)
    carriers.check(maps, carriers.ENCODED, carriers.rustc_option_refusal)
    return [f"{REMAP_OPTION}={m.source}={m.target}" for m in maps]


def cargo_words(value: str) -> list[str]:
    """``RUSTFLAGS`` as cargo splits it: at each space, each piece trimmed, empty ones dropped."""
    return [word.strip() for word in value.split(" ") if word.strip()]


def for_rustc(maps: Iterable[PathMap]) -> list[PathMap]:
    """The maps rustc needs: all but the Python build environment's.

    rustc never reads a file from the isolated Python environment, whose path
    is new for every build; cargo fingerprints rustflags, so carrying those
    maps would rebuild every crate from scratch on each build of a checkout.
    """
    return [m for m in maps if m.kind is not Kind.ENV]


def user_remapped_sources(words: Iterable[str]) -> set[str]:
    """Paths a flags list already remaps (``--remap-path-prefix=A=B`` or ``--remap-path-prefix A=B``)."""
    found = set()
    words = list(words)
    for index, word in enumerate(words):
        value = None
        if word.startswith(REMAP_OPTION + "="):
            value = word[len(REMAP_OPTION) + 1:]
        elif word == REMAP_OPTION and index + 1 < len(words):
            value = words[index + 1]
        if value and "=" in value:
            found.add(os.path.normpath(value.rpartition("=")[0]))
    return found


# -- where cargo takes its rustflags from --------------------------------------


def target_env_name(triple: str) -> str:
    """``CARGO_TARGET_<TRIPLE>_RUSTFLAGS`` as cargo spells it (upper case, ``-``/``.`` as ``_``)."""
    return "CARGO_TARGET_" + re.sub(r"[-.]", "_", triple).upper() + "_RUSTFLAGS"


def target_tables_apply(
    configs: Sequence[CargoConfig],
    environ: Mapping[str, str],
    triple: str,
    cfg: Callable[[], frozenset] | None,
) -> bool:
    """Whether any ``target.*.rustflags`` applies (then cargo ignores ``build.rustflags``)."""
    if target_env_name(triple) in environ:
        return True
    for config in configs:
        for key in config.target_rustflags:
            if key == triple:
                return True
            if key.startswith("cfg(") and cfg is not None:
                try:
                    if cfg_matches(key, cfg()):
                        return True
                except ValueError as exc:
                    log.warn(f"{config.path}: target.'{key}': {exc}; assuming it does not apply")
    return False


def _appended_words(existing: str | None, flags: Sequence[str]) -> str:
    if not existing or not existing.strip():
        return " ".join(flags)
    return f"{existing} {' '.join(flags)}" if flags else existing


def existing_remaps(
    environ: Mapping[str, str], configs: Sequence[CargoConfig]
) -> set[str]:
    """Paths the user already remaps in any rustflags source (theirs must win, so ours are left out)."""
    words: list[str] = []
    words += environ.get(ENCODED_RUSTFLAGS, "").split(ENCODED_SEPARATOR)
    words += environ.get(WRAPPER_ARGS, "").split(ENCODED_SEPARATOR)
    words += environ.get(RUSTFLAGS, "").split()
    words += environ.get(BUILD_RUSTFLAGS, "").split()
    for key, value in environ.items():
        if _TARGET_ENV_RUSTFLAGS.match(key):
            words += value.split()
    for config in configs:
        words += list(config.build_rustflags or ())
        for flags in config.target_rustflags.values():
            words += list(flags)
    return user_remapped_sources(words)


def config_rustflags(
    environ: Mapping[str, str],
    configs: Sequence[CargoConfig],
    triple: Callable[[], str],
    cfg: Callable[[], frozenset] | None,
    command_line: int = 0,
) -> list[str]:
    """The rustflags cargo takes from its config when no RUSTFLAGS variable is set, in cargo's order.

    Arrays from several layers are joined, lower precedence first: the files,
    then their environment form, then the last ``command_line`` configs
    (``--config``). Matching ``target`` tables (the triple's, then the
    ``cfg(...)`` keys in sorted order) replace ``build.rustflags``.
    """
    files, cli = list(configs[:len(configs) - command_line]), list(configs[len(configs) - command_line:])
    if target_tables_apply(configs, environ, triple(), cfg):
        name = target_env_name(triple())
        words = [w for c in files for w in c.target_rustflags.get(triple(), ())]
        words += environ.get(name, "").split()
        words += [w for c in cli for w in c.target_rustflags.get(triple(), ())]
        keys = sorted({k for c in configs for k in c.target_rustflags if k.startswith("cfg(")})
        for key in keys:
            try:
                matches = cfg is not None and cfg_matches(key, cfg())
            except ValueError:
                matches = False
            if matches:
                words += [w for c in [*files, *cli] for w in c.target_rustflags.get(key, ())]
        return words
    words = [w for c in files for w in (c.build_rustflags or ())]
    words += environ.get(BUILD_RUSTFLAGS, "").split()
    return words + [w for c in cli for w in (c.build_rustflags or ())]


def cargo_rustflags_environment(
    environ: Mapping[str, str],
    configs: Sequence[CargoConfig],
    triple: Callable[[], str],
    cfg: Callable[[], frozenset] | None,
    flags: Sequence[str],
    command_line: int = 0,
) -> dict[str, str]:
    """The one environment update that appends ``flags`` to the rustflags cargo will use.

    ``triple`` and ``cfg`` are called only when the answer depends on them
    (they run rustc). A flag with whitespace (a path with a space) can only
    travel in ``CARGO_ENCODED_RUSTFLAGS``, which replaces every other source:
    so the flags cargo would have taken (``RUSTFLAGS`` word for word, else
    :func:`config_rustflags`) are carried over into it, followed by the maps.
    """
    if not flags:
        return {}
    if ENCODED_RUSTFLAGS in environ:
        current = environ[ENCODED_RUSTFLAGS]
        words = current.split(ENCODED_SEPARATOR) if current else []
        return {ENCODED_RUSTFLAGS: ENCODED_SEPARATOR.join([*words, *flags])}
    spaced = [flag for flag in flags if carriers.WHITESPACE.refusal(flag)]
    has_target_tables = any(c.target_rustflags for c in configs) or any(
        _TARGET_ENV_RUSTFLAGS.match(key) for key in environ
    )
    if spaced:
        if RUSTFLAGS in environ:
            words = cargo_words(environ[RUSTFLAGS])
        else:
            words = config_rustflags(environ, configs, triple, cfg, command_line)
        return {ENCODED_RUSTFLAGS: ENCODED_SEPARATOR.join([*words, *flags])}
    if RUSTFLAGS in environ:
        return {RUSTFLAGS: _appended_words(environ[RUSTFLAGS], flags)}
    if has_target_tables:
        name = target_env_name(triple())
        if target_tables_apply(configs, environ, triple(), cfg):
            return {name: _appended_words(environ.get(name), flags)}
    return {BUILD_RUSTFLAGS: _appended_words(environ.get(BUILD_RUSTFLAGS), flags)}


# -- the cc crate -------------------------------------------------------------


def cc_variables(variable: str, target: str | None, cross: bool) -> list[str]:
    """The spellings of a cc-crate variable, in cc's precedence order (old cc reads only the first set).

    ``target`` None means "not known": the two target-named spellings are
    then left out, which is right whenever none of them is set.
    """
    kind = "TARGET" if cross else "HOST"
    named = []
    if target:
        named = [f"{variable}_{target}", f"{variable}_{target.replace('-', '_').replace('.', '_')}"]
    return [*named, f"{kind}_{variable}", variable]


def cc_compiler(environ: Mapping[str, str], target: str | None, cross: bool) -> list[str]:
    """The C compiler the cc crate will run: the first of its ``CC`` spellings, else ``cc``."""
    for name in cc_variables("CC", target, cross):
        if environ.get(name):
            return shlex.split(environ[name])
    return ["cc"]


#: The cc crate reads ``*FLAGS`` with shell quoting only when this is true (cc >= 1.1.11).
CC_SHELL_ESCAPED = "CC_SHELL_ESCAPED_FLAGS"
#: The first cc release that knows :data:`CC_SHELL_ESCAPED`.
CC_SHELL_ESCAPED_SINCE = (1, 1, 11)
#: Every ``*FLAGS`` variable the cc crate splits the same way.
CC_FLAG_VARIABLES = ("CFLAGS", "CXXFLAGS", "ARFLAGS", "RANLIBFLAGS")


def _truthy_for_cc(value: str) -> bool:
    return value not in ("", "0", "false", "no")


def cc_flags_environment(
    environ: Mapping[str, str],
    target: str | None,
    cross: bool,
    c_flags: Sequence[str],
    cc_versions: Sequence[tuple[int, ...]] = (),
) -> dict[str, str]:
    """Append the C maps to the cc crate's ``CFLAGS`` and ``CXXFLAGS``, in the spelling it reads first.

    When no spelling is set, ``HOST_CFLAGS`` (``TARGET_CFLAGS`` when cross
    compiling) is created, so a plain ``CFLAGS`` meant for other tools is not
    touched. A value that already holds every flag (another renderer put them
    there) is left alone, so cc >= 1.1, which joins all spellings, gets each once.

    cc splits at whitespace unless ``CC_SHELL_ESCAPED_FLAGS`` is set. When a
    flag needs quoting (a path with a space), or a variable cc reads already
    holds a shell-quoted map (meson's and CMake's ``CFLAGS``), it is turned on,
    provided that reads the user's own words the same (no quote or backslash
    in them), the user did not turn it off, and no cc in ``cc_versions``
    (from Cargo.lock) predates it; else :class:`.carriers.UnmappedPath`.
    """
    read = [name for variable in CC_FLAG_VARIABLES for name in cc_variables(variable, target, cross)]
    quoted_in_place = [
        name for name in read
        if environ.get(name) and _holds_quoted_map(environ[name])
    ]
    needs_shell = quoted_in_place or any(shlex.quote(flag) != flag for flag in c_flags)
    updates: dict[str, str] = {}
    shell = _truthy_for_cc(environ.get(CC_SHELL_ESCAPED, ""))
    if needs_shell and not shell:
        path = _first_path(c_flags) or _first_path(shlex.split(environ[quoted_in_place[0]]))
        refusal = _shell_escaping_refusal(environ, read, cc_versions)
        if refusal:
            raise carriers.UnmappedPath(path, "the cc crate's CFLAGS (C code built by build.rs)", refusal)
        updates[CC_SHELL_ESCAPED] = "1"
        shell = True
    rendered = [shlex.quote(flag) for flag in c_flags] if shell else list(c_flags)
    if not rendered:
        return updates
    for variable in ("CFLAGS", "CXXFLAGS"):
        names = cc_variables(variable, target, cross)
        active = next((name for name in names if name in environ), names[-2])
        current = environ.get(active, "")
        words = shlex.split(current) if shell else current.split()
        if current and all(flag in words for flag in c_flags):
            continue
        updates[active] = _appended_words(current, rendered)
    return updates


_C_MAP_WORD = re.compile(r"^(?:-Wp,)?-f(?:file|debug|macro)-prefix-map=")


def _holds_quoted_map(value: str) -> bool:
    """Whether a flags value holds a prefix-map flag that only a shell split reads whole."""
    try:
        words = shlex.split(value)
    except ValueError:
        return False
    return any(_C_MAP_WORD.match(word) and shlex.quote(word) != word for word in words)


def _first_path(flags: Sequence[str]) -> str | None:
    for flag in flags:
        if _C_MAP_WORD.match(flag) and shlex.quote(flag) != flag:
            return flag.split("=", 1)[1].rpartition("=")[0]
    return None


def _shell_escaping_refusal(
    environ: Mapping[str, str], read: Sequence[str], cc_versions: Sequence[tuple[int, ...]]
) -> str | None:
    """Why CC_SHELL_ESCAPED_FLAGS cannot be turned on for this build, or None."""
    if CC_SHELL_ESCAPED in environ:
        return f"it splits them at whitespace, and you set {CC_SHELL_ESCAPED}={environ[CC_SHELL_ESCAPED]!r}"
    old = [v for v in cc_versions if v < CC_SHELL_ESCAPED_SINCE]
    if old:
        version = ".".join(map(str, min(old)))
        return f"cc {version} (Cargo.lock) splits them at whitespace; update cc to >= 1.1.11"
    for name in read:
        value = environ.get(name, "")
        own = value
        for word in (shlex.split(value) if _holds_quoted_map(value) else []):
            if _C_MAP_WORD.match(word):
                own = own.replace(shlex.quote(word), "")
        if any(c in own for c in "'\"\\"):
            return (f"it splits them at whitespace, and {CC_SHELL_ESCAPED} would also change how it reads "
                    f"the quotes in your {name}")
    return None


def cc_versions_locked(source_dir: Path, depth: int = 3) -> list[tuple[int, ...]]:
    """Versions of the ``cc`` crate in the Cargo.lock files near the top of the tree."""
    found = []
    level = [source_dir]
    for _ in range(depth + 1):
        following = []
        for directory in level:
            lock = directory / "Cargo.lock"
            if lock.is_file():
                found += _cc_versions_in(lock.read_text(encoding="utf-8", errors="replace"))
            try:
                following += [e for e in directory.iterdir() if e.is_dir() and not e.name.startswith(".")
                              and e.name not in ("target", "build", "dist", "node_modules", "__pycache__")]
            except OSError:
                continue
        level = following
    return found


_LOCKED_CC = re.compile(r'^name = "cc"\nversion = "(\d+)\.(\d+)\.(\d+)', re.MULTILINE)


def _cc_versions_in(text: str) -> list[tuple[int, ...]]:
    return [tuple(int(part) for part in match.groups()) for match in _LOCKED_CC.finditer(text)]


# -- probes (side effects) ------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _rustc_output(rustc: tuple[str, ...], cwd: str, args: tuple[str, ...]) -> str | None:
    try:
        done = subprocess.run(
            [*rustc, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def rustc_command(environ: Mapping[str, str]) -> tuple[str, ...]:
    """``$RUSTC`` or ``rustc`` (a ``RUSTC_WRAPPER`` does not change what rustc reports)."""
    return tuple(shlex.split(environ.get("RUSTC") or "rustc"))


def host_triple(environ: Mapping[str, str], cwd: Path) -> str | None:
    """The host triple of the rustc a build in ``cwd`` uses (rust-toolchain.toml applies there)."""
    output = _rustc_output(rustc_command(environ), str(cwd), ("-vV",))
    for line in (output or "").splitlines():
        if line.startswith("host:"):
            return line.split(":", 1)[1].strip()
    return None


def target_cfg(environ: Mapping[str, str], cwd: Path, triple: str) -> frozenset:
    output = _rustc_output(rustc_command(environ), str(cwd), ("--print", "cfg", "--target", triple))
    return parse_print_cfg(output or "")


# -- the whole Rust environment ------------------------------------------------


def explicit_target(environ: Mapping[str, str], configs: Sequence[CargoConfig], given: str | None) -> str | None:
    """The ``--target`` cargo builds for, when one is set (else cargo builds for the host)."""
    if given:
        return given
    if environ.get("CARGO_BUILD_TARGET"):
        return environ["CARGO_BUILD_TARGET"]
    for config in reversed(configs):
        if len(config.build_target) == 1:
            return config.build_target[0]
    return None


def rust_environment(
    environ: Mapping[str, str],
    source_dir: Path,
    maps: Sequence[PathMap],
    *,
    target: str | None = None,
    c_flags: Callable[[list[str]], list[str]] | None = None,
    force: bool = False,
    command_line_configs: Sequence[CargoConfig] = (),
    wrapped: bool = False,
    map_form: str = "",
) -> dict[str, str]:
    """Environment updates that give cargo, rustc and the cc crate the path maps.

    ``environ`` is the environment the build will see (before these updates).
    ``target`` is a ``--target`` the backend passes cargo, if any. ``c_flags``
    renders the maps for the cc crate's compiler (given its command); by
    default the C half's renderer with a probe of that compiler.
    ``command_line_configs`` are ``cargo --config`` values the backend passes
    (see :func:`command_line_config`); they rank above the config files.
    Returns {} for a tree without a ``Cargo.toml`` unless ``force``.
    ``wrapped``: rustc runs through the proxy's ``rustc`` script (sccache, see
    :mod:`.compilercache`), so rustc's maps go into :data:`WRAPPER_ARGS`
    instead of cargo's rustflags; ``map_form`` spells the cc crate's maps.
    """
    if not maps or not (force or uses_rust(source_dir)):
        return {}
    configs = [*load_cargo_configs(source_dir, environ), *command_line_configs]
    taken = existing_remaps(environ, configs)
    own = [m for m in for_rustc(maps) if os.path.normpath(m.source) not in taken]
    explicit = explicit_target(environ, configs, target)
    host = functools.lru_cache(maxsize=None)(lambda: host_triple(environ, source_dir) or "unknown-host")
    triple = (lambda: explicit) if explicit else host

    def cfg() -> frozenset:
        return target_cfg(environ, source_dir, triple())

    if wrapped:
        flags = remap_flags(own)
        given = [w for w in environ.get(WRAPPER_ARGS, "").split(ENCODED_SEPARATOR) if w]
        updates = {WRAPPER_ARGS: ENCODED_SEPARATOR.join([*given, *flags])} if flags else {}
    else:
        updates = cargo_rustflags_environment(environ, configs, triple, cfg, remap_flags(own), len(command_line_configs))
    named_cc_spellings = any(key.startswith(("CFLAGS_", "CXXFLAGS_", "CC_")) for key in environ)
    cc_target = explicit or (host() if named_cc_spellings else None)
    cross = bool(explicit) and explicit != host()
    cc_read = [name for variable in ("CFLAGS", "CXXFLAGS") for name in cc_variables(variable, cc_target, cross)]
    render = c_flags or _default_c_flags(environ, maps, cc_read, map_form)
    rendered = render(cc_compiler(environ, cc_target, cross))
    updates.update(cc_flags_environment(environ, cc_target, cross, rendered, cc_versions_locked(source_dir)))
    return updates


def _default_c_flags(
    environ: Mapping[str, str], maps: Sequence[PathMap], cc_read: Sequence[str], map_form: str = ""
) -> Callable[[list[str]], list[str]]:
    """The C half's renderer, for the maps not already given in a variable the cc crate reads.

    Only those variables count: a map in ``CPPFLAGS`` (where the setuptools
    adapter puts them) never reaches the cc crate.
    """
    from .cflags import prefix_map_flags, sources_mapped_by
    from .compilers import probe
    from .pathmap import normalized_source

    taken: set[str] = set()
    for name in cc_read:
        taken |= sources_mapped_by(environ.get(name, ""))
    remaining = [m for m in ordered(maps) if normalized_source(m.source) not in taken]

    # The option syntax; cc's quoting is decided later.
    carriers.check(remaining, carriers.ENCODED,
                   carriers.preprocessor_option_refusal if map_form else carriers.c_option_refusal)

    def render(compiler: list[str]) -> list[str]:
        return prefix_map_flags(remaining, probe(tuple(compiler), form=map_form)) if remaining else []

    return render


__all__ = [
    "cargo_rustflags_environment",
    "cc_flags_environment",
    "remap_flags",
    "rust_environment",
    "target_env_name",
]

"""Settings: ``[tool.remap-backend]``, ``remap.*`` config-settings and environment overrides.

Precedence, strongest first: ``REMAP_BACKEND``/``REMAP_BACKEND_PATH`` environment
variables, ``-C remap.KEY=VALUE`` config-settings, the ``[tool.remap-backend]``
table, and finally inference from ``build-system.requires``.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .errors import RemapError

CONFIG_PREFIX = "remap."
TABLE = "tool.remap-backend"

#: requirement name (PEP 503 normalized) -> wrapped backend object reference.
KNOWN_BACKENDS = {
    "setuptools": "setuptools.build_meta",
    "scikit-build-core": "scikit_build_core.build",
    "maturin": "maturin",
    "meson-python": "mesonpy",
    "hatchling": "hatchling.build",
    "flit-core": "flit_core.buildapi",
    "pdm-backend": "pdm.backend",
    "poetry-core": "poetry.core.masonry.api",
}

_OBJECT_REF = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*)?$")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Settings:
    """Everything the proxy was told, validated."""

    backend: str
    backend_path: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    path_map: tuple[tuple[str, str], ...] = ()
    normalize: bool = True
    verbose: bool = False
    cmake_build_dirs: tuple[str, ...] = ()
    #: Build on, with a warning, when a carrier cannot hold a varying path (the wheel then differs).
    allow_unmapped: bool = False
    #: Replace this build's varying paths in the wheel's text members (archives/scrub.py).
    scrub_text: bool = True
    #: A leak the guard finds fails the build instead of warning (guard.py).
    strict: bool = False
    #: Launch the compilers through this cache ("ccache", "sccache", "auto" or "none"; remap/compilercache.py).
    compiler_cache: str = "none"
    #: Config-settings for the wrapped backend (``remap.*`` keys removed).
    forwarded: dict[str, Any] | None = field(default=None, compare=False)
    #: attribute -> where its value came from ("REMAP_BACKEND", "-C remap.backend", ...), for messages.
    origins: dict[str, str] = field(default_factory=dict, compare=False)

    def origin(self, attribute: str) -> str:
        return self.origins.get(attribute, f"[{TABLE}] {attribute.replace('_', '-')}")


def normalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- value parsers: each takes (value, where) and raises RemapError naming `where` --


def _as_str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RemapError(f"{where} must be a non-empty string, got {value!r}")
    return value.strip()


def _as_object_ref(value: Any, where: str) -> str:
    ref = _as_str(value, where)
    if not _OBJECT_REF.match(ref):
        raise RemapError(
            f"{where} = {ref!r} is not a PEP 517 object reference; "
            "write it as 'module.path' or 'module.path:object' (e.g. 'setuptools.build_meta')"
        )
    return ref


def _as_str_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RemapError(f"{where} must be a list of strings, got {value!r}")
    return tuple(value)


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise RemapError(f"{where} must be true or false, got {value!r}")


def _as_path_map(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """A table ``{FROM = TO}`` (pyproject) or ``FROM=TO`` strings (config-settings)."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for item in _as_str_list(value, where):
            source, sep, target = item.rpartition("=")
            if not sep or not source:
                raise RemapError(f"{where} entry {item!r} must look like FROM=TO (e.g. /opt/src=/src)")
            pairs.append((source, target))
    result = []
    for source, target in pairs:
        if not isinstance(target, str) or not isinstance(source, str) or not os.path.isabs(source):
            raise RemapError(f"{where}: {source!r} -> {target!r} must map an absolute path to a string")
        result.append((source, target))
    return tuple(result)


def _as_choice(*choices: str) -> Callable[[Any, str], str]:
    def parse(value: Any, where: str) -> str:
        text = value.strip().lower() if isinstance(value, str) else None
        if text not in choices:
            raise RemapError(f"{where} must be one of {', '.join(repr(c) for c in choices)}, got {value!r}")
        return text

    return parse


@dataclass(frozen=True)
class _Option:
    attribute: str
    parse: Callable[[Any, str], Any]
    merge_lists: bool = False
    #: The environment variable that sets it too (strongest of all sources), if any.
    environment: str | None = None


#: pyproject key / config-settings key (after ``remap.``) -> option.
_OPTIONS = {
    "backend": _Option("backend", _as_object_ref),
    "backend-path": _Option("backend_path", _as_str_list),
    "requires": _Option("requires", _as_str_list, merge_lists=True),
    "path-map": _Option("path_map", _as_path_map, merge_lists=True),
    "map": _Option("path_map", _as_path_map, merge_lists=True),
    "normalize": _Option("normalize", _as_bool),
    "verbose": _Option("verbose", _as_bool),
    "cmake-build-dirs": _Option("cmake_build_dirs", _as_str_list, merge_lists=True),
    "allow-unmapped": _Option("allow_unmapped", _as_bool),
    "scrub-text": _Option("scrub_text", _as_bool),
    "strict": _Option("strict", _as_bool),
    "compiler-cache": _Option("compiler_cache", _as_choice("none", "ccache", "sccache", "auto"),
                              environment="REMAP_BACKEND_COMPILER_CACHE"),
}
_TABLE_KEYS = sorted(set(_OPTIONS) - {"map"})
_SETTING_KEYS = sorted(set(_OPTIONS) - {"path-map", "requires"})
#: Environment variables that configure the proxy or the CLI (a REMAP_BACKEND* not listed gets a warning).
ENVIRONMENT_VARIABLES = (
    "REMAP_BACKEND", "REMAP_BACKEND_PATH", "REMAP_BACKEND_CACHE", "REMAP_BACKEND_CMAKE_PATH_MAPS",
    "REMAP_BACKEND_DEBUG", "REMAP_BACKEND_MAX_MEMBERS", "REMAP_BACKEND_MAX_UNPACKED_BYTES", "REMAP_BACKEND_WHEEL",
    *(option.environment for option in _OPTIONS.values() if option.environment),
    # Set by the proxy for the programs it starts (remap/compilercache.py), never by users.
    "REMAP_BACKEND_CMAKE_LAUNCHER", "REMAP_BACKEND_CMAKE_MAP_FORM", "REMAP_BACKEND_RUSTC", "REMAP_BACKEND_RUSTC_ARGS",
)


def did_you_mean(key: str, known: Sequence[str], spell: Callable[[str], str] = str) -> str:
    """`` (did you mean 'X'?)`` for the closest known key ("_" and case do not count), or ""."""
    folded = {re.sub(r"[-_.]", "-", k.lower()): k for k in known}
    close = difflib.get_close_matches(re.sub(r"[-_.]", "-", key.lower()), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {spell(folded[close[0]])!r}?)" if close else ""


def read_pyproject(source_dir: Path) -> dict:
    path = source_dir / "pyproject.toml"
    try:
        toml = _toml_module()
        with open(path, "rb") as stream:
            return toml.load(stream)
    except FileNotFoundError:
        return {}
    except ValueError as exc:  # tomllib.TOMLDecodeError subclasses ValueError
        raise RemapError(f"{path} is not valid TOML ({exc}); fix the syntax error") from None


def _toml_module():
    if sys.version_info >= (3, 11):
        import tomllib  # novermin (guarded by the version check above)

        return tomllib
    try:
        import tomli
    except ImportError:
        raise RemapError(
            "Python < 3.11 needs tomli to read pyproject.toml; "
            "add 'tomli; python_version < \"3.11\"' to build-system.requires"
        ) from None
    return tomli


def infer_backend(requires: list[str]) -> str:
    """Name the wrapped backend from ``build-system.requires``, or say what to add."""
    found = {}
    for requirement in requires:
        match = _REQUIREMENT_NAME.match(requirement) if isinstance(requirement, str) else None
        if match and normalize_name(match.group(1)) in KNOWN_BACKENDS:
            name = normalize_name(match.group(1))
            found[name] = KNOWN_BACKENDS[name]
    if len(found) == 1:
        return next(iter(found.values()))
    hint = "add backend = \"module:object\" to [tool.remap-backend] in pyproject.toml"
    if not found:
        raise RemapError(
            f"cannot tell which backend to wrap: build-system.requires {requires!r} names none of "
            f"{', '.join(sorted(KNOWN_BACKENDS))}; {hint} (e.g. backend = \"setuptools.build_meta\")"
        )
    choices = " or ".join(f'backend = "{ref}"' for ref in sorted(found.values()))
    raise RemapError(
        f"cannot tell which backend to wrap: build-system.requires names {', '.join(sorted(found))}; "
        f"add {choices} to [tool.remap-backend] in pyproject.toml"
    )


def _table_values(pyproject: dict) -> dict[str, Any]:
    table = pyproject.get("tool", {}).get("remap-backend", {})
    if not isinstance(table, dict):
        raise RemapError(f"[{TABLE}] must be a table; write it as [tool.remap-backend] in pyproject.toml")
    values = {}
    for key, raw in table.items():
        if key not in _TABLE_KEYS:
            raise RemapError(
                f"unknown key {key!r} in [{TABLE}]{did_you_mean(key, _TABLE_KEYS)}; "
                f"known keys: {', '.join(_TABLE_KEYS)}"
            )
        values[key] = _OPTIONS[key].parse(raw, f"[{TABLE}] {key}")
    return values


def split_config_settings(
    config_settings: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Separate our ``remap.*`` keys from what the wrapped backend receives unchanged."""
    if config_settings is None:
        return {}, None
    ours, theirs = {}, {}
    for key, value in config_settings.items():
        if key.startswith(CONFIG_PREFIX):
            ours[key[len(CONFIG_PREFIX):]] = value
        else:
            theirs[key] = value
    return ours, theirs


def _setting_values(ours: Mapping[str, Any]) -> dict[str, Any]:
    values = {}
    for key, raw in ours.items():
        if key not in _SETTING_KEYS:
            raise RemapError(
                f"unknown config-setting 'remap.{key}'{did_you_mean(key, _SETTING_KEYS, 'remap.{}'.format)}; "
                "known: " + ", ".join(f"remap.{k}" for k in _SETTING_KEYS)
            )
        option = _OPTIONS[key]
        if not option.merge_lists and isinstance(raw, list):
            raw = raw[-1]  # a repeated scalar: the last one wins, as on a command line
        values[key] = option.parse(raw, f"-C remap.{key}")
    return values


def _environment_values(environ: Mapping[str, str]) -> dict[str, Any]:
    from . import log  # only needed for this warning

    for name in sorted(environ):
        if name.upper().startswith("REMAP_B") and name not in ENVIRONMENT_VARIABLES:
            log.warn(f"ignoring unknown environment variable {name}{did_you_mean(name, ENVIRONMENT_VARIABLES)}")
    values = {}
    if environ.get("REMAP_BACKEND"):
        values["backend"] = _as_object_ref(environ["REMAP_BACKEND"], "REMAP_BACKEND")
    if "REMAP_BACKEND_PATH" in environ:
        values["backend-path"] = tuple(p for p in environ["REMAP_BACKEND_PATH"].split(os.pathsep) if p)
    for key, option in _OPTIONS.items():
        if option.environment and environ.get(option.environment):
            values[key] = option.parse(environ[option.environment], option.environment)
    return values


def _environment_name(key: str) -> str:
    return {"backend": "REMAP_BACKEND", "backend-path": "REMAP_BACKEND_PATH"}.get(key) or _OPTIONS[key].environment


def load(
    source_dir: Path,
    config_settings: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    pyproject: dict | None = None,
) -> Settings:
    """Combine every source of settings; raise RemapError on anything malformed."""
    if pyproject is None:
        pyproject = read_pyproject(source_dir)
    ours, forwarded = split_config_settings(config_settings)
    layers = [_table_values(pyproject), _setting_values(ours), _environment_values(environ)]

    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    wheres = (lambda key: f"[{TABLE}] {key}", lambda key: f"-C remap.{key}",
              _environment_name)
    for layer, where in zip(layers, wheres):
        for key, value in layer.items():
            attribute = _OPTIONS[key].attribute
            origins[attribute] = where(key)
            if _OPTIONS[key].merge_lists and attribute in merged:
                merged[attribute] = merged[attribute] + value
            else:
                merged[attribute] = value
    if "backend" not in merged:
        requires = pyproject.get("build-system", {}).get("requires", [])
        merged["backend"] = infer_backend(requires if isinstance(requires, list) else [])
    if merged["backend"].split(":")[0].split(".")[0] == "remap_backend":
        raise RemapError(
            f"the wrapped backend cannot be remap_backend itself; set {origins.get('backend', f'[{TABLE}] backend')} "
            "to the real backend (e.g. \"setuptools.build_meta\")"
        )
    origins.setdefault("backend", "build-system.requires (add [tool.remap-backend] backend to choose)")
    return Settings(forwarded=forwarded, origins=origins, **merged)

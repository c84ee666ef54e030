"""Settings: one typed model of every knob, read from ``[tool.remap-backend]``, ``-C remap.*`` and the environment.

Each field of :class:`Settings` declares, in its ``metadata``, its TOML key
(also its ``-C remap.<key>`` config-setting), its environment variable, the
parser that validates it and a one-line help text. Everything else is derived
from that one declaration: the parsers of all three sources, the error
messages and suggestions, the README's tables (checked by a test) and the
JSON schema shipped beside this module (``python -m remap_backend.settings
--schema`` writes it). Precedence, strongest first: the environment variable,
the ``-C remap.KEY=VALUE`` config-setting, the table, then the default (for
``backend``: inference from ``build-system.requires``).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, NamedTuple, Sequence, Tuple

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

    parse.choices = choices  # type: ignore[attr-defined]  # for the schema
    return parse


def _from_path_list(value: str, where: str) -> tuple[str, ...]:
    """An ``os.pathsep``-separated environment value, like ``PATH``."""
    return tuple(part for part in value.split(os.pathsep) if part)


def _path_map_from_path_list(value: str, where: str) -> tuple[tuple[str, str], ...]:
    return _as_path_map(list(_from_path_list(value, where)), where)


class Option(NamedTuple):
    """How one knob is spelled in each source, parsed, and explained."""

    #: Key in ``[tool.remap-backend]``; with ``remap.`` in front, the config-setting.
    key: str
    #: Validates and converts a value from the table or a config-setting.
    parse: Callable[[Any, str], Any]
    #: One line for ``--help``-like tables, the README and the schema.
    help: str
    #: TOML/JSON type for the docs and the schema: "string", "array", "table", "boolean".
    type: str
    #: The environment variable that sets it too (strongest of all sources), or None.
    environment: str | None = None
    #: Converts the environment variable's text (default: ``parse``).
    parse_environment: Callable[[str, str], Any] | None = None
    #: Further config-setting spellings (``remap.map`` for ``path-map``).
    setting_aliases: tuple[str, ...] = ()
    #: Whether ``-C remap.<key>`` itself is accepted (not for lists of requirements).
    settable: bool = True

    def setting_keys(self) -> tuple[str, ...]:
        """The keys after ``remap.`` that config-settings may use for this knob."""
        return ((self.key,) if self.settable else ()) + self.setting_aliases
    #: Values from several sources add up instead of the strongest one winning.
    merge_lists: bool = False


def option(key: str, parse: Callable[[Any, str], Any], type: str, help: str, default: Any = MISSING,
           **details: Any) -> Any:
    """A :class:`Settings` field whose metadata is its :class:`Option`."""
    meta = {"option": Option(key, parse, help, type, **details)}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple for a default collection")
    return field(metadata=meta) if default is MISSING else field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Everything the user configured, validated; one field per knob."""

    backend: str = option(
        "backend", _as_object_ref, "string",
        "The wrapped backend, as a PEP 517 object reference `module.path` or `module.path:object`; "
        "inferred from `build-system.requires` when unset.",
        environment="REMAP_BACKEND")
    backend_path: Tuple[str, ...] = option(
        "backend-path", _as_str_list, "array",
        "Where an in-tree wrapped backend lives (PEP 517 rules: relative, inside the tree).",
        (), environment="REMAP_BACKEND_PATH", parse_environment=_from_path_list)
    requires: Tuple[str, ...] = option(
        "requires", _as_str_list, "array",
        "Extra build requirements, added to the wrapped backend's `get_requires_for_build_*` answer.",
        (), settable=False, merge_lists=True)
    path_map: Tuple[Tuple[str, str], ...] = option(
        "path-map", _as_path_map, "table",
        "Extra path maps `{FROM = TO}` (`-C remap.map=FROM=TO`, repeatable), applied after the discovered ones.",
        (), environment="REMAP_BACKEND_PATH_MAP", parse_environment=_path_map_from_path_list,
        setting_aliases=("map",), settable=False, merge_lists=True)
    normalize: bool = option(
        "normalize", _as_bool, "boolean", "Rewrite the produced wheel/sdist deterministically.",
        True, environment="REMAP_BACKEND_NORMALIZE")
    verbose: bool = option(
        "verbose", _as_bool, "boolean", "Log every map, variable and decision to stderr.",
        False, environment="REMAP_BACKEND_VERBOSE")
    cmake_build_dirs: Tuple[str, ...] = option(
        "cmake-build-dirs", _as_str_list, "array",
        "Further directories (relative to the project) whose `CMakeCache.txt` the proxy repairs.",
        (), environment="REMAP_BACKEND_CMAKE_BUILD_DIRS", parse_environment=_from_path_list, merge_lists=True)
    allow_unmapped: bool = option(
        "allow-unmapped", _as_bool, "boolean",
        "Build on, with a warning, when a flag carrier cannot hold a varying path (the wheel then differs).",
        False, environment="REMAP_BACKEND_ALLOW_UNMAPPED")
    scrub_text: bool = option(
        "scrub-text", _as_bool, "boolean",
        "Replace this build's varying paths by their placeholders in the wheel's text members. Needs `normalize`.",
        True, environment="REMAP_BACKEND_SCRUB_TEXT")
    strict: bool = option(
        "strict", _as_bool, "boolean",
        "A builder path the leak guard finds in the wheel fails the build instead of warning "
        "(`remap-backend build`/`verify` turn it on).",
        False, environment="REMAP_BACKEND_STRICT")
    compiler_cache: str = option(
        "compiler-cache", _as_choice("none", "ccache", "sccache", "auto"), "string",
        "Launch the compilers through this cache (`auto`: the first of ccache, sccache on PATH); "
        "see docs/compiler-cache.md.",
        "none", environment="REMAP_BACKEND_COMPILER_CACHE")
    #: attribute -> where its value came from ("REMAP_BACKEND", "-C remap.backend", ...), for messages.
    origins: Dict[str, str] = field(default_factory=dict, compare=False)

    def origin(self, attribute: str) -> str:
        return self.origins.get(attribute, f"[{TABLE}] {attribute.replace('_', '-')}")


def options() -> tuple[Option, ...]:
    """Every knob, in declaration order."""
    return tuple(f.metadata["option"] for f in fields(Settings) if "option" in f.metadata)


def _attribute(key: str) -> str:
    return key.replace("-", "_")


_OPTIONS = {o.key: o for o in options()}
_SETTINGS = {key: o for o in options() for key in o.setting_keys()}
_TABLE_KEYS = sorted(_OPTIONS)
_SETTING_KEYS = sorted(_SETTINGS)

#: Variables read elsewhere, each with what it does (one place for every REMAP_BACKEND* name).
OTHER_VARIABLES = {
    "REMAP_BACKEND_MAX_MEMBERS": "Most members an archive may have before it is refused as a bomb (archives/safety.py).",
    "REMAP_BACKEND_MAX_UNPACKED_BYTES": "Most bytes an archive may unpack to before it is refused as a bomb (archives/safety.py).",
    "REMAP_BACKEND_CACHE": "The per-user cache: the proxy's compiler probes and the command line's proxy wheels (default `~/.cache/remap-backend`).",
    "REMAP_BACKEND_WHEEL": "The proxy wheel the command line installs into build environments (`--proxy-wheel`).",
    "REMAP_BACKEND_DEBUG": "Set to 1 for a traceback on an internal error of the command line.",
    "REMAP_BACKEND_CMAKE_PATH_MAPS": "Set by the proxy for its CMake include script; never by users.",
    "REMAP_BACKEND_CMAKE_LAUNCHER": "Set by the proxy for its CMake include script (the compiler cache); never by users.",
    "REMAP_BACKEND_CMAKE_MAP_FORM": "Set by the proxy for its CMake include script (map spelling); never by users.",
    "REMAP_BACKEND_RUSTC": "Set by the proxy for its rustc wrapper (the compiler cache); never by users.",
    "REMAP_BACKEND_RUSTC_ARGS": "Set by the proxy for its rustc wrapper (the compiler cache); never by users.",
}
#: Environment variables that configure the proxy or the CLI (a REMAP_BACKEND* not listed gets a warning).
ENVIRONMENT_VARIABLES = tuple(o.environment for o in options() if o.environment) + tuple(OTHER_VARIABLES)

def did_you_mean(key: str, known: Sequence[str], spell: Callable[[str], str] = str) -> str:
    """`` (did you mean 'X'?)`` for the closest known key ("_" and case do not count), or ""."""
    import difflib  # only on the error path

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
        if key not in _SETTINGS:
            raise RemapError(
                f"unknown config-setting 'remap.{key}'{did_you_mean(key, _SETTING_KEYS, 'remap.{}'.format)}; "
                "known: " + ", ".join(f"remap.{k}" for k in _SETTING_KEYS)
            )
        option = _SETTINGS[key]
        if not option.merge_lists and isinstance(raw, list):
            raw = raw[-1]  # a repeated scalar: the last one wins, as on a command line
        values[option.key] = option.parse(raw, f"-C remap.{key}")
    return values


def _environment_values(environ: Mapping[str, str]) -> dict[str, Any]:
    from . import log  # only needed for this warning

    for name in sorted(environ):
        if name.upper().startswith("REMAP_B") and name not in ENVIRONMENT_VARIABLES:
            log.warn(f"ignoring unknown environment variable {name}{did_you_mean(name, ENVIRONMENT_VARIABLES)}")
    values = {}
    for option in options():
        name = option.environment
        if name is None or name not in environ:
            continue
        if not environ[name] and option.parse_environment is None:
            continue  # an empty variable is unset, as for REMAP_BACKEND= in a shell
        values[option.key] = (option.parse_environment or option.parse)(environ[name], name)
    return values


def load(
    source_dir: Path,
    config_settings: Mapping[str, Any] | None,
    environ: Mapping[str, str],
    pyproject: dict | None = None,
) -> Settings:
    """Combine every source of settings; raise RemapError on anything malformed."""
    if pyproject is None:
        pyproject = read_pyproject(source_dir)
    ours, _ = split_config_settings(config_settings)
    layers = [_table_values(pyproject), _setting_values(ours), _environment_values(environ)]

    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    setting_names = {option.key: key for key in ours for option in [_SETTINGS.get(key)] if option}
    wheres = (lambda key: f"[{TABLE}] {key}", lambda key: f"-C remap.{setting_names.get(key, key)}",
              lambda key: str(_OPTIONS[key].environment))
    for layer, where in zip(layers, wheres):
        for key, value in layer.items():
            attribute = _attribute(key)
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
    return Settings(origins=origins, **merged)


# -- the JSON schema of [tool.remap-backend], shipped as resources/schema.json --

_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "array": {"type": "array", "items": {"type": "string"}},
    "table": {"type": "object", "additionalProperties": {"type": "string"}},
}


def schema() -> dict[str, Any]:
    """The JSON schema (draft 7, as validate-pyproject reads) of the ``[tool.remap-backend]`` table."""
    properties = {}
    for option in options():
        entry: dict[str, Any] = {**_SCHEMA_TYPES[option.type], "description": option.help}
        choices = getattr(option.parse, "choices", None)
        if choices:
            entry["enum"] = list(choices)
        default = _default(option)
        if default is not MISSING:
            entry["default"] = list(default) if isinstance(default, tuple) else default
        properties[option.key] = entry
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/remap-backend/remap-backend/blob/main/backends/remap_backend/resources/schema.json",
        "title": "[tool.remap-backend] in pyproject.toml",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }


def _default(option: Option) -> Any:
    """The field's default as the TOML table would spell it (``{}`` for the path-map table)."""
    default = next(f for f in fields(Settings) if f.name == _attribute(option.key)).default
    return {} if option.type == "table" and default == () else default


SCHEMA_PATH = Path(__file__).parent / "resources" / "schema.json"


def schema_text() -> str:
    import json

    return json.dumps(schema(), indent=2, sort_keys=False) + "\n"


def tool_schema(tool_name: str = "remap-backend") -> dict[str, Any]:
    """Entry point for validate-pyproject (``validate_pyproject.tool_schema``), which passes the tool's name."""
    import json

    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def markdown_table() -> str:
    """The README's table of every knob, made from the model (a test keeps the README equal to it)."""
    rows = ["| `[tool.remap-backend]` key | config-setting | environment variable | type | default | meaning |",
            "| --- | --- | --- | --- | --- | --- |"]
    for option in options():
        setting = ", ".join(f"`-C remap.{k}`" for k in option.setting_keys()) or "-"
        default = _default(option)
        shown = "inferred" if default is MISSING else f"`{json_value(default)}`"
        rows.append(f"| `{option.key}` | {setting} | {f'`{option.environment}`' if option.environment else '-'} "
                    f"| {option.type} | {shown} | {option.help} |")
    return "\n".join(rows) + "\n"


def json_value(value: Any) -> str:
    import json

    return json.dumps(list(value) if isinstance(value, tuple) else value)

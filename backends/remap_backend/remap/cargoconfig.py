"""What cargo's configuration says about rustflags: config files, ``--config`` values, ``cfg(...)`` keys.

Cargo reads ``.cargo/config.toml`` (or the legacy ``.cargo/config``, which
wins in one directory) in the working directory and each parent, then
``$CARGO_HOME/config.toml``, plus files named by ``include`` and values given
with ``--config``. Only the keys that decide where rustflags come from are
kept. ``target.'cfg(...)'`` keys are evaluated against ``rustc --print cfg``.
Pure, except for reading the files.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import log
from ..settings import _toml_module
from ..errors import RemapError


# -- cargo configuration files ------------------------------------------------


@dataclass(frozen=True)
class CargoConfig:
    """The parts of one cargo config file that decide where rustflags come from."""

    path: str
    build_rustflags: tuple[str, ...] | None = None
    #: ``build.target`` as written (a triple, or several).
    build_target: tuple[str, ...] = ()
    #: ``target.<key>.rustflags`` per key (a triple or ``cfg(...)``).
    target_rustflags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    """Cargo's string-or-list form: a string is split on whitespace."""
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise RemapError(f"{where} must be a string or a list of strings, got {value!r}; fix the cargo config")


def parse_cargo_config(data: Mapping[str, Any], path: str) -> CargoConfig:
    """Pick the rustflags-related keys out of one parsed config file."""
    build = data.get("build", {})
    build = build if isinstance(build, dict) else {}
    rustflags = build.get("rustflags")
    target = build.get("target")
    targets: tuple[str, ...] = ()
    if isinstance(target, str):
        targets = (target,)
    elif isinstance(target, list):
        targets = tuple(t for t in target if isinstance(t, str))
    per_target = {}
    tables = data.get("target", {})
    for key, table in (tables.items() if isinstance(tables, dict) else ()):
        if isinstance(table, dict) and "rustflags" in table:
            per_target[key] = _string_list(table["rustflags"], f"{path}: target.{key}.rustflags")
    return CargoConfig(
        path=path,
        build_rustflags=None if rustflags is None else _string_list(rustflags, f"{path}: build.rustflags"),
        build_target=targets,
        target_rustflags=per_target,
    )


def config_includes(data: Mapping[str, Any], path: str) -> list[tuple[str, bool]]:
    """(file, optional) named by a config's ``include`` key, relative to that config's directory."""
    value = data.get("include")
    if value is None:
        return []
    entries = value if isinstance(value, list) else [value]
    found = []
    for entry in entries:
        if isinstance(entry, str):
            name, optional = entry, False
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
            name, optional = entry["path"], bool(entry.get("optional", False))
        else:
            continue
        found.append((os.path.join(os.path.dirname(path), name), optional))
    return found


def config_file_candidates(cwd: Path, cargo_home: str | None) -> list[Path]:
    """Config files cargo reads, lowest precedence first: ``$CARGO_HOME``, then ``/`` down to ``cwd``.

    In one directory cargo prefers the legacy ``config`` over ``config.toml``.
    """
    directories = [*reversed([cwd, *cwd.parents])]
    found: list[Path] = []
    seen: set[str] = set()

    def add(cargo_dir: Path) -> None:
        for name in ("config", "config.toml"):
            candidate = cargo_dir / name
            if candidate.is_file():
                key = os.path.realpath(candidate)
                if key not in seen:
                    seen.add(key)
                    found.append(candidate)
                return

    if cargo_home:
        add(Path(cargo_home))
    for directory in directories:
        add(directory / ".cargo")
    return found


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as stream:
            return _toml_module().load(stream)
    except ValueError as exc:
        raise RemapError(f"{path} is not valid TOML ({exc}); fix the cargo config file") from None


def load_cargo_configs(cwd: Path, environ: Mapping[str, str]) -> list[CargoConfig]:
    """Every cargo config in force for a build started in ``cwd``, lowest precedence first."""
    cargo_home = environ.get("CARGO_HOME") or (
        os.path.join(environ["HOME"], ".cargo") if environ.get("HOME") else None
    )
    configs: list[CargoConfig] = []

    def load(path: Path, depth: int) -> None:
        data = _read_toml(path)
        if depth < 8:  # included files come before (below) the file that includes them
            for included, optional in config_includes(data, str(path)):
                if Path(included).is_file():
                    load(Path(included), depth + 1)
                elif not optional:
                    log.debug(f"cargo config {path} includes missing {included}")
        configs.append(parse_cargo_config(data, str(path)))

    for candidate in config_file_candidates(cwd, cargo_home):
        load(candidate, 0)
    return configs


def command_line_config(value: str, cwd: Path) -> CargoConfig:
    """One ``cargo --config`` value: ``KEY=VALUE`` in TOML (``build.rustflags=["-C", "x"]``) or a file path."""
    try:
        data = _toml_module().loads(value)
    except ValueError:
        path = Path(value) if os.path.isabs(value) else cwd / value
        if not path.is_file():
            raise RemapError(
                f"cargo --config {value!r} is neither KEY=VALUE in TOML nor an existing file; fix it "
                "in [tool.maturin] config or the maturin arguments"
            ) from None
        return parse_cargo_config(_read_toml(path), str(path))
    return parse_cargo_config(data, f"--config {value}")


# -- cfg(...) expressions -----------------------------------------------------


_CFG_TOKEN = re.compile(r'\s*(?:(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<string>"[^"]*")|(?P<punct>[(),=]))')


def _cfg_tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _CFG_TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot parse cfg expression {text!r} at {text[position:]!r}")
        tokens.append(match.group(match.lastgroup))
        position = match.end()
    return tokens


def parse_print_cfg(output: str) -> frozenset[tuple[str, str | None]]:
    """``rustc --print cfg`` lines (``unix``, ``target_os="linux"``) as (name, value) pairs."""
    pairs = set()
    for line in output.splitlines():
        line = line.strip()
        if not line:
            continue
        name, sep, value = line.partition("=")
        pairs.add((name.strip(), value.strip().strip('"') if sep else None))
    return frozenset(pairs)


def cfg_matches(expression: str, cfg: frozenset[tuple[str, str | None]]) -> bool:
    """Whether a ``cfg(...)`` target key applies, given the target's ``--print cfg`` set."""
    tokens = _cfg_tokens(expression)
    if tokens[:2] != ["cfg", "("] or tokens[-1] != ")":
        raise ValueError(f"not a cfg expression: {expression!r}")
    value, rest = _cfg_predicate(tokens[2:-1], cfg)
    if rest:
        raise ValueError(f"trailing tokens in cfg expression {expression!r}: {rest}")
    return value


def _cfg_predicate(tokens: list[str], cfg: frozenset) -> tuple[bool, list[str]]:
    if not tokens:
        raise ValueError("empty cfg predicate")
    head, rest = tokens[0], tokens[1:]
    if head in ("all", "any", "not") and rest[:1] == ["("]:
        rest = rest[1:]
        values = []
        while rest and rest[0] != ")":
            value, rest = _cfg_predicate(rest, cfg)
            values.append(value)
            if rest[:1] == [","]:
                rest = rest[1:]
        if not rest:
            raise ValueError(f"unclosed {head}(")
        rest = rest[1:]
        if head == "not":
            if len(values) != 1:
                raise ValueError("not() takes exactly one predicate")
            return not values[0], rest
        return (all(values) if head == "all" else any(values)), rest
    if rest[:1] == ["="] and len(rest) >= 2 and rest[1].startswith('"'):
        return (head, rest[1][1:-1]) in cfg, rest[2:]
    return (head, None) in cfg, rest


__all__ = [
    "CargoConfig",
    "cfg_matches",
    "command_line_config",
    "config_file_candidates",
    "load_cargo_configs",
    "parse_cargo_config",
    "parse_print_cfg",
]

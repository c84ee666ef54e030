"""``remap-backend vendor``: copy the proxy into a project so any frontend builds it.

Until ``remap-backend`` is on an index, ``requires = ["remap-backend"]`` cannot
be resolved; PEP 517's ``backend-path`` lets a project carry its backend in
the tree instead. This command copies the installed proxy folder (standard
library only) into the project and points ``build-backend``/``backend-path``
at it. pyproject.toml is edited with a round-trip TOML library, so the
project's comments and layout survive; the declared backend is kept as
``[tool.remap-backend] backend``. Running it again changes nothing;
``--check`` (for a pre-commit hook) reports a copy that differs from the
installed proxy.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, List, Optional, Tuple

from remap_backend._version import __version__
from remap_backend.atomic import atomic_write_bytes

from .. import proxywheel
from ..errors import EXIT_DIFFERENT, EXIT_SAME, RemapError

DEFAULT_DIR = "_remap_backend"
PROXY = "remap_backend"
TOMLI = 'tomli>=1.1; python_version < "3.11"'
_VERSION = re.compile(r"""__version__\s*=\s*["']([^"']+)["']""")

DESCRIPTION = """\
Copy the installed proxy (one standard-library-only folder) into the project,
by default as _remap_backend/remap_backend/, and set build-backend and
backend-path in pyproject.toml so that pip, python -m build and uv build the
project through it with no remap-backend on any index. The project's declared
backend is kept as [tool.remap-backend] backend; its own requires are kept,
a "remap-backend" requirement is dropped (the copy replaces it). Comments and
layout of pyproject.toml survive; every file is replaced atomically.
"""

EXAMPLES = """\
examples:
  remap-backend vendor                      # the project in the current directory
  remap-backend vendor path/to/project --into build_support
  remap-backend vendor --check              # pre-commit: exit 1 if the copy is stale

pre-commit (.pre-commit-config.yaml):
  - repo: local
    hooks:
      - id: remap-backend-vendored
        name: vendored remap-backend is current
        entry: remap-backend vendor --check
        language: system
        pass_filenames: false

exit status: 0 up to date (or updated), 1 --check found a stale copy or setting, 2 error
"""


def add_parser(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "vendor",
        help="copy the proxy into a project and point its pyproject.toml at it",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("project", nargs="?", type=Path, default=Path("."), metavar="DIR",
                        help="the project's top directory, holding pyproject.toml (default: .)")
    parser.add_argument("--into", default=DEFAULT_DIR, metavar="SUBDIR",
                        help=f"directory inside the project for the copy (default: {DEFAULT_DIR})")
    parser.add_argument("--check", action="store_true",
                        help="only report whether the copy and pyproject.toml are current; write nothing")


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


def _age(vendored: Optional[str]) -> str:
    """'older', 'newer' or 'same version' than the installed proxy, by PEP 440 order."""
    from packaging.version import InvalidVersion, Version

    try:
        mine, theirs = Version(vendored or ""), Version(__version__)
    except InvalidVersion:
        return "unknown version"
    return "older" if mine < theirs else "newer" if mine > theirs else "same version, edited"


def _load(pyproject: Path) -> Tuple[Any, str]:
    import tomlkit

    text = pyproject.read_text(encoding="utf-8")
    try:
        return tomlkit.parse(text), text
    except tomlkit.exceptions.ParseError as exc:
        raise RemapError(f"{pyproject} is not valid TOML ({exc}); fix it, then run remap-backend vendor again") from None


def _check_into(into: str) -> str:
    parts = Path(into).parts
    if not parts or Path(into).is_absolute() or ".." in parts:
        raise RemapError(f"--into {into!r} must be a relative directory inside the project, like {DEFAULT_DIR}")
    return Path(into).as_posix()


def run(args: argparse.Namespace) -> int:
    project = args.project
    into = _check_into(args.into)
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        raise RemapError(f"{project} has no pyproject.toml; run remap-backend vendor in the project's top directory")
    installed = proxywheel.package_files(proxywheel.package_dir())
    vendored = read_copy(project / into)
    stale = differing_files(installed, vendored)
    doc, text = _load(pyproject)
    changes = [f"pyproject.toml: {change}" for change in edit_pyproject(doc, into)]
    where = f"{project / into / PROXY}"

    if args.check:
        problems = []
        if not vendored:
            problems.append(f"{where} is missing")
        elif stale:
            problems.append(f"{where} is remap-backend {version_of(vendored) or '?'} ({_age(version_of(vendored))}) "
                            f"and differs from the installed {__version__} in {len(stale)} file(s): "
                            f"{', '.join(stale[:5])}")
        problems += [f"would change {change}" for change in changes]
        for problem in problems:
            print(problem, flush=True)
        if problems:
            print("run `remap-backend vendor` to update", flush=True)
            return EXIT_DIFFERENT
        print(f"{where} is current (remap-backend {__version__})", flush=True)
        return EXIT_SAME

    if stale:
        write_copy(project / into, installed)
        print(f"copied remap-backend {__version__} to {where} ({len(stale)} file(s) changed)", flush=True)
    changes += sdist_includes(project, into, doc)
    if wrapped_backend(doc) == "mesonpy" and (stale or changes):
        print(f"note: meson-python's sdist holds the files git tracks; commit {into}/ (git add {into})", flush=True)
    new_text = doc.as_string()
    if new_text != text:
        atomic_write_bytes(pyproject, new_text.encode("utf-8"))
    for change in changes:
        print(change, flush=True)
    if not stale and not changes:
        print(f"{where} is current (remap-backend {__version__}); nothing to change", flush=True)
    return EXIT_SAME

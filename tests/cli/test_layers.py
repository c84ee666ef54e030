"""The CLI's imports go one way: commands -> library modules -> the proxy, never back."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

CLI = REPO / "src" / "remap_backend_cli"
BACKEND = REPO / "backends" / "remap_backend"


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved against ``package``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return names


def module_package(path: Path, root: Path, top: str) -> str:
    """The package a module's relative imports start from (for ``__init__.py``, its own)."""
    return ".".join([top, *path.relative_to(root).parts[:-1]])


def test_library_modules_never_import_a_command():
    offenders = []
    for path in sorted(CLI.glob("*.py")):
        imports = imported_modules(path, "remap_backend_cli")
        offenders += [(path.name, name) for name in imports if name.startswith("remap_backend_cli.commands")]
    assert offenders == []


def test_a_command_never_imports_another_command():
    commands = {path.stem for path in (CLI / "commands").glob("*.py")} - {"__init__"}
    offenders = []
    for path in sorted((CLI / "commands").glob("*.py")):
        imports = imported_modules(path, "remap_backend_cli.commands")
        offenders += [(path.name, name) for name in imports
                      if name.startswith("remap_backend_cli.commands.")
                      and name.split(".")[2] in commands - {path.stem}]
    assert offenders == []


def test_the_proxy_never_imports_the_cli():
    offenders = []
    for path in sorted(BACKEND.rglob("*.py")):
        imports = imported_modules(path, module_package(path, BACKEND, "remap_backend"))
        offenders += [(str(path.relative_to(BACKEND)), name) for name in imports
                      if name.startswith("remap_backend_cli")]
    assert offenders == []


def test_the_checker_sees_relative_imports_of_a_command(tmp_path):
    """Without this, a broken resolver would let every test above pass on nothing."""
    sample = tmp_path / "sample.py"
    sample.write_text("from .commands import build\nfrom .commands.diff import run\nfrom . import sources\n")
    names = imported_modules(sample, "remap_backend_cli")
    assert {"remap_backend_cli.commands.build", "remap_backend_cli.commands.diff", "remap_backend_cli.sources"} <= names
    inner = tmp_path / "inner.py"
    inner.write_text("from .build import run\nfrom .. import builder\n")
    names = imported_modules(inner, "remap_backend_cli.commands")
    assert {"remap_backend_cli.commands.build.run", "remap_backend_cli.builder"} <= names

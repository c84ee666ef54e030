"""The backend's imports go one way: hooks -> plan and repair -> adapters -> renderers -> primitives.

Every import counts, also the ones inside functions and under TYPE_CHECKING:
a lazy import still ties two modules together, and only a cycle-free,
downward graph lets a layer be read, tested and changed without the ones above.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "backends" / "remap_backend"

#: Layer of each module or package prefix (the longest matching prefix wins); higher imports lower.
LAYERS = {
    "remap_backend": 5,  # the PEP 517 module itself re-exports the hooks
    "remap_backend.__main__": 5,
    "remap_backend.hooks": 5,
    "remap_backend.remap.plan": 4,
    "remap_backend.remap.cacheplan": 4,
    "remap_backend.repair": 4,
    "remap_backend.adapters": 3,
    "remap_backend.remap": 2,
    "remap_backend.archives": 2,
    "remap_backend.remap.pathmap": 1,
    "remap_backend.context": 1,
    "remap_backend.settings": 1,
    "remap_backend.statedir": 1,
    "remap_backend.usercache": 1,
    "remap_backend.resources": 1,
    "remap_backend.atomic": 1,
    "remap_backend.epoch": 1,
    "remap_backend.errors": 1,
    "remap_backend.log": 1,
    "remap_backend._version": 1,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports (``from . import x`` resolves to module ``x``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known] or [base]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def layer(name: str) -> int:
    prefix = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, set(known)) for name, path in known.items()}


def test_every_module_has_a_layer():
    for name in modules():
        assert layer(name) in (1, 2, 3, 4, 5), name


def test_no_module_imports_from_a_layer_above_it():
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name, targets in graph().items() for target in sorted(targets)
        if layer(target) > layer(name) and not name.startswith(target + ".")  # a package's own __init__
    ]
    assert upward == []


def test_there_is_no_import_cycle():
    edges = {
        name: {t for t in targets if not name.startswith(t + ".")}  # importing a module runs its package's __init__
        for name, targets in graph().items()
    }
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target):] + [node, target]) if target in stack
                              else f"{node} -> {target}")
            elif target not in state:
                visit(target, stack + [node])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The rules above are not vacuous: a renderer importing the planner is found."""
    fake = tmp_path / "remap_backend" / "remap"
    fake.mkdir(parents=True)
    (fake / "cflags.py").write_text("from .plan import RemapPlan\nfrom ..hooks import proxy\n")
    known = {"remap_backend.remap.cflags", "remap_backend.remap.plan", "remap_backend.hooks", "remap_backend.hooks.proxy"}
    found = imported("remap_backend.remap.cflags", fake / "cflags.py", known)
    assert found == {"remap_backend.remap.plan", "remap_backend.hooks.proxy"}
    assert all(layer(t) > layer("remap_backend.remap.cflags") for t in found)

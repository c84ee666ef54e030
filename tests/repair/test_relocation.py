"""The relocation rule and the recognition of build environments (pure logic, real directories)."""

from __future__ import annotations

from pathlib import Path

from remap_backend.repair.environments import infer_roots, roots_from
from remap_backend.repair.relocation import Relocation


def make_env(root: Path, *files: str) -> Path:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return root


def test_roots_of_known_frontends():
    pip = roots_from("/usr", "/usr", [
        "/usr/lib/python311.zip",
        "/tmp/pip-build-env-ab/overlay/lib/python3.11/site-packages",
        "/tmp/pip-build-env-ab/normal/lib/python3.11/site-packages",
    ])
    assert pip == ("/tmp/pip-build-env-ab/overlay", "/tmp/pip-build-env-ab/normal")
    uv = roots_from("/c/uv/builds-v0/.tmpX", "/usr", ["/c/uv/builds-v0/.tmpX/lib/python3.11/site-packages"])
    assert uv == ("/c/uv/builds-v0/.tmpX",)
    assert roots_from("/usr", "/usr", ["/usr/lib/python3.11/site-packages"]) == ()


def test_infer_roots_recognises_vanished_frontend_environments(tmp_path):
    alive = make_env(tmp_path / "alive", "bin/ninja")
    paths = [
        "/gone/uv/builds-v0/.tmpAbC123/bin/ninja",
        "/gone/pip-build-env-q1w2/overlay/lib/python3.11/site-packages/cmake/data/bin/cmake",
        "/gone/build-env-zz9/bin/python",
        "/gone/venv/bin/cython",
        str(alive / "bin" / "ninja"),
        "/usr/bin/cc",
    ]
    assert infer_roots(paths) == [
        "/gone/uv/builds-v0/.tmpAbC123",
        "/gone/pip-build-env-q1w2/overlay",
        "/gone/build-env-zz9",
        "/gone/venv",
    ]


def test_generic_root_needs_the_whole_root_gone(tmp_path):
    make_env(tmp_path / "env", "bin/other")
    assert infer_roots([str(tmp_path / "env" / "bin" / "ninja")]) == []


def test_relocates_only_vanished_paths_that_exist_in_the_new_env(tmp_path):
    new = make_env(tmp_path / "new", "bin/ninja", "lib/python3.11/site-packages/cmake/data/bin/cmake")
    old = tmp_path / "old"
    kept = make_env(tmp_path / "kept", "bin/ninja")
    relocation = Relocation(old_roots=(str(old), str(kept)), new_roots=(str(new),), executable="/py", search_path="")
    assert relocation.relocate(f"{old}/bin/ninja") == f"{new}/bin/ninja"
    assert relocation.relocate(f"{old}/lib/python3.11/site-packages/cmake/data/bin/cmake") == (
        f"{new}/lib/python3.11/site-packages/cmake/data/bin/cmake"
    )
    assert relocation.relocate(f"{old}/share/missing-everywhere") is None
    assert relocation.relocate(f"{kept}/bin/ninja") is None  # the old one still exists
    assert relocation.relocate("/usr/bin/cc") is None
    assert relocation.relocate(f"{old}/bin/python3.11") == "/py"  # a vanished interpreter: this one


def test_pip_layout_to_venv_layout(tmp_path):
    new = make_env(tmp_path / "uv" / "builds-v0" / ".tmpNEW", "bin/ninja")
    overlay = tmp_path / "pip-build-env-x" / "overlay"
    relocation = Relocation(old_roots=(str(overlay),), new_roots=(str(new),), executable="/py")
    assert relocation.relocate(f"{overlay}/bin/ninja") == f"{new}/bin/ninja"


def test_tool_missing_from_new_env_is_found_on_path(tmp_path):
    tools = make_env(tmp_path / "tools", "cmake")
    (tools / "cmake").chmod(0o755)
    new = make_env(tmp_path / "new", "bin/ninja")
    relocation = Relocation(old_roots=(str(tmp_path / "old"),), new_roots=(str(new),), executable="/py", search_path=str(tools))
    assert relocation.relocate(f"{tmp_path}/old/lib/python3.11/site-packages/cmake/data/bin/cmake") == str(tools / "cmake")


def test_rewrite_text_touches_whole_paths_only(tmp_path):
    new = make_env(tmp_path / "new", "bin/ninja", "include/x.h")
    old = str(tmp_path / "old")
    relocation = Relocation(old_roots=(old,), new_roots=(str(new),), executable="/py")
    text = (
        f"cd /src && {old}/bin/ninja -t clean\n"
        f"-I{old}/include -DX={old}/include;{old}/bin/ninja\n"
        f"{old}-suffix/bin/ninja /elsewhere{old}/bin/ninja {old}/bin/ninja.missing\n"
    )
    rewritten, changes = relocation.rewrite_text(text)
    assert rewritten == (
        f"cd /src && {new}/bin/ninja -t clean\n"
        f"-I{new}/include -DX={new}/include;{new}/bin/ninja\n"
        f"{old}-suffix/bin/ninja /elsewhere{old}/bin/ninja {old}/bin/ninja.missing\n"
    )
    assert len(changes) == 4


def test_current_roots_are_never_old_roots(tmp_path):
    env = make_env(tmp_path / "env", "bin/ninja")
    relocation = Relocation(old_roots=(str(env),), new_roots=(str(env),), executable="/py")
    assert relocation.old_roots == ()
    assert relocation.rewrite_text(f"{env}/bin/ninja") == (f"{env}/bin/ninja", [])

"""sources: source trees copied without leftovers, sdists unpacked to one stable place."""

from __future__ import annotations


def test_copy_tree_skips_leftovers_only_at_the_top(tmp_path):
    from remap_backend_cli.sources import copy_tree

    for relative in ("src/pkg/build/__init__.py", "build/x.o", "src/pkg/__pycache__/a.pyc", "a.egg-info/PKG-INFO",
                     "setup.py"):
        path = tmp_path / "proj" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    copy = copy_tree(tmp_path / "proj", tmp_path / "copy")
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == ["setup.py", "src/pkg/build/__init__.py"]


def test_sdist_unpacks_to_the_same_path_every_time(tmp_path):
    import tarfile

    from remap_backend_cli.sources import unpack_sdist

    project = tmp_path / "demo-1.0"
    project.mkdir()
    (project / "pyproject.toml").write_text("[build-system]\nrequires = []\n")
    sdist = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(project, arcname="demo-1.0")
    first = unpack_sdist(sdist, tmp_path / "root")
    (first / "stale.txt").write_text("left over from an earlier build")
    second = unpack_sdist(sdist, tmp_path / "root")
    assert first == second == tmp_path / "root" / "demo-1.0"
    assert sorted(p.name for p in second.iterdir()) == ["pyproject.toml"]

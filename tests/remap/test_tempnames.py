"""tempnames: the same temporary names on every build, tempfile restored afterwards, fork-safe."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from remap_backend.remap import discovery, pathmap, tempnames

#: Run in a fresh interpreter (a new build): names of mkdtemp/mkstemp/TemporaryDirectory in a new dir.
SCENARIO = """
import os, sys, tempfile
from pathlib import Path
from remap_backend.remap import tempnames
directory = Path(sys.argv[1])
with tempnames.private_directory("build_wheel", Path("/src")) as private, tempnames.deterministic(private, "build_wheel"):
    names = [Path(tempfile.mkdtemp()).name, Path(tempfile.mkstemp(suffix=".c")[1]).name]
    with tempfile.TemporaryDirectory(prefix=".tmp-x-pep517-") as kept:
        names.append(Path(kept).name)
    names.append(Path(tempfile.NamedTemporaryFile(delete=False).name).name)
    names.append(str(Path(tempfile.mkdtemp()).parent == private))
    if sys.argv[2] == "fork":
        for child in range(2):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                names = tempfile._get_candidate_names()
                os.write(write, f"{next(names)} {next(names)}".encode())
                os._exit(0)
            os.close(write)
            os.waitpid(pid, 0)
            names.append(os.read(read, 100).decode())
        names.append(next(tempfile._get_candidate_names()))  # the parent goes on with its own sequence
print(" ".join(names))
"""


def run_scenario(tmp_path: Path, index: int, mode: str = "plain") -> list[str]:
    tmpdir = tmp_path / f"tmp{index}"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", SCENARIO, str(tmpdir), mode], env=env,
                          capture_output=True, text=True, check=True)
    assert [p.name for p in tmpdir.iterdir()] == [f"{tempnames.stable_name(Path('/src'))}.lock"], \
        "the private directory is removed after build_wheel"
    return done.stdout.split()


def test_same_names_on_every_build(tmp_path: Path) -> None:
    first, second = run_scenario(tmp_path, 1), run_scenario(tmp_path, 2)
    assert first == second
    assert first[-1] == "True"  # tempfile's default directory was the private one
    assert len(set(first[:4])) == 4 and first[2].startswith(".tmp-x-pep517-")


def test_names_under_fork_are_deterministic_and_distinct(tmp_path: Path) -> None:
    first, second = run_scenario(tmp_path, 1, "fork"), run_scenario(tmp_path, 2, "fork")
    assert first == second
    drawn = first[-5:]  # two names from each child, then the parent's next one
    assert len(set(drawn)) == 5, f"parent and children drew the same name: {drawn}"


def test_a_name_is_a_function_of_seed_and_index() -> None:
    names = tempnames.SeededNames("s")
    assert [next(names) for _ in range(3)] == [tempnames.candidate_name("s", i) for i in range(3)]
    assert tempnames.candidate_name("s", 0) != tempnames.candidate_name("t", 0)
    assert all(len(n) == 8 and set(n) <= set(tempfile._RandomNameSequence.characters)
               for n in (tempnames.candidate_name("s", i) for i in range(50)))


def test_everything_is_restored_after_the_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setattr(tempfile, "_name_sequence", None)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with tempnames.deterministic(tmp_path / "private", "build_wheel"):
        assert isinstance(tempfile._get_candidate_names(), tempnames.SeededNames)
        assert tempfile.gettempdir() == str(tmp_path / "private")
        assert os.environ["TMPDIR"] == str(tmp_path)  # programs the hook starts keep the user's
    assert tempfile.tempdir is None and tempfile._name_sequence is None and os.environ["TMPDIR"] == str(tmp_path)
    assert not isinstance(tempfile._get_candidate_names(), tempnames.SeededNames)

    with pytest.raises(RuntimeError), tempnames.deterministic(tmp_path / "private", "build_wheel"):
        raise RuntimeError("the hook failed")
    assert tempfile.tempdir is None and not isinstance(tempfile._name_sequence, tempnames.SeededNames)


def test_private_directory_only_for_build_wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for hook in ("prepare_metadata_for_build_wheel", "build_editable"):
        with tempnames.private_directory(hook, tmp_path) as none:
            assert none is None
    with tempnames.private_directory("build_wheel", tmp_path / "tree") as private:
        assert private == tmp_path / tempnames.stable_name(tmp_path / "tree")
        assert private.stat().st_mode & 0o777 == 0o700 and list(private.iterdir()) == []
        (private / "left-over").write_text("x")
    assert not private.exists()


def test_same_tree_gets_the_same_directory_and_a_second_build_a_random_one(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stable = tmp_path / tempnames.stable_name(tmp_path / "tree")
    stable.mkdir()
    (stable / "from-a-killed-build").write_text("x")
    with tempnames.private_directory("build_wheel", tmp_path / "tree") as first:
        assert first == stable and list(first.iterdir()) == []  # emptied
        with tempnames.private_directory("build_wheel", tmp_path / "tree") as second:
            assert second != first and second.name.startswith(tempnames.PRIVATE_PREFIX)
            assert second.stat().st_mode & 0o777 == 0o700
        assert not second.exists()
    with tempnames.private_directory("build_wheel", tmp_path / "other-tree") as other:
        assert other != stable


def test_a_symlink_in_place_of_the_directory_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep").write_text("x")
    (tmp_path / tempnames.stable_name(tmp_path / "tree")).symlink_to(target)
    with tempnames.private_directory("build_wheel", tmp_path / "tree") as private:
        assert private.parent == tmp_path and not private.is_symlink() and private.name != target.name
    assert (target / "keep").exists()


def test_private_directory_is_mapped_more_specifically_than_tmpdir(tmp_path: Path) -> None:
    private = tmp_path / "remap-backend-tmp-abc"
    runtime = discovery.Runtime(prefix="/p", base_prefix="/p", base_exec_prefix="/p", include_dirs=(), path=(),
                                temp_dir=str(tmp_path))
    found = discovery.discover(Path("/src"), [], {}, runtime=runtime, temp_dirs=[str(private)])
    assert pathmap.apply(found.maps, f"{private}/.tmp-x/a.c") == "/remap/tmp/.tmp-x/a.c"
    assert pathmap.apply(found.maps, f"{tmp_path}/other/a.c") == "/remap/tmp/other/a.c"

"""``remap-backend diff`` on constructed wheels and sdists (real gcc output, real pycs)."""

from __future__ import annotations

import importlib.util
import io
import json
import marshal
import tarfile

from remap_backend.archives.pyc import canonical_pyc

from ..native import compile_shared, make_wheel


def _pyc(code_bytes: bytes) -> bytes:
    """A pyc with a fixed unchecked-hash header around the given marshal payload."""
    return importlib.util.MAGIC_NUMBER + (3).to_bytes(4, "little") + b"\0" * 8 + code_bytes


def test_identical_wheels_exit_zero(tmp_path, cli):
    members = {"pkg/__init__.py": b"x = 1\n"}
    a = make_wheel(tmp_path / "a.whl", members)
    b = make_wheel(tmp_path / "b.whl", members)
    done = cli("diff", a, b)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("identical")


def test_elf_sections_and_dwarf_paths_are_named(tmp_path, cli):
    so_a = compile_shared(tmp_path / "first-build").read_bytes()
    so_b = compile_shared(tmp_path / "second-build-dir").read_bytes()
    assert so_a != so_b  # the plain compiler leaks the directory: the failure diff must explain
    a = make_wheel(tmp_path / "a.whl", {"pkg/mod.so": so_a, "pkg/__init__.py": b""})
    b = make_wheel(tmp_path / "b.whl", {"pkg/mod.so": so_b, "pkg/__init__.py": b""})

    done = cli("diff", "--json", a, b)

    assert done.returncode == 1
    report = json.loads(done.stdout)
    (changed,) = report["changed"]
    assert changed["name"] == "pkg/mod.so" and changed["kind"] == "elf"
    assert any(s.startswith(".debug_line") for s in changed["sections"]), changed["sections"]
    comp_dir = [c for c in changed["dwarf_paths"] if c["where"] == "DW_AT_comp_dir"][0]
    assert comp_dir["only_in_a"] == [str(tmp_path / "first-build")]
    assert comp_dir["only_in_b"] == [str(tmp_path / "second-build-dir")]
    assert any("line table include_directories" == c["where"] for c in changed["dwarf_paths"])
    assert any("build paths in debug info differ" in cause for cause in report["causes"])

    text = cli("diff", a, b).stdout
    assert "DW_AT_comp_dir:" in text and f"- {tmp_path / 'first-build'}" in text
    assert "sections: " in text and "likely cause:" in text


def test_pyc_marshal_equality(tmp_path, cli):
    code = compile("def f(a, b):\n    return (a, b, 'shared', 'shared')\n", "m.py", "exec")
    with_refs = _pyc(marshal.dumps(code, 4))
    canonical = canonical_pyc(with_refs)  # FLAG_REF flags only where a value is referenced again
    assert canonical != with_refs
    old_marshal = _pyc(marshal.dumps(code, 2))  # version 2: other type codes, not unified by canonical_pyc
    other_code = _pyc(marshal.dumps(compile("x = 2\n", "m.py", "exec"), 4))
    a = make_wheel(tmp_path / "a.whl", {"m.pyc": with_refs, "n.pyc": with_refs, "v2.pyc": with_refs})
    b = make_wheel(tmp_path / "b.whl", {"m.pyc": canonical, "n.pyc": other_code, "v2.pyc": old_marshal})

    report = json.loads(cli("diff", "--json", a, b).stdout)

    by_name = {c["name"]: c for c in report["changed"]}
    assert by_name["m.pyc"]["pyc_marshal_equal"] is True
    assert by_name["m.pyc"]["pyc_header_differs"] is False
    assert "same code, different marshal encoding" in by_name["m.pyc"]["cause"]
    assert by_name["n.pyc"]["pyc_marshal_equal"] is False
    assert "compiled bytecode differs" in by_name["n.pyc"]["cause"]
    # Equal code objects, yet not the same .pyc by canonical_pyc's definition (normalize keeps them apart).
    assert by_name["v2.pyc"]["pyc_marshal_equal"] is False
    assert "another marshal version" in by_name["v2.pyc"]["cause"]


def test_added_removed_and_metadata_time_mode_order(tmp_path, cli):
    a = make_wheel(tmp_path / "a.whl", {"one.py": b"1", "two.py": b"2", "gone.py": b""},
                   date_time=(2020, 1, 1, 0, 0, 0), mode=0o644)
    b = make_wheel(tmp_path / "b.whl", {"two.py": b"2", "one.py": b"1", "new.py": b""},
                   date_time=(2024, 5, 6, 7, 8, 10), mode=0o664)

    done = cli("diff", a, b)

    assert done.returncode == 1
    out = done.stdout
    assert "added:   new.py" in out and "removed: gone.py" in out
    assert "metadata: one.py: mtime" in out
    assert "metadata: one.py: mode '0o100644' -> '0o100664'" in out
    assert "order: members are stored in a different order" in out
    assert "file timestamps differ" in out and "umask" in out and "directory listing order" in out
    report = json.loads(cli("diff", "--json", a, b).stdout)
    assert report["added"] == ["new.py"] and report["removed"] == ["gone.py"] and report["order_differs"]


def _sdist(path, members, mtime, uid):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"proj-1.0/{name}")
            info.size, info.mtime, info.uid, info.mode = len(data), mtime, uid, 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def test_sdists_text_diff_and_owner(tmp_path, cli):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _sdist(tmp_path / "a" / "proj-1.0.tar.gz", {"gen.py": b'STAMP = "2024-01-01 10:00:00"\n'}, 1000, 0)
    b = _sdist(tmp_path / "b" / "proj-1.0.tar.gz", {"gen.py": b'STAMP = "2024-01-02 11:30:00"\n'}, 2000, 1000)

    done = cli("diff", a, b)

    assert done.returncode == 1
    assert '-STAMP = "2024-01-01 10:00:00"' in done.stdout and '+STAMP = "2024-01-02 11:30:00"' in done.stdout
    assert "a timestamp is written into this file" in done.stdout
    assert "metadata: proj-1.0/gen.py: uid 0 -> 1000" in done.stdout
    assert "file owners differ" in done.stdout


def test_diff_of_different_kinds_is_an_error(tmp_path, cli):
    wheel = make_wheel(tmp_path / "a.whl", {"x": b""})
    sdist = _sdist(tmp_path / "a.tar.gz", {"x": b""}, 0, 0)
    done = cli("diff", wheel, sdist)
    assert done.returncode == 2
    assert done.stderr.startswith("remap-backend: error: cannot compare a zip with a tar")
    assert "Traceback" not in done.stderr

"""``remap-backend normalize`` on hostile and broken input: exit codes a CI gate can trust, one line each.

Corrupt input (including a corrupt .pyc) is exit 2 with one line, with and
without --check; a .pyc of an unknown (newer) CPython is a warning; nothing
but a regular file is opened, and nothing is left behind.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import struct
from pathlib import Path

import pytest

from .kit import listing, make_sdist, make_wheel
from .test_cli_normalize import cli

MAGIC = importlib.util.MAGIC_NUMBER
GOOD_BODY = marshal.dumps(compile("x = 1\n", "m.py", "exec"))

CORRUPT_PYC = {
    "empty": b"",
    "bad-magic": b"\x00\x01\x02\x03" + b"\0" * 12 + GOOD_BODY,
    "truncated": MAGIC + b"\0" * 12 + GOOD_BODY[:-7],
    "unknown-type-code": MAGIC + b"\0" * 12 + b"\x01",
    "header-only": MAGIC + b"\0" * 12,
}


def one_error_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("remap-backend: error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("check", [False, True], ids=["write", "check"])
@pytest.mark.parametrize("name", sorted(CORRUPT_PYC))
def test_corrupt_pyc_is_exit_2_with_one_line(tmp_path: Path, name: str, check: bool) -> None:
    """Old code: a warning and exit 0, so a CI gate passed on broken bytecode."""
    pyc = tmp_path / "m.cpython-311.pyc"
    pyc.write_bytes(CORRUPT_PYC[name])
    before = listing(tmp_path)
    result = cli(*(["--check"] if check else []), pyc)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "corrupt .pyc" in one_error_line(result)
    assert listing(tmp_path) == before


def test_corrupt_pyc_inside_a_wheel_is_exit_2(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl",
                       {"demo/__pycache__/m.cpython-311.pyc": CORRUPT_PYC["truncated"]})
    before = listing(tmp_path)
    result = cli(wheel)
    assert result.returncode == 2
    assert "corrupt .pyc" in one_error_line(result)
    assert listing(tmp_path) == before


def test_pyc_of_an_unknown_newer_python_is_a_warning(tmp_path: Path) -> None:
    pyc = tmp_path / "m.cpython-399.pyc"
    pyc.write_bytes(struct.pack("<H", 9999) + b"\r\n" + b"\0" * 12 + GOOD_BODY)
    before = listing(tmp_path)
    result = cli("--check", pyc)
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "unknown .pyc magic number 9999" in result.stderr
    assert listing(tmp_path) == before


def test_a_newline_in_a_name_stays_on_one_line(tmp_path: Path) -> None:
    """Old code: the error line was split in two at the newline of the file name."""
    pyc = tmp_path / "evil\nremap-backend: all good.pyc"
    pyc.write_bytes(CORRUPT_PYC["truncated"])
    result = cli(pyc)
    assert result.returncode == 2
    assert "evil\\nremap-backend: all good.pyc" in one_error_line(result)


def test_garbage_after_the_end_of_a_zip_is_named_as_such(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl")
    with open(wheel, "ab") as handle:
        handle.write(b"\0" * 1000)
    result = cli(wheel)
    assert result.returncode == 2
    line = one_error_line(result)
    assert "data after the end-of-central-directory record" in line and "truncated" not in line


def test_a_fifo_named_like_a_wheel_is_refused_at_once(tmp_path: Path) -> None:
    """Old code: blocked forever reading the FIFO (and had created a temp file first)."""
    for name in ("x.whl", "x.tar.gz", "x.pyc"):
        os.mkfifo(tmp_path / name)
    result = cli(*(tmp_path / name for name in ("x.whl", "x.tar.gz", "x.pyc")), timeout=60)
    assert result.returncode == 2
    assert "is a FIFO, not a wheel file" in one_error_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pyc", "x.tar.gz", "x.whl"]


def test_a_device_named_like_an_sdist_is_refused(tmp_path: Path) -> None:
    os.symlink("/dev/zero", tmp_path / "x.tar.gz")
    result = cli(tmp_path / "x.tar.gz", timeout=60)
    assert result.returncode == 2
    assert "is a character device, not a sdist file" in one_error_line(result)


def test_a_directory_named_like_a_wheel_is_not_a_pyc_tree(tmp_path: Path) -> None:
    """Old code: walked it as a .pyc tree and said "nothing to change" (exit 0)."""
    folder = tmp_path / "x.whl"
    (folder / "__pycache__").mkdir(parents=True)
    (folder / "__pycache__" / "m.cpython-311.pyc").write_bytes(MAGIC + b"\0" * 12 + GOOD_BODY)
    result = cli(folder)
    assert result.returncode == 2
    assert "is a directory, not a wheel file" in one_error_line(result)


def test_a_symlinked_wheel_is_followed_and_the_real_file_rewritten(tmp_path: Path) -> None:
    """Old code: the link was replaced by a regular file and the real wheel stayed as it was."""
    (tmp_path / "store").mkdir()
    real = make_wheel(tmp_path / "store" / "demo-1.0-py3-none-any.whl")
    link = tmp_path / "demo-1.0-py3-none-any.whl"
    link.symlink_to(real)
    sdist = make_sdist(tmp_path / "store" / "demo-1.0.tar.gz", {"PKG-INFO": b"Name: demo\n"})
    (tmp_path / "demo-1.0.tar.gz").symlink_to(sdist)
    result = cli(link, tmp_path / "demo-1.0.tar.gz")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and (tmp_path / "demo-1.0.tar.gz").is_symlink()
    assert cli("--check", real, sdist).stdout.strip() == "nothing to change"
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]


def test_hostile_pyc_members_of_a_wheel_get_their_defined_outcome(tmp_path: Path) -> None:
    """Old code: "internal error" (RecursionError) for the first, a hang in C for the second."""
    import zipfile

    from .test_hostile_pyc import HEADER, self_holding_list, shared_frozensets

    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {
        "demo/__pycache__/loop.cpython-311.pyc": HEADER + self_holding_list(),
        "demo/__pycache__/sets.cpython-311.pyc": HEADER + shared_frozensets(40),
    })
    result = cli(wheel, timeout=120)
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and "sets.cpython-311.pyc left untouched" in warnings[0] and "work limit" in warnings[0]
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("demo/__pycache__/sets.cpython-311.pyc") == HEADER + shared_frozensets(40)
        loop = archive.read("demo/__pycache__/loop.cpython-311.pyc")
    assert loop != HEADER + self_holding_list() and marshal.loads(loop[16:])[0] is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [wheel.name]

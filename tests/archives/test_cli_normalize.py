"""``remap-backend normalize`` as users run it: exit codes, --check, bad input as one line."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from .kit import listing, make_sdist, make_wheel

REPO = Path(__file__).resolve().parents[2]


def cli(*args: object, env: dict | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_")}
    environ.pop("SOURCE_DATE_EPOCH", None)
    environ["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO / "backends")])
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "remap_backend_cli", "normalize", *map(str, args)],
                          capture_output=True, text=True, env=environ, timeout=timeout)


def test_check_then_normalize_then_nothing_left(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl")
    sdist = make_sdist(tmp_path / "demo-1.0.tar.gz", {"PKG-INFO": b"Name: demo\n"})
    before = listing(tmp_path)

    checked = cli("--check", wheel, sdist)
    assert checked.returncode == 1
    assert f"would normalize {wheel} (" in checked.stdout and f"would normalize {sdist} (" in checked.stdout
    assert listing(tmp_path) == before

    done = cli(wheel, sdist)
    assert done.returncode == 0, done.stderr
    assert f"normalized {wheel}" in done.stdout

    again = cli("--check", wheel, sdist)
    assert (again.returncode, again.stdout.strip()) == (0, "nothing to change")


def test_epoch_from_environment_and_option(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    assert cli(wheel, env={"SOURCE_DATE_EPOCH": "1700000000"}).returncode == 0
    with zipfile.ZipFile(wheel) as archive:
        assert archive.infolist()[0].date_time == (2023, 11, 14, 22, 13, 20)
    assert cli("--epoch", "0", wheel, env={"SOURCE_DATE_EPOCH": "1700000000"}).returncode == 0
    with zipfile.ZipFile(wheel) as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_bad_inputs_are_one_line_exit_2_and_touch_nothing(tmp_path: Path) -> None:
    good = make_wheel(tmp_path / "good.whl")
    broken = tmp_path / "broken.whl"
    broken.write_bytes(good.read_bytes()[:-10])
    (tmp_path / "notes.txt").write_text("hello")
    before = listing(tmp_path)
    for args, fragment in [
        ((broken,), "not a valid zip archive"),
        ((tmp_path / "missing.whl",), "does not exist"),
        ((tmp_path / "notes.txt",), "not a wheel (.whl), sdist (.tar.gz)"),
        ((good, broken), "not a valid zip archive"),
    ]:
        done = cli(*args)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("remap-backend: error: ") and fragment in lines[0]
        assert "Traceback" not in done.stderr
    after = listing(tmp_path)
    assert after["broken.whl"] == before["broken.whl"] and after["notes.txt"] == before["notes.txt"]
    assert sorted(after) == sorted(before)  # no temp files, nothing new
    # paths are handled in turn: the good wheel given before the broken one was normalized
    assert cli("--check", good).returncode == 0
    bad_epoch = cli(good, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad_epoch.returncode == 2 and "SOURCE_DATE_EPOCH" in bad_epoch.stderr


def test_unknown_argument_kind_is_checked_before_any_write(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl")
    (tmp_path / "notes.txt").write_text("hello")
    before = listing(tmp_path)
    done = cli(wheel, tmp_path / "notes.txt")
    assert done.returncode == 2
    assert listing(tmp_path) == before


def test_pyc_tree(tmp_path: Path) -> None:
    import importlib.util
    import marshal

    code = compile("A = ('x', 'y', 1000)\nB = frozenset({'p', 'q'})\n", "m.py", "exec")
    held = list(code.co_consts)
    pyc = tmp_path / "site" / "pkg" / "__pycache__" / "m.cpython-311.pyc"
    pyc.parent.mkdir(parents=True)
    pyc.write_bytes(importlib.util.MAGIC_NUMBER + b"\x01\x00\x00\x00" + b"\x00" * 8 + marshal.dumps(code))
    del held
    checked = cli("--check", tmp_path / "site")
    assert checked.returncode == 1 and str(pyc) in checked.stdout
    assert cli(tmp_path / "site").returncode == 0
    assert cli("--check", tmp_path / "site").returncode == 0
    assert marshal.loads(pyc.read_bytes()[16:]) == code

"""Every wheel the project emits is written by archives/zipfmt.py, every RECORD by archives/record.py.

The normalizer, maturin's after-build rewrite and the CLI's proxy wheel all
go through them (archives/wheelfile.py), so a change to the wheel layout
cannot miss one. Test kits may write deliberately broken archives their own way.
"""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRITERS = {REPO / "backends/remap_backend/archives/zipfmt.py", REPO / "backends/remap_backend/archives/record.py"}


def writes_archives_or_records(tree: ast.AST) -> list[str]:
    """Calls that make zip members or CSV rows: ZipFile(..., "w"/"a"/"x"), ZipInfo(...), .writestr, csv.writer."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
        modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
        if name == "ZipFile" and set(modes) & {"w", "a", "x"} or name in ("ZipInfo", "writestr", "writer"):
            found.append(f"line {node.lineno}: {name}")
    return found


def test_one_zip_writer_and_one_record_writer_in_backends_and_src():
    offenders = {
        str(path.relative_to(REPO)): calls
        for folder in ("backends", "src") for path in sorted((REPO / folder).rglob("*.py"))
        if path not in WRITERS for calls in [writes_archives_or_records(ast.parse(path.read_text()))] if calls
    }
    assert offenders == {}


def test_the_check_sees_a_second_writer():
    code = "import zipfile, csv\nzipfile.ZipFile(p, 'w').writestr('a', b'')\ncsv.writer(out)\n"
    assert len(writes_archives_or_records(ast.parse(code))) == 3


def test_the_proxy_wheel_is_written_like_a_normalized_wheel(tmp_path):
    """Same bytes as the normalizer makes of it: the proxy wheel needs no second pass."""
    from remap_backend.archives import DEFAULT_EPOCH, normalize_path
    from remap_backend_cli import proxywheel

    files = [("remap_backend/__init__.py", b"x = 1\n"), ("remap_backend/resources/schema.json", b"{}\n")]
    data = proxywheel.wheel_bytes(files)
    wheel = tmp_path / "remap_backend-0.1.0-py3-none-any.whl"
    wheel.write_bytes(data)
    normalize_path(wheel, DEFAULT_EPOCH)
    assert wheel.read_bytes() == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def _checkout(root: Path, umask: int, mtime: int, reverse: bool) -> Path:
    """A copy of the proxy package as another checkout would have it: own umask, mtimes, creation order."""
    import os
    import shutil

    from remap_backend_cli import proxywheel

    source = proxywheel.package_dir()
    files = [p for p in sorted(source.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    old = os.umask(umask)
    try:
        for path in reversed(files) if reverse else files:
            target = root / "remap_backend" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            if path.suffix == ".py" and reverse:
                target.chmod(0o777 & ~umask)  # executable bits in one checkout only
            os.utime(target, (mtime, mtime))
    finally:
        os.umask(old)
    return root / "remap_backend"


def test_the_proxy_wheel_is_the_same_from_two_checkouts(tmp_path):
    """Umask, mtimes, executable bits and file creation order do not reach the proxy wheel's bytes."""
    from remap_backend_cli import proxywheel

    one = _checkout(tmp_path / "one", 0o022, 315532800, reverse=False)
    two = _checkout(tmp_path / "two", 0o002, 1900000000, reverse=True)
    assert (one / "__init__.py").stat().st_mode != (two / "__init__.py").stat().st_mode
    wheels = [proxywheel.wheel_bytes(proxywheel.package_files(root)) for root in (one, two)]
    assert wheels[0] == wheels[1]
    with zipfile.ZipFile(io.BytesIO(wheels[0])) as archive:
        assert archive.testzip() is None
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o100644}

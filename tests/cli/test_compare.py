"""compare.diff_paths: what differs between two archives, member by member."""

from __future__ import annotations

from remap_backend_cli.compare import diff_paths

from .native import make_wheel


def test_compression_difference_is_reported(tmp_path):
    a = make_wheel(tmp_path / "a.whl", {"x.py": b"x" * 1000})
    b = tmp_path / "b.whl"
    import zipfile

    with zipfile.ZipFile(a) as source, zipfile.ZipFile(b, "w") as target:
        for info in source.infolist():
            stored = zipfile.ZipInfo(info.filename, info.date_time)
            stored.external_attr = info.external_attr
            target.writestr(stored, source.read(info), compress_type=zipfile.ZIP_STORED)
    report = diff_paths(a, b)
    assert not report.identical and not report.changed
    assert [(m.name, m.field) for m in report.metadata] == [("x.py", "compress_type")]
    assert any("compression" in cause for cause in report.causes)

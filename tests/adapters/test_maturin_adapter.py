"""The maturin adapter's own logic: which --target maturin passes, and the SBOM it writes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from remap_backend import adapters
from remap_backend.archives import record
from remap_backend.adapters.maturin import (
    cargo_config_arguments,
    pep517_args,
    remap_file_uris,
    rewrite_members,
    target_argument,
)
from remap_backend.remap.pathmap import PathMap, ordered


def test_the_maturin_backend_gets_this_adapter() -> None:
    assert adapters.for_backend("maturin").name == "maturin"


@pytest.mark.parametrize(
    ("settings", "environ", "expected"),
    [
        ({}, {}, []),
        ({}, {"MATURIN_PEP517_ARGS": "--target aarch64-unknown-linux-gnu --zig"},
         ["--target", "aarch64-unknown-linux-gnu", "--zig"]),
        ({"maturin.build-args": "--features x"}, {"MATURIN_PEP517_ARGS": "--target t"}, ["--features", "x"]),
        ({"build-args": ["--target=t2"]}, {}, ["--target=t2"]),
    ],
)
def test_pep517_args_are_read_like_maturin_reads_them(settings, environ, expected) -> None:
    assert pep517_args(settings, environ) == expected


def test_last_target_argument_wins() -> None:
    assert target_argument(["--target", "a", "--release", "--target=b"]) == "b"
    assert target_argument(["--release"]) is None


def test_file_uris_are_remapped_like_the_compilers_remap_paths() -> None:
    maps = ordered([PathMap("/tmp/x/.tmpAbC123/pkg-1.0", "/remap/source"), PathMap("/tmp/x", "/remap/tmp")])
    text = json.dumps({
        "bom-ref": "path+file:///tmp/x/.tmpAbC123/pkg-1.0#pkg@1.0",
        "other": "path+file:///tmp/x/vendored/dep#dep@0.1",
        "purl": "pkg:cargo/pkg@1.0?download_url=file://.#src/lib.rs",
    })
    out = json.loads(remap_file_uris(text, maps))
    assert out == {
        "bom-ref": "path+file:///remap/source#pkg@1.0",
        "other": "path+file:///remap/tmp/vendored/dep#dep@0.1",
        "purl": "pkg:cargo/pkg@1.0?download_url=file://.#src/lib.rs",
    }


def record_entry(name: str, data: bytes) -> list[str]:
    path, digest, size = record.row_for(name, data)
    return [path, f"sha256={digest}", str(size)]


def make_wheel(path: Path, members: dict[str, bytes]) -> None:
    record_name = "demo-1.0.dist-info/RECORD"
    lines = [",".join(record_entry(name, data)) for name, data in members.items()] + [f"{record_name},,"]
    # Raw zipfile on purpose: this stands in for a wheel some other tool wrote (its own times, modes, order),
    # so the normalizer is tested on input it did not write itself (see tests/archives/test_one_writer.py).
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(record_name, "\n".join(lines) + "\n")


def test_rewrite_members_keeps_record_true_and_the_rest_untouched(tmp_path: Path) -> None:
    sbom = b'{"bom-ref": "path+file:///build/dir#demo@1.0"}'
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    make_wheel(wheel, {"demo/__init__.py": b"x = 1\n", "demo-1.0.dist-info/sboms/demo.cyclonedx.json": sbom})
    before = zipfile.ZipFile(wheel).read("demo/__init__.py")

    changed = rewrite_members(wheel, lambda name, data: data.replace(b"/build/dir", b"/remap/source"))

    assert changed == ["demo-1.0.dist-info/sboms/demo.cyclonedx.json"]
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("demo/__init__.py") == before
        new_sbom = archive.read(changed[0])
        assert new_sbom == b'{"bom-ref": "path+file:///remap/source#demo@1.0"}'
        record = archive.read("demo-1.0.dist-info/RECORD").decode().splitlines()
    assert ",".join(record_entry(changed[0], new_sbom)) in record
    assert ",".join(record_entry("demo/__init__.py", before)) in record
    assert not list(tmp_path.glob(".*.tmp")), "temp file left behind"


def test_rewrite_members_does_not_touch_an_unchanged_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    make_wheel(wheel, {"demo/__init__.py": b""})
    stamp = wheel.stat().st_mtime_ns
    assert rewrite_members(wheel, lambda name, data: data) == []
    assert wheel.stat().st_mtime_ns == stamp


def test_cargo_config_arguments_come_from_pyproject_and_maturin_args() -> None:
    pyproject = {"tool": {"maturin": {"config": ['build.rustflags=["--cfg", "a"]']}}}
    args = ["--release", "--config", "target.x.rustflags=['-Cb']", "--config=extra.toml"]
    assert cargo_config_arguments(args, pyproject) == [
        'build.rustflags=["--cfg", "a"]', "target.x.rustflags=['-Cb']", "extra.toml",
    ]


def test_record_rows_with_commas_stay_csv() -> None:
    given = b'"a,b.py",sha256=old,1\nc.json,sha256=old,1\nx.dist-info/RECORD,,\n'
    updated = record.updated(given, {"a,b.py": b"xy"}).decode()
    assert updated.splitlines()[0] == '"a,b.py",' + ",".join(record_entry("a,b.py", b"xy")[1:])
    assert updated.splitlines()[1:] == ["c.json,sha256=old,1", "x.dist-info/RECORD,,"]


def test_percent_encoded_file_uris_are_remapped_by_their_decoded_path() -> None:
    """maturin's SBOM names a spaced source tree as ``My%20Projects``: the map must still apply."""
    maps = ordered([PathMap("/tmp/My Projects A/.tmpAbC123/pkg-1.0", "/remap/source"),
                    PathMap("/tmp/My Projects A", "/remap/tmp")])
    text = json.dumps({
        "bom-ref": "path+file:///tmp/My%20Projects%20A/.tmpAbC123/pkg-1.0#pkg@1.0",
        "other": "path+file:///tmp/My%20Projects%20A/vendored%20dir/dep#dep@0.1",
        "unrelated": "path+file:///opt/My%20Stuff/dep#dep@0.1",
    })
    assert json.loads(remap_file_uris(text, maps)) == {
        "bom-ref": "path+file:///remap/source#pkg@1.0",
        "other": "path+file:///remap/tmp/vendored%20dir/dep#dep@0.1",
        "unrelated": "path+file:///opt/My%20Stuff/dep#dep@0.1",
    }

"""pathscan: which paths count as build paths, and where in a file each one sits (real gcc, objcopy)."""

from __future__ import annotations

import subprocess

from remap_backend_cli.pathscan import classify, scan_bytes

from .native import compile_shared


BIG_SOURCE = "\n".join(f"int function_{i}(int x) {{ return x * {i} + {i % 7}; }}" for i in range(400))


def test_classify_names_each_kind_of_build_path():
    assert classify("/tmp/pip-build-env-abc123/overlay/lib") == "build env"
    assert classify("/tmp/tmpk2j3h4/src/foo.c") == "temp dir"
    assert classify("/__w/cryptography/cryptography/tmpwheelhouse/.tmpmbdRiZ/src/lib.rs") == "temp dir"
    assert classify("/work/out/.tmpmbdRiZ/cryptography-44.0.2/src/lib.rs") == "temp dir"
    assert classify("/home/alice/.cargo/registry/src/x.rs") == "home"
    assert classify("/srv/build/x.c", given=["/srv/build"]) == "given path"
    assert classify("/home/alice/x.c", home=None) is None  # --no-home


def test_scan_finds_paths_inside_file_urls():
    data = b'{"bom-ref": "path+file:///tmp/t1/remap-build/pkg-1.0/src/rust#pkg@0.1.0"}'
    (finding,) = scan_bytes(data, "sbom.json", home=None)
    assert finding.path == "/tmp/t1/remap-build/pkg-1.0/src/rust"
    assert data[finding.offset:].startswith(b"/tmp/t1/")
    assert classify("/usr/include/stdio.h") is None
    assert classify("/rustc/abc/library/core/src/lib.rs") is None


def test_scan_finds_paths_inside_compressed_debug_sections(tmp_path):
    shared = compile_shared(tmp_path / "compressed-build", BIG_SOURCE, flags=("-g", "-gdwarf-4"))
    compressed = tmp_path / "compressed.so"
    subprocess.run(["objcopy", "--compress-debug-sections=zlib", str(shared), str(compressed)], check=True)
    data = compressed.read_bytes()
    comp_dir = str(tmp_path / "compressed-build")
    sections = subprocess.run(["readelf", "-S", "-W", str(compressed)], capture_output=True, text=True).stdout
    debug_str_flags = [line for line in sections.splitlines() if ".debug_str" in line][0]
    assert " C" in debug_str_flags or "MSC" in debug_str_flags, sections  # really compressed
    assert comp_dir.encode() not in data  # so a byte search alone would miss it

    findings = scan_bytes(data, "compressed.so", home=None)

    decoded = [f for f in findings if f.path == comp_dir]
    assert decoded and decoded[0].offset is None
    assert decoded[0].dwarf == "DW_AT_comp_dir"

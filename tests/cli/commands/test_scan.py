"""``remap-backend scan`` on wheels built around real gcc output."""

from __future__ import annotations

import json
import tarfile

from ..native import compile_shared, make_wheel

BIG_SOURCE = "\n".join(f"int function_{i}(int x) {{ return x * {i} + {i % 7}; }}" for i in range(400))


def test_scan_reports_offset_section_and_dwarf_attribute(tmp_path, cli):
    shared = compile_shared(tmp_path / "build-dir")
    data = shared.read_bytes()
    wheel = make_wheel(tmp_path / "pkg-1.0-py3-none-any.whl", {"pkg/mod.so": data, "pkg/__init__.py": b""})

    done = cli("scan", "--json", wheel)

    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    comp_dir = str(tmp_path / "build-dir")
    hits = [f for f in findings if f["path"] == comp_dir]
    assert hits, findings
    for hit in hits:
        assert hit["file"] == f"{wheel}!pkg/mod.so"
        assert data[hit["offset"]:hit["offset"] + len(comp_dir)] == comp_dir.encode()
        assert hit["section"].startswith(".debug")
        assert "DW_AT_comp_dir" in hit["dwarf"]


def test_scan_clean_wheel_exits_zero(tmp_path, cli):
    shared = compile_shared(tmp_path / "b", flags=("-g0", "-s"))
    wheel = make_wheel(tmp_path / "clean-1.0-py3-none-any.whl", {"clean/mod.so": shared.read_bytes(),
                                                                 "clean/__init__.py": b"X = '/usr/share/data'\n"})
    done = cli("scan", wheel)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no build paths found" in done.stdout


def test_scan_sdist_directory_and_plain_file_with_given_path(tmp_path, cli):
    project = tmp_path / "proj"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "config.py").write_text("SOURCE = '/srv/checkout/pkg'\nHOME = '/home/bob/.local'\n")
    sdist = tmp_path / "proj-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(project, arcname="proj-1.0")

    for target in (sdist, project, project / "pkg" / "config.py"):
        done = cli("scan", target, "--path", "/srv/checkout")
        assert done.returncode == 1, (target, done.stdout, done.stderr)
        lines = [line for line in done.stdout.splitlines() if "config.py" in line]
        assert any("given path: /srv/checkout/pkg" in line for line in lines), done.stdout
        assert any("home: /home/bob/.local" in line for line in lines), done.stdout
        offset = int(lines[0].split(":")[1])
        assert (project / "pkg" / "config.py").read_bytes()[offset:].startswith(b"/srv/checkout")


def test_scan_missing_input_is_one_error_line(tmp_path, cli):
    done = cli("scan", tmp_path / "nope.whl")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith("remap-backend: error:") and "nope.whl does not exist" in done.stderr
    assert "Traceback" not in done.stderr


def test_scan_corrupt_wheel_is_one_error_line(tmp_path, cli):
    broken = tmp_path / "broken-1.0-py3-none-any.whl"
    broken.write_bytes(b"PK\x03\x04 definitely not a zip")
    done = cli("scan", broken)
    assert done.returncode == 2
    assert "not a readable zip archive" in done.stderr and "Traceback" not in done.stderr

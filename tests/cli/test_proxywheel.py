"""proxywheel: the wheel of the proxy the CLI installs into isolated environments."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from remap_backend_cli import proxywheel


def test_proxy_wheel_is_deterministic_and_installable(tmp_path):
    files = proxywheel.package_files(proxywheel.package_dir())
    assert proxywheel.wheel_bytes(files) == proxywheel.wheel_bytes(files)
    wheel = proxywheel.proxy_wheel({"REMAP_BACKEND_CACHE": str(tmp_path / "cache")})
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "remap_backend/__init__.py" in names and "remap_backend/hooks/proxy.py" in names
        assert not any("__pycache__" in name for name in names)
        record = archive.read(next(n for n in names if n.endswith("RECORD"))).decode()
        assert "remap_backend/__init__.py,sha256=" in record
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(["uv", "pip", "install", "--offline", "--python", str(venv / "bin" / "python"),
                    proxywheel.requirement_for(wheel)], check=True, capture_output=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-c", "import remap_backend, sys; print(remap_backend.__file__)"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith(str(venv))

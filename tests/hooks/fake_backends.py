"""Small real PEP 517 backends, written into a temporary project for the proxy to wrap."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

#: A backend that records every call in calls.jsonl and writes real (tiny) archives.
RECORDING = '''
import base64, hashlib, io, json, os, tarfile, zipfile

def _record(hook, **kwargs):
    with open(os.path.join(os.getcwd(), "calls.jsonl"), "a") as stream:
        stream.write(json.dumps({"hook": hook, "kwargs": kwargs,
                                 "epoch": os.environ.get("SOURCE_DATE_EPOCH")}) + "\\n")

def _wheel(directory):
    name = "demo-1.0-py3-none-any.whl"
    files = {"demo/__init__.py": b"x = 1\\n",
             "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n",
             "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: fake\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append("demo-1.0.dist-info/RECORD,,")
    files["demo-1.0.dist-info/RECORD"] = ("\\n".join(record) + "\\n").encode()
    # Raw zipfile on purpose: this stands in for a wheel some other tool wrote (its own times, modes, order),
    # so the normalizer is tested on input it did not write itself (see tests/archives/test_one_writer.py).
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _record("build_wheel", config_settings=config_settings, metadata_directory=metadata_directory)
    return _wheel(wheel_directory)

def build_sdist(sdist_directory, config_settings=None):
    _record("build_sdist", config_settings=config_settings)
    name = "demo-1.0.tar.gz"
    data = b"Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as archive:
        info = tarfile.TarInfo("demo-1.0/PKG-INFO")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return name
'''

OPTIONAL = '''
def get_requires_for_build_wheel(config_settings=None):
    _record("get_requires_for_build_wheel", config_settings=config_settings)
    return ["wheel-dep>=1", "shared-dep"]

def get_requires_for_build_sdist(config_settings=None):
    return ["sdist-dep"]

def get_requires_for_build_editable(config_settings=None):
    return ["editable-dep"]

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _record("prepare_metadata_for_build_wheel", config_settings=config_settings)
    os.makedirs(os.path.join(metadata_directory, "demo-1.0.dist-info"))
    return "demo-1.0.dist-info"

def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _record("build_editable", config_settings=config_settings, metadata_directory=metadata_directory)
    return _wheel(wheel_directory)
'''


def write_project(root: Path, backend_source: str, table: str = 'backend = "fakebackend"\nbackend-path = ["tb"]',
                  requires: str = '[]') -> Path:
    """A project whose pyproject wraps ``fakebackend`` (kept in-tree under ``tb/``)."""
    (root / "tb").mkdir(parents=True)
    (root / "tb" / "fakebackend.py").write_text(textwrap.dedent(backend_source))
    (root / "pyproject.toml").write_text(
        f'[build-system]\nrequires = {requires}\nbuild-backend = "remap_backend"\n\n'
        f"[tool.remap-backend]\n{table}\n"
    )
    return root


def calls(root: Path) -> list[dict]:
    path = root / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]

"""The adapter recipe in docs/remapping.md, run as written against a real backend and gcc.

The doc's code block becomes ``adapters/mybackend.py`` in a copy of the proxy;
``mybackend`` is a small real backend that compiles with ``$MYBACKEND_CFLAGS``
in a random temporary directory unless given a ``build-dir``. With the
recipe, two builds from differently named trees give the same wheel and
name neither tree; without it (the generic adapter) both leak.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")]

REPO = Path(__file__).resolve().parents[2]

FAKE_BACKEND = textwrap.dedent('''
    """mybackend: compiles src/hello.c with $MYBACKEND_CFLAGS into a shared library in a wheel."""
    import base64, hashlib, os, shlex, subprocess, tempfile, zipfile
    from pathlib import Path

    def build_sdist(sdist_directory, config_settings=None):
        raise NotImplementedError

    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        settings = config_settings or {}
        build = Path(settings.get("build-dir") or tempfile.mkdtemp(prefix="mybackend-"))
        build.mkdir(parents=True, exist_ok=True)
        flags = shlex.split(os.environ.get("MYBACKEND_CFLAGS", ""))
        source = Path.cwd() / "src" / "hello.c"
        subprocess.run(["gcc", "-g", "-fPIC", *flags, "-c", str(source), "-o", "hello.o"], cwd=build, check=True)
        subprocess.run(["gcc", "-shared", *flags, "hello.o", "-o", "hello_my.so"], cwd=build, check=True)
        files = {
            "hello_my.so": (build / "hello_my.so").read_bytes(),
            "hello_my-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: hello-my\\nVersion: 1.0\\n",
            "hello_my-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: mybackend\\nRoot-Is-Purelib: false\\nTag: py3-none-any\\n",
        }
        record = "".join(
            f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\\n"
            for name, data in files.items()
        ) + "hello_my-1.0.dist-info/RECORD,,\\n"
        name = "hello_my-1.0-py3-none-any.whl"
        # Raw zipfile on purpose: this stands in for a wheel some other tool wrote (its own times, modes, order),
        # so the normalizer is tested on input it did not write itself (see tests/archives/test_one_writer.py).
        with zipfile.ZipFile(Path(wheel_directory) / name, "w") as archive:
            for member, data in files.items():
                archive.writestr(member, data)
            archive.writestr("hello_my-1.0.dist-info/RECORD", record)
        return name
''')

HELLO_C = 'const char *where(void) { return __FILE__; }\nint answer(void) { return 42; }\n'


def recipe() -> str:
    """The one python code block of the "Writing an adapter" section."""
    text = (REPO / "docs" / "remapping.md").read_text()
    section = text.split("## Writing an adapter", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the recipe section must hold exactly one python block"
    return blocks[0]


def proxy_with(site: Path, adapter: str | None) -> None:
    shutil.copytree(REPO / "backends" / "remap_backend", site / "remap_backend",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (site / "mybackend.py").write_text(FAKE_BACKEND)
    if adapter is not None:
        (site / "remap_backend" / "adapters" / "mybackend.py").write_text(adapter)


def build(tmp_path: Path, tree: str, site: Path) -> tuple[bytes, Path]:
    project = tmp_path / tree / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "hello.c").write_text(HELLO_C)
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "remap_backend"\n\n'
        '[tool.remap-backend]\nbackend = "mybackend"\n'
    )
    (project / "dist").mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", "import remap_backend; print(remap_backend.build_wheel('dist'))"],
                          cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wheel = project / "dist" / done.stdout.split()[-1]
    return wheel.read_bytes(), project


def library(wheel: bytes, tmp_path: Path) -> bytes:
    path = tmp_path / "probe.whl"
    path.write_bytes(wheel)
    with zipfile.ZipFile(path) as archive:
        return archive.read("hello_my.so")


def test_the_documented_adapter_makes_the_backend_reproducible(tmp_path):
    site = tmp_path / "site"
    proxy_with(site, recipe())
    first, first_tree = build(tmp_path, "tree-one", site)
    second, second_tree = build(tmp_path, "another-tree-two", site)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    so = library(first, tmp_path)
    assert str(first_tree).encode() not in so and b"remap-backend-build-" not in so and b"mybackend-" not in so
    assert b"/remap/source/src/hello.c" in so  # __FILE__, through the adapter's variable


def test_without_the_adapter_the_same_builds_leak(tmp_path):
    site = tmp_path / "site"
    proxy_with(site, None)  # the generic adapter: CFLAGS, which mybackend never reads
    first, first_tree = build(tmp_path, "tree-one", site)
    second, _ = build(tmp_path, "another-tree-two", site)
    assert first != second
    assert str(first_tree).encode() in library(first, tmp_path)

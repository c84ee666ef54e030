"""An in-tree backend shaped like aio-libs' ``packaging/pep517_backend/_backend.py``.

For a wheel it copies the project into a new ``tempfile.TemporaryDirectory``
(under TMPDIR, with a random name) and runs setuptools there.
"""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403 - every other hook as setuptools has it


@contextlib.contextmanager
def _in_temporary_copy():
    source = Path.cwd().resolve()
    with tempfile.TemporaryDirectory(prefix=".tmp-intree-tempdir-pep517-") as temporary:
        copy = Path(temporary) / "src"
        shutil.copytree(source, copy, symlinks=True)
        os.chdir(copy)
        try:
            yield
        finally:
            os.chdir(source)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory = os.path.abspath(wheel_directory)
    with _in_temporary_copy():
        return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)

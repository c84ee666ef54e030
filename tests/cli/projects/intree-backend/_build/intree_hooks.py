"""An in-tree PEP 517 backend that wraps setuptools and leaves a mark in the wheel."""

from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403 - re-export every hook


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    Path("src/intree/_backend.txt").write_text("built by the in-tree backend\n")
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)

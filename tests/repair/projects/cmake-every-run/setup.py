"""Drive CMake on EVERY run of setup.py (egg_info too), as some real projects do.

CMake is configured in the persistent ``build/`` when it has no cache, with
the build environment's ``cmake`` and ``ninja``; every run then builds it.
``setuptools.build_meta`` runs setup.py in ``get_requires_for_build_wheel``
(egg_info), so a second isolated install meets the cache of the first,
deleted environment there, before any build hook runs.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup

HERE = Path(__file__).resolve().parent
CMAKE_BUILD_DIR = HERE / "build"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        sys.exit(f"setup.py: {name} not found on PATH; it comes from build-system.requires")
    return found


def build_native() -> None:
    if not (CMAKE_BUILD_DIR / "CMakeCache.txt").exists():
        subprocess.check_call([
            tool("cmake"), "-G", "Ninja", "-S", str(HERE), "-B", str(CMAKE_BUILD_DIR),
            f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}", "-DCMAKE_BUILD_TYPE=Release",
        ])
    subprocess.check_call([tool("cmake"), "--build", str(CMAKE_BUILD_DIR)])


build_native()
setup(
    ext_modules=[
        Extension(
            "everyrun._everyrun",
            ["src/everyrun/_everyrun.c"],
            include_dirs=["csrc"],
            library_dirs=[str(CMAKE_BUILD_DIR)],
            libraries=["everyrun_core"],
        )
    ],
)

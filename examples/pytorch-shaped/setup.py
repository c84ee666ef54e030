"""Build like PyTorch's setup.py: configure CMake in ``build/`` once, then reuse it.

CMake is configured only when ``build/CMakeCache.txt`` is missing, with the
``cmake`` and ``ninja`` that the build environment provides. Every later build
runs ``cmake --build build``, which starts the ninja recorded in the cache:
the one from the *first* build environment.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
CMAKE_BUILD_DIR = HERE / "build"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        sys.exit(f"setup.py: {name} not found on PATH; it comes from build-system.requires")
    return found


class build_ext_with_cmake(build_ext):
    def run(self):
        cmake = tool("cmake")
        if not (CMAKE_BUILD_DIR / "CMakeCache.txt").exists():
            subprocess.check_call([
                cmake, "-G", "Ninja", "-S", str(HERE), "-B", str(CMAKE_BUILD_DIR),
                f"-DCMAKE_MAKE_PROGRAM={tool('ninja')}",
                f"-DPython_EXECUTABLE={sys.executable}",
                "-DCMAKE_BUILD_TYPE=Release",
            ])
        subprocess.check_call([cmake, "--build", str(CMAKE_BUILD_DIR)])
        super().run()


setup(
    ext_modules=[
        Extension(
            "shaped._shaped",
            ["src/shaped/_shaped.c"],
            include_dirs=["csrc"],
            library_dirs=[str(CMAKE_BUILD_DIR)],
            libraries=["shaped_core", "stdc++"],
        )
    ],
    cmdclass={"build_ext": build_ext_with_cmake},
)

"""The header is found through an absolute include directory, so its ``__FILE__`` names the build directory."""

import os

from setuptools import Extension, setup

setup(ext_modules=[Extension("tmpdemo._where", ["src/tmpdemo/_where.c"], include_dirs=[os.path.abspath("src/tmpdemo")])])

import os

from setuptools import Extension, setup

# Some projects record where they were built; no compiler path map reaches a string constant.
setup(ext_modules=[Extension(
    "builddir_c._where", ["src/builddir_c/_where.c"], define_macros=[("BUILD_DIR", f'"{os.getcwd()}"')],
)])

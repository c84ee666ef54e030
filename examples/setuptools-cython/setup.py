from Cython.Build import cythonize
from setuptools import setup

# Cython writes the C file during the build, then setuptools compiles it with
# Python's flags; the debug info and Cython's own path strings name the tree.
setup(ext_modules=cythonize(["src/hello_cy/_hello.pyx"], language_level=3))

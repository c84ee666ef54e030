import hdrdep
from setuptools import Extension, setup

setup(ext_modules=[Extension("uses_header._ext", ["src/uses_header/_ext.c"], include_dirs=[hdrdep.get_include()])])

from setuptools import Extension, setup

# Debug info (setuptools' default -g) and __FILE__: both name the directories the compiler saw.
setup(ext_modules=[
    Extension("cachedemo._c", ["src/cachedemo/_c.c"]),
    Extension("cachedemo._cpp", ["src/cachedemo/_cpp.cpp"], language="c++"),
])

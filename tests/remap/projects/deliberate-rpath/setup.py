"""Two extensions with deliberate rpaths: one relative to the extension, one to a fixed system place."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        # runtime_library_dirs: setuptools writes -Wl,--enable-new-dtags,-R<dir> into the link.
        Extension("rpathed._c", ["src/rpathed/_c.c"], runtime_library_dirs=["$ORIGIN/../rpathed.libs"]),
        # C++ links with LDCXXSHARED (setuptools >= 72.2) or the C++ compiler in LDSHARED (older).
        Extension("rpathed._cxx", ["src/rpathed/_cxx.cpp"], language="c++",
                  extra_link_args=["-Wl,-rpath,/opt/rpathed-vendor/lib"]),
    ],
)

# cython: binding=True
"""Compiled by Cython; the generated C names this .pyx file for tracebacks."""

cdef extern from *:
    """
    static const char *c_source_file(void) { return __FILE__; }
    """
    const char *c_source_file()


def source_file():
    """The __FILE__ of the generated C file."""
    return c_source_file().decode()


def greet(name):
    return f"hello, {name}"

"""A tiny Cython extension; its tracebacks and debug info name its source file."""

from ._hello import greet, source_file

__all__ = ["greet", "source_file"]

"""A tiny pybind11 extension whose binary names its own source file (``__FILE__``)."""

from ._hello import greet, source_file

__all__ = ["greet", "source_file"]

"""Test data: an extension linked against a library that setup.py builds with CMake on every run."""

from ._everyrun import square

__all__ = ["square"]

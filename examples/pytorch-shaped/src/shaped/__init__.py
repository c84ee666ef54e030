"""An extension over a CMake-built C++ library, built the way PyTorch builds."""

from ._shaped import core_sum

__all__ = ["core_sum"]

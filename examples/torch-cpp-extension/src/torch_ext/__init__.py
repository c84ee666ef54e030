"""A PyTorch C++ extension built through remap-backend."""

import torch  # noqa: F401  (loads libtorch, which _C links against)

from ._C import compiled_torch_version, scaled_add, source_file

__all__ = ["compiled_torch_version", "scaled_add", "source_file"]

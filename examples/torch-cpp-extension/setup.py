"""A PyTorch C++ extension: torch.utils.cpp_extension writes a build.ninja with absolute paths and runs ninja."""

from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

setup(
    ext_modules=[CppExtension("torch_ext._C", ["csrc/ops.cpp"])],
    cmdclass={"build_ext": BuildExtension},
)

// An operator and the facts of the build it came from.
#include <torch/extension.h>
#include <torch/version.h>

#include <string>

namespace {

torch::Tensor scaled_add(const torch::Tensor& a, const torch::Tensor& b, double alpha) {
  TORCH_CHECK(a.sizes() == b.sizes(), "scaled_add: shapes differ");
  return a + alpha * b;
}

// The torch this object was compiled against: a stale object reports the old one.
std::string compiled_torch_version() { return TORCH_VERSION; }

// Where the compiler saw this file (a path map turns it into /remap/source/...).
std::string source_file() { return __FILE__; }

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("scaled_add", &scaled_add, "a + alpha * b");
  m.def("compiled_torch_version", &compiled_torch_version);
  m.def("source_file", &source_file);
}

// CMake passes absolute source paths, so __FILE__ and the debug info name the
// (random, for an sdist build) source tree unless it is remapped.
#include <pybind11/pybind11.h>

#include <string>

namespace py = pybind11;

PYBIND11_MODULE(_hello, m) {
    m.def("source_file", [] { return std::string(__FILE__); }, "The __FILE__ this module was compiled from.");
    m.def("greet", [](const std::string &name) { return "hello, " + name; }, "Say hello.");
}

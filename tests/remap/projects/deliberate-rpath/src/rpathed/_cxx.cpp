#define PY_SSIZE_T_CLEAN
#include <Python.h>

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cxx", nullptr, -1, nullptr};

PyMODINIT_FUNC PyInit__cxx(void) { return PyModule_Create(&module); }

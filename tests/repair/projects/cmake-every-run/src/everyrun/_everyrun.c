#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "core.h"

static PyObject *square(PyObject *self, PyObject *arg) {
    long x = PyLong_AsLong(arg);
    if (x == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromLong(everyrun_square(x));
}

static PyMethodDef methods[] = {
    {"square", square, METH_O, "x * x, computed by the CMake-built library."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_everyrun", NULL, -1, methods};

PyMODINIT_FUNC PyInit__everyrun(void) { return PyModule_Create(&module); }

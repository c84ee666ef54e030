#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "core.h"

static PyObject *core_sum(PyObject *self, PyObject *arg) {
    long upto = PyLong_AsLong(arg);
    if (upto == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromLong(shaped_core_sum(upto));
}

static PyMethodDef methods[] = {
    {"core_sum", core_sum, METH_O, "Sum 1..n in the C++ core library."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_shaped", NULL, -1, methods};

PyMODINIT_FUNC PyInit__shaped(void) { return PyModule_Create(&module); }

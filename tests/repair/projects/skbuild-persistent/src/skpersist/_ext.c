#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "hdrdep.h"

/* The header value (tracked by ninja's depfiles) and the version CMake cached at configure time. */
static PyObject *header_value(PyObject *self, PyObject *unused) { return PyLong_FromLong(HDRDEP_VALUE); }
static PyObject *configured_version(PyObject *self, PyObject *unused) { return PyUnicode_FromString(HDRDEP_CONFIGURED_VERSION); }

static PyMethodDef methods[] = {
    {"header_value", header_value, METH_NOARGS, NULL},
    {"configured_version", configured_version, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ext", NULL, -1, methods};

PyMODINIT_FUNC PyInit__ext(void) { return PyModule_Create(&module); }

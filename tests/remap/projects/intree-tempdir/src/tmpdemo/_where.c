#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <where.h> /* through the absolute -I, not beside this file */

static PyObject *where(PyObject *self, PyObject *unused) { return PyUnicode_FromString(where_file); }

static PyMethodDef methods[] = {
    {"where", where, METH_NOARGS, "Where where.h was compiled from (its __FILE__)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_where", NULL, -1, methods};

PyMODINIT_FUNC PyInit__where(void) { return PyModule_Create(&module); }

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "hdrdep.h"

/* Which HDRDEP_VALUE this extension was compiled with. */
static PyObject *built_against(PyObject *self, PyObject *unused) { return PyLong_FromLong(HDRDEP_VALUE); }

static PyMethodDef methods[] = {{"built_against", built_against, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ext", NULL, -1, methods};

PyMODINIT_FUNC PyInit__ext(void) { return PyModule_Create(&module); }

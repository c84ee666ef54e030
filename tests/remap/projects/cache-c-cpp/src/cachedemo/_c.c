#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *where(PyObject *self, PyObject *args) { return PyUnicode_FromString(__FILE__); }

static PyMethodDef methods[] = {{"where", where, METH_NOARGS, "The file this was compiled from."}, {NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_c", NULL, -1, methods};

PyMODINIT_FUNC PyInit__c(void) { return PyModule_Create(&module); }

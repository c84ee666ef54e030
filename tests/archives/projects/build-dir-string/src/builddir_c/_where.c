#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *build_dir(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(BUILD_DIR);
}

static PyMethodDef methods[] = {
    {"build_dir", build_dir, METH_NOARGS, "The directory setup.py ran in."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_where", NULL, -1, methods};

PyMODINIT_FUNC PyInit__where(void) { return PyModule_Create(&module); }

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* meson compiles from its build directory with relative source paths, and the
   debug info records that (random) build directory unless it is remapped. */
static PyObject *source_file(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(__FILE__);
}

static PyObject *greet(PyObject *self, PyObject *name) {
    return PyUnicode_FromFormat("hello, %U", name);
}

static PyMethodDef methods[] = {
    {"source_file", source_file, METH_NOARGS, "The __FILE__ this module was compiled from."},
    {"greet", greet, METH_O, "Say hello."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_hello", NULL, -1, methods};

PyMODINIT_FUNC PyInit__hello(void) { return PyModule_Create(&module); }

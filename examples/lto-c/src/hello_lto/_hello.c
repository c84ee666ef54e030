#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "helper.h"

#ifndef USER_FLAG
#define USER_FLAG 0
#endif

/* Both files' __FILE__, inlined across translation units at link time. */
static PyObject *source_file(PyObject *self, PyObject *args) {
    return Py_BuildValue("(ss)", __FILE__, helper_file());
}

/* __DATE__/__TIME__ follow SOURCE_DATE_EPOCH when it reaches the compiler. */
static PyObject *build_time(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(__DATE__ " " __TIME__);
}

/* A macro the user may set in their own CFLAGS/CPPFLAGS (-DUSER_FLAG=N). */
static PyObject *user_flag(PyObject *self, PyObject *args) {
    return PyLong_FromLong(USER_FLAG);
}

static PyObject *greet(PyObject *self, PyObject *name) {
    return PyUnicode_FromFormat("hello, %U", name);
}

static PyMethodDef methods[] = {
    {"source_file", source_file, METH_NOARGS, "The __FILE__ of both sources."},
    {"build_time", build_time, METH_NOARGS, "__DATE__ and __TIME__ at compile time."},
    {"user_flag", user_flag, METH_NOARGS, "The USER_FLAG macro, 0 if the user set none."},
    {"greet", greet, METH_O, "Say hello."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_hello", NULL, -1, methods};

PyMODINIT_FUNC PyInit__hello(void) { return PyModule_Create(&module); }

//! A CPython extension written against the raw C API (pyo3-ffi), built by setuptools-rust, calling C code
//! that `build.rs` compiled with the `cc` crate.

use std::ffi::{c_char, c_int, CStr};
use std::ptr::{addr_of_mut, null_mut};

use pyo3_ffi::*;

extern "C" {
    fn greeting_source_file() -> *const c_char;
    fn greeting_add(a: c_int, b: c_int) -> c_int;
}

/// `__FILE__` of the C source, as the C compiler recorded it.
unsafe extern "C" fn c_source_file(_module: *mut PyObject, _args: *mut PyObject) -> *mut PyObject {
    PyUnicode_FromString(greeting_source_file())
}

/// `file!()` of this Rust source, as rustc recorded it.
unsafe extern "C" fn rust_source_file(_module: *mut PyObject, _args: *mut PyObject) -> *mut PyObject {
    let name = concat!(file!(), "\0");
    PyUnicode_FromString(name.as_ptr().cast())
}

/// 2 + 3, computed in C.
unsafe extern "C" fn add(_module: *mut PyObject, _args: *mut PyObject) -> *mut PyObject {
    PyLong_FromLong(greeting_add(2, 3).into())
}

/// Whether the project's `.cargo/config.toml` target rustflags reached rustc.
unsafe extern "C" fn project_flag(_module: *mut PyObject, _args: *mut PyObject) -> *mut PyObject {
    PyBool_FromLong(cfg!(hello_unix_flag).into())
}

const fn method(name: &'static CStr, function: PyCFunction) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: PyMethodDefPointer { PyCFunction: function },
        ml_flags: METH_NOARGS,
        ml_doc: std::ptr::null(),
    }
}

static mut METHODS: [PyMethodDef; 5] = [
    method(c"c_source_file", c_source_file),
    method(c"rust_source_file", rust_source_file),
    method(c"add", add),
    method(c"project_flag", project_flag),
    PyMethodDef::zeroed(),
];

static mut MODULE: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"hello_setuptools_rust".as_ptr(),
    m_doc: null_mut(),
    m_size: 0,
    m_methods: null_mut(),
    m_slots: null_mut(),
    m_traverse: None,
    m_clear: None,
    m_free: None,
};

#[allow(non_snake_case)]
#[no_mangle]
pub unsafe extern "C" fn PyInit_hello_setuptools_rust() -> *mut PyObject {
    let module = addr_of_mut!(MODULE);
    (*module).m_methods = addr_of_mut!(METHODS).cast();
    PyModule_Create(module)
}

//! A small PyO3 extension whose binary would carry build paths: debug info,
//! `file!()` and the panic locations of its dependencies.

use pyo3::prelude::*;

/// Greet someone (the ordinary work of the extension).
#[pyfunction]
fn greet(name: &str) -> String {
    format!("hello, {name}")
}

/// The source file this function was compiled from, as `file!()` recorded it.
#[pyfunction]
fn source_file() -> &'static str {
    file!()
}

/// Whether the project's `.cargo/config.toml` rustflags reached rustc.
#[pyfunction]
fn project_flag() -> bool {
    cfg!(hello_pyo3_project_flag)
}

/// Panic on purpose: PyO3 turns it into `PanicException`, whose message names the location.
#[pyfunction]
fn fail() {
    let location = std::panic::Location::caller();
    panic!("failed at {location}");
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(greet, m)?)?;
    m.add_function(wrap_pyfunction!(source_file, m)?)?;
    m.add_function(wrap_pyfunction!(project_flag, m)?)?;
    m.add_function(wrap_pyfunction!(fail, m)?)?;
    Ok(())
}

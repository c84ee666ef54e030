//! Compile the C half with the `cc` crate, by absolute path as many build scripts do,
//! so `__FILE__` and the debug info name the directory the sdist was unpacked in.

use std::env;
use std::path::PathBuf;

fn main() {
    let source = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("csrc").join("greeting.c");
    println!("cargo:rerun-if-changed={}", source.display());
    cc::Build::new().file(&source).debug(true).compile("greeting");
}

//! Hand-written code that uses typed layers without the macro: shape errors are caught when the
//! code is built (post-monomorphisation `const` blocks), never at run time.
//!
//! Each fixture in `tests/build_fail/` is compiled by rustc against the very `kiln` rlib this
//! test links: as metadata only (what `cargo check` does: it passes) and with code generation
//! (what `cargo build` does: it fails with the message pinned here).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding this test's dependencies and the newest `libkiln-*.rlib` in it.
fn kiln_rlib() -> (PathBuf, PathBuf) {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("deps directory").to_path_buf();
    let rlib = std::fs::read_dir(&deps)
        .expect("deps directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("libkiln-") && name.ends_with(".rlib")
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .expect("libkiln rlib next to the test executable");
    (deps, rlib)
}

fn rustc(fixture: &str, emit: &str) -> (bool, String) {
    let (deps, rlib) = kiln_rlib();
    let out = tempfile::tempdir().expect("temp dir");
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/build_fail")
        .join(fixture);
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = Command::new(rustc)
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "bin",
            "--crate-name",
            "fixture",
        ])
        .arg(format!("--emit={emit}"))
        .arg("--out-dir")
        .arg(out.path())
        .arg("--extern")
        .arg(format!("kiln={}", rlib.display()))
        .arg("-L")
        .arg(format!("dependency={}", deps.display()))
        .arg(&source)
        .output()
        .expect("rustc runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn passes_check_fails_build(fixture: &str, message: &str) {
    let (checked, stderr) = rustc(fixture, "metadata");
    assert!(checked, "{fixture} should pass `cargo check`:\n{stderr}");
    let (built, stderr) = rustc(fixture, "obj");
    assert!(!built, "{fixture} should fail to build");
    assert!(
        stderr.contains(message),
        "{fixture}: expected {message:?} in:\n{stderr}"
    );
    assert!(
        stderr.contains(fixture),
        "{fixture}: the error should point at the fixture:\n{stderr}"
    );
}

#[test]
fn a_wrong_output_annotation_fails_the_build() {
    passes_check_fails_build(
        "apply_wrong_output.rs",
        "kiln shape error: the declared output type differs from the layer's output shape",
    );
}

#[test]
fn a_non_integer_convolution_fails_the_build() {
    passes_check_fails_build(
        "apply_not_integer.rs",
        "kiln shape error: (W - F + 2P)/S + 1 is not an integer",
    );
}

#[test]
fn a_wrong_concatenated_depth_fails_the_build() {
    passes_check_fails_build(
        "concat_wrong_depth.rs",
        "kiln shape error: concatenated depth is not D + D2",
    );
}

#[test]
fn same_shape_to_another_shape_fails_the_build() {
    passes_check_fails_build(
        "same_shape_differs.rs",
        "kiln shape error: same_shape asked for another shape",
    );
}

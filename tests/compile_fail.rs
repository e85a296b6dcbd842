//! Every shape rejection, pinned with its compiler output (`tests/ui/*.stderr`).

#[test]
fn shape_errors_are_compile_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

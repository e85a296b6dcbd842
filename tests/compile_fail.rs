//! Every shape rejection, pinned with its compiler output (`tests/ui/*.stderr`).

#[test]
fn shape_errors_are_compile_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

/// A shape error is read in a terminal: each pinned output, every error of its model together,
/// fits in 20 lines; one raised by the types still quotes the numbers, in the type of the
/// constant that failed.
#[test]
fn every_pinned_error_is_at_most_20_lines() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut pinned = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/ui") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a pinned error");
        let lines = text.lines().count();
        assert!(lines <= 20, "{}: {lines} lines", path.display());
        // A rejection by the types (a named constant, a hand-written layer) quotes the layer
        // or join type, numbers included, in the constant whose evaluation failed.
        if text.contains("kiln shape error") {
            assert!(
                text.lines()
                    .filter(|l| l.contains("failed here"))
                    .any(|l| l.chars().any(|c| c.is_ascii_digit())),
                "{}: no numbers in the failed constant:\n{text}",
                path.display()
            );
        }
        pinned += 1;
    }
    assert!(
        pinned >= 55,
        "only {pinned} pinned errors found in {}",
        dir.display()
    );
}

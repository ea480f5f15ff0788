//! The fuzz corpus as regression tests: every file under fuzz/corpus/<target>/ goes through
//! the very function its cargo-fuzz target calls (fuzz/harness.rs), without a fuzzing engine,
//! so CI replays every seed and every crash ever fixed. A panic names the file.

#[path = "../../../fuzz/harness.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

#[test]
fn every_fuzz_corpus_file_goes_through_its_target_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut replayed = 0;
    let mut panicked = Vec::new();
    for (target, run) in harness::TARGETS {
        let mut files: Vec<_> = std::fs::read_dir(root.join(target))
            .unwrap_or_else(|error| panic!("fuzz/corpus/{target}: {error}"))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "fuzz/corpus/{target} has no seeds");
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                panicked.push(file.display().to_string());
            }
            replayed += 1;
        }
    }
    assert!(panicked.is_empty(), "panics on: {panicked:#?}");
    assert!(replayed >= 100, "only {replayed} corpus files");
}

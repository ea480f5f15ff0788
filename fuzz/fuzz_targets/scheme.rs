//! Fuzz target `scheme`: feeds libFuzzer's bytes to [`harness::scheme`]; a panic is a bug.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::scheme(data));

//! Fuzz target `config`: feeds libFuzzer's bytes to [`harness::config`]; a panic is a bug.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::config(data));

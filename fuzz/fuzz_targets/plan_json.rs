//! Json: direct `Format::scan`, then `plan_bytes` (scan → match → edits →
//! verify) with rule sets that make identifier-like strings aliases; see
//! `tests/common/oracle.rs` for the property checked.
#![no_main]

#[path = "../../tests/common/oracle.rs"]
mod oracle;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracle::check(driftfix::formats::FileType::Json, data);
});

//! Arbitrary bytes as a spec file: parse → validate → generate. Seeded with every spec of
//! the repository (`corpus/spec_text/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| streamkit_fuzz::spec_text(data));

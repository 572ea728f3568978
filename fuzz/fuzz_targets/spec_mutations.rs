//! Structured mutations of the repository's specs: the input picks a seed spec and a list
//! of edits (hostile names, `$ref`s that make cycles, copied subtrees, deleted keys…), then
//! validate → generate.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| streamkit_fuzz::spec_mutations(data));

//! What a hostile server controls, fed to the runtime and the generated types: a response
//! body decoded into every Helix list response type, and rate-limit headers read and applied
//! to the bucket, whose count and rate must stay finite, and the count within capacity,
//! whatever arrives in whatever order.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| streamkit_fuzz::runtime_inputs(data));

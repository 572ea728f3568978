//! Arbitrary bytes as Mixer chat and Constellation frames (the first byte picks the socket),
//! through the generated message types: no panic, and what decodes encodes back.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| streamkit_fuzz::realtime_frames(data));

//! Load then simulate small inputs of any format: whatever loads must run without a panic,
//! within the documented limits (rounds, depth), on one run.
#![no_main]
use libfuzzer_sys::fuzz_target;
use statecraft_core::{engine, rng, scenario::load};

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(s) = load::from_str_auto("fuzz.toml", text) {
            let opts = engine::RunOptions::default();
            let _ = engine::simulate_once(&s, &opts, &mut rng::stream(1, 0));
        }
    }
});

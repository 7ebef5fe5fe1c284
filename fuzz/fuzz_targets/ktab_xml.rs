//! KTAB XML scenarios (nesting depth, entities, numbers), and their TOML conversion.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(k) = statecraft_core::formats::ktab::parse_xml(text) {
            let _ = k.to_toml();
        }
    }
});

//! Plain `Actor,Capability,Position,Salience` CSV tables.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = statecraft_core::scenario::load::from_csv_str("fuzz", text);
    }
});

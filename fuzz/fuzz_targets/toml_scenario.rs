//! TOML scenario loading: parse + every validation check must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = statecraft_core::scenario::load::from_toml_str(text);
    }
});

//! `--set PATH=VALUE` values, parsed and applied to the built-in minimal scenario.
#![no_main]
use libfuzzer_sys::fuzz_target;
use statecraft_core::{builtin, mc, scenario::load};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(edit) = mc::parse_set(text) {
            if let Some(s) = builtin::get("minimal").and_then(|t| load::from_toml_str(t).ok()) {
                let _ = mc::apply_edits(&s, &[edit]);
            }
        }
    }
});

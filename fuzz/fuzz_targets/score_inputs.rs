//! `score` inputs: forecast JSON (checked, then scored) and resolutions (TOML or CSV).
#![no_main]
use libfuzzer_sys::fuzz_target;
use statecraft_core::forecast;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let r = forecast::parse_resolutions(text).unwrap_or_default();
        if let Ok(f) = serde_json::from_str::<forecast::Forecast>(text) {
            if forecast::check_forecast(&f).is_ok() {
                let _ = forecast::score(&f, &r);
            }
        }
    }
});

//! Sweep manifests (JSON) and the checks `sweep run` makes before running a shard, plus the
//! shard CSV reader `sweep reduce` uses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use statecraft_core::sweep;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = serde_json::from_str::<sweep::Manifest>(text) {
            if m.check().is_ok() {
                let _ = sweep::shard_points(m.points, 0, 1);
                let _ = m.point_values(m.points.saturating_sub(1));
            }
        }
        let _ = sweep::reduce(&[("fuzz.csv".to_string(), text.to_string())], None);
    }
});

//! The predicate language: parse (with and without `as_of`), evaluate, list vars.
#![no_main]
use libfuzzer_sys::fuzz_target;
use statecraft_core::expr::{self, Expr};
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let as_of = statecraft_core::scenario::Date::from_ymd_opt(2026, 1, 11);
        let _ = expr::parse(text, None);
        if let Ok(e) = Expr::parse(text, as_of) {
            let vars: BTreeMap<String, f64> =
                e.vars().iter().enumerate().map(|(i, v)| (v.to_string(), i as f64)).collect();
            let _ = e.eval_vars(&vars);
        }
    }
});

//! Built-in scenarios embedded in the binary (the Greenland 2026 default and small examples).
//!
//! Each entry is TOML text (`docs/scenario.md`); parse it with
//! [`crate::scenario::load::from_toml_str`].

/// The scenario run when none is named.
pub const DEFAULT: &str = "greenland-2026";

const BUILTINS: &[(&str, &str)] = &[
    (
        "greenland-2026",
        include_str!("../../../scenarios/greenland-2026.toml"),
    ),
    (
        "eu-emissions-1994",
        include_str!("../../../scenarios/examples/eu_emissions.toml"),
    ),
    (
        "minimal",
        include_str!("../../../scenarios/examples/minimal.toml"),
    ),
    (
        "two-issues",
        include_str!("../../../scenarios/examples/two_issues.toml"),
    ),
];

/// Priors files embedded in the binary, by the name a scenario's `use` gives them (relative to
/// `scenarios/`, as the repository lays them out). Written by `statecraft fit` (docs/backtest.md
/// §4); each file says what it was fitted on.
const PRIORS: &[(&str, &str)] = &[(
    "priors/ledger.toml",
    include_str!("../../../scenarios/priors/ledger.toml"),
)];

/// The text of the built-in priors file `name` (e.g. `priors/ledger.toml`), if there is one.
pub fn priors(name: &str) -> Option<&'static str> {
    let name = name.strip_prefix("./").unwrap_or(name);
    PRIORS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of the built-in priors files.
pub fn priors_names() -> Vec<&'static str> {
    PRIORS.iter().map(|(n, _)| *n).collect()
}

/// The TOML text of the built-in scenario `name`, if there is one.
pub fn get(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of all built-in scenarios, the default first.
pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::from_toml_str;

    #[test]
    fn every_builtin_loads_and_default_exists() {
        assert_eq!(names()[0], DEFAULT);
        for n in names() {
            let s = from_toml_str(get(n).unwrap()).unwrap_or_else(|e| panic!("{n}: {e:#?}"));
            assert!(!s.issues.is_empty(), "{n}");
        }
        assert!(get("no-such").is_none());
    }

    #[test]
    fn greenland_stances_cite_their_evidence() {
        let s = from_toml_str(get(DEFAULT).unwrap()).unwrap();
        assert!(s.stances.len() >= 4);
        for st in &s.stances {
            for n in [&st.position, &st.salience] {
                let src = n.source.as_deref().unwrap_or("");
                assert!(!src.is_empty(), "{} has no source", st.actor);
            }
        }
        let art = s.sources.iter().find(|x| x.id == "article").unwrap();
        for st in &s.stances {
            for n in [&st.position, &st.salience] {
                for cite in n.source.as_deref().unwrap().split(';') {
                    if let Some(p) = cite.trim().strip_prefix("article ¶") {
                        let p: u32 = p.parse().unwrap();
                        assert!(art.paragraphs.contains(&p), "¶{p} not listed in sources");
                    }
                }
            }
        }
    }
}

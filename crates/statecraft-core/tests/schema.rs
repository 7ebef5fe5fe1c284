//! The output schema (`schema::outputs`) is the contract of what a run records: every var and
//! series a run of the Greenland crisis scenario or of a bargaining scenario records is in the
//! schema, with a value its kind admits, and every schema entry marked `always` is recorded by
//! every run. A new var a run records without a schema entry, or a kind that does not fit the
//! values, fails here.

use statecraft_core::engine::{simulate_once, RunOptions};
use statecraft_core::mc::{self, McConfig};
use statecraft_core::scenario::{load, Scenario};
use statecraft_core::schema::{outputs, Kind};

const GREENLAND: &str = include_str!("../../../scenarios/greenland-2026.toml");
const RUNS: u64 = 40;

fn check_runs(scn: &Scenario, runs: u64) -> usize {
    let schema = outputs(scn);
    let run = RunOptions::resolve(scn, &Default::default()).unwrap();
    let cfg = McConfig {
        seed: 7,
        ..McConfig::default()
    };
    let mut seen_optional = 0;
    for i in 0..runs {
        let st = mc::run_one(scn, &cfg, i, |s, r| simulate_once(s, &run, r)).unwrap();
        for (name, &x) in &st.vars {
            let spec = schema
                .var(name)
                .unwrap_or_else(|| panic!("run {i} records `{name}`, which the schema lacks"));
            assert!(
                spec.kind.admits(x),
                "run {i}: `{name}` = {x} is not a value of {:?}",
                spec.kind
            );
            if !spec.always {
                seen_optional += 1;
            }
        }
        for v in schema.vars.iter().filter(|v| v.always) {
            assert!(
                st.vars.contains_key(&v.name),
                "run {i} does not record `{}`, which the schema says every run records",
                v.name
            );
        }
        for (name, s) in &st.series {
            let spec = schema
                .series
                .iter()
                .find(|v| &v.name == name)
                .unwrap_or_else(|| panic!("run {i} records series `{name}`, not in the schema"));
            for &x in s {
                assert!(
                    spec.kind.admits(x),
                    "series `{name}`: {x} vs {:?}",
                    spec.kind
                );
            }
        }
        for v in &schema.series {
            assert!(
                st.series.contains_key(&v.name),
                "series `{}` missing",
                v.name
            );
        }
    }
    seen_optional
}

#[test]
fn greenland_runs_record_exactly_the_schema() {
    let scn = load::from_str_auto("greenland-2026.toml", GREENLAND).unwrap();
    let optional = check_runs(&scn, RUNS);
    // Some runs take options and tip allies, so optional vars are exercised too.
    assert!(optional > 0);
    let s = outputs(&scn);
    assert_eq!(s.outcomes.len(), scn.outcomes.len());
    assert_eq!(s.questions.len(), scn.questions.len());
    // alignment is categorical with its three labels; cohesion continuous on [0, 1]
    let a = s.var("alignment.uk").unwrap();
    assert!(
        matches!(&a.kind, Kind::Categorical { labels, .. } if labels == &["target", "neutral", "initiator"])
    );
    assert_eq!(s.var("cohesion").unwrap().kind.range(), Some((0.0, 1.0)));
    assert_eq!(s.var("option.invasion.day").unwrap().kind, Kind::Day);
    assert!(!s.var("option.invasion.day").unwrap().always);
}

#[test]
fn bargaining_runs_record_exactly_the_schema() {
    let text = "[scenario]\nid = \"t\"\ntitle = \"t\"\n\n[[issues]]\nid = \"x\"\nname = \"x\"\nmin = 0\nmax = 100\nunit = \"pct\"\n\n\
                [[actors]]\nid = \"a\"\nname = \"a\"\ncapability = 1\n[[actors]]\nid = \"b\"\nname = \"b\"\ncapability = 2\n\n\
                [[stances]]\nactor = \"a\"\nissue = \"x\"\nposition = 10\nsalience = 0.5\n\
                [[stances]]\nactor = \"b\"\nissue = \"x\"\nposition = 90\nsalience = 0.8\n";
    let scn = load::from_str_auto("t.toml", text).unwrap();
    check_runs(&scn, 3);
    let s = outputs(&scn);
    assert_eq!(
        s.var("issue.x").unwrap().kind,
        Kind::Continuous {
            min: Some(0.0),
            max: Some(100.0),
            unit: "pct".into()
        }
    );
    assert!(s.var("cohesion").is_none());
}

/// Aggregation reads the schema, not a var's name: a continuous var's histogram spans its
/// declared range (cohesion: [0, 1]; an issue: its scale), whatever values the runs saw.
#[test]
fn histograms_span_the_declared_range_of_continuous_vars() {
    let scn = load::from_str_auto("greenland-2026.toml", GREENLAND).unwrap();
    let run = RunOptions::resolve(&scn, &Default::default()).unwrap();
    let cfg = McConfig {
        runs: 30,
        seed: 3,
        ..McConfig::default()
    };
    let r = mc::run(&scn, &cfg, |s, rng| simulate_once(s, &run, rng), None).unwrap();
    let edges = |name: &str| {
        let h = &r.vars[name].histogram;
        (h.edges[0], h.edges[h.edges.len() - 1])
    };
    assert_eq!(edges("cohesion"), (0.0, 1.0));
    assert_eq!(edges("cohesion.min"), (0.0, 1.0));
    assert_eq!(edges("issue.mil_rights"), (0.0, 100.0));
    // a count has no declared range: its histogram spans the values seen
    let w = &r.vars["option.coercion.orders"];
    assert_eq!(w.histogram.edges[0], w.min);
}

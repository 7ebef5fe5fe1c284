//! A job's result does not depend on the slot runs lent to it by earlier jobs
//! (`mc::spare_runs`, issue 11): the same job run before and after a job of another layout
//! (an actor removed: fewer vars and series) gives the same bits. Sabotage-checked: with
//! `SlotRun::begin` not resetting the vars, a lent run's stale values (a var a run writes only
//! sometimes, e.g. `option.<id>.day`) reach the result and this test fails.

use statecraft_core::engine::{self, RunOptions};
use statecraft_core::mc::{self, McConfig};
use statecraft_core::scenario::{load, Edit, Scenario};

fn greenland() -> Scenario {
    let text = include_str!("../../../scenarios/greenland-2026.toml");
    load::from_toml_str(text).expect("the Greenland scenario loads")
}

fn job(s: &Scenario, edits: Vec<Edit>) -> String {
    let opts = RunOptions::resolve(s, &Default::default()).expect("resolves");
    let prepared = engine::Prepared::new(&opts);
    let cfg = McConfig {
        runs: 300,
        edits,
        ..McConfig::default()
    };
    let (res, _) = mc::run_keep_with(s, &cfg, &prepared, None).expect("runs");
    serde_json::to_string(&res).expect("serialises")
}

#[test]
fn a_job_after_a_job_of_another_layout_gives_the_same_bits() {
    let s = greenland();
    let first = job(&s, Vec::new());
    // another layout lends its (longer-lived, differently sized) runs to the next job
    let other = job(&s, vec![Edit::Without { actor: "uk".into() }]);
    assert_ne!(first, other, "the other job is another job");
    let again = job(&s, Vec::new());
    assert!(first == again, "the lent runs changed the result");
}

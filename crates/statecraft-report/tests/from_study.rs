//! The adapter `from_study` on a tiny crisis scenario whose results can be checked by hand.

use statecraft_core::mc::McConfig;
use statecraft_core::scenario::load::from_toml_str;
use statecraft_core::scenario::Scenario;
use statecraft_core::study::{study, StudyConfig};
use statecraft_report::from_study::{alignment_shares, from_study, source_refs, trajectories};

/// Three allies on a chain (a → b → c) and a locked initiator `us`. Every number is certain (no
/// distribution, no source, no confidence), and the only option `strike` has propensity 1 and
/// no gates, so every run is the same: in round 1 the strike pushes every ally toward the
/// target by 0.4; a tips (0.4 ≥ θ 0.3), then b (0.4 + 0.6 from a ≥ 0.5), then c (0.4 + 0.6).
/// (The alliance part is the fixture of crates/statecraft-core/tests/crisis_mechanisms.rs.)
const TINY: &str = concat!(
    r#"
[scenario]
id = "tiny"
title = "Tiny cascade"
as_of = "2026-01-11"
horizon = "2026-03-08"
round_days = 7

[[sources]]
id = "article"
title = "Seed article"
date = "2026-01-11"
reliability = 0.35
paragraphs = [1, 2, 3, 4, 5]

[[actors]]
id = "us"
name = "Initiator"
capability = 4
groups = ["NATO"]

[[actors]]
id = "a"
name = "A"
capability = 1
groups = ["NATO"]

[[actors]]
id = "b"
name = "B"
capability = 1
groups = ["NATO"]

[[actors]]
id = "c"
name = "C"
capability = 2
groups = ["NATO"]

[[issues]]
id = "k"
name = "K"
min = 0
max = 100
anchors = [{ value = 0, label = "none" }, { value = 100, label = "all" }]

[[stances]]
actor = "us"
issue = "k"
position = { value = 90, fixed = true, reason = "test: held at 90 so the trajectory is hand-checkable (docs/evidence.md: a crisis scenario's bare numbers are sampled)" }
salience = 0.9

[[stances]]
actor = "c"
issue = "k"
position = 10
salience = 0.5

[[outcomes]]
id = "cascade"
name = "Cascade"
when = "alignment.c < 0"

[[outcomes]]
id = "holds"
name = "Holds"
when = "alignment.c >= 0"

[crisis]
initiator = "us"
issue = "k"

[crisis.bargaining]
rate = 0.0

"#,
    include_str!("../../statecraft-core/tests/fixtures/three_node_cascade.toml")
);

fn tiny() -> Scenario {
    from_toml_str(TINY).unwrap()
}

fn config(runs: u64) -> StudyConfig {
    StudyConfig {
        mc: McConfig {
            runs,
            seed: 5,
            ..McConfig::default()
        },
        hypotheses: false,
        pivotal: false,
        forecasts: false,
        discount_levels: vec![],
        run: statecraft_core::engine::RunOptions::resolve(&tiny(), &Default::default()).unwrap(),
        ..StudyConfig::default()
    }
}

#[test]
fn tiny_cascade_maps_to_hand_checked_numbers() {
    let scn = tiny();
    let st = study(&scn, &config(20), None).unwrap();
    let d = from_study(
        &scn,
        &st,
        "statecraft report tiny.toml --runs 20 --seed 5",
        &[],
    );
    assert_eq!(d.title, "Tiny cascade");
    assert_eq!(
        (d.as_of.as_str(), d.horizon.as_str()),
        ("2026-01-11", "2026-03-08")
    );
    assert_eq!(d.round_days, Some(7));
    assert!(d.notice.is_none());
    // Every run cascades: 20/20. Wilson 95%: lower = n/(n + z²) = 20/(20 + 3.84146) = 0.83887.
    let cascade = &d.outcomes[0];
    assert_eq!(cascade.name, "Cascade");
    assert_eq!(cascade.p, 1.0);
    assert!((cascade.lo - 0.83887).abs() < 1e-4, "{}", cascade.lo);
    assert_eq!(cascade.hi, 1.0);
    // 0/20: upper = z²/(n + z²) = 3.84146/23.84146 = 0.16113.
    assert_eq!(d.outcomes[1].p, 0.0);
    assert!((d.outcomes[1].hi - 0.16113).abs() < 1e-4);
    // Network: us locked at +1; a, b, c end at −1 in every run.
    let node = |id: &str| d.network.nodes.iter().find(|n| n.id == id).unwrap();
    assert_eq!(d.network.nodes.len(), 4);
    assert_eq!(node("us").p_initiator, 1.0);
    for a in ["a", "b", "c"] {
        assert_eq!(
            (node(a).p_target, node(a).p_neutral, node(a).p_initiator),
            (1.0, 0.0, 0.0)
        );
    }
    assert_eq!(node("c").name, "C");
    assert_eq!(d.network.initiator, "Initiator");
    assert_eq!(d.network.edges.len(), 2);
    assert_eq!(d.network.edges[0].weight, 0.6);
    // The three tipping steps (strike→a, a→b, b→c) happen in every run: left out, and said so.
    assert!(d.network.paths.is_empty(), "{:?}", d.network.paths);
    assert!(
        d.network.caption.contains("3 step(s) taken in every run"),
        "{}",
        d.network.caption
    );
    // Trajectories: one issue; c·s: us 4·0.9 = 3.6, c 2·0.5 = 1.0 → us first. Bargaining rate 0
    // and no effects on positions: us stays at 90 in all 9 rounds (round 0 … 8).
    assert_eq!(d.trajectories.len(), 1);
    let t = &d.trajectories[0];
    assert_eq!(t.issue, "K");
    assert_eq!((t.min, t.max), (0.0, 100.0));
    assert_eq!(t.anchors.len(), 2);
    assert_eq!(t.actors[0].actor, "Initiator");
    assert_eq!(t.actors[0].rounds.len(), 9);
    assert!(t.actors[0]
        .rounds
        .iter()
        .all(|b| b.q05 == 90.0 && b.q95 == 90.0));
    assert!(t.caption.is_empty(), "all actors shown");
    // Provenance: every number, in visit order; the first is us's capability, with no source.
    assert_eq!(d.provenance[0].input, "actor.us.capability");
    assert_eq!(d.provenance[0].value, "4");
    assert_eq!(d.provenance[0].source_id, "—");
    assert!(d.provenance[0].reliability.is_nan());
    assert!(d
        .provenance
        .iter()
        .any(|r| r.input == "crisis.link.a.b.weight" && r.value == "0.6"));
    // Reproduction.
    assert_eq!(d.reproduction.runs, 20);
    assert_eq!(d.reproduction.seed, 5);
    assert_eq!(
        d.reproduction.scenario_hash,
        statecraft_core::mc::scenario_hash(&scn)
    );
    assert_eq!(
        d.reproduction.command,
        "statecraft report tiny.toml --runs 20 --seed 5"
    );
    // Not run: empty sections, which render as "not available".
    assert!(d.tornado.bars.is_empty() && d.sobol.indices.is_empty() && d.pivotal.is_empty());
    assert!(d.hypotheses.is_empty() && d.evidence_discount.series.is_empty());
    // And it renders.
    let html = statecraft_report::render_html(&d);
    assert!(html.contains("Tiny cascade"));
}

#[test]
fn trajectories_keep_the_largest_capability_times_salience() {
    let scn = tiny();
    let st = study(&scn, &config(4), None).unwrap();
    // Room for one actor: us (3.6) beats c (1.0); us is the initiator anyway.
    let t = trajectories(&scn, &st.mc, 1);
    assert_eq!(t[0].actors.len(), 1);
    assert_eq!(t[0].actors[0].actor, "Initiator");
    assert!(
        t[0].caption.starts_with("Showing 1 of 2 actors"),
        "{}",
        t[0].caption
    );
}

/// A job of more runs than per-round bands read (`mc::agg::SERIES_MAX_RUNS`) says so beside
/// its trajectories' band legend, with both counts; a smaller one says nothing of it.
#[test]
fn trajectories_say_when_the_bands_read_fewer_runs_than_the_job() {
    use statecraft_core::mc::agg::SERIES_MAX_RUNS;
    let scn = tiny();
    let runs = SERIES_MAX_RUNS + 8;
    let st = study(&scn, &config(runs), None).unwrap();
    let series = &st.mc.series["position.us.k"];
    assert_eq!(series.n, SERIES_MAX_RUNS);
    assert_eq!(st.mc.outcomes[0].runs, runs);
    let t = trajectories(&scn, &st.mc, 1);
    assert_eq!(t[0].bands_from, "first 8,192 of 8,200 runs");
    let small = study(&scn, &config(4), None).unwrap();
    assert_eq!(trajectories(&scn, &small.mc, 1)[0].bands_from, "");
}

#[test]
fn alignment_shares_from_typed_counts() {
    let c = statecraft_core::mc::AlignmentCounts {
        runs: 10,
        target: 3,
        neutral: 5,
        initiator: 2,
    };
    assert_eq!(alignment_shares(&c), Some((0.3, 0.5, 0.2)));
    assert_eq!(
        alignment_shares(&statecraft_core::mc::AlignmentCounts::default()),
        None
    );
}

#[test]
fn sources_group_by_source_with_paragraphs() {
    let scn = tiny();
    let refs = source_refs(
        &scn,
        &[
            "article ¶4".into(),
            "article ¶2".into(),
            "article ¶4".into(),
            "facts §1".into(),
        ],
    );
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0].source, "article");
    assert_eq!(refs[0].paragraphs, vec![2, 4]);
    // Not in the source list: kept as written, no paragraphs.
    assert_eq!(refs[1].source, "facts §1");
    assert!(refs[1].paragraphs.is_empty());
    // A bare citation of a source that stands for paragraphs lists them all.
    let all = source_refs(&scn, &["article".into()]);
    assert_eq!(all[0].paragraphs, vec![1, 2, 3, 4, 5]);
}

#[test]
fn the_evidence_ledger_reaches_the_report() {
    let scn = tiny();
    let st = study(&scn, &config(5), None).unwrap();
    let d = from_study(&scn, &st, "statecraft report tiny.toml", &[]);
    let l = d.ledger.as_ref().expect("the adapter computes the ledger");
    let core = statecraft_core::evidence::ledger(&scn, 0.0, None);
    assert_eq!(l.total, core.counts.total);
    let sum: usize = l.counts.iter().map(|c| c.count).sum();
    assert_eq!(sum, l.total);
    assert_eq!(l.assumed.len(), core.assumed.len());
    let html = statecraft_report::html::render_html(&d);
    assert!(html.contains("<section id=\"evidence-ledger\">"));
    assert!(
        html.contains("href=\"#evidence-ledger\""),
        "listed in the contents"
    );
    // Without a ledger the section is absent (the golden report has none).
    let mut none = d.clone();
    none.ledger = None;
    let html = statecraft_report::html::render_html(&none);
    assert!(!html.contains("evidence-ledger"));
}

//! Streaming aggregation (issue 11) on the Greenland crisis: the same bytes for any thread
//! count past the exact caps, and exactly the old after-the-fact figures below them.

use statecraft_core::engine::{self, RunOptions};
use statecraft_core::mc::{self, agg, McConfig};
use statecraft_core::rng::Rng;
use statecraft_core::scenario::{load, Scenario};
use statecraft_core::state::RunState;

fn greenland() -> Scenario {
    let text = include_str!("../../../scenarios/greenland-2026.toml");
    load::from_toml_str(text).expect("the Greenland scenario loads")
}

/// The run function of the named fold (no layout): one `engine::simulate_once` run.
fn named_run(
    opts: &RunOptions,
) -> impl Fn(&Scenario, &mut Rng) -> Result<RunState, engine::EngineError> + Copy + '_ {
    move |sc, r| engine::simulate_once(sc, opts, r)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool")
}

#[test]
fn past_the_series_cap_one_and_two_threads_give_the_same_bytes() {
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let f = named_run(&opts);
    let cfg = McConfig {
        runs: agg::SERIES_EXACT_CAP as u64 + 200,
        seed: 5,
        ..McConfig::default()
    };
    let job = |t| {
        pool(t).install(|| {
            let (r, runs) = mc::run_keep(&s, &cfg, f, None).expect("runs");
            (serde_json::to_string(&r).expect("json"), runs.questions)
        })
    };
    let (a, qa) = job(1);
    let (b, qb) = job(2);
    assert!(a == b, "McResult differs between 1 and 2 threads");
    assert_eq!(qa, qb);
}

#[test]
fn below_the_caps_streaming_equals_the_figures_of_every_kept_run() {
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let f = named_run(&opts);
    let cfg = McConfig {
        runs: 300,
        seed: 9,
        ..McConfig::default()
    };
    let (r, _) = mc::run_keep(&s, &cfg, f, None).expect("runs");
    let all = mc::simulate(&s, &cfg, f, None).expect("runs");
    assert_eq!(r.vars.len(), all.vars.len());
    for (k, col) in &all.vars {
        let want = agg::exact_summary(col, None, cfg.bins).expect("present");
        let got = &r.vars[k];
        assert_eq!(got.mean.to_bits(), want.mean.to_bits(), "{k} mean");
        assert_eq!(got.sd.to_bits(), want.sd.to_bits(), "{k} sd");
        assert_eq!(got.quantiles, want.quantiles, "{k} quantiles");
    }
    for (k, per_run) in &all.series {
        let present: Vec<&Vec<f64>> = per_run.iter().filter(|x| !x.is_empty()).collect();
        let len = present.iter().map(|x| x.len()).max().unwrap_or(0);
        for round in 0..len {
            let mut col: Vec<f64> = present
                .iter()
                .filter_map(|x| x.get(round).or(x.last()).copied())
                .filter(|x| !x.is_nan())
                .collect();
            col.sort_by(f64::total_cmp);
            let want = mc::QUANTILES.map(|q| mc::quantile_sorted(&col, q));
            assert_eq!(r.series[k].bands[round], want, "{k} round {round}");
        }
    }
    // the class coverage counted as the runs were folded equals the one counted from the kept
    // bits afterwards
    assert_eq!(all.coverage, mc::ClassCoverage::count(&all.outcomes, all.n));
    assert_eq!(all.coverage.runs, all.n);
    // the question indicators folded per run equal the predicates evaluated after the fact
    for (k, q) in s.questions.iter().enumerate() {
        let e = statecraft_core::expr::parse(&q.when, s.scenario.as_of).expect("parses");
        assert_eq!(
            all.indicators(&e),
            all.questions[k].iter().collect::<Vec<_>>(),
            "question {}",
            q.id
        );
    }
}

/// The index-addressed fold (`engine::Prepared` has a layout, so its jobs fold `SlotRun`s)
/// gives the same result, bit for bit, as the name-keyed fold of the same runs (a plain run
/// function has no layout), with an option and a gate disabled and an actor removed (so the
/// job's `disabled.*` vars and the model's own writes of them meet), past the series cap, and
/// for a paired job's outcome indicators.
#[test]
fn the_slot_fold_equals_the_named_fold() {
    use statecraft_core::scenario::Edit;
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let f = named_run(&opts);
    let prepared = engine::Prepared::new(&opts);
    // the Denmark option the mech work added (the initiator's options drive the threat)
    let some_option = "dk_counter_offer";
    assert!(s.crisis.options.iter().any(|o| o.id == some_option));
    let cfg = McConfig {
        runs: agg::SERIES_EXACT_CAP as u64 + 100,
        seed: 11,
        edits: vec![
            Edit::Disable {
                id: "gate.jcs".into(),
            },
            Edit::Disable {
                id: format!("option.{some_option}"),
            },
            Edit::Without { actor: "uk".into() },
        ],
        ..McConfig::default()
    };
    let (named, nr) = mc::run_keep(&s, &cfg, f, None).expect("runs");
    let (slots, sr) = mc::run_keep_with(&s, &cfg, &prepared, None).expect("runs");
    let a = serde_json::to_string(&named).expect("json");
    let b = serde_json::to_string(&slots).expect("json");
    assert!(
        a == b,
        "McResult of the slot fold differs from the named fold"
    );
    assert_eq!(nr.questions, sr.questions);
    assert_eq!(nr.outcomes, sr.outcomes);
    assert_eq!(nr.events, sr.events);
    assert!(named.vars.keys().any(|k| k.starts_with("disabled.")));
    // the runs move (a job whose every var is constant would prove little)
    assert!(named.vars["threat"].sd > 0.0 && named.vars["cohesion"].sd > 0.0);
    let cfg = McConfig { runs: 200, ..cfg };
    let po = mc::simulate_outcomes(&s, &cfg, f, None).expect("runs");
    let ps = mc::simulate_outcomes_with(&s, &cfg, &prepared, None).expect("runs");
    assert_eq!(po.outcomes, ps.outcomes);
}

/// A job that collects less (`mc::Collect`, what `statecraft forecast` asks for) counts the same
/// outcomes and questions, and what it does collect has the full job's bits: it fails when a
/// part left out moves another (e.g. the series recording the model skips), or when a part
/// left out is still collected.
#[test]
fn a_job_collecting_less_gives_the_same_answers() {
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let prepared = engine::Prepared::new(&opts);
    let job = |collect: mc::Collect| {
        let cfg = McConfig {
            runs: 300,
            seed: 3,
            collect,
            ..McConfig::default()
        };
        mc::run_keep_with(&s, &cfg, &prepared, None).expect("runs")
    };
    let (all, all_runs) = job(mc::Collect::ALL);
    let vars_only = mc::Collect {
        series: false,
        events: false,
        ..mc::Collect::ALL
    };
    let (part, part_runs) = job(vars_only);
    let (ans, ans_runs) = job(mc::Collect::ANSWERS);
    assert!(!all.vars.is_empty() && !all.series.is_empty() && !all.events.is_empty());
    assert_eq!(all.collected, mc::Collect::ALL);
    for (r, runs, c) in [
        (&part, &part_runs, vars_only),
        (&ans, &ans_runs, mc::Collect::ANSWERS),
    ] {
        assert_eq!(r.collected, c);
        assert_eq!(json(&r.outcomes), json(&all.outcomes));
        assert_eq!(json(&r.class_coverage), json(&all.class_coverage));
        for k in 0..s.questions.len() {
            assert_eq!(
                runs.question_yes(k),
                all_runs.question_yes(k),
                "question {k}"
            );
        }
        assert!(runs.question_yes(0).is_some());
        assert!(r.series.is_empty(), "series collected");
        assert!(
            r.events.is_empty() && r.tipping.is_empty(),
            "events collected"
        );
    }
    assert_eq!(
        json(&part.vars),
        json(&all.vars),
        "the vars' summaries moved"
    );
    assert_eq!(json(&part.alignment), json(&all.alignment));
    assert!(ans.vars.is_empty(), "vars collected");
    // what is left out is not in the JSON's bytes either (only the `collected` note)
    let text = serde_json::to_string(&ans).expect("json");
    assert!(text.contains("\"collected\""));
    assert!(!serde_json::to_string(&all)
        .expect("json")
        .contains("\"collected\""));
}

/// Per-round bands come from the first `agg::SERIES_MAX_RUNS` runs only (issue 11: past them a
/// run records and folds no series), on both folds: a job a little longer has the same bands
/// as a job of exactly that many runs, every band counts at most that many, and every other
/// figure (outcomes, var summaries, events) still reads every run. The slot fold (which hands
/// the later runs a layout without series) and the named fold (which skips their series) give
/// the same bytes.
#[test]
fn series_bands_come_from_the_first_series_max_runs() {
    let s = greenland();
    let opts = RunOptions::resolve(&s, &Default::default()).expect("resolves");
    let f = named_run(&opts);
    let prepared = engine::Prepared::new(&opts);
    let cap = agg::SERIES_MAX_RUNS;
    let cfg = |runs| McConfig {
        runs,
        seed: 17,
        ..McConfig::default()
    };
    let (long, _) = mc::run_keep_with(&s, &cfg(cap + 40), &prepared, None).expect("runs");
    let (short, _) = mc::run_keep_with(&s, &cfg(cap), &prepared, None).expect("runs");
    assert!(!long.series.is_empty());
    assert_eq!(
        json(&long.series),
        json(&short.series),
        "the bands read later runs"
    );
    assert!(long.series.values().all(|b| b.n <= cap));
    assert!(long.series.values().any(|b| b.n == cap));
    assert_eq!(long.outcomes[0].runs, cap + 40);
    assert!(long.vars.values().any(|v| v.n == cap + 40));
    assert_ne!(json(&long.vars), json(&short.vars));
    let (named, _) = mc::run_keep(&s, &cfg(cap + 40), f, None).expect("runs");
    assert!(
        json(&named) == json(&long),
        "the named fold differs from the slot fold past the series' runs"
    );
}

/// `serde_json` text of a part of a result, for comparing two results part by part.
fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).expect("json")
}

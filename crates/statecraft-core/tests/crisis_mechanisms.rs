//! Each crisis mechanism on a small scenario whose result can be checked by hand.
//! The expected numbers are derived in the comment above each assertion.

use statecraft_core::crisis::{simulate, CrisisError};
use statecraft_core::rng::stream;
use statecraft_core::scenario::Scenario;
use statecraft_core::state::RunState;

/// 8 weekly rounds (2026-01-11 → 2026-03-08 = 56 days), one issue 0–100, an initiator `us`.
const BASE: &str = r#"
[scenario]
id = "t"
title = "test"
as_of = "2026-01-11"
horizon = "2026-03-08"

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

[[actors]]
id = "g"
name = "Gatekeeper"
capability = 1

[[issues]]
id = "k"
name = "K"
min = 0
max = 100

[[stances]]
actor = "us"
issue = "k"
position = 90
salience = 0.9

[[stances]]
actor = "g"
issue = "k"
position = 10
salience = 0.5

[crisis]
initiator = "us"
issue = "k"

[crisis.bargaining]
rate = 0.0
"#;

fn scn(extra: &str) -> Scenario {
    toml::from_str(&format!("{BASE}\n{extra}")).unwrap()
}

fn run(s: &Scenario, seed: u64) -> RunState {
    simulate(s, &mut stream(seed, 0)).unwrap()
}

fn has(st: &RunState, ev: &str) -> bool {
    st.events.iter().any(|e| e == ev)
}

/// Three allies on a chain a → b → c, a locked initiator `us` and one option `strike`; also the
/// alliance part of the report's `from_study` test scenario.
const THREE_NODES: &str = include_str!("fixtures/three_node_cascade.toml");

#[test]
fn three_node_cascade_tips_in_order() {
    let st = run(&scn(THREE_NODES), 1);
    // Round 1 (day 7): `strike` is ordered (propensity 1, no gates) and carried out; it pushes
    // every ally toward the target by 0.4. a: 0.4 ≥ θ=0.3 → −1 (tipped by the option);
    // b: 0.4 + 0.6 (a) ≥ 0.5 → −1, with a the larger contribution; c: 0.4 + 0.6 (b) → −1.
    assert!(has(&st, "option:strike@day7"), "{:?}", st.events);
    let tips: Vec<&String> = st
        .events
        .iter()
        .filter(|e| e.starts_with("tipped:"))
        .collect();
    assert_eq!(
        tips,
        ["tipped:strike->a", "tipped:a->b", "tipped:b->c"],
        "{:?}",
        st.events
    );
    for x in ["a", "b", "c"] {
        assert_eq!(st.get(&format!("alignment.{x}")), Some(-1.0));
        assert_eq!(st.get(&format!("alignment.{x}.minus_day")), Some(7.0));
    }
    assert_eq!(st.get("alignment.us"), Some(1.0));
    // Cohesion = 1 − 2·min(C+, C−)/C: C+ = 4 (us), C− = 1+1+2 = 4, C = 8 → 0.
    assert_eq!(st.get("cohesion"), Some(0.0));
    // Before the strike nobody is split off: series starts at cohesion 1 − 2·0/8 = 1.
    assert_eq!(st.series["cohesion"][0], 1.0);
    assert_eq!(
        st.series["alignment.c"],
        vec![0.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0]
    );
}

#[test]
fn cascade_stops_where_threshold_is_not_met() {
    // b needs 0.4 + 0.6·[a] = 1.0 ≥ θ_b; with θ_b = 1.1 b holds, so c (0.4 < 0.5) holds too.
    let s = scn(&THREE_NODES.replace(
        "actor = \"b\"\nthreshold = 0.5",
        "actor = \"b\"\nthreshold = 1.1",
    ));
    let st = run(&s, 1);
    assert_eq!(st.get("alignment.a"), Some(-1.0));
    assert_eq!(st.get("alignment.b"), Some(0.0));
    assert_eq!(st.get("alignment.c"), Some(0.0));
    // C+ = 4, C− = 1 → cohesion = 1 − 2/8 = 0.75
    assert_eq!(st.get("cohesion"), Some(0.75));
}

const CHAIN: &str = r#"
[[crisis.gates]]
id = "chiefs"
name = "Chiefs"
actor = "g"
block = 50
[[crisis.options]]
id = "invade"
name = "Invade"
propensity = 1
legality = 0
level = 100
gates = ["chiefs"]
[[crisis.options]]
id = "alt"
name = "Alternative"
propensity = 0
available = true
"#;

#[test]
fn a_blocking_gate_stops_the_order() {
    // σ(50) ≈ 1: the order of day 7 is blocked; it is re-ordered and blocked every week.
    let st = run(&scn(CHAIN), 3);
    assert!(has(&st, "order:invade@day7"));
    assert!(has(&st, "blocked:invade@chiefs@day7"), "{:?}", st.events);
    assert_eq!(st.get("option.invade.taken"), Some(0.0));
    assert_eq!(st.get("option.invade.day"), None);
    assert_eq!(st.get("option.invade.orders"), Some(8.0));
    assert_eq!(
        st.events.last().map(String::as_str),
        Some("ended:blocked@chiefs")
    );
}

#[test]
fn an_open_gate_passes_and_a_substituting_gate_redirects() {
    let open = scn(&CHAIN.replace("block = 50", "block = -50"));
    let st = run(&open, 3);
    assert_eq!(st.get("option.invade.day"), Some(7.0));
    assert_eq!(
        st.events.last().map(String::as_str),
        Some("ended:option:invade")
    );

    let sub = scn(&CHAIN.replace(
        "block = 50",
        "block = 50\nsubstitute = 1\nsubstitutes = [\"alt\"]",
    ));
    let st = run(&sub, 3);
    assert!(
        has(&st, "substituted:invade->alt@chiefs@day7"),
        "{:?}",
        st.events
    );
    assert_eq!(st.get("option.alt.day"), Some(7.0));
    // once `alt` is taken there is nothing left to substitute: later orders are blocked
    assert!(has(&st, "blocked:invade@chiefs@day14"));
}

#[test]
fn gate_probability_is_the_documented_logistic() {
    // p_stop = σ(β0 + β_d·s_g·d + β_L·(1−L)) with β0 = −1, β_d = 2, s_g = 0.5,
    // d = |10 − 100|/100 = 0.9, β_L = 1, L = 0.5: z = −1 + 0.9 + 0.5 = 0.4, σ(0.4) = 0.598688.
    // Only one order per run counts: the first week's.
    let s = scn(&CHAIN
        .replace("block = 50", "block = -1\nw_position = 2\nw_legality = 1")
        .replace("legality = 0", "legality = 0.5"));
    let n = 4000;
    let blocked = (0..n)
        .filter(|&i| {
            let st = simulate(&s, &mut stream(11, i)).unwrap();
            has(&st, "blocked:invade@chiefs@day7")
        })
        .count() as f64;
    let p = blocked / n as f64;
    let sd = (0.598688_f64 * 0.401312 / n as f64).sqrt();
    assert!((p - 0.598688).abs() < 4.0 * sd, "p = {p}");
}

#[test]
fn disabling_the_gate_lets_the_order_through() {
    let mut s = scn(CHAIN);
    assert!(s.crisis.disable("gate.chiefs"));
    let st = run(&s, 3);
    assert_eq!(st.get("option.invade.day"), Some(7.0));
    assert_eq!(st.get("disabled.gate.chiefs"), Some(1.0));
}

#[test]
fn an_event_changes_salience_on_its_date() {
    // 2026-01-25 is day 14 (round 2). The option's precondition reads the salience, so it can be
    // ordered (propensity 1) in round 2 and not before. The event ends on 2026-02-08 (day 28).
    let s = scn(r#"
[[crisis.events]]
id = "summit"
name = "Summit"
date = "2026-01-25"
until = "2026-02-08"
effects = [{ param = "salience.g.k", op = "set", value = 0.9 }]
[[crisis.options]]
id = "act"
name = "Act"
propensity = 1
when = "salience.g.k >= 0.9"
[[crisis.options]]
id = "after"
name = "After the summit"
propensity = 1
when = "day > 2026-02-08 and salience.g.k < 0.6"
"#);
    let st = run(&s, 5);
    assert!(has(&st, "event:summit@day14"));
    assert_eq!(st.get("option.act.day"), Some(14.0));
    // after the event ends the salience is back at 0.5 → `after` is taken in round 5 (day 35)
    assert_eq!(st.get("option.after.day"), Some(35.0));
}

#[test]
fn salience_slows_bargaining_movement() {
    // rate λ = 0.5, two actors: us (c=4, s=0.9, x=90), g (c=1, s=0.5, x=10).
    // mean = (4·0.9·90 + 1·0.5·10)/(3.6 + 0.5) = 329/4.1 = 80.2439…
    // g moves λ(1−s) = 0.25 of the gap: 10 + 0.25·70.2439 = 27.561; us: 90 − 0.05·9.7561 = 89.512.
    let s: Scenario = toml::from_str(&BASE.replace("rate = 0.0", "rate = 0.5")).unwrap();
    let st = run(&s, 1);
    let g = &st.series["position.g.k"];
    let us = &st.series["position.us.k"];
    assert!((g[1] - 27.5610).abs() < 1e-3, "{}", g[1]);
    assert!((us[1] - 89.5122).abs() < 1e-3, "{}", us[1]);
}

#[test]
fn volatility_jumps_at_the_stated_rate() {
    // 365 daily rounds, jump probability 0.2, size 0.1, always up, no bargaining: the position
    // rises by 0.1 per jump. Over 40 runs the mean number of jumps is 0.2·365 = 73,
    // sd of the mean √(365·0.2·0.8/40) ≈ 1.21.
    let s: Scenario = toml::from_str(
        &(BASE
            .replace(
                "horizon = \"2026-03-08\"",
                "horizon = \"2027-01-11\"\nround_days = 1",
            )
            .replace("position = 10\n", "position = 0\n")
            + r#"
[[crisis.volatility]]
actor = "g"
prob = 0.2
size = 0.1
up = 1
"#),
    )
    .unwrap();
    let runs = 40;
    let mut total = 0.0;
    for i in 0..runs {
        let st = simulate(&s, &mut stream(9, i)).unwrap();
        let jumps = st
            .events
            .iter()
            .filter(|e| e.starts_with("jump:g@"))
            .count() as f64;
        let x = st.get("position.g.k").unwrap();
        assert!((x - 0.1 * jumps).abs() < 1e-9);
        total += jumps;
    }
    let mean = total / runs as f64;
    assert!((mean - 73.0).abs() < 4.0 * 1.21, "mean jumps {mean}");
}

#[test]
fn war_powers_clock_withdraws_unauthorised_force() {
    // Force on day 7, report due day 9 (48 h ≈ 2 days), 60 + 30 days → judged on day 99,
    // i.e. in the round ending day 105. Congress always refuses (block = 50).
    let s: Scenario = toml::from_str(
        &(BASE.replace("horizon = \"2026-03-08\"", "horizon = \"2026-06-01\"")
            + r#"
[[crisis.gates]]
id = "congress"
name = "Congress"
actor = "g"
block = 50
clock = { report_days = 2, limit_days = 60, extension_days = 30 }
[[crisis.options]]
id = "force"
name = "Force"
propensity = 1
gates = ["congress"]
effects = [{ param = "position.us.k", op = "set", value = 100 }]
on_withdraw = [{ param = "position.us.k", op = "set", value = 50 }]
"#),
    )
    .unwrap();
    let st = run(&s, 2);
    assert_eq!(st.get("option.force.day"), Some(7.0));
    assert!(has(&st, "report:force@day9->congress"));
    assert!(
        has(&st, "withdrawn:force@congress@day105"),
        "{:?}",
        st.events
    );
    assert_eq!(st.get("option.force.withdrawn"), Some(1.0));
    assert_eq!(st.get("position.us.k"), Some(50.0));
}

#[test]
fn same_seed_same_run() {
    let s = scn(THREE_NODES);
    assert_eq!(run(&s, 77), run(&s, 77));
}

#[test]
fn bad_references_are_errors_not_panics() {
    let s = scn(r#"
[[crisis.options]]
id = "x"
name = "X"
propensity = 1
when = "position.nobody.k > 1"
"#);
    assert!(matches!(
        simulate(&s, &mut stream(1, 0)),
        Err(CrisisError::Unknown { .. })
    ));
    let s = scn(r#"
[[crisis.options]]
id = "x"
name = "X"
propensity = 1
gates = ["nogate"]
"#);
    assert!(simulate(&s, &mut stream(1, 0)).is_err());
    let mut s = scn("");
    s.scenario.horizon = None;
    assert_eq!(
        simulate(&s, &mut stream(1, 0)),
        Err(CrisisError::Missing("scenario.horizon"))
    );
}

#[test]
fn the_documented_example_runs() {
    let doc = include_str!("../../../docs/crisis.md");
    let start = doc.find("## 10. A minimal example").unwrap();
    let block = &doc[start..];
    let from = block.find("```toml\n").unwrap() + 8;
    let to = from + block[from..].find("```").unwrap();
    let s: Scenario = toml::from_str(&block[from..to]).unwrap();
    // c needs 0.3 (from b) + 0.3 (strike push) = 0.6 ≥ 0.5: it backs the target once the strike
    // is carried out, and never before.
    let mut struck = 0;
    for i in 0..200 {
        let st = simulate(&s, &mut stream(4, i)).unwrap();
        let taken = st.get("option.strike.taken") == Some(1.0);
        assert_eq!(
            st.get("alignment.c") == Some(-1.0),
            taken,
            "{:?}",
            st.events
        );
        if taken {
            struck += 1;
            assert!(has(&st, "tipped:b->c") || has(&st, "tipped:strike->c"));
        }
    }
    assert!(struck > 0 && struck < 200, "{struck}");
}

#[test]
fn cohesion_can_leave_out_the_parties() {
    // Same cascade as above, but cohesion counts only a, b, c (the initiator `us` is a party):
    // before the strike all are neutral → 1; after it all back the target → C− = 4 of 4 → 1.
    // If only a tips (θ_b = 1.1): C− = 1, C⁺ = 0 → still 1 (no camp on the other side);
    // with b locked at +1 and c (θ = 5) held neutral: a (−1, c=1) vs b (+1, c=1), C = 4:
    // 1 − 2·1/4 = 0.5.
    let s = scn(&THREE_NODES.replace(
        "group = \"NATO\"",
        "group = \"NATO\"\nexclude_parties = true",
    ));
    let st = run(&s, 1);
    assert_eq!(st.get("alignment.c"), Some(-1.0));
    assert_eq!(st.get("cohesion"), Some(1.0));
    let split = scn(&(THREE_NODES
        .replace(
            "group = \"NATO\"",
            "group = \"NATO\"\nexclude_parties = true",
        )
        .replace(
            "actor = \"b\"\nthreshold = 0.5",
            "actor = \"b\"\nthreshold = 1.1\nlock = 1\nalignment = 1",
        )
        .replace(
            "actor = \"c\"\nthreshold = 0.5",
            "actor = \"c\"\nthreshold = 5",
        )));
    let st = run(&split, 1);
    assert_eq!(st.get("alignment.a"), Some(-1.0));
    assert_eq!(st.get("alignment.b"), Some(1.0));
    assert_eq!(st.get("cohesion"), Some(0.5));
}

#[test]
fn salience_can_jump_with_the_position() {
    // Every round a jump (prob 1): position +5 (up = 1) → after 8 rounds 10 + 40 = 50, with the
    // extra salience draw not disturbing it. Then an option whose precondition reads the salience
    // shows that salience jumps reach the model.
    let s = scn(r#"
[[crisis.volatility]]
actor = "g"
prob = 1
size = 5
up = 1
salience = 0.1
"#);
    for i in 0..50 {
        let st = simulate(&s, &mut stream(12, i)).unwrap();
        assert_eq!(st.get("position.g.k"), Some(50.0));
        let jumps = st
            .events
            .iter()
            .filter(|e| e.starts_with("jump:g@"))
            .count();
        assert_eq!(jumps, 8);
    }
    let s2 = scn(r#"
[[crisis.volatility]]
actor = "g"
prob = 1
size = 0
salience = 0.5
[[crisis.options]]
id = "x"
name = "X"
propensity = 1
when = "salience.g.k >= 0.99 or salience.g.k <= 0.01"
"#);
    // from 0.5, one ±0.5 jump reaches 0 or 1 in round 1: `x` is taken on day 7 in every run
    for i in 0..20 {
        let st = simulate(&s2, &mut stream(13, i)).unwrap();
        assert_eq!(st.get("option.x.day"), Some(7.0));
    }
}

#[test]
fn an_option_is_carried_out_once_even_if_ordered_and_substituted_in_one_round() {
    // Day 7: `invade` and `alt` are both ordered (propensity 1). The gate turns `invade` into
    // `alt`; the direct `alt` order is carried out; the substitute must not run it again.
    let s = scn(&CHAIN
        .replace(
            "block = 50",
            "block = 50\nsubstitute = 1\nsubstitutes = [\"alt\"]",
        )
        .replace("propensity = 0\navailable = true", "propensity = 1"));
    let st = run(&s, 3);
    assert!(
        has(&st, "substituted:invade->alt@chiefs@day7"),
        "{:?}",
        st.events
    );
    let done = st
        .events
        .iter()
        .filter(|e| e.starts_with("option:alt@"))
        .count();
    assert_eq!(done, 1, "{:?}", st.events);
}

/// Deadline pressure acts once, on the target's concession (docs/crisis.md, "Deadline
/// pressure"; issue 12: it used to multiply the bargaining rate, every option's propensity and
/// the concession as well).
///
/// 1. Bargaining and options do not read it: with rate 0.5 and an option of propensity 0.3, a
///    run with P = 3 from the first day has the same positions and the same order days as a run
///    with P = 0 (every draw is keyed by element, so the runs are comparable draw for draw).
/// 2. Concession reads it once: rate 0, κ = 0.1, Θ = 0.5 from the first day, target g
///    (c = 1, s = 0.5, x = 10), initiator us (c = 4, s = 0.9, x = 90), no allies:
///    ρ = 3.6 / 4.1, and the first week's move is min(1, κ Θ (1 + P) ρ) · 80:
///    P = 0 → 0.0439 · 80 = 3.512; P = 1 → 7.024 — exactly (1 + P) times, not (1 + P)² or more.
#[test]
fn deadline_pressure_acts_once_on_concession() {
    let option = r#"
[[crisis.options]]
id = "noop"
name = "An option that changes nothing"
when = "day >= 0"
propensity = 0.3
threat = 0
"#;
    let event = |p: f64, extra: &str| {
        format!(
            "[[crisis.events]]\nid = \"e\"\nname = \"e\"\ndate = \"2026-01-11\"\neffects = [{{ param = \"pressure\", op = \"add\", value = {p} }}{extra}]\n"
        )
    };
    let bargain = |p: f64| -> Scenario {
        let text = format!(
            "{}\n{option}\n{}",
            BASE.replace("rate = 0.0", "rate = 0.5"),
            event(p, "")
        );
        toml::from_str(&text).unwrap()
    };
    for seed in 1..=5 {
        let calm = run(&bargain(0.0), seed);
        let pressed = run(&bargain(3.0), seed);
        assert_eq!(calm.series["position.g.k"], pressed.series["position.g.k"]);
        assert_eq!(
            calm.series["position.us.k"],
            pressed.series["position.us.k"]
        );
        let orders = |st: &RunState| -> Vec<String> {
            st.events
                .iter()
                .filter(|e| e.starts_with("order:"))
                .cloned()
                .collect()
        };
        assert_eq!(orders(&calm), orders(&pressed), "seed {seed}");
        assert_eq!(pressed.get("pressure"), Some(3.0));
    }
    let coerce = |p: f64| -> Scenario {
        let text = format!(
            "{}\n[crisis.coercion]\nrate = 0.1\n\n{}",
            BASE.replace(
                "issue = \"k\"\n\n[crisis.bargaining]",
                "issue = \"k\"\ntarget = \"g\"\n\n[crisis.bargaining]"
            ),
            event(p, ", { param = \"threat\", op = \"set\", value = 0.5 }")
        );
        toml::from_str(&text).unwrap()
    };
    let first_move = |p: f64| -> f64 {
        let st = run(&coerce(p), 1);
        let g = &st.series["position.g.k"];
        let k = g.iter().position(|x| *x > 10.0).expect("g concedes");
        g[k] - g[k - 1]
    };
    let rho = 3.6 / 4.1;
    let (m0, m1) = (first_move(0.0), first_move(1.0));
    assert!((m0 - 0.1 * 0.5 * rho * 80.0).abs() < 1e-9, "P = 0: {m0}");
    assert!(
        (m1 - 0.1 * 0.5 * 2.0 * rho * 80.0).abs() < 1e-9,
        "P = 1: {m1}"
    );
}

// ---------------------------------------------------------------- issue 12: mechanisms that
// compose. Each test checks the documented formula (docs/crisis.md) and that the cause acts
// once: once per round, never accumulated, never applied twice.

/// BASE with `g` as the target, coercion κ = `kappa` with decay `decay`.
fn coerced(kappa: f64, decay: f64, extra: &str) -> Scenario {
    let text = format!(
        "{}\n[crisis.coercion]\nrate = {kappa}\ndecay = {decay}\n\n{extra}",
        BASE.replace(
            "issue = \"k\"\n\n[crisis.bargaining]",
            "issue = \"k\"\ntarget = \"g\"\n\n[crisis.bargaining]"
        ),
    );
    toml::from_str(&text).unwrap()
}

const COERCE: &str = r#"
[[crisis.options]]
id = "coerce"
name = "Coerce"
propensity = 1
threat = 0.8
"#;

#[test]
fn threat_erodes_once_per_quiet_round() {
    // Round 1 (day 7): the concession step runs first (Θ = 0), then `coerce` is carried out:
    // Θ = 0.8. Round 2 (day 14): the act was in the previous round, so no erosion. Rounds 3-8
    // (days 21 … 56): six quiet rounds, Θ = 0.8·(1 − δ)^6. Erosion twice a round would give
    // 0.8·(1 − δ)^12; erosion in the renewal round 0.8·(1 − δ)^7.
    for delta in [0.25, 0.1] {
        let st = run(&coerced(0.0, delta, COERCE), 1);
        assert!(has(&st, "option:coerce@day7"), "{:?}", st.events);
        let want = 0.8 * (1.0f64 - delta).powi(6);
        let got = st.get("threat").unwrap();
        assert!(
            (got - want).abs() < 1e-12,
            "δ = {delta}: {got} against {want}"
        );
    }
    // δ = 0: the threat never falls by itself (the behaviour before issue 12).
    let st = run(&coerced(0.0, 0.0, COERCE), 1);
    assert_eq!(st.get("threat"), Some(0.8));
}

#[test]
fn eroding_threat_slows_the_concession() {
    // κ = 0.1: the target concedes by κ·Θ·ρ of the gap each round; with erosion it concedes
    // less in total, and the first move (round 2, Θ = 0.8 unchanged) is the same.
    let full = run(&coerced(0.1, 0.0, COERCE), 1);
    let eroded = run(&coerced(0.1, 0.5, COERCE), 1);
    let (a, b) = (&full.series["position.g.k"], &eroded.series["position.g.k"]);
    assert_eq!(a[2], b[2], "round 2 sees the fresh threat in both");
    assert!(
        b[8] < a[8],
        "erosion slows concession: {} vs {}",
        b[8],
        a[8]
    );
}

#[test]
fn resistance_lowers_the_threat_once_and_never_below_zero() {
    // `resist`, ordered by the target, becomes possible once `coerce` is taken (day 7) and is
    // carried out on day 14: Θ = 0.8 − 0.3 = 0.5 for the rest of the run (δ = 0). It is taken
    // once, so it lowers Θ once.
    let resist = |t: f64| {
        format!(
            "{COERCE}\n[[crisis.options]]\nid = \"resist\"\nname = \"Resist\"\nactor = \"g\"\nwhen = \"option.coerce.taken >= 1\"\npropensity = 1\nthreat = {t}\n"
        )
    };
    let st = run(&coerced(0.0, 0.0, &resist(-0.3)), 1);
    assert!(has(&st, "option:resist@day14"), "{:?}", st.events);
    assert!((st.get("threat").unwrap() - 0.5).abs() < 1e-12);
    // A resistance larger than the threat leaves Θ at 0, not negative.
    let st = run(&coerced(0.0, 0.0, &resist(-1.0)), 1);
    assert_eq!(st.get("threat"), Some(0.0));
    // ... and with Θ = 0 the target stops conceding (κ = 0.1): from day 14 its position holds.
    let st = run(&coerced(0.1, 0.0, &resist(-1.0)), 1);
    let g = &st.series["position.g.k"];
    assert!(g[2] > 10.0, "conceded once under Θ = 0.8: {g:?}");
    assert!(g[3..].iter().all(|x| *x == g[2]), "{g:?}");
}

#[test]
fn a_negative_threat_passes_the_range_check() {
    use statecraft_core::scenario::load;
    let text = format!(
        "{}\n[[sources]]\nid = \"assumption\"\ntitle = \"a\"\nkind = \"assumption\"\nreliability = 0.5\n",
        BASE
    );
    let with = |t: &str| {
        format!("{text}\n[[crisis.options]]\nid = \"resist\"\nname = \"Resist\"\npropensity = 0.1\nthreat = {t}\n")
    };
    assert!(load::from_str_auto("t.toml", &with("-0.4")).is_ok());
    let err = format!(
        "{:?}",
        load::from_str_auto("t.toml", &with("-1.5")).unwrap_err()
    );
    assert!(err.contains("threat -1.5"), "{err}");
}

/// `poke`: ordered with propensity 0.3 (× 2 from day 28) every round, blocked every round by
/// a gate with σ(50) ≈ 1, so each round's order is one keyed draw.
const POKE: &str = r#"
[[crisis.gates]]
id = "wall"
name = "Wall"
actor = "g"
block = 50
[[crisis.options]]
id = "poke"
name = "Poke"
propensity = 0.3
gates = ["wall"]
modifiers = [{ when = "day >= 28", factor = 2 }]
"#;

#[test]
fn a_modifier_multiplies_the_propensity_once_while_it_holds() {
    use statecraft_core::rng;
    // Expected orders from the keyed draws themselves (docs/uncertainty.md): the option's
    // order in the round of day d happens iff u(option.poke, d) < p(d), with
    // p(d) = 0.3 before day 28 and 0.3·2 = 0.6 from day 28. Applying the factor twice
    // (p = 1.2) would order every round from day 28; not applying it would give 0.3.
    let mut hit_lo = false;
    let mut hit_mid = false;
    for seed in 1..=40u64 {
        let st = run(&scn(POKE), seed);
        let key = rng::run_key(&mut stream(seed, 0));
        let id = rng::element_id_parts(&["option.", "poke"]);
        let mut want = Vec::new();
        for d in (7..=56).step_by(7) {
            let p = if d >= 28 { 0.6 } else { 0.3 };
            let u = rng::draw(key, id, d as u64, 0);
            if u < p {
                want.push(format!("order:poke@day{d}"));
            }
            // a draw that only the factor turns into an order, and one in [0.6, 1.2) that a
            // double application would order
            hit_lo |= d >= 28 && (0.3..0.6).contains(&u);
            hit_mid |= d >= 28 && u >= 0.6;
        }
        let got: Vec<String> = st
            .events
            .iter()
            .filter(|e| e.starts_with("order:"))
            .cloned()
            .collect();
        assert_eq!(got, want, "seed {seed}");
    }
    assert!(
        hit_lo && hit_mid,
        "the seeds exercise both sides of the factor"
    );
}

#[test]
fn modifiers_multiply_and_an_unresolved_name_is_an_error() {
    // Two modifiers that both hold multiply: 0.3 · 2 · 0.5 = 0.3, the same orders as none.
    let both = POKE.replace(
        "modifiers = [{ when = \"day >= 28\", factor = 2 }]",
        "modifiers = [{ when = \"day >= 0\", factor = 2 }, { when = \"day >= 0\", factor = 0.5 }]",
    );
    let none = POKE.replace("modifiers = [{ when = \"day >= 28\", factor = 2 }]", "");
    for seed in 1..=10 {
        assert_eq!(run(&scn(&both), seed).events, run(&scn(&none), seed).events);
    }
    // factor 0 switches the option off while the predicate holds
    let off = POKE.replace("factor = 2", "factor = 0");
    let st = run(&scn(&off), 3);
    assert!(!st
        .events
        .iter()
        .any(|e| e.starts_with("order:poke@day") && e[14..].parse::<i64>().unwrap() >= 28));
    // an unknown variable in a modifier is a located error of the simulation, not a panic
    let bad = POKE.replace("day >= 28", "position.zz.k >= 28");
    let e = simulate(&scn(&bad), &mut stream(1, 0)).unwrap_err();
    assert!(
        matches!(&e, CrisisError::Unknown { kind: "actor", id, context } if id == "zz" && context.contains("poke")),
        "{e}"
    );
}

/// Allies for spatial alignment: the initiator `us` (90, locked +1), the target `g` (10), `a`
/// (position set by the test, salience 0.8, θ = 0.2) and `b` (no stance, backing the target,
/// θ high). Cohesion over members us, a, b, with capabilities 4, 1, 1.
fn spatial(beta: f64, x_a: f64) -> Scenario {
    let text = format!(
        r#"{}
[[stances]]
actor = "a"
issue = "k"
position = {x_a}
salience = 0.8

[[crisis.allies]]
actor = "us"
alignment = 1
threshold = 1
lock = 1

[[crisis.allies]]
actor = "a"
threshold = 0.2

[[crisis.allies]]
actor = "b"
alignment = -1
threshold = 5

[crisis.alliance]
name = "NATO"
group = "NATO"
position_weight = {beta}
"#,
        BASE.replace(
            "issue = \"k\"\n\n[crisis.bargaining]",
            "issue = \"k\"\ntarget = \"g\"\n\n[crisis.bargaining]"
        )
    );
    toml::from_str(&text).unwrap()
}

#[test]
fn an_allys_position_reaches_the_cascade_through_spatial_alignment() {
    // Pull on a = β·s_a·(|x_a − x_T| − |x_a − x_I|)/100 with x_I = 90, x_T = 10, s_a = 0.8.
    // x_a = 80, β = 1: 0.8·(70 − 10)/100 = 0.48 ≥ θ = 0.2 → +1 at round 0;
    // cohesion = 1 − 2·min(5, 1)/6 = 2/3.
    let st = run(&spatial(1.0, 80.0), 1);
    assert_eq!(st.get("alignment.a"), Some(1.0));
    assert_eq!(st.get("alignment.a.plus_day"), Some(0.0));
    assert!(has(&st, "tipped:lean->a"), "{:?}", st.events);
    assert!((st.get("cohesion").unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // x_a = 20: 0.8·(10 − 70)/100 = −0.48 → −1; cohesion = 1 − 2·min(4, 2)/6 = 1/3.
    let st = run(&spatial(1.0, 20.0), 1);
    assert_eq!(st.get("alignment.a"), Some(-1.0));
    assert!((st.get("cohesion").unwrap() - 1.0 / 3.0).abs() < 1e-12);
    // β = 0: positions do not reach the cascade; a stays neutral wherever it stands.
    for x in [20.0, 80.0] {
        let st = run(&spatial(0.0, x), 1);
        assert_eq!(st.get("alignment.a"), Some(0.0), "x_a = {x}");
        assert!((st.get("cohesion").unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }
}

#[test]
fn the_spatial_pull_is_not_accumulated_over_rounds() {
    // x_a = 60, β = 0.5: pull = 0.5·0.8·(50 − 30)/100 = 0.08 < θ = 0.2 every round. Were it
    // added up round after round it would pass θ in round 3; it is recomputed, so a holds.
    let st = run(&spatial(0.5, 60.0), 1);
    assert_eq!(st.get("alignment.a"), Some(0.0));
    assert!(st.series["alignment.a"].iter().all(|x| *x == 0.0));
    // β = 2: pull = 0.32 ≥ 0.2 → +1 (the same ally, the same place: only β differs).
    let st = run(&spatial(2.0, 60.0), 1);
    assert_eq!(st.get("alignment.a"), Some(1.0));
}

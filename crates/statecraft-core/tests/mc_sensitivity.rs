//! Known-answer test for the Sobol estimators (Ishigami function) and checks of the tornado and
//! pivotality on a toy scenario.

use statecraft_core::mc::{toy, McConfig};
use statecraft_core::scenario::Scenario;
use statecraft_core::sensitivity::{self, Target};
use std::f64::consts::PI;

/// Ishigami & Homma (1990), "An importance quantification technique in uncertainty analysis for
/// computer models", Proc. ISUMA '90, 398–403. Analytic indices for a = 7, b = 0.1 (Ishigami &
/// Homma 1990; Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*, Wiley):
/// S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
/// `published_values_follow_from_closed_forms` re-derives them.
fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

#[test]
fn published_values_follow_from_closed_forms() {
    // V1 = ½(1 + bπ⁴/5)², V2 = a²/8, V13 = b²π⁸(1/18 − 1/50), V = V1 + V2 + V13.
    let (a, b) = (7.0_f64, 0.1_f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    assert!((v - 13.8446).abs() < 1e-4);
    assert!((v1 / v - 0.3139).abs() < 1e-4);
    assert!((v2 / v - 0.4424).abs() < 1e-4);
    assert!(((v1 + v13) / v - 0.5576).abs() < 1e-4);
    assert!((v13 / v - 0.2437).abs() < 1e-4);
}

#[test]
fn ishigami_known_answer() {
    let g = |_: u64, u: &[f64]| -> Result<f64, String> {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        Ok(ishigami(&x))
    };
    let e = sensitivity::sobol_indices(3, 1 << 15, 2026, 100, false, g).unwrap();
    let (v, est) = (e.variance, e.indices);
    // Total variance: a²/8 + b·π⁴/5 + b²·π⁸/18 + 1/2 = 13.8446 (Saltelli et al. 2008).
    assert!((v - 13.8446).abs() < 0.3, "V = {v}");
    let s1 = [0.3139, 0.4424, 0.0];
    let st = [0.5576, 0.4424, 0.2437];
    for i in 0..3 {
        let (f, t) = est[i];
        eprintln!(
            "x{}: S1 = {:.4} [{:.4}, {:.4}] (exact {}), ST = {:.4} [{:.4}, {:.4}] (exact {})",
            i + 1,
            f.value,
            f.lo,
            f.hi,
            s1[i],
            t.value,
            t.lo,
            t.hi,
            st[i]
        );
        assert!((f.value - s1[i]).abs() < 0.02, "S1[{i}] = {}", f.value);
        assert!((t.value - st[i]).abs() < 0.02, "ST[{i}] = {}", t.value);
        // The bootstrap intervals cover the exact values.
        assert!(f.lo - 0.005 <= s1[i] && s1[i] <= f.hi + 0.005, "{f:?}");
        assert!(t.lo - 0.005 <= st[i] && st[i] <= t.hi + 0.005, "{t:?}");
    }
}

const SCN: &str = r#"
[scenario]
id = "toy"
title = "Toy"

[[actors]]
id = "big"
name = "Big"
capability = 100

[[actors]]
id = "small"
name = "Small"
capability = 5

[[actors]]
id = "mid"
name = "Mid"
capability = 40

[[issues]]
id = "x"
name = "X"
min = 0
max = 100

[[stances]]
actor = "big"
issue = "x"
position = { dist = "uniform", min = 20, max = 80 }
salience = 0.9

[[stances]]
actor = "small"
issue = "x"
position = { dist = "uniform", min = 0, max = 100 }
salience = 0.5

[[stances]]
actor = "mid"
issue = "x"
position = { value = 50, confidence = 0.5 }
salience = 0.8

[[outcomes]]
id = "high"
name = "High"
when = "issue.x.mean >= 50"
"#;

fn scn() -> Scenario {
    toml::from_str(SCN).unwrap()
}

#[test]
fn sobol_on_scenario_ranks_the_heavyweight_first() {
    let s = scn();
    let cfg = McConfig {
        seed: 11,
        ..Default::default()
    };
    let r = sensitivity::sobol(
        &s,
        &cfg,
        &Target::Var("issue.x.mean".into()),
        2048,
        50,
        toy::compromise10,
    )
    .unwrap();
    assert_eq!(r.indices.len(), 3);
    assert_eq!(r.evaluations, 2048 * (2 * 3 + 4)); // N·(2k + 4): A, B and 3 × A_B^(i), on two streams each
    let by = |p: &str| r.indices.iter().find(|i| i.input == p).unwrap();
    let big = by("stance.big.x.position");
    let small = by("stance.small.x.position");
    assert!(big.total.value > small.total.value * 5.0, "{r:?}");
    // Weighted mean is (nearly) additive in positions: S1 ≈ ST.
    assert!((big.first.value - big.total.value).abs() < 0.05);
    // Same answer with a probability target is also ordered.
    let p = sensitivity::sobol(
        &s,
        &cfg,
        &Target::Outcome("high".into()),
        1024,
        20,
        toy::compromise10,
    )
    .unwrap();
    let big = p
        .indices
        .iter()
        .find(|i| i.input == "stance.big.x.position")
        .unwrap();
    let small = p
        .indices
        .iter()
        .find(|i| i.input == "stance.small.x.position")
        .unwrap();
    assert!(big.total.value > small.total.value);
    assert!(sensitivity::sobol(
        &s,
        &cfg,
        &Target::Outcome("nope".into()),
        16,
        0,
        toy::compromise10
    )
    .is_err());
}

#[test]
fn tornado_orders_by_swing() {
    let s = scn();
    let cfg = McConfig {
        runs: 20,
        seed: 3,
        ..Default::default()
    };
    let t = sensitivity::tornado(
        &s,
        &cfg,
        &Target::Var("issue.x.mean".into()),
        toy::compromise10,
    )
    .unwrap();
    assert_eq!(t.bars.len(), 3);
    assert_eq!(t.bars[0].input, "stance.big.x.position");
    assert!(t.bars.windows(2).all(|w| w[0].swing >= w[1].swing));
    let b = &t.bars[0];
    // Uniform(20, 80): 5th and 95th percentiles are 23 and 77.
    assert!((b.low_value - 23.0).abs() < 1e-9 && (b.high_value - 77.0).abs() < 1e-9);
    assert!(b.y_high > t.y_nominal && t.y_nominal > b.y_low);
}

/// The adaptive ranking doubles its runs until the top ranks are settled, and its last pass is
/// exactly the fixed analysis at that run count (same seed, same runs).
#[test]
fn adaptive_pivotality_doubles_until_settled() {
    let s = scn();
    let cfg = McConfig {
        runs: 1,
        seed: 5,
        ..Default::default()
    };
    let rule = sensitivity::PivotRule {
        start: 4,
        cap: 512,
        top: 3,
    };
    let r = sensitivity::pivotality_adaptive(&s, &cfg, toy::compromise10, rule).unwrap();
    assert_eq!(r.passes[0], 4);
    assert!(r.passes.windows(2).all(|w| w[1] == 2 * w[0] || w[1] == 512));
    assert_eq!(*r.passes.last().unwrap(), r.runs);
    assert_eq!(r.settled, sensitivity::pivots_settled(&r.pivots, 3));
    assert!(r.settled || r.runs == 512, "{:?}", r.passes);
    let fixed = sensitivity::pivotality(
        &s,
        &McConfig {
            runs: r.runs,
            ..cfg.clone()
        },
        toy::compromise10,
    )
    .unwrap();
    assert_eq!(fixed, r.pivots);
    // a one-pass rule stops at once, settled or not
    let once = sensitivity::PivotRule {
        start: 4,
        cap: 4,
        top: 3,
    };
    let r1 = sensitivity::pivotality_adaptive(&s, &cfg, toy::compromise10, once).unwrap();
    assert_eq!(r1.passes, vec![4]);
}

#[test]
fn pivotality_ranks_the_heavyweight_first() {
    let s = scn();
    let cfg = McConfig {
        runs: 400,
        seed: 5,
        ..Default::default()
    };
    let p = sensitivity::pivotality(&s, &cfg, toy::compromise10).unwrap();
    assert_eq!(p.len(), 3);
    assert_eq!(p[0].actor, "big");
    assert_eq!(p[2].actor, "small");
    assert!(p
        .windows(2)
        .all(|w| w[0].max_abs_delta >= w[1].max_abs_delta));
    let big_max = p[0].variants.iter().find(|v| v.variant == "max").unwrap();
    assert!(big_max.deltas[0].delta > 0.2);
    let big_min = p[0].variants.iter().find(|v| v.variant == "min").unwrap();
    assert!(big_min.deltas[0].delta < -0.2);
    for v in &p[0].variants {
        for d in &v.deltas {
            assert!(d.lo <= d.delta && d.delta <= d.hi);
        }
    }
}

#[test]
fn analyses_are_thread_count_independent() {
    let s = scn();
    let cfg = McConfig {
        runs: 50,
        seed: 8,
        ..Default::default()
    };
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let high = Target::resolve(&s, "high");
    assert_eq!(high, Target::Outcome("high".into()));
    let mean = Target::resolve(&s, "issue.x.mean");
    assert_eq!(mean, Target::Var("issue.x.mean".into()));
    let all = || {
        (
            sensitivity::sobol(&s, &cfg, &high, 128, 20, toy::compromise10).unwrap(),
            sensitivity::tornado(&s, &cfg, &mean, toy::compromise10).unwrap(),
            sensitivity::pivotality(&s, &cfg, toy::compromise10).unwrap(),
        )
    };
    let a1 = pool(1).install(all);
    let a2 = pool(2).install(all);
    assert_eq!(a1, a2);
    let json = serde_json::to_value(&a1.0).unwrap();
    assert!(json["indices"].is_array());
}

/// Ishigami plus independent noise: Y = f(X) + σ·ε(ω), ε ~ N(0, 1) from the in-run stream ω.
/// E[Y | X] = f(X), so the indices of the expected output are Ishigami's (S1 = 0.3139, 0.4424,
/// 0; ST = 0.5576, 0.4424, 0.2437), whatever σ.
fn noisy_ishigami(sigma: f64) -> impl Fn(u64, &[f64]) -> Result<f64, String> + Sync {
    move |stream: u64, u: &[f64]| {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        let mut r = statecraft_core::rng::stream(777, stream);
        let e = statecraft_core::sample::norm_ppf(rand::Rng::gen::<f64>(&mut r).max(1e-300));
        Ok(ishigami(&x) + sigma * e)
    }
}

#[test]
fn stochastic_ishigami_gives_the_indices_of_the_expectation() {
    let e = sensitivity::sobol_indices(3, 1 << 15, 7, 100, true, noisy_ishigami(2.0)).unwrap();
    let s1 = [0.3139, 0.4424, 0.0];
    let st = [0.5576, 0.4424, 0.2437];
    // Var E[Y|X] = Var f = 13.8446 (the noise variance 4 is not in it)
    assert!((e.variance - 13.8446).abs() < 0.4, "V = {}", e.variance);
    for i in 0..3 {
        let (f, t) = e.indices[i];
        eprintln!(
            "x{}: S1 {:.4} [{:.4}, {:.4}]  ST {:.4} [{:.4}, {:.4}]",
            i + 1,
            f.value,
            f.lo,
            f.hi,
            t.value,
            t.lo,
            t.hi
        );
        assert!((f.value - s1[i]).abs() < 0.02, "S1[{i}] = {}", f.value);
        assert!((t.value - st[i]).abs() < 0.02, "ST[{i}] = {}", t.value);
    }
    assert!(e.sum_first.lo <= 1.0);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);
    // The deterministic estimator on the same outputs divides by Var Y = 13.84 + 4: every index
    // shrinks by ≈ 0.78 (S1 of x2 ≈ 0.34), so this test would catch a noise-blind estimator.
    let mut d = e.design.clone();
    d.fa2.clear();
    d.fb2.clear();
    d.fab2.clear();
    let rows: Vec<usize> = (0..d.fa.len()).collect();
    let (_, s1_blind, _) = sensitivity::estimate(&d, &rows);
    assert!((s1_blind[1] - 0.4424).abs() > 0.05, "{s1_blind:?}");
}

/// A Bernoulli simulator, the shape of a crisis outcome: Y = 1[U(ω) < p(X)] with one uniform U
/// from the in-run stream and p = 0.05 + 0.5 u₀ + 0.3 u₁ + 0.1 u₂. E[Y | X] = p is additive, so
/// S1 = ST = c_i² / Σc² = (0.7143, 0.2571, 0.0286) (Var p = 0.35/12). One shared stream makes
/// (Y(A) − Y(A_B^(i)))² = 1[U between p(A) and p(A_B^(i))], whose mean is E|Δp| = c_i/3, not E[Δp²]:
/// Jansen's single-stream ST for u₀ would be (0.5/6)/(0.35/12) = 2.86. The two-stream estimator
/// must recover the true indices.
#[test]
fn bernoulli_simulator_gets_unbiased_total_indices() {
    let c = [0.5, 0.3, 0.1];
    let g = move |stream: u64, u: &[f64]| -> Result<f64, String> {
        let mut r = statecraft_core::rng::stream(9, stream);
        let noise: f64 = rand::Rng::gen(&mut r);
        let p = 0.05 + c[0] * u[0] + c[1] * u[1] + c[2] * u[2];
        Ok(f64::from(u8::from(noise < p)))
    };
    let e = sensitivity::sobol_indices(3, 1 << 18, 4, 100, true, g).unwrap();
    let sum: f64 = c.iter().map(|x| x * x).sum();
    for (i, ci) in c.iter().enumerate() {
        let exact = ci * ci / sum;
        let (f, t) = e.indices[i];
        eprintln!(
            "u{i}: exact {exact:.4}  S1 {:.4} [{:.4}, {:.4}]  ST {:.4} [{:.4}, {:.4}]",
            f.value, f.lo, f.hi, t.value, t.lo, t.hi
        );
        assert!((f.value - exact).abs() < 0.02, "S1[{i}] = {}", f.value);
        assert!((t.value - exact).abs() < 0.02, "ST[{i}] = {}", t.value);
        assert!(
            t.lo - 0.005 <= exact && exact <= t.hi + 0.005,
            "ST[{i}] interval"
        );
    }
    assert!(
        (e.variance - 0.35 / 12.0).abs() < 0.002,
        "V = {}",
        e.variance
    );
    assert!(
        e.sum_first.lo <= 1.0 && e.sum_first.value < 1.05,
        "{:?}",
        e.sum_first
    );
    // The single-stream Jansen numerator on the same outputs reads the noise as an effect.
    let d = &e.design;
    let n = d.fa.len() as f64;
    let jansen: f64 =
        d.fa.iter()
            .zip(&d.fab[0])
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / (2.0 * n);
    assert!(
        jansen / e.variance > 1.5,
        "single-stream ST(u0) = {}",
        jansen / e.variance
    );
}

/// Inputs that change nothing get S1 = ST = 0 exactly on a stochastic model, because A and
/// A_B^(i) share the in-run stream (the issue's "total index 0, first-order 0.114" case).
#[test]
fn inert_inputs_of_a_stochastic_model_get_zero() {
    let g = |stream: u64, u: &[f64]| -> Result<f64, String> {
        let mut r = statecraft_core::rng::stream(5, stream);
        let noise: f64 = rand::Rng::gen(&mut r);
        Ok(f64::from(u8::from(noise < 0.2 + 0.6 * u[0])))
    };
    let e = sensitivity::sobol_indices(3, 4096, 3, 50, true, g).unwrap();
    for i in 1..3 {
        assert_eq!(e.indices[i].1.value, 0.0, "ST of inert input {i}");
        assert!(
            e.indices[i].0.value.abs() < 0.03,
            "S1 of inert input {i}: {}",
            e.indices[i].0.value
        );
    }
    // E[Y|X] = 0.2 + 0.6 u0 depends on u0 alone: S1 = ST = 1 for it
    assert!(
        (e.indices[0].0.value - 1.0).abs() < 0.15,
        "{:?}",
        e.indices[0]
    );
    assert!(e.sum_first.lo <= 1.0, "{:?}", e.sum_first);
}

/// Writes the design and outputs of the stochastic Ishigami study, plus the indices statecraft
/// computes from them with SALib's estimators (Saltelli 2010 S1, Jansen ST, Var over A ∪ B), to
/// `target/salib/sobol_design.json` for `tests/python/salib_check.py` (run by scripts/test.sh),
/// which recomputes them with SALib 1.6.0's `sobol.analyze(calc_second_order=False)`.
/// Writes `design` in SALib's row order without second-order terms (A, A_B^(1..k), B for each
/// base row) to `target/salib/<file>`, with statecraft's single-stream estimates on the raw and
/// on the standardised outputs (SALib standardises Y; the same estimators on standardised
/// outputs must agree with it to rounding) and, for a grouped design, SALib's `groups` key.
/// Returns the raw S1 estimates.
fn write_salib_design(
    file: &str,
    source: &str,
    design: &sensitivity::Design,
    groups: Option<&[&str]>,
) -> Vec<f64> {
    let d = design;
    let n = d.fa.len();
    let mut y = Vec::with_capacity(n * (d.fab.len() + 2));
    for j in 0..n {
        y.push(d.fa[j]);
        for fab in &d.fab {
            y.push(fab[j]);
        }
        y.push(d.fb[j]);
    }
    let mut det = d.clone();
    det.fa2.clear();
    det.fb2.clear();
    det.fab2.clear();
    let rows: Vec<usize> = (0..n).collect();
    let (v, s1, st) = sensitivity::estimate(&det, &rows);
    let m = y.iter().sum::<f64>() / y.len() as f64;
    let sd = (y.iter().map(|x| (x - m).powi(2)).sum::<f64>() / y.len() as f64).sqrt();
    let z = |x: &f64| (x - m) / sd;
    let mut std_d = det.clone();
    std_d.fa = det.fa.iter().map(z).collect();
    std_d.fb = det.fb.iter().map(z).collect();
    std_d.fab = det.fab.iter().map(|c| c.iter().map(z).collect()).collect();
    let (_, s1z, stz) = sensitivity::estimate(&std_d, &rows);
    let mut out = serde_json::json!({
        "source": source,
        "k": 3, "n": n, "Y": y,
        "statecraft": {"variance": v, "S1": s1, "ST": st},
        "statecraft_standardised": {"S1": s1z, "ST": stz},
    });
    if let Some(g) = groups {
        out["groups"] = serde_json::json!(g);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/salib");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), out.to_string()).unwrap();
    s1
}

#[test]
fn salib_export() {
    let e = sensitivity::sobol_indices(3, 4096, 11, 0, true, noisy_ishigami(1.0)).unwrap();
    let s1 = write_salib_design(
        "sobol_design.json",
        "crates/statecraft-core/tests/mc_sensitivity.rs::salib_export",
        &e.design,
        None,
    );
    // the same figures within sampling error of Ishigami's (noise σ = 1: Var Y = 14.84)
    assert!((s1[1] - 0.4424 * 13.8446 / 14.8446).abs() < 0.04, "{s1:?}");
}

/// Nested Monte Carlo, known answer: the run is a coin with P(high) = (x − 20)/60 where x, Big's
/// position, is U(20, 80); so P(high | inputs) ~ U(0, 1): overall 0.5, 5–95% band ≈ [0.05, 0.95]
/// (widened slightly by the inner binomial noise), input sd 1/√12 = 0.2887.
#[test]
fn nested_separates_input_and_in_run_uncertainty() {
    let s = scn();
    let cfg = McConfig {
        seed: 4,
        ..Default::default()
    };
    let f = |s: &Scenario,
             r: &mut statecraft_core::rng::Rng|
     -> Result<statecraft_core::state::RunState, String> {
        let x = s.stances[0].position.value;
        let mut st = statecraft_core::state::RunState::default();
        let hit = rand::Rng::gen::<f64>(r) < (x - 20.0) / 60.0;
        st.set("issue.x.mean", if hit { 100.0 } else { 0.0 });
        Ok(st)
    };
    let r = statecraft_core::mc::nested(&s, &cfg, 400, 100, f).unwrap();
    let o = &r.outcomes[0];
    eprintln!("{o:?}");
    assert!((o.p - 0.5).abs() < 0.04, "{o:?}");
    assert!(o.lo < o.p && o.p < o.hi && o.hi - o.lo < 0.08, "{o:?}");
    assert!(
        (o.band_lo - 0.05).abs() < 0.05 && (o.band_hi - 0.95).abs() < 0.05,
        "{o:?}"
    );
    assert!((o.input_sd - 0.2887).abs() < 0.02, "{o:?}");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(
        one.install(|| statecraft_core::mc::nested(&s, &cfg, 400, 100, f).unwrap()),
        r
    );
    assert!(statecraft_core::mc::nested(&s, &cfg, 1, 100, f).is_err());
}

/// Grouped Sobol on the noisy Ishigami function, groups {x1, x3} and {x2}. The closed indices of
/// a group are known from Ishigami's variance decomposition (Ishigami & Homma 1990; the terms
/// V1 = 4.3459, V2 = 6.1250, V13 = 3.3737, V = 13.8446, as in the ungrouped test above):
/// S_{13} = (V1 + V3 + V13)/V = 0.5576 = ST_{13} (x2 interacts with nothing), S_2 = ST_2 = 0.4424.
/// Rows draw the same uniforms as the ungrouped design, so the grouped A and B match it.
#[test]
fn grouped_ishigami_gives_the_closed_indices_of_each_group() {
    let groups = vec![vec![0, 2], vec![1]];
    let e =
        sensitivity::sobol_indices_grouped(3, &groups, 1 << 15, 7, 100, true, noisy_ishigami(2.0))
            .unwrap();
    assert_eq!(e.indices.len(), 2);
    let exact = [0.5576, 0.4424];
    for (g, want) in exact.iter().enumerate() {
        let (f, t) = e.indices[g];
        eprintln!(
            "group {g}: S1 {:.4} [{:.4}, {:.4}]  ST {:.4} [{:.4}, {:.4}]",
            f.value, f.lo, f.hi, t.value, t.lo, t.hi
        );
        assert!((f.value - want).abs() < 0.02, "S1[{g}] = {}", f.value);
        assert!((t.value - want).abs() < 0.02, "ST[{g}] = {}", t.value);
    }
    // the group's closed index is not the sum of its members' first-order indices (0.3139 + 0):
    // the x1·x3 interaction is inside the group
    assert!(e.indices[0].0.value > 0.3139 + 0.15);
    assert!((e.variance - 13.8446).abs() < 0.4, "V = {}", e.variance);
    let ungrouped =
        sensitivity::sobol_indices(3, 1 << 15, 7, 0, true, noisy_ishigami(2.0)).unwrap();
    assert_eq!(
        ungrouped.design.a, e.design.a,
        "same A rows as the ungrouped design"
    );
    assert_eq!(ungrouped.design.fa, e.design.fa);
    // overlapping or out-of-range groups are refused
    assert!(sensitivity::sobol_indices_grouped(
        3,
        &[vec![0, 1], vec![1]],
        8,
        1,
        0,
        true,
        noisy_ishigami(1.0)
    )
    .is_err());
    assert!(
        sensitivity::sobol_indices_grouped(3, &[vec![3]], 8, 1, 0, true, noisy_ishigami(1.0))
            .is_err()
    );
    assert!(
        sensitivity::sobol_indices_grouped(3, &[vec![]], 8, 1, 0, true, noisy_ishigami(1.0))
            .is_err()
    );
}

/// A linear model in 6 uniforms, Y = Σ c_i (u_i − ½), grouped {u0, u1}, {u2}, {u3, u4, u5}:
/// additive, so a group's index is Σ_{i∈g} c_i² / Σ c_i² (each u_i has variance 1/12), S1 = ST.
/// (Centred: the Saltelli 2010 S1 estimator's variance grows with E[Y]², which is why SALib
/// standardises Y.)
#[test]
fn grouped_linear_model_sums_its_members_variances() {
    let c = [3.0, 1.0, 2.0, 0.5, 0.5, 0.0];
    let f = move |_: u64, u: &[f64]| -> Result<f64, String> {
        Ok(u.iter().zip(c.iter()).map(|(x, w)| w * (x - 0.5)).sum())
    };
    let groups = vec![vec![0, 1], vec![2], vec![3, 4, 5]];
    let e = sensitivity::sobol_indices_grouped(6, &groups, 1 << 14, 3, 0, false, f).unwrap();
    let total: f64 = c.iter().map(|x| x * x).sum();
    for (g, members) in groups.iter().enumerate() {
        let want: f64 = members.iter().map(|&i| c[i] * c[i]).sum::<f64>() / total;
        let (s1, st) = e.indices[g];
        assert!(
            (s1.value - want).abs() < 0.02,
            "S1[{g}] = {} want {want}",
            s1.value
        );
        assert!(
            (st.value - want).abs() < 0.02,
            "ST[{g}] = {} want {want}",
            st.value
        );
    }
}

#[test]
fn sobol_group_rules_parse_and_resolve() {
    use sensitivity::{input_kind, pattern_matches, SobolGroups};
    assert_eq!(input_kind("actor.us.capability"), "actor.*.capability");
    assert_eq!(
        input_kind("stance.dk.mil_rights.salience"),
        "stance.*.mil_rights.salience"
    );
    assert_eq!(
        input_kind("crisis.option.invasion.propensity"),
        "crisis.option.*.propensity"
    );
    assert_eq!(
        input_kind("crisis.influence.jcs.us.weight"),
        "crisis.influence.*.*.weight"
    );
    assert_eq!(
        input_kind("crisis.event.x.effect.0.value"),
        "crisis.event.*.effect.*.value"
    );
    assert_eq!(input_kind("crisis.coercion.rate"), "crisis.coercion.rate");
    assert_eq!(input_kind("params.deal"), "params.deal");
    assert!(pattern_matches(
        "crisis.option",
        "crisis.option.invasion.propensity"
    ));
    assert!(pattern_matches(
        "crisis.option.*.propensity",
        "crisis.option.invasion.propensity"
    ));
    assert!(!pattern_matches(
        "crisis.option.*.legality",
        "crisis.option.invasion.propensity"
    ));
    assert!(!pattern_matches(
        "crisis.option.invasion.propensity.x",
        "crisis.option.invasion.propensity"
    ));

    let paths: Vec<String> = [
        "actor.us.capability",
        "actor.dk.capability",
        "crisis.option.invasion.propensity",
        "crisis.option.deal.propensity",
        "crisis.coercion.rate",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let kind = SobolGroups::Kind.resolve(&paths).unwrap();
    assert_eq!(
        kind,
        vec![
            ("actor.*.capability".to_string(), vec![0, 1]),
            ("crisis.option.*.propensity".to_string(), vec![2, 3]),
            ("crisis.coercion.rate".to_string(), vec![4]),
        ]
    );
    let named = SobolGroups::parse("caps=actor.*.capability; options=crisis.option").unwrap();
    assert_eq!(
        named.describe(),
        "caps=actor.*.capability; options=crisis.option"
    );
    let r = named.resolve(&paths).unwrap();
    assert_eq!(r[0], ("caps".to_string(), vec![0, 1]));
    assert_eq!(r[1], ("options".to_string(), vec![2, 3]));
    assert_eq!(r[2], ("(rest)".to_string(), vec![4]));
    // a pattern that matches nothing is an error with a suggestion
    let err = SobolGroups::parse("x=crisis.optoin")
        .unwrap()
        .resolve(&paths)
        .unwrap_err();
    assert!(err.contains("matches no uncertain input"), "{err}");
    // overlapping groups are an error
    let err = SobolGroups::parse("a=actor;b=actor.us")
        .unwrap()
        .resolve(&paths)
        .unwrap_err();
    assert!(err.contains("must not overlap"), "{err}");
    for bad in ["", "nonsense", "a=", "=x", "a=x;a=y", "(rest)=actor"] {
        assert!(SobolGroups::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert_eq!(SobolGroups::parse("inputs").unwrap(), SobolGroups::Inputs);
    assert_eq!(SobolGroups::parse(" kind ").unwrap(), SobolGroups::Kind);
}

/// The grouped design in SALib's layout, for `tests/python/salib_check.py` (SALib's `groups`
/// problem key): groups {x1, x3}, {x2} of the noisy Ishigami function.
#[test]
fn salib_export_groups() {
    let groups = vec![vec![0, 2], vec![1]];
    let e = sensitivity::sobol_indices_grouped(3, &groups, 4096, 11, 0, true, noisy_ishigami(1.0))
        .unwrap();
    let s1 = write_salib_design(
        "sobol_design_groups.json",
        "crates/statecraft-core/tests/mc_sensitivity.rs::salib_export_groups",
        &e.design,
        Some(&["g13", "g2", "g13"]),
    );
    // the {x1, x3} group's closed index, 0.5576 of Var f (13.8446; Var Y = 14.8446 with σ = 1)
    assert!((s1[0] - 0.5576 * 13.8446 / 14.8446).abs() < 0.04, "{s1:?}");
}

//! The built-in Greenland scenario's reference classes (docs/evidence.md §3.1): the numbers that
//! name a class carry exactly the published counts, and the number the sampler draws has the
//! class's Jeffreys posterior mean, so a typo in a count (or a priors file or a stray `value`
//! reaching a referenced number) fails here.

use statecraft_core::sample::{effective_dist, quantile, Sampler};
use statecraft_core::scenario::load::{builtin_files, from_toml_str_with};
use statecraft_core::scenario::{Dist, Domain};
use statecraft_core::scenario::{Num, Scenario};

const TEXT: &str = include_str!("../../../scenarios/greenland-2026.toml");

/// The scenario as `statecraft` loads it: its `use = "priors/ledger.toml"` resolved from the
/// built-in files, the evidence rule applied.
fn greenland() -> Scenario {
    from_toml_str_with(TEXT, &builtin_files).unwrap()
}

/// One expected class: the number's path, `events` k, `exposure` n, unit, and where the count
/// comes from (docs/evidence.md §3.1 has the derivation).
struct Class {
    path: &'static str,
    k: f64,
    n: f64,
    unit: &'static str,
    /// Unit length in days (None: trials).
    days: Option<f64>,
}

const CLASSES: &[Class] = &[
    // Self-Government Act in force 2009-06-21 (facts sheet §1.6) to as_of 2026-01-11:
    // 6,048 days = 864 weeks, no §21 independence negotiation opened (facts sheet §2.3).
    Class {
        path: "crisis.option.independence_talks.propensity",
        k: 0.0,
        n: 864.0,
        unit: "crisis-weeks",
        days: Some(7.0),
    },
];

/// The Jeffreys posterior mean of the per-round probability, written out independently of the
/// library: (k + ½)/(n + 1) per trial; `1 − (n/(n + t))^(k + ½)` for a Poisson rate with
/// `t = round_days / unit_days` units per round.
fn posterior_mean(c: &Class, round_days: f64) -> f64 {
    match c.days {
        None => (c.k + 0.5) / (c.n + 1.0),
        Some(d) => {
            let t = round_days / d;
            1.0 - (c.n / (c.n + t)).powf(c.k + 0.5)
        }
    }
}

fn num_at(s: &Scenario, path: &str) -> Num {
    let mut found = None;
    let mut s = s.clone();
    s.visit_nums_mut(&mut |p, n| {
        if p == path {
            found = Some(n.clone());
        }
    });
    found.unwrap_or_else(|| panic!("no number at {path}"))
}

#[test]
fn greenland_reference_classes_carry_the_published_counts() {
    let s = greenland();
    let round_days = s.scenario.round_days.unwrap() as f64;
    assert_eq!(round_days, 7.0);
    let mut referenced = Vec::new();
    let mut all = s.clone();
    all.visit_nums_mut(&mut |p, n| {
        if n.reference.is_some() {
            referenced.push(p.to_string());
        }
    });
    let want: Vec<&str> = CLASSES.iter().map(|c| c.path).collect();
    assert_eq!(referenced, want, "the numbers that carry a reference class");
    for c in CLASSES {
        let n = num_at(&s, c.path);
        let r = n.reference.clone().unwrap();
        assert_eq!(
            (r.events, r.exposure, r.unit.as_str()),
            (c.k, c.n, c.unit),
            "{}",
            c.path
        );
        assert!(n.dist.is_none() && n.confidence.is_none() && n.fixed.is_none());
        assert_eq!(r.round_days, Some(round_days), "{}", c.path);
        // The posterior the sampler draws from, with the class's own parameters.
        let d = effective_dist(&n, 1.0, 0.0, Domain::UNIT).unwrap();
        let want_dist = match c.days {
            None => Dist::Beta {
                a: c.k + 0.5,
                b: c.n - c.k + 0.5,
            },
            Some(days) => Dist::GammaRate {
                shape: c.k + 0.5,
                rate: c.n,
                units_per_round: round_days / days,
            },
        };
        assert_eq!(d, want_dist, "{}", c.path);
        // Its mean, and the number's nominal value, equal the class's posterior mean.
        let m = posterior_mean(c, round_days);
        assert!((r.posterior_mean().unwrap() - m).abs() < 1e-9, "{}", c.path);
        assert!((n.value - m).abs() < 1e-9, "{}: {} vs {m}", c.path, n.value);
    }
}

/// The mean of what the sampler actually draws — the quantile function it applies to a uniform,
/// integrated over (0, 1) — is the posterior mean. Gauss–Legendre on u = 1 − (1 − v)² and
/// u = v² halves, so the integrand is smooth at both ends.
#[test]
fn greenland_referenced_numbers_are_sampled_with_the_class_mean() {
    let s = greenland();
    let sampler = Sampler::new(&s, 0.0);
    for c in CLASSES {
        let input = sampler
            .inputs
            .iter()
            .find(|i| i.path == c.path)
            .unwrap_or_else(|| panic!("{} is not sampled", c.path));
        let m = posterior_mean(c, 7.0);
        assert!((input.nominal - m).abs() < 1e-9, "{}", c.path);
        // Midpoint rule on a substitution that concentrates points at both ends.
        let n = 200_000;
        let mut sum = 0.0;
        for i in 0..n {
            let v = (i as f64 + 0.5) / n as f64;
            // u = v² (3 − 2v): du = 6 v (1 − v) dv, zero at both ends.
            let u = v * v * (3.0 - 2.0 * v);
            let w = 6.0 * v * (1.0 - v) / n as f64;
            sum += w * input.value_at(u);
        }
        let rel = (sum - m).abs() / m;
        assert!(rel < 1e-4, "{}: quadrature mean {sum} vs {m}", c.path);
        // The quantile at the median lies below the mean (right-skewed posterior).
        assert!(quantile(&input.dist, 0.5) < m);
    }
}

/// Capabilities on one scale (docs/evidence.md §5): every US faction and the EU are a stated
/// share (mode, with a low and high share) of the US figure, SIPRI 2024 military expenditure
/// US$997 bn; Greenland a share of Denmark's 12.9 (NATO 2025e share of GDP × IMF GDP). A share
/// changed in the file without its note (or a faction left in invented units) fails here.
#[test]
fn capabilities_are_shares_of_a_stated_figure_on_one_scale() {
    let s = greenland();
    let cap = |id: &str| {
        s.actors
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("no actor {id}"))
            .capability
            .clone()
    };
    let us = cap("us");
    assert_eq!(
        us.value, 997.0,
        "SIPRI 2024 US military expenditure, US$ bn"
    );
    let dk = cap("dk");
    assert_eq!(dk.value, 12.9, "3.0% of GDP x GDP ~US$430 bn");
    // (actor, base figure, low share, share, high share)
    let shares: &[(&str, f64, f64, f64, f64)] = &[
        ("hardliners", us.value, 0.05, 0.1, 0.2),
        ("jsoc", us.value, 0.02, 0.05, 0.1),
        ("jcs", us.value, 0.2, 0.3, 0.4),
        ("congress", us.value, 0.25, 0.4, 0.5),
        ("eu", us.value, 0.02, 0.05, 0.1),
        ("gl", dk.value, 0.01, 0.04, 0.1),
    ];
    for &(id, base, lo, mode, hi) in shares {
        let n = cap(id);
        match n.dist {
            Some(Dist::Pert { min, mode: m, max }) => {
                for (got, want) in [(min, lo * base), (m, mode * base), (max, hi * base)] {
                    assert!((got - want).abs() < 1e-9, "{id}: {got} vs {want}");
                }
            }
            other => panic!("{id}: capability should be a PERT over its share, got {other:?}"),
        }
        assert_eq!(n.source.as_deref(), Some("assumption"), "{id}");
    }
}

//! The evidence ledger (docs/evidence.md): for every number of a scenario, what it rests on —
//! a source (with its reliability), a reference class, a stated assumption, an unmarked
//! assumption (the default certainty), data (a bargaining-only scenario), or fixed with a
//! reason — and the assumed numbers ordered by influence (a one-at-a-time tornado, when one is
//! given or computed with [`LEDGER_TORNADO_RUNS`]) or, without one, by the width of their
//! effective distribution relative to their domain.
//!
//! Pure: it takes a scenario (and optionally a tornado) and returns data; front ends render.

use crate::mc::{McConfig, McError};
use crate::sample::{effective_dist, find_source, support};
use crate::scenario::num::format_fixed;
use crate::scenario::{Domain, Num, Scenario};
use crate::sensitivity::{Target, Tornado};
use serde::Serialize;

/// Runs per configuration of the tornado `statecraft check --ledger --influence` computes to
/// order the assumed numbers (common random numbers across configurations; 2·inputs + 1
/// configurations). Small on purpose: the order, not the swing, is what the ledger reports.
pub const LEDGER_TORNADO_RUNS: u64 = 8;

/// Path suffixes of the numbers that are rates or probabilities per round or per attempt
/// (weekly propensities, concession and bargaining rates, leader-volatility and withdrawal
/// probabilities): the ones a reference class can stand behind. A rate without one is listed
/// in [`Ledger::rates_without_reference`].
pub const RATE_SUFFIXES: &[&str] = &[".propensity", ".rate", ".access_rate", ".prob"];

/// What a number rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// `fixed = true` with the author's reason, or declared structural by the format.
    Fixed { reason: String, by_format: bool },
    /// Drawn from a reference class's posterior.
    Reference {
        events: f64,
        exposure: f64,
        unit: String,
        source: String,
    },
    /// Cites a `[[sources]]` entry that is not an assumption; certainty from its stated
    /// confidence, else the source's reliability.
    Sourced {
        source: String,
        reliability: f64,
        confidence: Option<f64>,
    },
    /// An assumption the author marked: a confidence, a distribution, or a source of kind
    /// `assumption`.
    Assumed {
        confidence: Option<f64>,
        distribution: bool,
    },
    /// No basis stated in a crisis scenario: sampled with the default certainty
    /// (`num::ASSUMED_CONFIDENCE`). Acceptance wants none of these.
    Unmarked,
    /// A bare number of a bargaining-only scenario (TOML without a crisis layer, CSV, KTAB):
    /// data, certain.
    Data,
}

impl Basis {
    /// The short name used in counts and tables.
    pub fn name(&self) -> &'static str {
        match self {
            Basis::Fixed { .. } => "fixed",
            Basis::Reference { .. } => "reference",
            Basis::Sourced { .. } => "sourced",
            Basis::Assumed { .. } => "assumed",
            Basis::Unmarked => "unmarked",
            Basis::Data => "data",
        }
    }
}

/// One number of the ledger.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub path: String,
    pub value: f64,
    pub basis: Basis,
    /// Whether the sampler draws it (its effective distribution is not a point).
    pub sampled: bool,
    /// Width of the effective distribution's support over the domain's width (or over |value|
    /// when the domain is unbounded); 0 when not sampled.
    pub spread: f64,
    /// Tornado swing of the ledger's target, when a tornado was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub influence: Option<f64>,
}

/// How many numbers rest on what.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub sourced: usize,
    pub reference: usize,
    pub assumed: usize,
    pub unmarked: usize,
    pub fixed: usize,
    /// Of `fixed`: declared structural by the format.
    pub fixed_by_format: usize,
    pub data: usize,
    pub sampled: usize,
}

/// How the assumed numbers are ordered.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Ordering {
    /// By tornado swing of `target` (`runs` per configuration), largest first.
    Tornado { target: String, runs: u64 },
    /// By `spread` (effective distribution's width relative to the domain), largest first.
    Width,
}

/// The ledger of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ledger {
    pub scenario: String,
    pub counts: Counts,
    /// Per source id cited by numbers: (id, reliability, numbers citing it).
    pub sources: Vec<SourceUse>,
    /// Fixed numbers with their reasons.
    pub fixed: Vec<Entry>,
    /// Assumed and unmarked numbers, ordered by `ordering` (what to source next).
    pub assumed: Vec<Entry>,
    pub ordering: Ordering,
    /// Rates and probabilities (`RATE_SUFFIXES`) with no reference class.
    pub rates_without_reference: Vec<String>,
    /// Every number, in visit order.
    pub entries: Vec<Entry>,
}

/// A source and how many numbers cite it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceUse {
    pub id: String,
    pub kind: String,
    pub reliability: f64,
    pub numbers: usize,
}

/// The basis of `num` at `path` in `scn`.
pub fn basis(scn: &Scenario, path: &str, num: &Num) -> Basis {
    if let Some(reason) = &num.fixed {
        return Basis::Fixed {
            reason: reason.clone(),
            by_format: false,
        };
    }
    if let Some(r) = &num.reference {
        return Basis::Reference {
            events: r.events,
            exposure: r.exposure,
            unit: r.unit.clone(),
            source: r.source.clone(),
        };
    }
    let src = num
        .source
        .as_deref()
        .and_then(|c| find_source(&scn.sources, c));
    if let Some(s) = src.filter(|s| s.kind != "assumption") {
        return Basis::Sourced {
            source: s.id.clone(),
            reliability: s.reliability,
            confidence: num.confidence,
        };
    }
    if num.confidence.is_some() || num.dist.is_some() || src.is_some() {
        return Basis::Assumed {
            confidence: num.confidence,
            distribution: num.dist.is_some(),
        };
    }
    if scn.crisis.is_empty() {
        return Basis::Data;
    }
    if let Some(why) = format_fixed(path) {
        return Basis::Fixed {
            reason: why.to_string(),
            by_format: true,
        };
    }
    Basis::Unmarked
}

/// Width of `num`'s effective distribution (discount `discount`) relative to its domain.
fn spread(num: &Num, reliability: f64, discount: f64, domain: Domain) -> f64 {
    let Some(d) = effective_dist(num, reliability, discount, domain) else {
        return 0.0;
    };
    let (lo, hi) = support(&d);
    let (lo, hi) = (domain.clamp(lo), domain.clamp(hi));
    let scale = domain.width().unwrap_or(num.value.abs());
    if scale > 0.0 && hi > lo {
        (hi - lo) / scale
    } else {
        0.0
    }
}

/// The ledger of `scn` at evidence discount `discount`, with the assumed numbers ordered by
/// `tornado` when given (numbers it has no bar for come last, by width), else by width.
pub fn ledger(scn: &Scenario, discount: f64, tornado: Option<&Tornado>) -> Ledger {
    let mut s = scn.clone();
    let mut entries = Vec::new();
    s.visit_nums_declared(&mut |path, domain, num| {
        let reliability = num
            .source
            .as_deref()
            .and_then(|c| find_source(&scn.sources, c))
            .map_or(1.0, |s| s.reliability);
        let spread = spread(num, reliability, discount, domain);
        let influence =
            tornado.and_then(|t| t.bars.iter().find(|b| b.input == path).map(|b| b.swing));
        entries.push(Entry {
            path: path.to_string(),
            value: num.value,
            basis: basis(scn, path, num),
            sampled: spread > 0.0,
            spread,
            influence,
        });
    });
    let mut counts = Counts {
        total: entries.len(),
        ..Default::default()
    };
    for e in &entries {
        match &e.basis {
            Basis::Fixed { by_format, .. } => {
                counts.fixed += 1;
                counts.fixed_by_format += usize::from(*by_format);
            }
            Basis::Reference { .. } => counts.reference += 1,
            Basis::Sourced { .. } => counts.sourced += 1,
            Basis::Assumed { .. } => counts.assumed += 1,
            Basis::Unmarked => counts.unmarked += 1,
            Basis::Data => counts.data += 1,
        }
        counts.sampled += usize::from(e.sampled);
    }
    let mut sources: Vec<SourceUse> = Vec::new();
    s.visit_nums_declared(&mut |_, _, num| {
        if let Some(src) = num
            .source
            .as_deref()
            .and_then(|c| find_source(&scn.sources, c))
        {
            match sources.iter_mut().find(|u| u.id == src.id) {
                Some(u) => u.numbers += 1,
                None => sources.push(SourceUse {
                    id: src.id.clone(),
                    kind: src.kind.clone(),
                    reliability: src.reliability,
                    numbers: 1,
                }),
            }
        }
    });
    sources.sort_by(|a, b| b.numbers.cmp(&a.numbers).then(a.id.cmp(&b.id)));
    let fixed = entries
        .iter()
        .filter(|e| matches!(e.basis, Basis::Fixed { .. }))
        .cloned()
        .collect();
    let mut assumed: Vec<Entry> = entries
        .iter()
        .filter(|e| matches!(e.basis, Basis::Assumed { .. } | Basis::Unmarked))
        .cloned()
        .collect();
    let ordering = match tornado {
        Some(t) => {
            assumed.sort_by(|a, b| {
                b.influence
                    .unwrap_or(-1.0)
                    .total_cmp(&a.influence.unwrap_or(-1.0))
                    .then(b.spread.total_cmp(&a.spread))
                    .then(a.path.cmp(&b.path))
            });
            Ordering::Tornado {
                target: t.target.clone(),
                runs: t.runs,
            }
        }
        None => {
            assumed.sort_by(|a, b| b.spread.total_cmp(&a.spread).then(a.path.cmp(&b.path)));
            Ordering::Width
        }
    };
    let rates_without_reference = entries
        .iter()
        .filter(|e| {
            RATE_SUFFIXES.iter().any(|s| e.path.ends_with(s))
                && !matches!(e.basis, Basis::Reference { .. } | Basis::Fixed { .. })
        })
        .map(|e| e.path.clone())
        .collect();
    Ledger {
        scenario: scn.scenario.id.clone(),
        counts,
        sources,
        fixed,
        assumed,
        ordering,
        rates_without_reference,
        entries,
    }
}

/// The ledger with the assumed numbers ordered by a one-at-a-time tornado of `target`
/// ([`LEDGER_TORNADO_RUNS`] runs per configuration, seed and discount from `cfg`), run with
/// `f` (normally `engine::simulate_once` with the scenario's model).
pub fn ledger_by_influence<F, E>(
    scn: &Scenario,
    cfg: &McConfig,
    target: &Target,
    f: F,
) -> Result<Ledger, McError>
where
    F: Fn(&Scenario, &mut crate::rng::Rng) -> Result<crate::state::RunState, E> + Sync,
    E: std::fmt::Display,
{
    let mut tc = cfg.clone();
    tc.runs = LEDGER_TORNADO_RUNS;
    let t = crate::sensitivity::tornado(scn, &tc, target, f)?;
    Ok(ledger(scn, cfg.evidence_discount, Some(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{gamma_inc, gamma_inc_inv, quantile};
    use crate::scenario::num::{Reference, ASSUMED_CONFIDENCE};
    use crate::scenario::Dist;

    /// χ²_ν quantile = 2 · P⁻¹(ν/2, p).
    fn chi2(nu: f64, p: f64) -> f64 {
        2.0 * gamma_inc_inv(nu / 2.0, p)
    }

    #[test]
    fn gamma_quantile_matches_the_chi_square_table() {
        // NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.4 "Critical Values of the
        // Chi-Square Distribution" (https://www.itl.nist.gov/div898/handbook/eda/section3/eda3674.htm),
        // printed to three decimals: (ν, cumulative probability, value).
        let table = [
            (1.0, 0.95, 3.841),
            (1.0, 0.99, 6.635),
            (2.0, 0.95, 5.991),
            (2.0, 0.99, 9.210),
            (5.0, 0.95, 11.070),
            (5.0, 0.99, 15.086),
            (10.0, 0.95, 18.307),
            (10.0, 0.99, 23.209),
            (10.0, 0.05, 3.940), // lower-tail table
            (30.0, 0.95, 43.773),
            (30.0, 0.99, 50.892),
            (100.0, 0.95, 124.342),
            (100.0, 0.99, 135.807),
        ];
        for (nu, p, want) in table {
            let got = chi2(nu, p);
            assert!(
                (got - want).abs() < 6e-4,
                "χ²({nu}, {p}) = {got}, table {want}"
            );
        }
        // Lower tail, small ν: 0.004 at ν = 1, p = 0.05 (the table prints 0.004; 0.00393 to
        // three significant digits).
        assert!((chi2(1.0, 0.05) - 0.00393).abs() < 1e-5);
    }

    #[test]
    fn gamma_inc_closed_forms_and_inverse() {
        // P(1, x) = 1 - e^(-x): the exponential distribution.
        for x in [0.01_f64, 0.5, 1.0, 3.0, 20.0] {
            assert!((gamma_inc(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-14);
        }
        for p in [1e-9, 0.001, 0.1, 0.5, 0.9, 0.999] {
            assert!((gamma_inc_inv(1.0, p) + (1.0 - p).ln()).abs() < 1e-9 * (1.0 + p));
        }
        // Round trip for small, medium and large shapes (the Jeffreys k + 1/2 starts at 0.5).
        for a in [0.5, 1.5, 2.5, 10.5, 300.5] {
            for p in [0.001, 0.05, 0.5, 0.95, 0.999] {
                let x = gamma_inc_inv(a, p);
                assert!((gamma_inc(a, x) - p).abs() < 1e-10, "a {a} p {p} x {x}");
            }
        }
        assert_eq!(gamma_inc_inv(2.0, 0.0), 0.0);
        assert_eq!(gamma_inc_inv(2.0, 1.0), f64::INFINITY);
    }

    #[test]
    fn posterior_quantiles_average_to_the_posterior_mean() {
        // Midpoint rule over u: ∫ Q(u) du = E[X] for both posteriors.
        let r = Reference {
            events: 2.0,
            exposure: 60.0,
            unit: "crisis-months".into(),
            source: "s".into(),
            round_days: Some(7.0),
        };
        let n = 20_000;
        for r in [
            r.clone(),
            Reference {
                unit: "trials".into(),
                ..r.clone()
            },
        ] {
            let d = r.posterior().unwrap();
            let mean: f64 = (0..n)
                .map(|i| quantile(&d, (i as f64 + 0.5) / n as f64))
                .sum::<f64>()
                / n as f64;
            let want = r.posterior_mean().unwrap();
            assert!(
                (mean - want).abs() < 2e-4 * want.max(1e-3),
                "{d:?}: {mean} vs {want}"
            );
        }
    }

    #[test]
    fn the_evidence_rule_in_effective_dist() {
        let dom = Domain::UNIT;
        // Fixed: certain whatever else.
        assert_eq!(
            effective_dist(&Num::fixed(0.3, "structural"), 0.2, 1.0, dom),
            None
        );
        // A reference class: its posterior, whatever the value and the discount.
        let mut n = Num::new(0.3);
        n.reference = Some(Reference {
            events: 1.0,
            exposure: 9.0,
            unit: "trials".into(),
            source: "s".into(),
            round_days: None,
        });
        assert_eq!(
            effective_dist(&n, 1.0, 0.0, dom),
            Some(Dist::Beta { a: 1.5, b: 8.5 })
        );
        // A bare number: certain unless the loader implied a certainty (data vs assumption).
        assert_eq!(effective_dist(&Num::new(0.5), 1.0, 0.0, dom), None);
        let mut a = Num::new(0.5);
        a.implied = Some(ASSUMED_CONFIDENCE);
        let mut c = Num::new(0.5);
        c.confidence = Some(ASSUMED_CONFIDENCE);
        // The implied certainty acts like a stated confidence at discount 0 …
        assert_eq!(
            effective_dist(&a, 1.0, 0.0, dom),
            effective_dist(&c, 1.0, 0.0, dom)
        );
        assert!(effective_dist(&a, 1.0, 0.0, dom).is_some());
        // … and is not discounted again (the reliability already is the certainty).
        assert_eq!(
            effective_dist(&a, 0.4, 1.0, dom),
            effective_dist(&a, 0.4, 0.0, dom)
        );
        // A stated confidence wins over an implied certainty.
        let mut both = c.clone();
        both.implied = Some(0.01);
        assert_eq!(
            effective_dist(&both, 1.0, 0.0, dom),
            effective_dist(&c, 1.0, 0.0, dom)
        );
    }

    fn load(text: &str) -> Scenario {
        crate::scenario::load::from_toml_str(text).unwrap()
    }

    const CRISIS: &str = r#"
[scenario]
id = "t"
title = "t"
as_of = "2026-01-01"
horizon = "2026-03-01"

[[sources]]
id = "paper"
title = "A paper"
kind = "dataset"
reliability = 0.8

[[sources]]
id = "assumption"
title = "Analyst"
kind = "assumption"
reliability = 0.4

[[actors]]
id = "a"
name = "A"
capability = 10

[[actors]]
id = "b"
name = "B"
capability = { value = 5, source = "paper" }

[[issues]]
id = "x"
name = "X"
min = 0
max = 100

[[stances]]
actor = "a"
issue = "x"
position = 80
salience = { value = 0.5, confidence = 0.6 }

[[stances]]
actor = "b"
issue = "x"
position = { value = 20, fixed = true, reason = "stated in the treaty text" }
salience = 0.5

[crisis]
issue = "x"

[[crisis.options]]
id = "o"
name = "O"
actor = "a"
propensity = { value = 0.1, reference = { events = 3, exposure = 40, unit = "crisis-months", source = "paper" } }

[[crisis.allies]]
actor = "a"
alignment = 1
threshold = 1
lock = 1

[[crisis.allies]]
actor = "b"
alignment = 0
threshold = 0.4
source = "assumption"
"#;

    #[test]
    fn the_loader_marks_a_crisis_scenarios_bare_numbers_as_assumptions() {
        let s = load(CRISIS);
        let mut seen = Vec::new();
        let mut c = s.clone();
        c.visit_nums_declared(&mut |p, _, n| seen.push((p.to_string(), n.clone())));
        let get = |p: &str| {
            seen.iter()
                .find(|(q, _)| q == p)
                .map(|(_, n)| n.clone())
                .unwrap()
        };
        assert_eq!(get("actor.a.capability").implied, Some(ASSUMED_CONFIDENCE));
        // A sourced number without a confidence: the source's reliability.
        assert_eq!(get("actor.b.capability").implied, Some(0.8));
        // Stated confidence, fixed, reference: nothing implied.
        assert_eq!(get("stance.a.x.salience").implied, None);
        assert_eq!(get("stance.b.x.position").implied, None);
        let o = get("crisis.option.o.propensity");
        assert_eq!(o.implied, None);
        // The reference's round length comes from the scenario (default 7 days).
        assert_eq!(o.reference.as_ref().unwrap().round_days, Some(7.0));
        // The lock is a switch (format-fixed); the assumption entry passes its citation down.
        assert_eq!(get("crisis.ally.a.lock").implied, None);
        assert_eq!(
            get("crisis.ally.b.threshold").source.as_deref(),
            Some("assumption")
        );
        assert_eq!(get("crisis.ally.b.threshold").implied, Some(0.4));
        // Sampled: the bare capability is an input of the sampler now.
        let sampler = crate::sample::Sampler::new(&s, 0.0);
        let paths: Vec<&str> = sampler.inputs.iter().map(|i| i.path.as_str()).collect();
        assert!(paths.contains(&"actor.a.capability"), "{paths:?}");
        assert!(paths.contains(&"crisis.option.o.propensity"));
        assert!(!paths.contains(&"stance.b.x.position"));
        assert!(!paths.contains(&"crisis.ally.a.lock"));
    }

    #[test]
    fn a_bargaining_only_scenario_is_data() {
        let text = CRISIS.split("[crisis]").next().unwrap();
        let s = load(text);
        let sampler = crate::sample::Sampler::new(&s, 0.0);
        let paths: Vec<&str> = sampler.inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["stance.a.x.salience"],
            "only the stated confidence"
        );
        let l = ledger(&s, 0.0, None);
        // Capability a, position a, salience b; the rest are sourced, assumed or fixed.
        assert_eq!(l.counts.data, 3, "{:?}", l.counts);
        assert_eq!(l.counts.unmarked, 0);
    }

    #[test]
    fn ledger_counts_and_orders() {
        let l = ledger(&load(CRISIS), 0.0, None);
        let c = &l.counts;
        assert_eq!(c.total, l.entries.len());
        assert_eq!(
            c.total,
            c.sourced + c.reference + c.assumed + c.unmarked + c.fixed + c.data
        );
        assert_eq!(c.reference, 1);
        assert_eq!(c.fixed, 3, "{:?}", l.fixed); // the stance position and the two locks
        assert_eq!(c.fixed_by_format, 2);
        assert!(c.unmarked >= 3, "{c:?}"); // capability a, position a, ally a's numbers …
        assert_eq!(l.ordering, Ordering::Width);
        for w in l.assumed.windows(2) {
            assert!(w[0].spread >= w[1].spread);
        }
        let path = |e: &Entry| e.path.clone();
        assert!(l
            .assumed
            .iter()
            .map(path)
            .any(|p| p == "actor.a.capability"));
        assert!(!l
            .rates_without_reference
            .contains(&"crisis.option.o.propensity".into()));
        // A tornado orders by swing instead.
        let t = Tornado {
            target: "P(x)".into(),
            y_nominal: 0.0,
            runs: 1,
            bars: vec![crate::sensitivity::TornadoBar {
                input: "crisis.ally.b.threshold".into(),
                nominal: 0.4,
                low_value: 0.3,
                high_value: 0.5,
                y_low: 0.0,
                y_high: 0.5,
                swing: 0.5,
            }],
            provenance: crate::mc::Provenance::new(&load(CRISIS), &McConfig::default()),
        };
        let l = ledger(&load(CRISIS), 0.0, Some(&t));
        assert_eq!(l.assumed[0].path, "crisis.ally.b.threshold");
        assert_eq!(l.assumed[0].influence, Some(0.5));
        assert!(matches!(l.ordering, Ordering::Tornado { .. }));
    }

    /// Acceptance (issue 12): on Greenland every number is sourced, reference-class based, an
    /// explicit assumption or fixed with a reason.
    #[test]
    fn greenland_has_no_unmarked_number() {
        let text = crate::builtin::get(crate::builtin::DEFAULT).unwrap();
        let s = crate::scenario::load::from_toml_str(text).unwrap();
        let l = ledger(&s, 0.0, None);
        let unmarked: Vec<&str> = l
            .entries
            .iter()
            .filter(|e| e.basis == Basis::Unmarked)
            .map(|e| e.path.as_str())
            .collect();
        assert!(
            unmarked.is_empty(),
            "{} unmarked: {unmarked:?}",
            unmarked.len()
        );
        assert!(l.counts.sampled > 400, "{:?}", l.counts);
        for e in &l.fixed {
            let Basis::Fixed { reason, .. } = &e.basis else {
                unreachable!()
            };
            assert!(
                !reason.to_lowercase().starts_with("assumption"),
                "{}",
                e.path
            );
        }
    }
}

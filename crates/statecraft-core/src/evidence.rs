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
        let influence = tornado.and_then(|t| {
            t.bars
                .iter()
                .find(|b| b.input == path)
                .map(|b| b.swing)
        });
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

//! The report's own input types. They carry only what the report draws, already aggregated
//! (probabilities, intervals, quantiles); an adapter in the front end fills them from the core's
//! Monte Carlo, sensitivity and hypothesis results. Every field has a serde default so a partial
//! JSON document still renders (missing sections say "not available").
//!
//! Conventions: probabilities are in [0, 1]; `lo`/`hi` bound a 95% interval; dates are ISO
//! `YYYY-MM-DD` strings, shown as given. Non-finite numbers are tolerated everywhere and shown
//! as "n/a" (never a panic).

use serde::{Deserialize, Serialize};

/// Everything the report renders.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportData {
    pub title: String,
    pub scenario_id: String,
    /// The date the scenario's evidence is current to.
    pub as_of: String,
    /// The date the simulation runs until.
    pub horizon: String,
    /// Length of one simulated round in days (labels the trajectory x axis), if known.
    pub round_days: Option<u32>,
    /// A banner shown at the top of the report (e.g. "illustrative data"), if any.
    pub notice: Option<String>,
    pub outcomes: Vec<OutcomeEstimate>,
    /// Whether the outcome classes overlap in the runs (counted run by run), in words.
    pub class_note: String,
    pub forecasts: Vec<ForecastEstimate>,
    pub trajectories: Vec<IssueTrajectory>,
    pub network: Network,
    pub tornado: Tornado,
    pub sobol: Sobol,
    pub pivotal: Vec<PivotalActor>,
    pub hypotheses: Vec<HypothesisResult>,
    pub provenance: Vec<ProvenanceRow>,
    pub evidence_discount: EvidenceDiscount,
    pub reproduction: Reproduction,
    /// The backtest ledger's scores and reliability diagram (the "Track record" section), when
    /// the front end ran it (`statecraft report --track-record DIR`).
    pub track_record: Option<BacktestView>,
    /// The evidence ledger (what each number rests on; the "Evidence ledger" section), when the
    /// adapter computed it (`statecraft_core::evidence`).
    pub ledger: Option<LedgerView>,
}

/// The evidence ledger as the report shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerView {
    pub total: usize,
    /// Per basis (sourced, reference, assumed, unmarked, fixed, data): count and meaning.
    pub counts: Vec<LedgerCount>,
    /// How `assumed` is ordered, in words.
    pub ordering: String,
    /// The assumed numbers, most influential (or widest) first.
    pub assumed: Vec<LedgerRow>,
    /// Fixed numbers grouped by reason.
    pub fixed: Vec<LedgerFixed>,
    /// Rates and probabilities that cite no reference class.
    pub rates_without_reference: Vec<String>,
}

/// One basis of the ledger and how many numbers rest on it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerCount {
    pub basis: String,
    pub count: usize,
    pub meaning: String,
}

/// One assumed number.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerRow {
    pub path: String,
    pub value: String,
    pub basis: String,
    /// Width of its distribution relative to its range, 0–1 (n/a when not finite).
    pub spread: f64,
    /// Tornado swing, when the ordering is by influence.
    pub influence: Option<f64>,
}

/// Fixed numbers sharing a reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerFixed {
    pub reason: String,
    pub count: usize,
    /// The first few paths with their values.
    pub examples: Vec<String>,
}

/// One outcome class: Monte Carlo probability with a 95% interval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeEstimate {
    pub name: String,
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
}

/// One forecast question (Metaculus style) with its probability and 95% interval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForecastEstimate {
    pub id: String,
    pub title: String,
    /// Resolution date.
    pub by: String,
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
}

/// A labelled point on an issue's position scale.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnchorLabel {
    pub value: f64,
    pub label: String,
}

/// Quantiles across runs of one actor's position in one round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Band {
    pub q05: f64,
    pub q25: f64,
    pub q50: f64,
    pub q75: f64,
    pub q95: f64,
}

impl From<[f64; 5]> for Band {
    /// From quantiles in the order 5%, 25%, 50%, 75%, 95%.
    fn from(q: [f64; 5]) -> Self {
        Band {
            q05: q[0],
            q25: q[1],
            q50: q[2],
            q75: q[3],
            q95: q[4],
        }
    }
}

/// One actor's position per round (index 0 = initial state).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActorTrajectory {
    pub actor: String,
    pub rounds: Vec<Band>,
}

/// Position trajectories of every actor on one issue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IssueTrajectory {
    pub issue: String,
    /// Unit of the position scale (e.g. "position, 0–100").
    pub unit: String,
    pub min: f64,
    pub max: f64,
    pub anchors: Vec<AnchorLabel>,
    pub actors: Vec<ActorTrajectory>,
    /// A note under the chart title, e.g. which actors were chosen when not all are shown.
    pub caption: String,
    /// Which runs the bands read when fewer than the job's (`mc::agg::SERIES_MAX_RUNS`), e.g.
    /// "first 8,192 of 10,000 runs", shown beside the band's legend; empty otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub bands_from: String,
}

/// An ally in the alliance cascade with its final alignment probabilities.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkNode {
    pub id: String,
    pub name: String,
    /// P(the ally ends backing the initiator).
    pub p_initiator: f64,
    /// P(the ally ends neutral).
    pub p_neutral: f64,
    /// P(the ally ends backing the target).
    pub p_target: f64,
}

/// Influence of `from` on `to` (weight ≥ 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkEdge {
    pub from: String,
    pub to: String,
    pub weight: f64,
}

/// A sequence of actor ids that tipped one after another, and the share of runs it occurred in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TippingPath {
    pub path: Vec<String>,
    pub frequency: f64,
}

/// The alliance cascade.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    /// Name of the side starting the crisis (e.g. "United States").
    pub initiator: String,
    /// Name of the side under pressure (e.g. "Denmark").
    pub target: String,
    pub nodes: Vec<NetworkNode>,
    pub edges: Vec<NetworkEdge>,
    /// Most frequent tipping paths, most frequent first.
    pub paths: Vec<TippingPath>,
    /// A note under the chart title (e.g. which tipping steps are left out).
    pub caption: String,
}

/// One input in the tornado chart: the change of the outcome probability when the input is set to
/// its low and its high value (others at their nominal values).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TornadoBar {
    /// The input's human label (from the scenario's names), or its dotted path.
    pub input: String,
    /// Dotted input path, e.g. `stance.uk.mil_rights.position` (shown in the tooltip).
    pub path: String,
    /// Δ probability (from `base`) with the input at its low value.
    pub low_effect: f64,
    /// Δ probability (from `base`) with the input at its high value.
    pub high_effect: f64,
    /// The input's low and high values, if known (shown in the tooltips).
    pub low_value: Option<f64>,
    pub high_value: Option<f64>,
}

/// One-at-a-time sensitivity of one outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tornado {
    pub outcome: String,
    /// Outcome probability with every input at its nominal value.
    pub base: f64,
    pub bars: Vec<TornadoBar>,
}

/// Sobol indices of one input with 95% (bootstrap) intervals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SobolIndex {
    /// The input's human label (from the scenario's names), or its dotted path.
    pub input: String,
    /// Dotted input path (shown in the tooltip).
    pub path: String,
    pub s1: f64,
    pub s1_lo: f64,
    pub s1_hi: f64,
    pub st: f64,
    pub st_lo: f64,
    pub st_hi: f64,
}

/// Variance-based sensitivity of one outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sobol {
    pub outcome: String,
    pub indices: Vec<SobolIndex>,
    /// Base sample size N of the Saltelli design (0 when unknown).
    pub n: usize,
    /// The core's warnings about the estimates (`SobolResult::warnings`), shown inside the chart.
    pub warnings: Vec<String>,
}

/// How much forcing one actor's stance moves an outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PivotalActor {
    pub actor: String,
    pub delta_p: f64,
    pub outcome: String,
}

/// The verdict on a hypothesis, always with its interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Supported,
    NotSupported,
    #[default]
    Inconclusive,
}

/// A source a hypothesis rests on, with the paragraphs cited (e.g. article ¶26–¶27).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceRef {
    pub source: String,
    pub paragraphs: Vec<u32>,
}

/// A tested hypothesis: the counterfactual's effect on one outcome.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HypothesisResult {
    pub id: String,
    pub claim: String,
    pub counterfactual: String,
    pub outcome: String,
    pub delta_p: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
    pub sources: Vec<SourceRef>,
}

/// One input of the scenario and the evidence behind it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProvenanceRow {
    pub input: String,
    /// The value as shown (a number, a distribution such as "tri(60, 80, 95)").
    pub value: String,
    pub source_id: String,
    pub source_title: String,
    pub date: String,
    /// Source reliability, 0–1.
    pub reliability: f64,
}

/// One outcome's probability at each evidence discount.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscountSeries {
    pub outcome: String,
    /// One probability per entry of `EvidenceDiscount::discounts`.
    pub p: Vec<f64>,
}

/// How outcome probabilities move as the evidence is discounted (0 = taken at face value,
/// 1 = ignored: inputs fall back to their uninformed priors).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceDiscount {
    pub discounts: Vec<f64>,
    pub series: Vec<DiscountSeries>,
}

/// What someone needs to reproduce the report exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reproduction {
    pub scenario_hash: String,
    pub seed: u64,
    pub runs: u64,
    pub engine_version: String,
    pub command: String,
    /// Settings of the analyses behind the report (e.g. runs used by the tornado), one per line.
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------- backtest page

/// One reliability bin as the chart draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub lo: f64,
    pub hi: f64,
    pub n: usize,
    pub mean_p: f64,
    pub freq: f64,
}

/// One row of the case table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: String,
    pub title: String,
    pub n: usize,
    pub brier: f64,
    pub log: f64,
    pub skill_base_rate: f64,
    pub skill_half: f64,
}

/// What the backtest page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestView {
    pub title: String,
    pub n: usize,
    pub base_rate: f64,
    pub brier: f64,
    pub reliability: f64,
    pub resolution: f64,
    pub uncertainty: f64,
    pub bins: Vec<ReliabilityBin>,
    pub cases: Vec<CaseRow>,
    pub pooled: CaseRow,
}

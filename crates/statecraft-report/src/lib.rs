//! statecraft-report: renders engine results as a self-contained HTML report with SVG charts.
//!
//! Input: [`ReportData`], the report's own serde types (aggregated results: probabilities,
//! intervals, quantile bands). Output: [`render_html`] (one `report.html`: inline CSS and SVG,
//! no scripts, no network) and [`write_charts`] (each chart as a standalone SVG for slides).
//!
//! Invariants: every function here is pure and deterministic (same data → same bytes), runs in
//! time linear in the size of the data, does no I/O, and never panics on NaN, infinities or
//! empty inputs (they render as "n/a" / "no data").

pub mod backtest;
pub mod charts;
pub mod data;
pub mod fmt;
pub mod from_study;
pub mod html;
pub mod svg;

pub use data::*;
pub use html::render_html;

/// The sample data set (`tests/fixtures/sample.json`): an illustrative Greenland-like crisis.
/// Its numbers are made up to exercise every chart; they are not results of the engine.
pub const SAMPLE_JSON: &str = include_str!("../tests/fixtures/sample.json");

/// Parses [`SAMPLE_JSON`].
pub fn sample_data() -> Result<ReportData, serde_json::Error> {
    serde_json::from_str(SAMPLE_JSON)
}

/// Every chart as `(file name, SVG document)`, in report order. File names are unique and
/// file-system safe (`outcomes.svg`, `trajectory-<issue>.svg`, …). Charts without data are
/// left out.
pub fn write_charts(d: &ReportData) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    if !d.outcomes.is_empty() {
        out.push(("outcomes.svg".into(), charts::outcomes_svg(d)));
    }
    for (i, t) in d.trajectories.iter().enumerate() {
        let base = format!("trajectory-{}", fmt::slug(&t.issue));
        let mut name = format!("{base}.svg");
        let mut k = 2;
        while out.iter().any(|(n, _)| *n == name) {
            name = format!("{base}-{k}.svg");
            k += 1;
        }
        out.push((name, charts::trajectory_svg(d, i)));
    }
    if !d.network.nodes.is_empty() {
        out.push(("network.svg".into(), charts::network_svg(d)));
    }
    if !d.tornado.bars.is_empty() {
        out.push(("tornado.svg".into(), charts::tornado_svg(d)));
    }
    if !d.sobol.indices.is_empty() {
        out.push(("sobol.svg".into(), charts::sobol_svg(d)));
    }
    if !d.hypotheses.is_empty() {
        out.push(("hypotheses.svg".into(), charts::hypotheses_svg(d)));
    }
    if !d.evidence_discount.series.is_empty() {
        out.push(("evidence-discount.svg".into(), charts::discount_svg(d)));
    }
    out
}

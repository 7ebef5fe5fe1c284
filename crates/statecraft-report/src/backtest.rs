//! The backtest page: a reliability diagram (charts::reliability_svg) and the per-case score
//! table, as one self-contained HTML document (inline CSS and SVG, no script). Input is the
//! report's own type, [`BacktestView`]; `from_backtest` is the adapter from the core's report.

use crate::charts;
use crate::fmt::{esc, fixed, int};
use statecraft_core::backtest::BacktestReport;
use std::fmt::Write as _;

pub use crate::data::{BacktestView, CaseRow, ReliabilityBin};

/// The adapter from the core's backtest report.
pub fn from_backtest(r: &BacktestReport) -> BacktestView {
    let row = |id: &str, title: &str, s: &statecraft_core::scoring::Summary| CaseRow {
        id: id.into(),
        title: title.into(),
        n: s.n,
        brier: s.brier,
        log: s.log,
        skill_base_rate: s.skill_base_rate,
        skill_half: s.skill_half,
    };
    let m = &r.pooled.murphy;
    BacktestView {
        title: format!(
            "Backtest: {} cases, {} questions ({} runs per case, seed {})",
            r.cases.len(),
            r.pooled.n,
            r.config.runs,
            r.config.seed
        ),
        n: r.pooled.n,
        base_rate: r.pooled.base_rate,
        brier: m.brier,
        reliability: m.reliability,
        resolution: m.resolution,
        uncertainty: m.uncertainty,
        bins: m
            .bins
            .iter()
            .map(|b| ReliabilityBin {
                lo: b.lo,
                hi: b.hi,
                n: b.n,
                mean_p: b.mean_p,
                freq: b.freq,
            })
            .collect(),
        cases: r
            .cases
            .iter()
            .map(|c| row(&c.id, &c.title, &c.summary))
            .collect(),
        pooled: row("pooled", "All questions", &r.pooled),
    }
}

fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        fixed(v, d)
    } else {
        "n/a".into()
    }
}

/// The self-contained backtest page.
pub fn render_backtest_html(v: &BacktestView) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{t}</title>\n<style>\n\
         body {{ margin:0 auto; max-width:980px; padding:16px 20px 40px; color:#1a1a1a; font:15px/1.5 Helvetica, Arial, sans-serif; }}\n\
         table {{ border-collapse:collapse; width:100%; font-size:14px; }}\n\
         th, td {{ text-align:left; padding:6px 8px; border-bottom:1px solid #d9d9d9; }}\n\
         th {{ background:#f0f0ee; }} td.num, th.num {{ text-align:right; font-variant-numeric:tabular-nums; }}\n\
         figure svg {{ display:block; max-width:100%; height:auto; }}\n\
         </style>\n</head>\n<body>\n<h1>{t}</h1>\n\
         <p>Mean Brier score {bs} = reliability {rel} − resolution {res} + uncertainty {unc} \
         (Murphy 1973; {k} equal-width bins; base rate {br}). Skill = 1 − BS/BS<sub>ref</sub>. \
         Method and ledger: docs/backtest.md.</p>\n<figure>\n{svg}</figure>\n",
        t = esc(&v.title),
        bs = num(v.brier, 4),
        rel = num(v.reliability, 4),
        res = num(v.resolution, 4),
        unc = num(v.uncertainty, 4),
        k = v.bins.len(),
        br = num(v.base_rate, 3),
        svg = charts::reliability_svg(v),
    );
    out.push_str(
        "<table>\n<thead><tr><th>case</th><th class=\"num\">questions</th><th class=\"num\">Brier</th>\
         <th class=\"num\">log</th><th class=\"num\">skill vs base rate</th><th class=\"num\">skill vs 50%</th></tr></thead>\n<tbody>\n",
    );
    for r in v.cases.iter().chain(std::iter::once(&v.pooled)) {
        let _ = writeln!(
            out,
            "<tr><td><span title=\"{}\">{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&r.title),
            esc(&r.id),
            int(r.n as u64),
            num(r.brier, 4),
            num(r.log, 4),
            num(r.skill_base_rate, 3),
            num(r.skill_half, 3)
        );
    }
    out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> BacktestView {
        let row = CaseRow {
            id: "a".into(),
            title: "A & B".into(),
            n: 2,
            brier: 0.1,
            log: -0.3,
            skill_base_rate: 0.5,
            skill_half: f64::NAN,
        };
        BacktestView {
            title: "Backtest <test>".into(),
            n: 3,
            base_rate: 0.5,
            brier: 0.1,
            reliability: 0.01,
            resolution: 0.16,
            uncertainty: 0.25,
            bins: vec![
                ReliabilityBin {
                    lo: 0.0,
                    hi: 0.5,
                    n: 2,
                    mean_p: 0.2,
                    freq: 0.0,
                },
                ReliabilityBin {
                    lo: 0.5,
                    hi: 1.0,
                    n: 1,
                    mean_p: 0.9,
                    freq: 1.0,
                },
            ],
            cases: vec![row.clone()],
            pooled: row,
        }
    }

    #[test]
    fn page_and_chart_are_well_formed_and_accessible() {
        let v = view();
        let html = render_backtest_html(&v);
        let doc = roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>\n"))
            .expect("well-formed");
        assert!(doc.descendants().any(|n| n.has_tag_name("svg")));
        assert!(html.contains("A &amp; B"));
        assert!(html.contains("n/a"));
        let svg = charts::reliability_svg(&v);
        let d = roxmltree::Document::parse(&svg).unwrap();
        let root = d.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        // one marker per non-empty bin, plus the diagonal
        assert_eq!(svg.matches("<title>forecast").count(), 2);
        assert_eq!(charts::reliability_svg(&v), svg, "deterministic");
        // empty input renders "no data"
        let mut e = v.clone();
        e.bins.clear();
        assert!(charts::reliability_svg(&e).contains("No "));
    }
}

//! The self-contained HTML document: inline CSS, inline SVG, no script, no external resource.
//!
//! The markup is also well-formed XML (void elements self-closed, only XML's predefined
//! entities), so tests parse the whole page with an XML parser.

use crate::charts;
use crate::data::*;
use crate::fmt::{esc, fin, fixed, int, pct, pct_interval, pp, prob};
use std::fmt::Write as _;

const CSS: &str = r#"
:root { --ink:#1a1a1a; --muted:#555; --line:#d9d9d9; --bg:#f6f6f4; --card:#fff; --blue:#0072B2; --orange:#E69F00; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:15px/1.5 Helvetica, Arial, sans-serif; }
header.top { background:#14213d; color:#fff; padding:28px 32px 20px; }
header.top h1 { margin:0 0 6px; font-size:26px; }
header.top .meta { color:#d6dbe6; font-size:14px; }
nav { background:#fff; border-bottom:1px solid var(--line); padding:8px 32px; position:sticky; top:0; z-index:1; }
nav a { color:var(--blue); margin-right:18px; text-decoration:none; font-size:14px; }
nav a:hover, nav a:focus { text-decoration:underline; }
main { max-width:980px; margin:0 auto; padding:16px 20px 40px; }
section { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:18px 22px; margin:18px 0; }
section h2 { margin:0 0 8px; font-size:20px; }
section h3 { margin:18px 0 6px; font-size:16px; }
p.lead { color:var(--muted); margin:0 0 12px; }
.notice { background:#fff4d6; color:#3a2c00; border:2px solid #b8860b; border-radius:6px; padding:10px 14px; margin:16px 0 0; font-weight:bold; }
figure { margin:10px 0; }
figure svg { display:block; max-width:100%; height:auto; }
table { border-collapse:collapse; width:100%; font-size:14px; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f0f0ee; font-weight:bold; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
code, .mono { font-family:Menlo, Consolas, monospace; font-size:13px; }
.meter { display:inline-block; position:relative; width:120px; height:10px; background:#eee; border:1px solid #bbb; vertical-align:middle; margin-left:6px; }
.meter .fill { position:absolute; top:0; bottom:0; left:0; background:var(--blue); }
.meter .ci { position:absolute; top:4px; height:2px; background:#000; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:13px; font-weight:bold; white-space:nowrap; border:2px solid; }
.badge.supported { background:#dcecf7; border-color:#0072B2; color:#00466e; }
.badge.not_supported { background:#fff; border-color:#1a1a1a; color:#1a1a1a; border-style:dashed; }
.badge.inconclusive { background:#eeeeee; border-color:#777; color:#333; }
.sources { color:var(--muted); font-size:13px; }
footer { background:#fff; border-top:1px solid var(--line); padding:18px 32px 28px; font-size:14px; }
footer dl { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:8px 0 0; }
footer dt { color:var(--muted); }
footer dd { margin:0; }
.na { color:var(--muted); font-style:italic; }
section.toc ol { margin:0; padding-left:22px; columns:2; column-gap:28px; }
section.toc li { break-inside:avoid; margin:2px 0; }
section.toc ul { margin:2px 0 4px; padding-left:18px; font-size:14px; }
@media print { nav { display:none; } section { break-inside:avoid; } body { background:#fff; } }
"#;

fn meter(p: f64, lo: f64, hi: f64) -> String {
    let Some(p) = prob(p) else {
        return String::new();
    };
    let mut s = format!(
        "<span class=\"meter\" aria-hidden=\"true\"><span class=\"fill\" style=\"width:{}%\"></span>",
        fixed(p * 100.0, 1)
    );
    if let (Some(lo), Some(hi)) = (prob(lo), prob(hi)) {
        let _ = write!(
            s,
            "<span class=\"ci\" style=\"left:{}%;width:{}%\"></span>",
            fixed(lo.min(hi) * 100.0, 1),
            fixed((hi - lo).abs() * 100.0, 1)
        );
    }
    s.push_str("</span>");
    s
}

fn na(what: &str) -> String {
    format!(
        "<p class=\"na\">No {} available for this scenario.</p>\n",
        esc(what)
    )
}

fn figure(svg: &str) -> String {
    format!("<figure>\n{svg}</figure>\n")
}

/// The forecast questions as an HTML table.
pub fn forecast_table(d: &ReportData) -> String {
    if d.forecasts.is_empty() {
        return na("forecast questions");
    }
    let mut s = String::from(
        "<table class=\"forecasts\">\n<caption class=\"na\" style=\"text-align:left\">Probability that each question resolves Yes, with 95% interval.</caption>\n<thead><tr><th>ID</th><th>Question</th><th>Resolves by</th><th class=\"num\">P(Yes)</th><th class=\"num\">95% interval</th></tr></thead>\n<tbody>\n",
    );
    for q in &d.forecasts {
        let _ = writeln!(
            s,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}{}</td><td class=\"num\">{}</td></tr>",
            esc(&q.id),
            esc(&q.title),
            esc(&q.by),
            pct(q.p),
            meter(q.p, q.lo, q.hi),
            pct_interval(q.lo, q.hi)
        );
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

/// The pivotal actors, ranked by |Δp|.
/// Rows shown before a long table collapses the rest into `<details>`.
pub const TABLE_TOP: usize = 10;

/// A table with its first [`TABLE_TOP`] rows shown and the rest in a `<details>` block that
/// repeats the header.
fn collapsed_table(class: &str, head: &str, rows: &[String]) -> String {
    let mut s = format!("<table class=\"{class}\">\n<thead>{head}</thead>\n<tbody>\n");
    for r in rows.iter().take(TABLE_TOP) {
        s.push_str(r);
        s.push('\n');
    }
    s.push_str("</tbody>\n</table>\n");
    if rows.len() > TABLE_TOP {
        let _ = write!(
            s,
            "<details><summary>{} more rows</summary>\n<table class=\"{class}\">\n<thead>{head}</thead>\n<tbody>\n",
            rows.len() - TABLE_TOP
        );
        for r in rows.iter().skip(TABLE_TOP) {
            s.push_str(r);
            s.push('\n');
        }
        s.push_str("</tbody>\n</table>\n</details>\n");
    }
    s
}

pub fn pivotal_table(d: &ReportData) -> String {
    if d.pivotal.is_empty() {
        return na("pivotality results");
    }
    let mut rows: Vec<&PivotalActor> = d.pivotal.iter().collect();
    rows.sort_by(|a, b| {
        fin(b.delta_p.abs(), -1.0)
            .total_cmp(&fin(a.delta_p.abs(), -1.0))
            .then_with(|| a.actor.cmp(&b.actor))
    });
    let head = "<tr><th class=\"num\">Rank</th><th>Actor</th><th>Outcome</th><th class=\"num\">Largest Δ probability when the actor's stance is forced</th></tr>";
    let rows: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                i + 1,
                esc(&p.actor),
                esc(&p.outcome),
                pp(p.delta_p)
            )
        })
        .collect();
    collapsed_table("pivotal", head, &rows)
}

fn paragraphs(ps: &[u32]) -> String {
    // Collapse runs: [26, 27, 28, 30] → ¶26–¶28, ¶30.
    let mut v: Vec<u32> = ps.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut parts = vec![];
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("¶{}–¶{}", v[i], v[j])
        } else {
            format!("¶{}", v[i])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// The hypotheses with verdict badges (symbol + text + border style, not colour alone).
pub fn hypotheses_table(d: &ReportData) -> String {
    if d.hypotheses.is_empty() {
        return na("hypothesis tests");
    }
    let mut s = String::from(
        "<table class=\"hypotheses\">\n<thead><tr><th>ID</th><th>Claim and counterfactual</th><th>Outcome</th><th class=\"num\">Δ probability (95% interval)</th><th>Verdict</th></tr></thead>\n<tbody>\n",
    );
    for h in &d.hypotheses {
        let (sym, word) = charts::verdict_label(h.verdict);
        let class = match h.verdict {
            Verdict::Supported => "supported",
            Verdict::NotSupported => "not_supported",
            Verdict::Inconclusive => "inconclusive",
        };
        let sources = h
            .sources
            .iter()
            .map(|r| {
                if r.paragraphs.is_empty() {
                    esc(&r.source)
                } else {
                    format!("{} {}", esc(&r.source), paragraphs(&r.paragraphs))
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            s,
            "<tr><td class=\"mono\">{}</td><td>{}<br/><span class=\"sources\">Counterfactual: {}</span><br/><span class=\"sources\">Rests on: {}</span></td><td>{}</td><td class=\"num\">{}<br/><span class=\"sources\">[{}, {}]</span></td><td><span class=\"badge {class}\">{sym} {word}</span></td></tr>",
            esc(&h.id),
            esc(&h.claim),
            esc(&h.counterfactual),
            if sources.is_empty() { "—".to_string() } else { sources },
            esc(&h.outcome),
            pp(h.delta_p),
            pp(h.lo),
            pp(h.hi)
        );
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

/// Every input with its source, date and reliability.
pub fn provenance_table(d: &ReportData) -> String {
    if d.provenance.is_empty() {
        return na("provenance records");
    }
    let head = "<tr><th>Input</th><th>Value</th><th>Source</th><th>Date</th><th class=\"num\">Reliability (0–1)</th></tr>";
    let rows: Vec<String> = d
        .provenance
        .iter()
        .map(|r| {
            format!(
                "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td><span class=\"mono\">{}</span> {}</td><td class=\"num\">{}</td><td class=\"num\">{}{}</td></tr>",
                esc(&r.input),
                esc(&r.value),
                esc(&r.source_id),
                esc(&r.source_title),
                esc(&r.date),
                fixed(r.reliability, 2),
                meter(r.reliability, f64::NAN, f64::NAN)
            )
        })
        .collect();
    collapsed_table("provenance", head, &rows)
}

/// The "Evidence ledger" section: counts per basis, the assumed numbers (most influential or
/// widest first), the fixed numbers by reason, the rates without a reference class.
pub fn ledger_section(l: &LedgerView) -> String {
    let mut s = format!(
        "<section id=\"evidence-ledger\">\n<h2>Evidence ledger</h2>\n<p class=\"lead\">What each of the scenario's {} numbers rests on. Every number is uncertain unless it is fixed with a reason; the assumed ones are listed {}, so that the first rows are the ones most worth sourcing.</p>\n",
        l.total,
        esc(&l.ordering)
    );
    s.push_str("<table class=\"ledger-counts\">\n<thead><tr><th>Basis</th><th class=\"num\">Numbers</th><th>Meaning</th></tr></thead>\n<tbody>\n");
    for c in &l.counts {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(&c.basis),
            c.count,
            esc(&c.meaning)
        );
    }
    s.push_str("</tbody>\n</table>\n");
    if l.assumed.is_empty() {
        s.push_str(&na("assumed numbers"));
    } else {
        let head = "<tr><th>Assumed number</th><th class=\"num\">Value</th><th>Basis</th><th class=\"num\">Spread (share of range)</th><th class=\"num\">Tornado swing</th></tr>";
        let rows: Vec<String> = l
            .assumed
            .iter()
            .map(|r| {
                format!(
                    "<tr><td class=\"mono\">{}</td><td class=\"num mono\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(&r.path),
                    esc(&r.value),
                    esc(&r.basis),
                    num4(r.spread, 2),
                    r.influence.map_or("–".to_string(), |x| num4(x, 3))
                )
            })
            .collect();
        s.push_str(&collapsed_table("ledger-assumed", head, &rows));
    }
    if !l.fixed.is_empty() {
        s.push_str("<h3>Fixed numbers</h3>\n<ul class=\"ledger-fixed\">\n");
        for f in &l.fixed {
            let more = f.count.saturating_sub(f.examples.len());
            let _ = write!(
                s,
                "<li>{} ({}): <span class=\"mono\">{}</span>",
                esc(&f.reason),
                f.count,
                esc(&f.examples.join(", "))
            );
            if more > 0 {
                let _ = write!(s, " and {more} more");
            }
            s.push_str("</li>\n");
        }
        s.push_str("</ul>\n");
    }
    if !l.rates_without_reference.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"sources\">Rates without a reference class ({}), assumptions until one is cited: <span class=\"mono\">{}</span>.</p>",
            l.rates_without_reference.len(),
            esc(&l.rates_without_reference.join(", "))
        );
    }
    s.push_str("</section>\n");
    s
}

/// One entry of the table of contents: anchor, title, the question it answers, chart links.
type ContentsItem<'a> = (String, &'a str, String, Vec<(String, String)>);

/// The table of contents at the top of the page: every section with the question it answers,
/// and one link per chart (the charts' SVG ids are the anchors).
pub fn contents(d: &ReportData) -> String {
    let mut items: Vec<ContentsItem> = vec![];
    items.push((
        "headline".into(),
        "Headline",
        "how the crisis ends: outcome classes with 95% intervals".into(),
        vec![],
    ));
    items.push((
        "forecasts".into(),
        "Forecast questions",
        format!(
            "{} dated questions and their probabilities",
            d.forecasts.len()
        ),
        vec![],
    ));
    items.push((
        "trajectories".into(),
        "Position trajectories",
        "each actor's position per round, median and bands".into(),
        d.trajectories
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("chart-trajectory-{i}"), t.issue.clone()))
            .collect(),
    ));
    items.push((
        "cascade".into(),
        "Alliance cascade",
        format!(
            "how {} allies end up aligned and who tipped whom",
            d.network.nodes.len()
        ),
        vec![],
    ));
    let mut drivers = vec![];
    if !d.tornado.bars.is_empty() {
        drivers.push((
            "chart-tornado".to_string(),
            "one at a time (tornado)".to_string(),
        ));
    }
    if !d.sobol.indices.is_empty() {
        drivers.push((
            "chart-sobol".to_string(),
            "variance shares (Sobol)".to_string(),
        ));
    }
    items.push((
        "drivers".into(),
        "Drivers",
        "which inputs move the result, and the pivotal actors".into(),
        drivers,
    ));
    items.push((
        "hypotheses".into(),
        "Hypotheses",
        format!("{} claims tested as counterfactuals", d.hypotheses.len()),
        vec![],
    ));
    items.push((
        "provenance".into(),
        "Provenance",
        "every input's source and date; results as evidence is discounted".into(),
        vec![],
    ));
    if let Some(l) = &d.ledger {
        items.push((
            "evidence-ledger".into(),
            "Evidence ledger",
            format!(
                "what each of {} numbers rests on, and the assumptions to source next",
                l.total
            ),
            vec![],
        ));
    }
    if d.track_record.is_some() {
        items.push((
            "track-record".into(),
            "Track record",
            "how the engine scored on resolved crises (reliability diagram)".into(),
            vec![("chart-reliability".into(), "reliability diagram".into())],
        ));
    }
    items.push((
        "reproduction".into(),
        "Reproduce",
        "seed, runs, scenario hash and the command".into(),
        vec![],
    ));
    let mut s = String::from(
        "<section id=\"contents\" class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n",
    );
    for (id, name, what, subs) in items {
        let _ = write!(
            s,
            "<li><a href=\"#{}\">{}</a> <span class=\"sources\">— {}</span>",
            esc(&id),
            esc(name),
            esc(&what)
        );
        if !subs.is_empty() {
            s.push_str("<ul>");
            for (sid, label) in subs {
                let _ = write!(s, "<li><a href=\"#{}\">{}</a></li>", esc(&sid), esc(&label));
            }
            s.push_str("</ul>");
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ol>\n</section>\n");
    s
}

fn num4(v: f64, d: usize) -> String {
    if v.is_finite() {
        fixed(v, d)
    } else {
        "n/a".into()
    }
}

/// The "Track record" section: the backtest ledger's pooled scores, Murphy decomposition and
/// reliability diagram (the same SVG as `statecraft backtest --out`, `charts::reliability_svg`).
pub fn track_record(v: &BacktestView) -> String {
    let p = &v.pooled;
    format!(
        "<section id=\"track-record\">\n<h2>Track record</h2>\n<p class=\"lead\">{title}. \
         Each ledger case is a past crisis written from sources dated on or before its <code>as_of</code>; \
         its forecast questions are scored against how they resolved (docs/backtest.md).</p>\n\
         <table>\n<thead><tr><th>pooled over {n} questions</th><th class=\"num\">value</th></tr></thead>\n<tbody>\n\
         <tr><td>Brier score (lower is better)</td><td class=\"num\">{bs}</td></tr>\n\
         <tr><td>Brier skill vs the ledger's base rate ({br})</td><td class=\"num\">{sbr}</td></tr>\n\
         <tr><td>Brier skill vs 50%</td><td class=\"num\">{sh}</td></tr>\n\
         <tr><td>Murphy (1973): reliability − resolution + uncertainty</td><td class=\"num\">{rel} − {res} + {unc}</td></tr>\n\
         </tbody>\n</table>\n{fig}</section>\n",
        title = esc(&v.title),
        n = int(v.n as u64),
        bs = num4(v.brier, 4),
        br = num4(v.base_rate, 3),
        sbr = num4(p.skill_base_rate, 3),
        sh = num4(p.skill_half, 3),
        rel = num4(v.reliability, 4),
        res = num4(v.resolution, 4),
        unc = num4(v.uncertainty, 4),
        fig = figure(&charts::reliability_svg(v)),
    )
}

/// The whole report as one HTML document.
pub fn render_html(d: &ReportData) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let title = if d.title.is_empty() {
        "statecraft report"
    } else {
        &d.title
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"statecraft {}\"/>\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&d.reproduction.engine_version),
        esc(title)
    );
    let _ = write!(
        s,
        "<header class=\"top\">\n<h1>{}</h1>\n<div class=\"meta\">Scenario <code>{}</code> · evidence as of {} · horizon {} · {} Monte Carlo runs, seed {}</div>\n",
        esc(title),
        esc(&d.scenario_id),
        esc(&d.as_of),
        esc(&d.horizon),
        int(d.reproduction.runs),
        d.reproduction.seed
    );
    if let Some(n) = &d.notice {
        let _ = writeln!(s, "<div class=\"notice\" role=\"note\">⚠ {}</div>", esc(n));
    }
    s.push_str("</header>\n<nav aria-label=\"Sections\"><a href=\"#headline\">Headline</a><a href=\"#forecasts\">Forecasts</a><a href=\"#trajectories\">Trajectories</a><a href=\"#cascade\">Cascade</a><a href=\"#drivers\">Drivers</a><a href=\"#hypotheses\">Hypotheses</a><a href=\"#provenance\">Provenance</a><a href=\"#reproduction\">Reproduce</a></nav>\n<main>\n");
    s.push_str(&contents(d));

    // Headline.
    s.push_str("<section id=\"headline\">\n<h2>Headline: how the crisis ends</h2>\n<p class=\"lead\">Each outcome class is a condition on the final state of a run; the probability is the share of runs that end in it. Intervals are 95% intervals. None of this is a prediction stated as fact: every number rests on the inputs listed under Provenance.</p>\n");
    if d.outcomes.is_empty() {
        s.push_str(&na("outcome estimates"));
    } else {
        s.push_str(&figure(&charts::outcomes_svg(d)));
    }
    if !d.class_note.is_empty() {
        let _ = writeln!(s, "<p class=\"lead\">{}</p>", esc(&d.class_note));
    }
    s.push_str("</section>\n");

    s.push_str("<section id=\"forecasts\">\n<h2>Forecast questions</h2>\n");
    s.push_str(&forecast_table(d));
    s.push_str("</section>\n");

    s.push_str("<section id=\"trajectories\">\n<h2>Position trajectories</h2>\n<p class=\"lead\">Each actor's position on each issue, round by round: the line is the median across runs, the dark band holds the middle 50% of runs and the light band 90%. The y axis is labelled with the issue's anchor points.</p>\n");
    if d.trajectories.is_empty() {
        s.push_str(&na("trajectories"));
    }
    for i in 0..d.trajectories.len() {
        s.push_str(&figure(&charts::trajectory_svg(d, i)));
    }
    s.push_str("</section>\n");

    s.push_str("<section id=\"cascade\">\n<h2>Alliance cascade</h2>\n<p class=\"lead\">Who influences whom, how each ally is likely to end up aligned, and the sequences in which allies most often tipped.</p>\n");
    if d.network.nodes.is_empty() {
        s.push_str(&na("alliance network"));
    } else {
        s.push_str(&figure(&charts::network_svg(d)));
    }
    s.push_str("</section>\n");

    s.push_str("<section id=\"drivers\">\n<h2>Drivers</h2>\n<p class=\"lead\">Which inputs move the result: one at a time (tornado), and as shares of the output variance including interactions (Sobol).</p>\n");
    if d.tornado.bars.is_empty() {
        s.push_str(&na("one-at-a-time effects"));
    } else {
        s.push_str(&figure(&charts::tornado_svg(d)));
        s.push_str("<p class=\"lead\">The tornado's base line is the probability with every input held at its nominal value (in-run chance still varies); the headline samples the inputs, so the two differ whenever the inputs are uncertain.</p>\n");
    }
    if d.sobol.indices.is_empty() {
        s.push_str(&na("Sobol indices"));
    } else {
        s.push_str(&figure(&charts::sobol_svg(d)));
    }
    s.push_str("<h3>Pivotal actors</h3>\n");
    s.push_str(&pivotal_table(d));
    s.push_str("</section>\n");

    s.push_str("<section id=\"hypotheses\">\n<h2>Hypotheses</h2>\n<p class=\"lead\">Each claim is tested as a counterfactual: the change in an outcome's probability when the condition the claim names is changed, with its 95% interval, and the engine's verdict. The sources each test rests on are listed with their paragraph numbers.</p>\n");
    if !d.hypotheses.is_empty() {
        s.push_str(&figure(&charts::hypotheses_svg(d)));
    }
    s.push_str(&hypotheses_table(d));
    s.push_str("</section>\n");

    s.push_str("<section id=\"provenance\">\n<h2>Provenance</h2>\n<p class=\"lead\">Every input, the source it comes from, the source's date and its reliability. Below: how the outcome probabilities move as that evidence is discounted.</p>\n");
    s.push_str(&provenance_table(d));
    if d.evidence_discount.series.is_empty() {
        s.push_str(&na("evidence-discount results"));
    } else {
        s.push_str(&figure(&charts::discount_svg(d)));
    }
    s.push_str("</section>\n");
    if let Some(l) = &d.ledger {
        s.push_str(&ledger_section(l));
    }
    if let Some(v) = &d.track_record {
        s.push_str(&track_record(v));
    }
    s.push_str("</main>\n");

    let r = &d.reproduction;
    let _ = write!(
        s,
        "<footer id=\"reproduction\">\n<strong>Reproduce this report</strong>\n<dl>\n<dt>Scenario hash</dt><dd><code>{}</code></dd>\n<dt>Seed</dt><dd><code>{}</code></dd>\n<dt>Runs</dt><dd><code>{}</code></dd>\n<dt>Engine version</dt><dd><code>statecraft {}</code></dd>\n<dt>Command</dt><dd><code>{}</code></dd>\n{}</dl>\n</footer>\n</body>\n</html>\n",
        esc(&r.scenario_hash),
        r.seed,
        r.runs,
        esc(&r.engine_version),
        esc(&r.command),
        if r.notes.is_empty() {
            String::new()
        } else {
            format!(
                "<dt>Analysis settings</dt><dd><ul>{}</ul></dd>\n",
                r.notes
                    .iter()
                    .map(|n| format!("<li>{}</li>", esc(n)))
                    .collect::<String>()
            )
        }
    );
    s
}

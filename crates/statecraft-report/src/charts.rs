//! The charts: each a pure function `fn(&ReportData) -> String` returning one SVG document.
//!
//! Common rules: a visible title and a muted subtitle saying what the marks mean; axis titles
//! with units; `role="img"`, `<title>`, `<desc>` and `aria-label`; colour never the only
//! encoding (shapes, hatching, dash patterns and text labels repeat it); numbers with fixed
//! decimals. Every function is O(size of its input) and never panics on NaN or empty input.

use crate::data::*;
use crate::fmt::{c, esc, fin, fixed, int, pct, pct_interval, pp, prob, truncate, wrap2};
use crate::svg::*;
use std::fmt::Write as _;

const W: f64 = 880.0;
/// Width-estimate font size for 11 px monospace labels (monospace glyphs are about 0.6 em
/// wide; the estimate assumes 0.55 em).
const MONO: f64 = 12.2;
/// Rows shown at most in the tornado and Sobol charts (the most influential inputs).
pub const MAX_INPUT_ROWS: usize = 15;
/// Above this many allies the network is drawn as an influence matrix ([`network_svg`]).
pub const BIG_NETWORK: usize = 16;

fn label_width(labels: impl Iterator<Item = usize>, font: f64, min: f64, max: f64) -> f64 {
    let chars = labels.max().unwrap_or(0);
    (chars as f64 * font * 0.55).clamp(min, max)
}

fn max_chars(width: f64, font: f64) -> usize {
    ((width / (font * 0.55)).floor() as usize).max(4)
}

fn pct_tick(t: f64) -> String {
    fixed(t * 100.0, 0)
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/// Outcome classes: horizontal bars (probability) with 95% interval whiskers, most likely first.
pub fn outcomes_svg(d: &ReportData) -> String {
    let mut rows: Vec<&OutcomeEstimate> = d.outcomes.iter().collect();
    // Stable sort: most likely first, NaN last, ties keep the scenario's order.
    rows.sort_by(|a, b| fin(b.p, -1.0).total_cmp(&fin(a.p, -1.0)));
    let row_h = 34.0;
    let top = 62.0;
    let h = top + (rows.len().max(1) as f64) * row_h + 56.0;
    let runs = int(d.reproduction.runs);
    let mut s = Svg::new(
        "chart-outcomes",
        W,
        h,
        "Outcome probabilities",
        &format!(
            "Probability of each outcome class across {runs} Monte Carlo runs, with 95% intervals: {}",
            rows.iter()
                .map(|o| format!("{} {} ({})", o.name, pct(o.p), pct_interval(o.lo, o.hi)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle(&format!(
        "Bar: share of {runs} runs ending in the outcome. Whisker: 95% interval."
    ));
    if rows.is_empty() {
        s.no_data("outcome estimates");
        return s.finish();
    }
    let lw = label_width(
        rows.iter().map(|o| o.name.chars().count()),
        12.0,
        80.0,
        220.0,
    );
    let x0 = 16.0 + lw + 10.0;
    let x1 = W - 170.0;
    let sx = Scale::new(0.0, 1.0, x0, x1);
    let ticks = nice_ticks(0.0, 1.0, 5);
    let bottom = top + rows.len() as f64 * row_h;
    s.x_grid(&sx, top - 6.0, bottom, &ticks);
    for (i, o) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let mid = y + row_h / 2.0 - 3.0;
        let lines = wrap2(&o.name, max_chars(lw, 12.0));
        s.label_lines(x0 - 10.0, mid, &lines, &o.name, "text-anchor=\"end\"");
        let label = format!("{} ({})", pct(o.p), pct_interval(o.lo, o.hi));
        if let Some(p) = prob(o.p) {
            s.rect_tip(
                x0,
                mid - 8.0,
                sx.map(p) - x0,
                16.0,
                &format!("fill=\"{BLUE}\""),
                &format!("{}: {label}", o.name),
            );
        }
        if let (Some(lo), Some(hi)) = (prob(o.lo), prob(o.hi)) {
            s.whisker(sx.map(lo.min(hi)), sx.map(lo.max(hi)), mid, 5.0, INK);
        }
        s.text(x1 + 10.0, mid + 4.0, &label, "font-size=\"12\"");
    }
    s.x_axis(&sx, bottom, &ticks, pct_tick, "Probability (%)");
    s.finish()
}

// ---------------------------------------------------------------------------------------------
// Trajectories

/// Picks one quantile of a band.
type Quantile = fn(&Band) -> f64;

fn band_ok(b: &Band) -> bool {
    [b.q05, b.q25, b.q50, b.q75, b.q95]
        .iter()
        .all(|v| v.is_finite())
}

/// Position trajectories on one issue: one small panel per actor, median line with 50% and 90%
/// bands across runs; the issue's anchor labels on the y axis.
pub fn trajectory_svg(d: &ReportData, index: usize) -> String {
    let Some(t) = d.trajectories.get(index) else {
        let mut s = Svg::new(
            &format!("chart-trajectory-{index}"),
            W,
            120.0,
            "Position trajectories",
            "No trajectory data.",
        );
        s.no_data("trajectories");
        return s.finish();
    };
    let (lo, hi) = if t.min.is_finite() && t.max.is_finite() && t.min < t.max {
        (t.min, t.max)
    } else {
        (0.0, 100.0)
    };
    let n = t.actors.len();
    let cols = n.clamp(1, 3);
    let rows = n.div_ceil(cols).max(1);
    let anchors: Vec<&AnchorLabel> = t
        .anchors
        .iter()
        .filter(|a| a.value.is_finite() && a.value >= lo && a.value <= hi)
        .collect();
    let ylabels: Vec<(f64, String)> = if anchors.is_empty() {
        nice_ticks(lo, hi, 4)
            .into_iter()
            .map(|v| (v, fixed(v, 0)))
            .collect()
    } else {
        anchors.iter().map(|a| (a.value, a.label.clone())).collect()
    };
    // Each y label ends with its value, which truncation must never cut: "Full US mil… (70)".
    let with_value = |label: &str, v: f64, chars: usize| -> (String, String) {
        let tail = format!(" ({})", fixed(v, 0));
        let full = format!("{label}{tail}");
        if anchors.is_empty() {
            return (label.to_string(), label.to_string());
        }
        let room = chars.saturating_sub(tail.chars().count()).max(4);
        (format!("{}{tail}", truncate(label, room)), full)
    };
    let lw = label_width(
        ylabels
            .iter()
            .map(|l| l.1.chars().count() + if anchors.is_empty() { 0 } else { 6 }),
        11.0,
        30.0,
        210.0,
    );
    let left = 34.0 + lw + 8.0;
    let gap = 18.0;
    let pw = (W - left - 16.0 - gap * (cols as f64 - 1.0)) / cols as f64;
    let ph = 130.0;
    // Panel titles wrap onto two lines (never cut to one), with room above the panel for both.
    let title_chars = max_chars(pw, 12.5);
    let wraps = t
        .actors
        .iter()
        .any(|a| a.actor.chars().count() > title_chars);
    let extra = if wraps { 14.0 } else { 0.0 };
    let top = if t.caption.is_empty() { 70.0 } else { 90.0 } + extra;
    let row_step = ph + 46.0 + extra;
    let h = top + rows as f64 * row_step;
    let unit = if t.unit.is_empty() {
        "position"
    } else {
        &t.unit
    };
    let id = format!("chart-trajectory-{index}");
    let mut s = Svg::new(
        &id,
        W,
        h,
        &format!("Position trajectories: {}", t.issue),
        &format!(
            "Each actor's position on {} ({unit}) per round: median across runs with 50% and 90% bands. Final medians: {}",
            t.issue,
            t.actors
                .iter()
                .map(|a| format!(
                    "{} {}",
                    a.actor,
                    a.rounds.last().map(|b| fixed(b.q50, 1)).unwrap_or_else(|| "n/a".into())
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    // Legend in the subtitle line.
    s.text(
        16.0,
        42.0,
        "Line: median across runs.",
        "font-size=\"12\" fill=\"#555555\"",
    );
    s.rect(
        190.0,
        33.0,
        22.0,
        11.0,
        &format!("fill=\"{BLUE}\" fill-opacity=\"0.45\""),
    );
    s.text(216.0, 42.0, "50% band", "font-size=\"12\" fill=\"#555555\"");
    s.rect(
        284.0,
        33.0,
        22.0,
        11.0,
        &format!("fill=\"{BLUE}\" fill-opacity=\"0.18\""),
    );
    let band = if t.bands_from.is_empty() {
        "90% band".to_string()
    } else {
        format!("90% band ({})", t.bands_from)
    };
    s.text(310.0, 42.0, &band, "font-size=\"12\" fill=\"#555555\"");
    if !t.caption.is_empty() {
        s.text(16.0, 62.0, &t.caption, "font-size=\"12\" fill=\"#555555\"");
    }
    let days = d
        .round_days
        .map(|k| format!("Round (1 round = {k} days)"))
        .unwrap_or_else(|| "Round".to_string());
    if n == 0 {
        s.no_data("actor trajectories");
        return s.finish();
    }
    // y-axis title, rotated, once for the figure.
    let _ = writeln!(
        s_raw_buf(&mut s),
        "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
        c(top + (rows as f64 * row_step - 46.0) / 2.0),
        esc(&format!("{} ({unit})", t.issue))
    );
    let n_rounds = t.actors.iter().map(|a| a.rounds.len()).max().unwrap_or(0);
    let last_round = n_rounds.saturating_sub(1).max(1) as f64;
    let xt = nice_ticks(0.0, last_round, 5)
        .into_iter()
        .filter(|v| v.fract() == 0.0)
        .collect::<Vec<_>>();
    for (k, a) in t.actors.iter().enumerate() {
        let (col, row) = (k % cols, k / cols);
        let px = left + col as f64 * (pw + gap);
        let py = top + row as f64 * row_step;
        let sx = Scale::new(0.0, last_round, px, px + pw);
        let sy = Scale::new(lo, hi, py + ph, py);
        s.rect(px, py, pw, ph, "fill=\"#fafafa\" stroke=\"#cccccc\"");
        let title = wrap2(&a.actor, title_chars);
        let y_mid = if title.len() > 1 {
            py - 17.0
        } else {
            py - 10.0
        };
        s.label_lines(
            px,
            y_mid,
            &title,
            &a.actor,
            "font-size=\"12\" font-weight=\"bold\"",
        );
        for (v, label) in &ylabels {
            let y = sy.map(*v);
            s.line(
                px,
                y,
                px + pw,
                y,
                &format!("stroke=\"{GRID}\" stroke-dasharray=\"3 3\""),
            );
            if col == 0 {
                let (short, full) = with_value(label, *v, max_chars(lw, 11.0));
                s.text_tip(
                    px - 6.0,
                    y + 4.0,
                    &short,
                    &full,
                    "text-anchor=\"end\" font-size=\"11\" fill=\"#555555\"",
                );
            }
        }
        // Contiguous runs of valid rounds.
        let mut segments: Vec<Vec<(usize, Band)>> = vec![];
        let mut cur = vec![];
        for (i, b) in a.rounds.iter().enumerate() {
            if band_ok(b) {
                cur.push((i, *b));
            } else if !cur.is_empty() {
                segments.push(std::mem::take(&mut cur));
            }
        }
        if !cur.is_empty() {
            segments.push(cur);
        }
        for seg in &segments {
            let x = |i: usize| c(sx.map(i as f64));
            let y = |v: f64| c(sy.map_clamped(v));
            let bands: [(Quantile, Quantile, &str); 2] = [
                (|b| b.q05, |b| b.q95, "0.18"),
                (|b| b.q25, |b| b.q75, "0.45"),
            ];
            for (qa, qb, op) in bands {
                let mut p = String::new();
                for (j, (i, b)) in seg.iter().enumerate() {
                    let _ = write!(
                        p,
                        "{}{} {} ",
                        if j == 0 { "M" } else { "L" },
                        x(*i),
                        y(qb(b))
                    );
                }
                for (i, b) in seg.iter().rev() {
                    let _ = write!(p, "L{} {} ", x(*i), y(qa(b)));
                }
                p.push('Z');
                s.raw(&format!(
                    "<path d=\"{p}\" fill=\"{BLUE}\" fill-opacity=\"{op}\" stroke=\"none\"/>\n"
                ));
            }
            let mut m = String::new();
            for (j, (i, b)) in seg.iter().enumerate() {
                let _ = write!(
                    m,
                    "{}{} {} ",
                    if j == 0 { "M" } else { "L" },
                    x(*i),
                    y(b.q50)
                );
            }
            s.raw(&format!(
                "<path d=\"{}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"2\"/>\n",
                m.trim_end()
            ));
        }
        if a.rounds.is_empty() || segments.is_empty() {
            s.text(
                px + pw / 2.0,
                py + ph / 2.0,
                "no data",
                "text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\"",
            );
        }
        let bottom = py + ph;
        for &tk in &xt {
            let xx = sx.map(tk);
            s.line(xx, bottom, xx, bottom + 4.0, &format!("stroke=\"{MUTED}\""));
            s.text(
                xx,
                bottom + 15.0,
                &fixed(tk, 0),
                "text-anchor=\"middle\" font-size=\"10\" fill=\"#555555\"",
            );
        }
        if row == rows - 1 || k + cols >= n {
            s.text(
                px + pw / 2.0,
                bottom + 30.0,
                &days,
                "text-anchor=\"middle\" font-size=\"11\"",
            );
        }
    }
    s.finish()
}

fn s_raw_buf(s: &mut Svg) -> RawWriter<'_> {
    RawWriter(s)
}

/// Lets `writeln!` target an [`Svg`].
struct RawWriter<'a>(&'a mut Svg);

impl std::fmt::Write for RawWriter<'_> {
    fn write_str(&mut self, t: &str) -> std::fmt::Result {
        self.0.raw(t);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Network

/// Shape index (see [`shape_path`]) for a node's most likely final alignment:
/// triangle = backs the initiator, circle = neutral, square = backs the target.
fn alignment_shape(n: &NetworkNode) -> (usize, &'static str) {
    let pi = fin(n.p_initiator, -1.0);
    let pn = fin(n.p_neutral, -1.0);
    let pt = fin(n.p_target, -1.0);
    if pi >= pn && pi >= pt && pi >= 0.0 {
        (2, "initiator")
    } else if pt > pn && pt >= 0.0 {
        (1, "target")
    } else {
        (0, "neutral")
    }
}

/// The influence network: circular layout in the given node order (deterministic), nodes
/// coloured by P(back initiator) on a blue–orange scale and shaped by their most likely
/// alignment; edges by influence weight; the most frequent tipping paths drawn thick and
/// numbered.
pub fn network_svg(d: &ReportData) -> String {
    let net = &d.network;
    let h = 600.0;
    let init = if net.initiator.is_empty() {
        "initiator"
    } else {
        &net.initiator
    };
    let targ = if net.target.is_empty() {
        "target"
    } else {
        &net.target
    };
    let id = "chart-network";
    // Many allies: the influence matrix (a circle of more than 16 labelled nodes overlaps).
    if net.nodes.len() > BIG_NETWORK {
        return network_matrix_svg(d, init, targ);
    }
    let mut s = Svg::new(
        id,
        W,
        h,
        "Alliance cascade: influence network",
        &format!(
            "Allies coloured by the probability that they end backing {init}; shape shows the most likely final alignment. {}",
            net.nodes
                .iter()
                .map(|n| format!(
                    "{}: backs {init} {}, neutral {}, backs {targ} {}",
                    n.name,
                    pct(n.p_initiator),
                    pct(n.p_neutral),
                    pct(n.p_target)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle(&format!(
        "Fill: P(ends backing {init}). Shape: most likely alignment. Grey arrows: influence. Dark numbered lines: most frequent tipping paths."
    ));
    if !net.caption.is_empty() {
        s.text(
            16.0,
            60.0,
            &net.caption,
            "font-size=\"12\" fill=\"#555555\"",
        );
    }
    if net.nodes.is_empty() {
        s.no_data("alliance network");
        return s.finish();
    }
    // Room for the labels: the widest node label is about 130 px.
    let (cx, cy, r) = (310.0, 335.0, 195.0);
    let n = net.nodes.len();
    let pos: Vec<(f64, f64, f64)> = (0..n)
        .map(|i| {
            if n == 1 {
                return (cx, cy, -std::f64::consts::FRAC_PI_2);
            }
            let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
            (cx + r * a.cos(), cy + r * a.sin(), a)
        })
        .collect();
    let index = |id: &str| net.nodes.iter().position(|n| n.id == id);
    let node_r = 17.0;
    // Arrow heads.
    s.raw(&format!(
        "<defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10Z\" fill=\"#8a8a8a\"/></marker>\
         <marker id=\"{id}-arrow-dark\" viewBox=\"0 0 10 10\" refX=\"8\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"13\" markerHeight=\"13\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10Z\" fill=\"{INK}\"/></marker></defs>\n"
    ));
    let wmax = net
        .edges
        .iter()
        .map(|e| fin(e.weight, 0.0).max(0.0))
        .fold(0.0, f64::max);
    let shorten = |a: (f64, f64), b: (f64, f64), by: f64| {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len <= 2.0 * by {
            return (a, b);
        }
        let (ux, uy) = (dx / len, dy / len);
        (
            (a.0 + ux * by, a.1 + uy * by),
            (b.0 - ux * by, b.1 - uy * by),
        )
    };
    for e in &net.edges {
        let (Some(i), Some(j)) = (index(&e.from), index(&e.to)) else {
            continue;
        };
        if i == j {
            continue;
        }
        let wt = if wmax > 0.0 {
            fin(e.weight, 0.0).max(0.0) / wmax
        } else {
            0.0
        };
        let (a, b) = shorten((pos[i].0, pos[i].1), (pos[j].0, pos[j].1), node_r + 4.0);
        let _ = writeln!(
            s_raw_buf(&mut s),
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a8a8a\" stroke-opacity=\"0.7\" stroke-width=\"{}\" marker-end=\"url(#{id}-arrow)\"><title>{} → {}: weight {}</title></line>",
            c(a.0),
            c(a.1),
            c(b.0),
            c(b.1),
            fixed(0.6 + 2.4 * wt, 2),
            esc(&e.from),
            esc(&e.to),
            fixed(e.weight, 2)
        );
    }
    // Tipping paths, drawn as bowed curves so they don't hide the straight influence edges.
    let paths: Vec<&TippingPath> = net.paths.iter().take(5).collect();
    let fmax = paths
        .iter()
        .map(|p| fin(p.frequency, 0.0))
        .fold(0.0, f64::max);
    for (k, p) in paths.iter().enumerate().rev() {
        let f = if fmax > 0.0 {
            fin(p.frequency, 0.0).max(0.0) / fmax
        } else {
            0.0
        };
        let width = 2.0 + 5.0 * f;
        let nodes: Vec<usize> = p.path.iter().filter_map(|id| index(id)).collect();
        let bow = 28.0 + 10.0 * k as f64;
        let mut label_at = None;
        for w in nodes.windows(2) {
            let (i, j) = (w[0], w[1]);
            if i == j {
                continue;
            }
            let (a, b) = shorten((pos[i].0, pos[i].1), (pos[j].0, pos[j].1), node_r + 6.0);
            let (mx, my) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
            let (dx, dy) = (b.0 - a.0, b.1 - a.1);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (qx, qy) = (mx - dy / len * bow, my + dx / len * bow);
            let _ = writeln!(
                s_raw_buf(&mut s),
                "<path d=\"M{} {}Q{} {} {} {}\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"{}\" stroke-linecap=\"round\"/>\
                 <path d=\"M{} {}Q{} {} {} {}\" fill=\"none\" stroke=\"{INK}\" stroke-opacity=\"0.85\" stroke-width=\"{}\" stroke-linecap=\"round\" marker-end=\"url(#{id}-arrow-dark)\"><title>Tipping path {}: {} ({} of runs)</title></path>",
                c(a.0), c(a.1), c(qx), c(qy), c(b.0), c(b.1), fixed(width + 3.0, 1),
                c(a.0), c(a.1), c(qx), c(qy), c(b.0), c(b.1), fixed(width, 1),
                k + 1,
                esc(&p.path.join(" → ")),
                pct(p.frequency)
            );
            if label_at.is_none() {
                // The curve's midpoint (t = 0.5 on a quadratic Bézier).
                label_at = Some((
                    0.25 * a.0 + 0.5 * qx + 0.25 * b.0,
                    0.25 * a.1 + 0.5 * qy + 0.25 * b.1,
                ));
            }
        }
        if let Some((lx, ly)) = label_at {
            let _ = writeln!(
                s_raw_buf(&mut s),
                "<circle cx=\"{}\" cy=\"{}\" r=\"9\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1.5\"/>",
                c(lx),
                c(ly)
            );
            s.text(
                lx,
                ly + 4.0,
                &format!("{}", k + 1),
                "text-anchor=\"middle\" font-size=\"11\" font-weight=\"bold\"",
            );
        }
    }
    // Nodes.
    for (i, nd) in net.nodes.iter().enumerate() {
        let (x, y, a) = pos[i];
        let (shape, kind) = alignment_shape(nd);
        let _ = writeln!(
            s_raw_buf(&mut s),
            "<path d=\"{}\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\"><title>{}: backs {} {}, neutral {}, backs {} {} (most likely: {})</title></path>",
            shape_path(shape, x, y, node_r),
            diverging(nd.p_initiator),
            esc(&nd.name),
            esc(init),
            pct(nd.p_initiator),
            pct(nd.p_neutral),
            esc(targ),
            pct(nd.p_target),
            kind
        );
        let (ca, sa) = (a.cos(), a.sin());
        let lr = node_r + 12.0;
        let (lx, ly) = (x + lr * ca, y + lr * sa);
        let anchor = if n == 1 || ca.abs() < 0.3 {
            "middle"
        } else if ca > 0.0 {
            "start"
        } else {
            "end"
        };
        let ly = if n == 1 || ca.abs() < 0.3 {
            if sa < 0.0 && n > 1 {
                ly - 16.0
            } else {
                ly + 8.0
            }
        } else {
            // Diagonal positions: move the two-line label away from the node vertically too.
            ly - 2.0 + 12.0 * sa
        };
        s.text(
            lx,
            ly,
            &truncate(&nd.name, 22),
            &format!("text-anchor=\"{anchor}\" font-size=\"12\" font-weight=\"bold\""),
        );
        s.text(
            lx,
            ly + 14.0,
            &format!("P = {}", pct(nd.p_initiator)),
            &format!("text-anchor=\"{anchor}\" font-size=\"11\" fill=\"#555555\""),
        );
    }
    // Legend (right column).
    let lx = 640.0;
    let mut ly = 80.0;
    s.text(
        lx,
        ly,
        &format!("P = P(ends backing {})", truncate(init, 16)),
        "font-size=\"12\" font-weight=\"bold\"",
    );
    ly += 10.0;
    for k in 0..5 {
        let t = k as f64 / 4.0;
        s.rect(
            lx + k as f64 * 44.0,
            ly,
            44.0,
            14.0,
            &format!(
                "fill=\"{}\" stroke=\"#999999\" stroke-width=\"0.5\"",
                diverging(t)
            ),
        );
        s.text(
            lx + k as f64 * 44.0 + 22.0,
            ly + 28.0,
            &format!("{}%", fixed(t * 100.0, 0)),
            "text-anchor=\"middle\" font-size=\"10\" fill=\"#555555\"",
        );
    }
    ly += 54.0;
    s.text(
        lx,
        ly,
        "Most likely final alignment",
        "font-size=\"12\" font-weight=\"bold\"",
    );
    for (shape, label) in [
        (2, format!("backs {}", truncate(init, 22))),
        (0, "neutral".to_string()),
        (1, format!("backs {}", truncate(targ, 22))),
    ] {
        ly += 22.0;
        s.raw(&format!(
            "<path d=\"{}\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1.5\"/>\n",
            shape_path(shape, lx + 8.0, ly - 4.0, 7.0)
        ));
        s.text(lx + 24.0, ly, &label, "font-size=\"12\"");
    }
    ly += 34.0;
    let route_chars = 33;
    s.text(
        lx,
        ly,
        "Top tipping paths (share of runs)",
        "font-size=\"12\" font-weight=\"bold\"",
    );
    if paths.is_empty() {
        ly += 20.0;
        s.text(lx, ly, "none recorded", "font-size=\"11\" fill=\"#555555\"");
    }
    let name_of = |id: &str| {
        net.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    for (k, p) in paths.iter().enumerate() {
        ly += 22.0;
        let _ = writeln!(
            s_raw_buf(&mut s),
            "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1.5\"/>",
            c(lx + 8.0),
            c(ly - 4.0)
        );
        s.text(
            lx + 8.0,
            ly,
            &format!("{}", k + 1),
            "text-anchor=\"middle\" font-size=\"10\" font-weight=\"bold\"",
        );
        let names: Vec<String> = p.path.iter().map(|i| name_of(i)).collect();
        let route = names.join(" → ");
        let full = format!("{} of runs: {route}", pct(p.frequency));
        s.text_tip(
            lx + 22.0,
            ly,
            &format!("{} of runs", pct(p.frequency)),
            &full,
            "font-size=\"11\" font-weight=\"bold\"",
        );
        ly += 14.0;
        s.text_tip(
            lx + 22.0,
            ly,
            &truncate(&route, route_chars),
            &full,
            "font-size=\"11\"",
        );
    }
    ly += 30.0;
    s.text(
        lx,
        ly,
        "Line thickness: path frequency;",
        "font-size=\"11\" fill=\"#555555\"",
    );
    s.text(
        lx,
        ly + 15.0,
        "grey arrow thickness: influence weight.",
        "font-size=\"11\" fill=\"#555555\"",
    );
    s.finish()
}

/// Pixels per matrix column at most (cells narrower for many allies).
const MATRIX_CELL_MAX: f64 = 16.0;
/// Row height of the matrix view: fits one 11 px label line.
const MATRIX_ROW_H: f64 = 16.0;

/// The dense network (more than [`BIG_NETWORK`] allies) as an adjacency matrix: one row per
/// ally, most likely to back the initiator first, with its P(back initiator) as a bar and its
/// most likely alignment as a shape; cell (row, column) shaded by the influence of the row's
/// ally on the column's ally; cells on the most frequent tipping paths outlined and numbered in
/// the list below. A circle of 40 nodes and 100+ arrows cannot be read at 1280 px; a matrix
/// keeps every link and every label legible.
fn network_matrix_svg(d: &ReportData, init: &str, targ: &str) -> String {
    let net = &d.network;
    let id = "chart-network";
    let n = net.nodes.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        fin(net.nodes[b].p_initiator, 0.0)
            .total_cmp(&fin(net.nodes[a].p_initiator, 0.0))
            .then_with(|| net.nodes[a].name.cmp(&net.nodes[b].name))
    });
    // rank[node index] = row/column number (0-based).
    let mut rank = vec![0usize; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let index = |id: &str| net.nodes.iter().position(|x| x.id == id);
    let name_x = 44.0;
    let name_chars = 22;
    let bar_x = 230.0;
    let bar_w = 60.0;
    let m_x = 350.0;
    let cw = ((W - 16.0 - m_x) / n.max(1) as f64).min(MATRIX_CELL_MAX);
    let rh = MATRIX_ROW_H;
    let top = 104.0;
    let m_h = n as f64 * rh;
    let paths: Vec<&TippingPath> = net.paths.iter().take(5).collect();
    let legend_y = top + m_h + 36.0;
    let h = legend_y + 150.0 + 36.0 * paths.len().max(1) as f64;
    let mut s = Svg::new(
        id,
        W,
        h,
        "Alliance cascade: influence matrix",
        &format!(
            "One row per ally, most likely to back {init} first. {}",
            order
                .iter()
                .map(|&i| {
                    let nd = &net.nodes[i];
                    format!(
                        "{}: backs {init} {}, neutral {}, backs {targ} {}",
                        nd.name,
                        pct(nd.p_initiator),
                        pct(nd.p_neutral),
                        pct(nd.p_target)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle(&format!(
        "{n} allies. Bar: P(ends backing {}). Cell: influence of the row's ally on the column's ally (darker = stronger).",
        truncate(init, 20)
    ));
    if !net.caption.is_empty() {
        s.text_tip(
            16.0,
            60.0,
            &truncate(&net.caption, 130),
            &net.caption,
            "font-size=\"12\" fill=\"#555555\"",
        );
    }
    // Column headers: the row numbers.
    s.text(
        m_x,
        top - 22.0,
        "influences column →",
        "font-size=\"11\" fill=\"#555555\"",
    );
    s.text(
        bar_x,
        top - 8.0,
        &format!("P(backs {})", truncate(init, 10)),
        "font-size=\"11\" fill=\"#555555\"",
    );
    let col_font = if cw >= 14.0 { 9.0 } else { 8.0 };
    for r in 0..n {
        // Numbers of two digits need ~11 px at 9 px; print every other one when cells are narrower.
        if cw < 12.0 && r % 2 == 1 {
            continue;
        }
        s.text(
            m_x + (r as f64 + 0.5) * cw,
            top - 6.0,
            &format!("{}", r + 1),
            &format!("text-anchor=\"middle\" font-size=\"{col_font}\" fill=\"#555555\""),
        );
    }
    s.rect(
        m_x,
        top,
        cw * n as f64,
        m_h,
        "fill=\"#fafafa\" stroke=\"#cccccc\" stroke-width=\"0.5\"",
    );
    for (r, &oi) in order.iter().enumerate().take(n) {
        let y = top + r as f64 * rh;
        if r % 2 == 1 {
            s.rect(16.0, y, m_x - 20.0, rh, "fill=\"#f3f3f3\" stroke=\"none\"");
        }
        let nd = &net.nodes[oi];
        let (shape, kind) = alignment_shape(nd);
        let yc = y + rh / 2.0;
        s.text(
            38.0,
            yc + 4.0,
            &format!("{}", r + 1),
            "text-anchor=\"end\" font-size=\"10\" fill=\"#555555\"",
        );
        s.raw(&format!(
            "<path d=\"{}\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"><title>{}: most likely {kind}</title></path>\n",
            shape_path(shape, name_x + 4.0, yc, 5.0),
            diverging(nd.p_initiator),
            esc(&nd.name)
        ));
        s.text_tip(
            name_x + 14.0,
            yc + 4.0,
            &truncate(&nd.name, name_chars),
            &format!(
                "{}: backs {init} {}, neutral {}, backs {targ} {}",
                nd.name,
                pct(nd.p_initiator),
                pct(nd.p_neutral),
                pct(nd.p_target)
            ),
            "font-size=\"11\"",
        );
        let p = prob(nd.p_initiator).unwrap_or(0.0);
        s.rect(
            bar_x,
            y + 3.0,
            bar_w,
            rh - 6.0,
            "fill=\"#ffffff\" stroke=\"#bbbbbb\" stroke-width=\"0.5\"",
        );
        s.rect(
            bar_x,
            y + 3.0,
            bar_w * p,
            rh - 6.0,
            &format!("fill=\"{}\" stroke=\"none\"", diverging(p)),
        );
        s.text(
            bar_x + bar_w + 4.0,
            yc + 4.0,
            &pct(nd.p_initiator),
            "font-size=\"10\" fill=\"#555555\"",
        );
    }
    let wmax = net
        .edges
        .iter()
        .map(|e| fin(e.weight, 0.0).max(0.0))
        .fold(0.0, f64::max);
    for e in &net.edges {
        let (Some(i), Some(j)) = (index(&e.from), index(&e.to)) else {
            continue;
        };
        if i == j {
            continue;
        }
        let wt = if wmax > 0.0 {
            fin(e.weight, 0.0).max(0.0) / wmax
        } else {
            0.0
        };
        let _ = writeln!(
            s_raw_buf(&mut s),
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{INK}\" fill-opacity=\"{}\"><title>{} → {}: weight {}</title></rect>",
            c(m_x + rank[j] as f64 * cw + 0.5),
            c(top + rank[i] as f64 * rh + 0.5),
            c(cw - 1.0),
            c(rh - 1.0),
            fixed(0.12 + 0.83 * wt, 2),
            esc(&net.nodes[i].name),
            esc(&net.nodes[j].name),
            fixed(e.weight, 2)
        );
    }
    // Tipping paths: each step's cell outlined in the path's colour.
    for (k, p) in paths.iter().enumerate() {
        let color = SERIES[(k + 2) % SERIES.len()];
        let nodes: Vec<usize> = p.path.iter().filter_map(|id| index(id)).collect();
        for w in nodes.windows(2) {
            if w[0] == w[1] {
                continue;
            }
            let _ = writeln!(
                s_raw_buf(&mut s),
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"><title>Tipping path {}: {} ({} of runs)</title></rect>",
                c(m_x + rank[w[1]] as f64 * cw + 1.0),
                c(top + rank[w[0]] as f64 * rh + 1.0),
                c(cw - 2.0),
                c(rh - 2.0),
                k + 1,
                esc(&p.path.join(" → ")),
                pct(p.frequency)
            );
        }
    }
    // Legend.
    let mut ly = legend_y;
    s.text(
        16.0,
        ly,
        "Influence weight (cell shade)",
        "font-size=\"12\" font-weight=\"bold\"",
    );
    for k in 0..5 {
        let t = k as f64 / 4.0;
        let _ = writeln!(
            s_raw_buf(&mut s),
            "<rect x=\"{}\" y=\"{}\" width=\"40\" height=\"14\" fill=\"{INK}\" fill-opacity=\"{}\" stroke=\"#999999\" stroke-width=\"0.5\"/>",
            c(16.0 + k as f64 * 44.0),
            c(ly + 10.0),
            fixed(0.12 + 0.83 * t, 2)
        );
        s.text(
            36.0 + k as f64 * 44.0,
            ly + 38.0,
            &fixed(t * wmax, 2),
            "text-anchor=\"middle\" font-size=\"10\" fill=\"#555555\"",
        );
    }
    s.text(
        300.0,
        ly,
        &format!("Bar fill: P(ends backing {})", truncate(init, 16)),
        "font-size=\"12\" font-weight=\"bold\"",
    );
    for k in 0..5 {
        let t = k as f64 / 4.0;
        s.rect(
            300.0 + k as f64 * 44.0,
            ly + 10.0,
            40.0,
            14.0,
            &format!(
                "fill=\"{}\" stroke=\"#999999\" stroke-width=\"0.5\"",
                diverging(t)
            ),
        );
        s.text(
            320.0 + k as f64 * 44.0,
            ly + 38.0,
            &format!("{}%", fixed(t * 100.0, 0)),
            "text-anchor=\"middle\" font-size=\"10\" fill=\"#555555\"",
        );
    }
    s.text(
        600.0,
        ly,
        "Shape: most likely alignment",
        "font-size=\"12\" font-weight=\"bold\"",
    );
    let mut sy = ly;
    for (shape, label) in [
        (2, format!("backs {}", truncate(init, 22))),
        (0, "neutral".to_string()),
        (1, format!("backs {}", truncate(targ, 22))),
    ] {
        sy += 18.0;
        s.raw(&format!(
            "<path d=\"{}\" fill=\"#ffffff\" stroke=\"{INK}\" stroke-width=\"1.5\"/>\n",
            shape_path(shape, 608.0, sy - 4.0, 6.0)
        ));
        s.text(622.0, sy, &label, "font-size=\"12\"");
    }
    ly += 90.0;
    s.text(
        16.0,
        ly,
        "Top tipping paths (share of runs; outlined cells in the matrix)",
        "font-size=\"12\" font-weight=\"bold\"",
    );
    if paths.is_empty() {
        ly += 20.0;
        s.text(
            16.0,
            ly,
            "none recorded",
            "font-size=\"11\" fill=\"#555555\"",
        );
    }
    let name_of = |id: &str| {
        net.nodes
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    for (k, p) in paths.iter().enumerate() {
        ly += 22.0;
        let color = SERIES[(k + 2) % SERIES.len()];
        s.rect(
            16.0,
            ly - 11.0,
            14.0,
            14.0,
            &format!("fill=\"none\" stroke=\"{color}\" stroke-width=\"2\""),
        );
        let route = p
            .path
            .iter()
            .map(|i| name_of(i))
            .collect::<Vec<_>>()
            .join(" → ");
        let full = format!("{} of runs: {route}", pct(p.frequency));
        s.text_tip(
            38.0,
            ly,
            &format!("{}. {} of runs:", k + 1, pct(p.frequency)),
            &full,
            "font-size=\"11\" font-weight=\"bold\"",
        );
        s.text_tip(150.0, ly, &truncate(&route, 115), &full, "font-size=\"11\"");
    }
    s.finish()
}

// ---------------------------------------------------------------------------------------------
// Drivers

/// One-at-a-time sensitivity: for each input (largest swing first), the outcome probability
/// with the input at its low value (blue, solid) and high value (orange, hatched).
pub fn tornado_svg(d: &ReportData) -> String {
    let t = &d.tornado;
    let outcome = if t.outcome.is_empty() {
        "outcome"
    } else {
        &t.outcome
    };
    let mut bars: Vec<&TornadoBar> = t.bars.iter().collect();
    let swing = |b: &TornadoBar| (fin(b.high_effect, 0.0) - fin(b.low_effect, 0.0)).abs();
    bars.sort_by(|a, b| {
        swing(b)
            .total_cmp(&swing(a))
            .then_with(|| a.input.cmp(&b.input))
    });
    bars.truncate(MAX_INPUT_ROWS);
    let row_h = 26.0;
    let top = 80.0;
    let h = top + bars.len().max(1) as f64 * row_h + 58.0;
    let base = prob(t.base);
    let mut s = Svg::new(
        "chart-tornado",
        W,
        h,
        &format!("Drivers of P({outcome}): one-at-a-time effects"),
        &format!(
            "Tornado chart. Base P({outcome}) = {}. {}",
            pct(t.base),
            bars.iter()
                .map(|b| format!(
                    "{}: low {}, high {}",
                    b.input,
                    pp(b.low_effect),
                    pp(b.high_effect)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle(&format!(
        "Each input set to its low / high value, all others nominal; the vertical line is the base case ({}).",
        pct(t.base)
    ));
    let hatch = s.hatch("high", ORANGE);
    // Legend.
    s.rect(16.0, 54.0, 18.0, 12.0, &format!("fill=\"{BLUE}\""));
    s.text(40.0, 64.0, "input at its low value", "font-size=\"12\"");
    s.rect(
        200.0,
        54.0,
        18.0,
        12.0,
        &format!("fill=\"{hatch}\" stroke=\"{ORANGE}\""),
    );
    s.text(224.0, 64.0, "input at its high value", "font-size=\"12\"");
    if bars.is_empty() {
        s.no_data("one-at-a-time effects");
        return s.finish();
    }
    let b0 = base.unwrap_or(0.0);
    let mut lo = b0;
    let mut hi = b0;
    for b in &bars {
        for e in [b.low_effect, b.high_effect] {
            let v = b0 + fin(e, 0.0);
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let (lo, hi) = nice_domain(lo.max(0.0), hi.min(1.0).max(lo.max(0.0) + 0.01), 6);
    let (lo, hi) = (lo.max(0.0), hi.min(1.0));
    let lw = label_width(
        bars.iter().map(|b| b.input.chars().count()),
        MONO,
        80.0,
        300.0,
    );
    // Room left of the plot for the "-3.5 pp" labels of bars that reach its left edge.
    let x0 = 16.0 + lw + 56.0;
    let x1 = W - 70.0;
    let sx = Scale::new(lo, hi, x0, x1);
    let ticks = nice_ticks(lo, hi, 6);
    let bottom = top + bars.len() as f64 * row_h;
    s.x_grid(&sx, top - 4.0, bottom, &ticks);
    let xb = sx.map_clamped(b0);
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * row_h + 4.0;
        let short = truncate(&b.input, max_chars(lw, MONO));
        let tip = if b.path.is_empty() || b.path == b.input {
            b.input.clone()
        } else {
            format!("{} ({})", b.input, b.path)
        };
        s.text_tip(
            16.0 + lw,
            y + 13.0,
            &short,
            &tip,
            "text-anchor=\"end\" font-size=\"11\" font-family=\"Menlo, Consolas, monospace\"",
        );
        let at = |v: Option<f64>| v.map(|v| format!(" ({})", fixed(v, 2))).unwrap_or_default();
        // Effect labels sit past each bar's end. When both bars point the same way and the
        // inner label would run into the outer one (e.g. "0.0 pp" and "+5.0 pp"), the inner
        // label goes to the other side of the base line, where this row has no bar.
        let end = |e: f64| sx.map_clamped(b0 + e);
        let flip_inner = match (b.low_effect.is_finite(), b.high_effect.is_finite()) {
            (true, true) => {
                let (l, h) = (b.low_effect, b.high_effect);
                let same_side = (end(l) >= xb) == (end(h) >= xb);
                let (inner, outer) = if l.abs() <= h.abs() { (l, h) } else { (h, l) };
                let gap = (end(outer) - end(inner)).abs();
                let inner_w = TORNADO_LABEL_CHAR_PX * pp(inner).chars().count() as f64;
                (same_side && gap < inner_w + 4.0).then_some(inner)
            }
            _ => None,
        };
        for (e, fill, which) in [
            (
                b.low_effect,
                format!("fill=\"{BLUE}\""),
                format!("low value{}", at(b.low_value)),
            ),
            (
                b.high_effect,
                format!("fill=\"{hatch}\" stroke=\"{ORANGE}\""),
                format!("high value{}", at(b.high_value)),
            ),
        ] {
            if !e.is_finite() {
                continue;
            }
            let xe = sx.map_clamped(b0 + e);
            s.rect_tip(
                xb,
                y,
                xe - xb,
                18.0,
                &fill,
                &format!(
                    "{} at its {which}: P = {} ({})",
                    b.input,
                    pct(b0 + e),
                    pp(e)
                ),
            );
            let right = xe >= xb;
            let flipped = flip_inner.is_some_and(|i| i.to_bits() == e.to_bits());
            let (xt, anchor) = match (right, flipped) {
                (true, false) => (xe + 4.0, "start"),
                (false, false) => (xe - 4.0, "end"),
                (true, true) => (xb - 4.0, "end"),
                (false, true) => (xb + 4.0, "start"),
            };
            s.text(
                xt,
                y + 13.0,
                &pp(e),
                &format!("text-anchor=\"{anchor}\" font-size=\"10\" fill=\"#555555\""),
            );
        }
    }
    s.line(
        xb,
        top - 8.0,
        xb,
        bottom + 2.0,
        &format!("stroke=\"{INK}\" stroke-width=\"1.5\""),
    );
    s.x_axis(&sx, bottom, &ticks, pct_tick, &format!("P({outcome}) (%)"));
    s.finish()
}

/// Width of one character of a tornado effect label ("+5.0 pp", 10 px sans-serif), an upper
/// estimate used to keep a row's two labels apart.
const TORNADO_LABEL_CHAR_PX: f64 = 6.0;

/// Characters per warning line in the Sobol chart (11 px sans-serif in 840 px).
const WARN_CHARS: usize = 128;
/// Share of [0, 1] a 95% interval must span, on median, for the estimates to count as rough.
const ROUGH_WIDTH: f64 = 0.5;

/// The lines of the in-chart warning of the Sobol chart, each (shown, full text): a header with
/// the base sample size, then what makes the estimates rough — point estimates below zero (an
/// index is a variance share, so a negative one is estimation noise), intervals spanning most
/// of [0, 1] on median, and the core's own warnings (`SobolResult::warnings`). Empty when the
/// estimates are none of these.
pub fn sobol_warnings(sb: &Sobol) -> Vec<(String, String)> {
    let mut why: Vec<String> = vec![];
    let negative = sb
        .indices
        .iter()
        .filter(|i| fin(i.s1, 0.0) < 0.0 || fin(i.st, 0.0) < 0.0)
        .count();
    if negative > 0 {
        why.push(format!(
            "{negative} of {} inputs have a negative index: a variance share cannot be negative, so this is estimation noise.",
            sb.indices.len()
        ));
    }
    let mut widths: Vec<f64> = sb
        .indices
        .iter()
        .map(|i| fin(i.st_hi - i.st_lo, 0.0).max(fin(i.s1_hi - i.s1_lo, 0.0)))
        .collect();
    widths.sort_by(f64::total_cmp);
    if let Some(&m) = widths.get(widths.len() / 2) {
        if m > ROUGH_WIDTH {
            why.push(format!(
                "The median 95% interval spans {}% of [0, 1]: the ranking of inputs is not resolved.",
                fixed(m.min(1.0) * 100.0, 0)
            ));
        }
    }
    for w in &sb.warnings {
        let mut w = w.clone();
        if let Some(f) = w.get(..1) {
            w = format!("{}{}", f.to_uppercase(), &w[1..]);
        }
        why.push(w);
    }
    if why.is_empty() {
        return vec![];
    }
    let n = if sb.n > 0 {
        format!(" (base sample N = {})", sb.n)
    } else {
        String::new()
    };
    let mut out = vec![(
        format!("⚠ These estimates are too rough to rank inputs{n}; a larger N (--sobol-n) narrows them."),
        format!("These estimates are too rough to rank inputs{n}."),
    )];
    for w in why {
        out.push((truncate(&format!("• {w}"), WARN_CHARS), w));
    }
    out
}

/// Sobol indices: first-order S1 (blue, solid) and total ST (orange, hatched) per input with
/// 95% interval whiskers, largest ST first.
pub fn sobol_svg(d: &ReportData) -> String {
    let sb = &d.sobol;
    let outcome = if sb.outcome.is_empty() {
        "outcome"
    } else {
        &sb.outcome
    };
    let mut rows: Vec<&SobolIndex> = sb.indices.iter().collect();
    rows.sort_by(|a, b| {
        fin(b.st, -1.0)
            .total_cmp(&fin(a.st, -1.0))
            .then_with(|| a.input.cmp(&b.input))
    });
    rows.truncate(MAX_INPUT_ROWS);
    let warn = sobol_warnings(sb);
    let warn_h = if warn.is_empty() {
        0.0
    } else {
        14.0 + 15.0 * warn.len() as f64
    };
    let row_h = 34.0;
    let top = 80.0 + warn_h;
    let h = top + rows.len().max(1) as f64 * row_h + 58.0;
    let mut s = Svg::new(
        "chart-sobol",
        W,
        h,
        &format!("Drivers of P({outcome}): Sobol indices"),
        &format!(
            "Share of the variance of the {outcome} indicator explained by each input. {}",
            rows.iter()
                .map(|r| format!(
                    "{}: S1 {} [{}, {}], ST {} [{}, {}]",
                    r.input,
                    fixed(r.s1, 2),
                    fixed(r.s1_lo, 2),
                    fixed(r.s1_hi, 2),
                    fixed(r.st, 2),
                    fixed(r.st_lo, 2),
                    fixed(r.st_hi, 2)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle("S1: the input's effect alone. ST: including its interactions with other inputs. Whiskers: 95% intervals.");
    if !warn.is_empty() {
        // The warning sits inside the chart, above the bars, so the figure never travels
        // without it (issue 16).
        let _ = writeln!(
            s_raw_buf(&mut s),
            "<rect x=\"12\" y=\"74\" width=\"{}\" height=\"{}\" fill=\"#fff4d6\" stroke=\"#b8860b\" stroke-width=\"1.5\" rx=\"4\"><title>{}</title></rect>",
            c(W - 24.0),
            c(warn_h - 4.0),
            esc(&sb.warnings.join(" "))
        );
        for (k, (short, full)) in warn.iter().enumerate() {
            s.text_tip(
                22.0,
                90.0 + 15.0 * k as f64,
                short,
                full,
                &format!(
                    "font-size=\"11\" fill=\"#3a2c00\"{}",
                    if k == 0 { " font-weight=\"bold\"" } else { "" }
                ),
            );
        }
    }
    let hatch = s.hatch("st", ORANGE);
    s.rect(16.0, 54.0, 18.0, 12.0, &format!("fill=\"{BLUE}\""));
    s.text(40.0, 64.0, "first-order S1", "font-size=\"12\"");
    s.rect(
        160.0,
        54.0,
        18.0,
        12.0,
        &format!("fill=\"{hatch}\" stroke=\"{ORANGE}\""),
    );
    s.text(184.0, 64.0, "total ST", "font-size=\"12\"");
    if rows.is_empty() {
        s.no_data("Sobol indices");
        return s.finish();
    }
    let vmax = rows
        .iter()
        .flat_map(|r| [r.s1, r.s1_hi, r.st, r.st_hi])
        .map(|v| fin(v, 0.0))
        .fold(0.1, f64::max)
        .min(1.0);
    let (_, hi) = nice_domain(0.0, vmax, 5);
    let hi = hi.min(1.0);
    let lw = label_width(
        rows.iter().map(|r| r.input.chars().count()),
        MONO,
        80.0,
        300.0,
    );
    let x0 = 16.0 + lw + 12.0;
    let x1 = W - 150.0;
    let sx = Scale::new(0.0, hi, x0, x1);
    let ticks = nice_ticks(0.0, hi, 5);
    let bottom = top + rows.len() as f64 * row_h;
    s.x_grid(&sx, top - 4.0, bottom, &ticks);
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h + 3.0;
        let short = truncate(&r.input, max_chars(lw, MONO));
        let tip = if r.path.is_empty() || r.path == r.input {
            r.input.clone()
        } else {
            format!("{} ({})", r.input, r.path)
        };
        s.text_tip(
            x0 - 12.0,
            y + 17.0,
            &short,
            &tip,
            "text-anchor=\"end\" font-size=\"11\" font-family=\"Menlo, Consolas, monospace\"",
        );
        for (k, (v, vlo, vhi, fill, name)) in [
            (r.s1, r.s1_lo, r.s1_hi, format!("fill=\"{BLUE}\""), "S1"),
            (
                r.st,
                r.st_lo,
                r.st_hi,
                format!("fill=\"{hatch}\" stroke=\"{ORANGE}\""),
                "ST",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let yy = y + k as f64 * 13.0;
            if v.is_finite() {
                s.rect_tip(
                    x0,
                    yy,
                    sx.map_clamped(v.max(0.0)) - x0,
                    11.0,
                    &fill,
                    &format!(
                        "{} {name} = {} [{}, {}]",
                        r.input,
                        fixed(v, 2),
                        fixed(vlo, 2),
                        fixed(vhi, 2)
                    ),
                );
            }
            if vlo.is_finite() && vhi.is_finite() {
                s.whisker(
                    sx.map_clamped(vlo.min(vhi)),
                    sx.map_clamped(vlo.max(vhi)),
                    yy + 5.5,
                    3.5,
                    INK,
                );
            }
        }
        s.text(
            x1 + 12.0,
            y + 17.0,
            &format!("S1 {} · ST {}", fixed(r.s1, 2), fixed(r.st, 2)),
            "font-size=\"11\"",
        );
    }
    s.x_axis(
        &sx,
        bottom,
        &ticks,
        |t| fixed(t, 1),
        "Sobol index (share of output variance, 0–1)",
    );
    s.finish()
}

// ---------------------------------------------------------------------------------------------
// Hypotheses

/// Text and symbol for a verdict (never colour alone).
pub fn verdict_label(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Supported => ("✔", "Supported"),
        Verdict::NotSupported => ("✘", "Not supported"),
        Verdict::Inconclusive => ("?", "Inconclusive"),
    }
}

/// Hypotheses as a forest plot: Δprobability of the named outcome under the counterfactual,
/// with its 95% interval; marker shape and a text label give the verdict.
pub fn hypotheses_svg(d: &ReportData) -> String {
    let hs = &d.hypotheses;
    let row_h = 34.0;
    let top = 62.0;
    let h = top + hs.len().max(1) as f64 * row_h + 58.0;
    let mut s = Svg::new(
        "chart-hypotheses",
        W,
        h,
        "Hypotheses: effect of each counterfactual",
        &format!(
            "Change in outcome probability under each hypothesis' counterfactual, with 95% intervals. {}",
            hs.iter()
                .map(|x| format!(
                    "{} ({}): {} [{}, {}], {}",
                    x.id,
                    x.outcome,
                    pp(x.delta_p),
                    pp(x.lo),
                    pp(x.hi),
                    verdict_label(x.verdict).1
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle("Point: Δ probability of the outcome named on the left. Whisker: 95% interval. Zero line: no effect.");
    if hs.is_empty() {
        s.no_data("hypothesis tests");
        return s.finish();
    }
    let labels: Vec<String> = hs
        .iter()
        .map(|x| format!("{} · {}", x.id, x.outcome))
        .collect();
    let lw = label_width(labels.iter().map(|l| l.chars().count()), 12.0, 80.0, 260.0);
    let x0 = 16.0 + lw + 12.0;
    let x1 = W - 150.0;
    let m = hs
        .iter()
        .flat_map(|x| [x.delta_p, x.lo, x.hi])
        .map(|v| fin(v, 0.0).abs())
        .fold(0.05, f64::max)
        .min(1.0);
    let (_, m) = nice_domain(0.0, m, 4);
    let sx = Scale::new(-m, m, x0, x1);
    let ticks = nice_ticks(-m, m, 8);
    let bottom = top + hs.len() as f64 * row_h;
    s.x_grid(&sx, top - 4.0, bottom, &ticks);
    s.line(
        sx.map(0.0),
        top - 8.0,
        sx.map(0.0),
        bottom,
        &format!("stroke=\"{INK}\" stroke-width=\"1.2\""),
    );
    for (i, x) in hs.iter().enumerate() {
        let y = top + i as f64 * row_h + row_h / 2.0 - 3.0;
        let lines = wrap2(&labels[i], max_chars(lw, 12.0));
        s.label_lines(
            x0 - 12.0,
            y,
            &lines,
            &format!("{}: {}", x.id, x.claim),
            "text-anchor=\"end\"",
        );
        if x.lo.is_finite() && x.hi.is_finite() {
            s.whisker(
                sx.map_clamped(x.lo.min(x.hi)),
                sx.map_clamped(x.lo.max(x.hi)),
                y,
                5.0,
                INK,
            );
        }
        let (sym, word) = verdict_label(x.verdict);
        if x.delta_p.is_finite() {
            let (shape, fill) = match x.verdict {
                Verdict::Supported => (0, BLUE.to_string()),
                Verdict::NotSupported => (1, "#ffffff".to_string()),
                Verdict::Inconclusive => (3, "#bbbbbb".to_string()),
            };
            s.raw(&format!(
                "<path d=\"{}\" fill=\"{fill}\" stroke=\"{INK}\" stroke-width=\"1.5\"><title>{}</title></path>\n",
                shape_path(shape, sx.map_clamped(x.delta_p), y, 6.0),
                esc(&format!("{}: {} [{}, {}]", x.id, pp(x.delta_p), pp(x.lo), pp(x.hi)))
            ));
        }
        s.text(
            x1 + 12.0,
            y + 4.0,
            &format!("{sym} {word}"),
            "font-size=\"12\"",
        );
    }
    s.x_axis(
        &sx,
        bottom,
        &ticks,
        |t| {
            let v = fixed(t * 100.0, 0);
            if t > 0.0 {
                format!("+{v}")
            } else {
                v
            }
        },
        "Δ probability (percentage points)",
    );
    s.finish()
}

// ---------------------------------------------------------------------------------------------
// Evidence discount

/// How each outcome's probability moves as the article-based evidence is discounted: one line per
/// outcome, told apart by colour, dash pattern, marker shape and an end label.
pub fn discount_svg(d: &ReportData) -> String {
    let ed = &d.evidence_discount;
    let h = 420.0;
    let mut s = Svg::new(
        "chart-discount",
        W,
        h,
        "Evidence-discount sensitivity",
        &format!(
            "Outcome probabilities as the evidence is discounted from 0% (taken at face value) to 100% (ignored). {}",
            ed.series
                .iter()
                .map(|se| format!(
                    "{}: {}",
                    se.outcome,
                    se.p.iter().map(|p| pct(*p)).collect::<Vec<_>>().join(", ")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    s.subtitle("0% = evidence taken at face value; 100% = evidence ignored (inputs fall back to uninformed priors).");
    let pts: Vec<f64> = ed.discounts.clone();
    if pts.is_empty() || ed.series.is_empty() {
        s.no_data("evidence-discount results");
        return s.finish();
    }
    let ymax = ed
        .series
        .iter()
        .flat_map(|se| se.p.iter())
        .filter_map(|p| prob(*p))
        .fold(0.05, f64::max);
    let (_, ymax) = nice_domain(0.0, ymax, 5);
    let ymax = ymax.min(1.0);
    let (x0, x1, y0, y1) = (80.0, W - 230.0, 70.0, h - 60.0);
    let sx = Scale::new(0.0, 1.0, x0, x1);
    let sy = Scale::new(0.0, ymax, y1, y0);
    let yt = nice_ticks(0.0, ymax, 5);
    for &t in &yt {
        let y = sy.map(t);
        s.line(x0, y, x1, y, &format!("stroke=\"{GRID}\""));
        s.text(
            x0 - 8.0,
            y + 4.0,
            &pct_tick(t),
            "text-anchor=\"end\" font-size=\"11\" fill=\"#555555\"",
        );
    }
    let _ = writeln!(
        s_raw_buf(&mut s),
        "<text transform=\"translate(28 {}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">Probability (%)</text>",
        c((y0 + y1) / 2.0)
    );
    let xt = nice_ticks(0.0, 1.0, 5);
    s.x_axis(&sx, y1, &xt, pct_tick, "Evidence discount (%)");
    let mut ends: Vec<(f64, usize)> = vec![];
    for (k, se) in ed.series.iter().enumerate() {
        let color = SERIES[k % SERIES.len()];
        let dash = DASHES[k % DASHES.len()];
        let mut path = String::new();
        let mut last = None;
        for (j, (dx, p)) in pts.iter().zip(se.p.iter()).enumerate() {
            let (Some(dx), Some(p)) = (prob(*dx), prob(*p)) else {
                continue;
            };
            let (x, y) = (sx.map(dx), sy.map_clamped(p));
            let _ = write!(
                path,
                "{}{} {} ",
                if path.is_empty() { "M" } else { "L" },
                c(x),
                c(y)
            );
            s.raw(&format!(
                "<path d=\"{}\" fill=\"{color}\" stroke=\"#ffffff\" stroke-width=\"0.8\"><title>{}</title></path>\n",
                shape_path(k, x, y, 4.5),
                esc(&format!("{} at {} discount: {}", se.outcome, pct(dx), pct(p)))
            ));
            last = Some(y);
            let _ = j;
        }
        if !path.is_empty() {
            let dash_attr = if dash.is_empty() {
                String::new()
            } else {
                format!(" stroke-dasharray=\"{dash}\"")
            };
            s.raw(&format!(
                "<path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash_attr}/>\n",
                path.trim_end()
            ));
        }
        if let Some(y) = last {
            ends.push((y, k));
        }
    }
    // End labels, pushed apart so they never overlap (12 px apart at least).
    ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut prev = f64::NEG_INFINITY;
    for (y, k) in ends {
        let y = y.max(prev + 13.0);
        prev = y;
        let color = SERIES[k % SERIES.len()];
        s.raw(&format!(
            "<path d=\"{}\" fill=\"{color}\"/>\n",
            shape_path(k, x1 + 14.0, y, 4.5)
        ));
        s.text(
            x1 + 24.0,
            y + 4.0,
            &truncate(&ed.series[k].outcome, 30),
            "font-size=\"11\"",
        );
    }
    s.finish()
}

// ---------------------------------------------------------------------------------------------
// Reliability diagram (backtest)

/// Reliability diagram: per bin, the mean forecast (x) against the observed frequency (y), the
/// marker's area ∝ the number of forecasts in the bin, a dashed diagonal = perfect calibration,
/// a dotted horizontal line at the base rate; each marker's count is also written beside it.
pub fn reliability_svg(v: &BacktestView) -> String {
    let h = 520.0;
    let desc = v
        .bins
        .iter()
        .filter(|b| b.n > 0)
        .map(|b| {
            format!(
                "forecasts {}–{}%: {} forecasts, mean {}, observed {}",
                fixed(b.lo * 100.0, 0),
                fixed(b.hi * 100.0, 0),
                b.n,
                pct(b.mean_p),
                pct(b.freq)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = Svg::new(
        "chart-reliability",
        W,
        h,
        "Reliability diagram",
        &format!("Observed frequency against mean forecast per bin. {desc}"),
    );
    s.subtitle("Markers: mean forecast vs share that came true, per bin (area ∝ count); dashed: perfect calibration; dotted: base rate.");
    if v.bins.iter().all(|b| b.n == 0) {
        s.no_data("resolved forecasts");
        return s.finish();
    }
    let side = h - 140.0;
    let (x0, y0) = (110.0, 70.0);
    let (x1, y1) = (x0 + side, y0 + side);
    let sx = Scale::new(0.0, 1.0, x0, x1);
    let sy = Scale::new(0.0, 1.0, y1, y0);
    let ticks = nice_ticks(0.0, 1.0, 5);
    s.x_grid(&sx, y0, y1, &ticks);
    for &t in &ticks {
        let y = sy.map(t);
        s.line(x0, y, x1, y, &format!("stroke=\"{GRID}\""));
        s.text(
            x0 - 8.0,
            y + 4.0,
            &pct_tick(t),
            "text-anchor=\"end\" font-size=\"11\" fill=\"#555555\"",
        );
    }
    s.x_axis(&sx, y1, &ticks, pct_tick, "Mean forecast in the bin (%)");
    s.raw(&format!(
        "<text transform=\"translate(40 {}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">Observed frequency (%)</text>\n",
        c((y0 + y1) / 2.0)
    ));
    s.line(
        sx.map(0.0),
        sy.map(0.0),
        sx.map(1.0),
        sy.map(1.0),
        &format!("stroke=\"{MUTED}\" stroke-dasharray=\"6 4\""),
    );
    if let Some(br) = prob(v.base_rate) {
        let y = sy.map(br);
        s.line(
            x0,
            y,
            x1,
            y,
            &format!("stroke=\"{ORANGE}\" stroke-width=\"1.5\" stroke-dasharray=\"1 3\""),
        );
        s.text(
            x1 + 8.0,
            y + 4.0,
            &format!("base rate {}", pct(br)),
            "font-size=\"11\"",
        );
    }
    let nmax = v.bins.iter().map(|b| b.n).max().unwrap_or(1).max(1) as f64;
    for b in v.bins.iter().filter(|b| b.n > 0) {
        let (Some(p), Some(f)) = (prob(b.mean_p), prob(b.freq)) else {
            continue;
        };
        let (x, y) = (sx.map(p), sy.map(f));
        let r = 4.0 + 10.0 * (b.n as f64 / nmax).sqrt();
        s.raw(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{BLUE}\" fill-opacity=\"0.75\" stroke=\"#ffffff\"><title>{}</title></circle>\n",
            c(x),
            c(y),
            c(r),
            esc(&format!(
                "forecast {}–{}%: n = {}, mean forecast {}, observed {}",
                fixed(b.lo * 100.0, 0),
                fixed(b.hi * 100.0, 0),
                b.n,
                pct(p),
                pct(f)
            ))
        ));
        s.text(
            x + r + 3.0,
            y - 3.0,
            &format!("n={}", b.n),
            "font-size=\"10\" fill=\"#555555\"",
        );
    }
    let lx = x1 + 8.0;
    s.text(
        lx,
        y0 + 10.0,
        &format!("{} forecasts", v.n),
        "font-size=\"12\"",
    );
    s.text(
        lx,
        y0 + 28.0,
        &format!("Brier {}", fin_fixed(v.brier, 4)),
        "font-size=\"12\"",
    );
    s.text(
        lx,
        y0 + 46.0,
        &format!("REL {}", fin_fixed(v.reliability, 4)),
        "font-size=\"12\"",
    );
    s.text(
        lx,
        y0 + 64.0,
        &format!("RES {}", fin_fixed(v.resolution, 4)),
        "font-size=\"12\"",
    );
    s.text(
        lx,
        y0 + 82.0,
        &format!("UNC {}", fin_fixed(v.uncertainty, 4)),
        "font-size=\"12\"",
    );
    s.finish()
}

fn fin_fixed(v: f64, d: usize) -> String {
    if v.is_finite() {
        fixed(v, d)
    } else {
        "n/a".into()
    }
}

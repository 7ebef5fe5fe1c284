//! A minimal SVG writer, scales, ticks and the palette. Hand-written: no dependencies.
//!
//! Every chart is one `<svg role="img">` with a `<title>` and `<desc>` (referenced by
//! `aria-labelledby`) and an `aria-label`, a white background (so the standalone file reads on
//! dark slides), and inline presentation attributes only (no CSS classes), so the standalone
//! file and the copy inlined in the HTML look the same. Element ids are prefixed by the chart
//! id, so several charts can share one HTML document.

use crate::fmt::{c, esc, fin};
use std::fmt::Write as _;

/// Okabe & Ito (2008) colour-blind-safe qualitative palette.
pub const BLUE: &str = "#0072B2";
pub const ORANGE: &str = "#E69F00";
pub const SKY: &str = "#56B4E9";
pub const GREEN: &str = "#009E73";
pub const VERMILION: &str = "#D55E00";
pub const PURPLE: &str = "#CC79A7";
pub const YELLOW: &str = "#F0E442";
pub const BLACK: &str = "#000000";
/// Series colours in order (yellow last: weakest contrast on white).
pub const SERIES: [&str; 8] = [BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, BLACK, YELLOW];
/// Dash patterns paired with the series colours, so series differ in grey-scale too.
pub const DASHES: [&str; 8] = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 2 1 2", "3 5"];

pub const INK: &str = "#1a1a1a";
pub const MUTED: &str = "#555555";
pub const GRID: &str = "#dddddd";

/// Stops of the blue–orange diverging scale (0 → blue, 0.5 → near-white, 1 → orange).
/// Blue and orange stay distinguishable under the common colour-vision deficiencies
/// (unlike red–green); lightness falls away from the middle, so the middle reads in grey-scale.
const DIVERGING: [(f64, [u8; 3]); 5] = [
    (0.0, [0x21, 0x5F, 0xA6]),
    (0.25, [0x8F, 0xBB, 0xDD]),
    (0.5, [0xF2, 0xF2, 0xF2]),
    (0.75, [0xF6, 0xB2, 0x6B]),
    (1.0, [0xB8, 0x55, 0x0B]),
];

/// The diverging colour for `t` in [0, 1] (clamped; NaN → middle grey).
pub fn diverging(t: f64) -> String {
    if !t.is_finite() {
        return "#bbbbbb".to_string();
    }
    let t = t.clamp(0.0, 1.0);
    let mut k = 0;
    while k + 2 < DIVERGING.len() && t > DIVERGING[k + 1].0 {
        k += 1;
    }
    let (t0, a) = DIVERGING[k];
    let (t1, b) = DIVERGING[k + 1];
    let u = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
    let mix = |i: usize| (a[i] as f64 + (b[i] as f64 - a[i] as f64) * u).round() as u8;
    format!("#{:02X}{:02X}{:02X}", mix(0), mix(1), mix(2))
}

/// A linear map from a data domain to pixels. A degenerate domain maps to the range middle.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Scale { d0, d1, r0, r1 }
    }
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if !span.is_finite() || span == 0.0 || !v.is_finite() {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
    /// Maps after clamping `v` to the domain, so marks never leave the plot area.
    pub fn map_clamped(&self, v: f64) -> f64 {
        let (lo, hi) = if self.d0 <= self.d1 {
            (self.d0, self.d1)
        } else {
            (self.d1, self.d0)
        };
        self.map(crate::fmt::clamp(v, lo, hi))
    }
}

/// "Nice" tick values (steps of 1, 2 or 5 × 10^k) covering [lo, hi], about `n` of them.
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (lo, hi) = (fin(lo, 0.0), fin(hi, 1.0));
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let step = mag
        * if norm <= 1.0 {
            1.0
        } else if norm <= 2.0 {
            2.0
        } else if norm <= 5.0 {
            5.0
        } else {
            10.0
        };
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last.min(first + 50))
        .map(|k| k as f64 * step)
        .collect()
}

/// Extends [lo, hi] outward to multiples of the nice step, so the axis ends on a tick.
pub fn nice_domain(lo: f64, hi: f64, n: usize) -> (f64, f64) {
    let ticks = nice_ticks(lo, hi, n);
    if ticks.len() < 2 {
        return (lo - 0.5, hi + 0.5);
    }
    let step = ticks[1] - ticks[0];
    ((lo / step).floor() * step, (hi / step).ceil() * step)
}

/// One chart being written.
pub struct Svg {
    pub id: String,
    pub w: f64,
    pub h: f64,
    out: String,
}

impl Svg {
    /// Opens a chart: accessible name and description, background, and the visible title.
    pub fn new(id: &str, w: f64, h: f64, title: &str, desc: &str) -> Self {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" viewBox=\"0 0 {w} {h}\" \
             width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
             aria-label=\"{t}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" \
             fill=\"{INK}\">\n<title id=\"{id}-title\">{t}</title>\n<desc id=\"{id}-desc\">{d}</desc>\n\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n\
             <text x=\"16\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{t}</text>\n",
            id = esc(id),
            w = c(w),
            h = c(h),
            t = esc(title),
            d = esc(desc),
        );
        Svg {
            id: id.to_string(),
            w,
            h,
            out,
        }
    }

    /// A second, muted line under the title (what the marks mean).
    pub fn subtitle(&mut self, s: &str) {
        self.text(16.0, 42.0, s, "font-size=\"12\" fill=\"#555555\"");
    }

    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {attrs}/>",
            c(x),
            c(y),
            c(w),
            c(h)
        );
    }

    /// A rectangle with a tooltip (`<title>` child).
    pub fn rect_tip(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str, tip: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {attrs}><title>{}</title></rect>",
            c(x),
            c(y),
            c(w),
            c(h),
            esc(tip)
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, attrs: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {attrs}/>",
            c(x1),
            c(y1),
            c(x2),
            c(y2)
        );
    }

    /// Text; the content is escaped here.
    pub fn text(&mut self, x: f64, y: f64, s: &str, attrs: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" {attrs}>{}</text>",
            c(x),
            c(y),
            esc(s)
        );
    }

    /// Text with a tooltip holding the full string (for truncated labels).
    pub fn text_tip(&mut self, x: f64, y: f64, s: &str, full: &str, attrs: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" {attrs}><title>{}</title>{}</text>",
            c(x),
            c(y),
            esc(full),
            esc(s)
        );
    }

    /// One or two lines of text vertically centred on `y_mid` (12 px font), with a tooltip
    /// holding the full string.
    pub fn label_lines(&mut self, x: f64, y_mid: f64, lines: &[String], full: &str, attrs: &str) {
        let n = lines.len().max(1) as f64;
        let y0 = y_mid + 4.0 - (n - 1.0) * 7.0;
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" {attrs}><title>{}</title>",
            c(x),
            c(y0),
            esc(full)
        );
        for (i, l) in lines.iter().enumerate() {
            let _ = write!(
                self.out,
                "<tspan x=\"{}\" dy=\"{}\">{}</tspan>",
                c(x),
                if i == 0 { "0" } else { "14" },
                esc(l)
            );
        }
        self.out.push_str("</text>\n");
    }

    /// An interval whisker with end caps (horizontal, at height `y`).
    pub fn whisker(&mut self, x_lo: f64, x_hi: f64, y: f64, cap: f64, color: &str) {
        let a = format!("stroke=\"{color}\" stroke-width=\"1.5\"");
        self.line(x_lo, y, x_hi, y, &a);
        self.line(x_lo, y - cap, x_lo, y + cap, &a);
        self.line(x_hi, y - cap, x_hi, y + cap, &a);
    }

    /// A diagonal hatch pattern `<id>-hatch-<name>` over `color` (redundant with colour, so a
    /// grey-scale print still tells the two bar kinds apart). Returns the `fill` reference.
    pub fn hatch(&mut self, name: &str, color: &str) -> String {
        let pid = format!("{}-hatch-{}", self.id, name);
        let _ = writeln!(
            self.out,
            "<defs><pattern id=\"{pid}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{color}\"/>\
             <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"2\"/>\
             </pattern></defs>"
        );
        format!("url(#{pid})")
    }

    /// A bottom x axis: base line, ticks with labels, axis title centred under the plot.
    pub fn x_axis(
        &mut self,
        sx: &Scale,
        y: f64,
        ticks: &[f64],
        label: impl Fn(f64) -> String,
        title: &str,
    ) {
        let (x0, x1) = (sx.r0.min(sx.r1), sx.r0.max(sx.r1));
        self.line(x0, y, x1, y, &format!("stroke=\"{MUTED}\""));
        for &t in ticks {
            let x = sx.map(t);
            self.line(x, y, x, y + 4.0, &format!("stroke=\"{MUTED}\""));
            self.text(
                x,
                y + 16.0,
                &label(t),
                "text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\"",
            );
        }
        self.text(
            (x0 + x1) / 2.0,
            y + 34.0,
            title,
            "text-anchor=\"middle\" font-size=\"12\"",
        );
    }

    /// Vertical grid lines at the ticks, from `y0` to `y1`.
    pub fn x_grid(&mut self, sx: &Scale, y0: f64, y1: f64, ticks: &[f64]) {
        for &t in ticks {
            let x = sx.map(t);
            self.line(x, y0, x, y1, &format!("stroke=\"{GRID}\""));
        }
    }

    /// Writes "no data" in the middle of the chart.
    pub fn no_data(&mut self, what: &str) {
        self.text(
            self.w / 2.0,
            self.h / 2.0 + 10.0,
            &format!("No {what} available for this scenario."),
            "text-anchor=\"middle\" font-size=\"13\" fill=\"#555555\"",
        );
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// The SVG path of a marker shape centred on (x, y) with half-size r.
/// Shapes: 0 circle, 1 square, 2 triangle up, 3 diamond, 4 triangle down, 5 cross-like (plus).
pub fn shape_path(kind: usize, x: f64, y: f64, r: f64) -> String {
    match kind % 6 {
        0 => format!(
            "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 {} 0Z",
            c(x - r),
            c(y),
            c(2.0 * r),
            c(-2.0 * r),
            r = c(r)
        ),
        1 => format!(
            "M{} {}h{}v{}h{}Z",
            c(x - r * 0.9),
            c(y - r * 0.9),
            c(1.8 * r),
            c(1.8 * r),
            c(-1.8 * r)
        ),
        2 => format!(
            "M{} {}L{} {}L{} {}Z",
            c(x),
            c(y - r * 1.15),
            c(x + r * 1.1),
            c(y + r * 0.8),
            c(x - r * 1.1),
            c(y + r * 0.8)
        ),
        3 => format!(
            "M{} {}L{} {}L{} {}L{} {}Z",
            c(x),
            c(y - r * 1.2),
            c(x + r * 1.2),
            c(y),
            c(x),
            c(y + r * 1.2),
            c(x - r * 1.2),
            c(y)
        ),
        4 => format!(
            "M{} {}L{} {}L{} {}Z",
            c(x),
            c(y + r * 1.15),
            c(x + r * 1.1),
            c(y - r * 0.8),
            c(x - r * 1.1),
            c(y - r * 0.8)
        ),
        _ => {
            let a = r * 0.35;
            format!(
                "M{} {}h{}v{}h{}v{}h{}v{}h{}v{}h{}v{}h{}Z",
                c(x - a),
                c(y - r),
                c(2.0 * a),
                c(r - a),
                c(r - a),
                c(2.0 * a),
                c(-(r - a)),
                c(r - a),
                c(-2.0 * a),
                c(-(r - a)),
                c(-(r - a)),
                c(-2.0 * a),
                c(r - a)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_maps_linearly() {
        let s = Scale::new(0.0, 1.0, 100.0, 500.0);
        assert_eq!(s.map(0.5), 300.0);
        assert_eq!(s.map_clamped(2.0), 500.0);
        assert_eq!(Scale::new(1.0, 1.0, 0.0, 10.0).map(1.0), 5.0);
    }

    #[test]
    fn ticks_are_nice() {
        assert_eq!(
            nice_ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_domain(0.03, 0.47, 5), (0.0, 0.5));
        assert_eq!(
            nice_ticks(f64::NAN, f64::NAN, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
    }

    #[test]
    fn diverging_endpoints() {
        assert_eq!(diverging(0.0), "#215FA6");
        assert_eq!(diverging(0.5), "#F2F2F2");
        assert_eq!(diverging(1.0), "#B8550B");
        assert_eq!(diverging(f64::NAN), "#bbbbbb");
    }
}

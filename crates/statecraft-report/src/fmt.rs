//! Deterministic text: escaping, fixed-decimal numbers, clamping of untrusted values.
//!
//! Every number that reaches the output goes through one of these functions, so the same data
//! always gives the same bytes, and NaN/∞ never reach an SVG attribute.

/// Escapes text for XML/HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0: drop them.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// `x` with a fixed number of decimals; "n/a" when not finite; never "-0.0".
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A probability as a percentage with one decimal, e.g. `0.3417` → `34.2%`.
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_string();
    }
    format!("{}%", fixed(p * 100.0, 1))
}

/// A 95% interval of probabilities, e.g. `28.1–40.3%`.
pub fn pct_interval(lo: f64, hi: f64) -> String {
    if !lo.is_finite() || !hi.is_finite() {
        return "n/a".to_string();
    }
    format!("{}–{}%", fixed(lo * 100.0, 1), fixed(hi * 100.0, 1))
}

/// A change of probability in percentage points with a sign, e.g. `+12.5 pp`.
pub fn pp(d: f64) -> String {
    if !d.is_finite() {
        return "n/a".to_string();
    }
    let s = fixed(d * 100.0, 1);
    if s.starts_with('-') || s == "0.0" {
        format!("{s} pp")
    } else {
        format!("+{s} pp")
    }
}

/// An integer with thousands separators, e.g. `10000` → `10,000`.
pub fn int(n: u64) -> String {
    let mut rev = String::new();
    for (i, ch) in n.to_string().chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            rev.push(',');
        }
        rev.push(ch);
    }
    rev.chars().rev().collect()
}

/// Splits `s` into at most two lines of at most `max` characters, breaking at a space; the
/// second line is shortened with "…" if the text is still too long.
pub fn wrap2(s: &str, max: usize) -> Vec<String> {
    if s.chars().count() <= max {
        return vec![s.to_string()];
    }
    let chars: Vec<char> = s.chars().collect();
    let cut = (1..=max.min(chars.len() - 1))
        .rev()
        .find(|&i| chars[i] == ' ')
        .unwrap_or(0);
    if cut == 0 {
        return vec![truncate(s, max)];
    }
    let first: String = chars[..cut].iter().collect();
    let rest: String = chars[cut + 1..].iter().collect();
    vec![first, truncate(&rest, max)]
}

/// A coordinate for an SVG attribute: one decimal, 0 when not finite.
pub fn c(x: f64) -> String {
    fixed(if x.is_finite() { x } else { 0.0 }, 1)
}

/// A finite value or the fallback.
pub fn fin(x: f64, fallback: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        fallback
    }
}

/// A probability clamped to [0, 1]; `None` when not finite.
pub fn prob(x: f64) -> Option<f64> {
    x.is_finite().then(|| x.clamp(0.0, 1.0))
}

/// Clamps to [lo, hi] (which must be finite and ordered), mapping NaN to `lo`.
pub fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x.is_nan() {
        lo
    } else {
        x.clamp(lo, hi)
    }
}

/// A file-name-safe slug: lowercase ASCII letters, digits and dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// Shortens `s` to at most `max` characters, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

/// Approximate rendered width in px of `s` at `font_px` (sans-serif average glyph ≈ 0.55 em).
/// Used only for layout (margins), so an estimate is enough and stays deterministic.
pub fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars().count() as f64 * font_px * 0.55
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_is_deterministic_and_never_negative_zero() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(1.005, 1), "1.0");
        assert_eq!(fixed(-1.25, 1), "-1.2");
        assert_eq!(fixed(f64::NAN, 2), "n/a");
        assert_eq!(c(f64::INFINITY), "0.0");
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(0.3417), "34.2%");
        assert_eq!(pp(0.125), "+12.5 pp");
        assert_eq!(pp(-0.031), "-3.1 pp");
        assert_eq!(pp(0.0), "0.0 pp");
        assert_eq!(pct_interval(0.281, 0.403), "28.1–40.3%");
    }

    #[test]
    fn escaping_and_slugs() {
        assert_eq!(esc("a<b & \"c\"'"), "a&lt;b &amp; &quot;c&quot;&#39;");
        assert_eq!(esc("bell\u{7}"), "bell");
        assert_eq!(slug("Military rights (US)"), "military-rights-us");
        assert_eq!(slug("¶¶"), "x");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(int(10000), "10,000");
        assert_eq!(int(999), "999");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(wrap2("short", 10), vec!["short"]);
        assert_eq!(
            wrap2("status quo existing access", 12),
            vec!["status quo", "existing ac…"]
        );
        assert_eq!(wrap2("abcdefghijklmnop", 6), vec!["abcde…"]);
    }
}

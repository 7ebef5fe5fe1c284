//! The one did-you-mean helper, used for every unknown name (ids in predicates and edits, model
//! ids and options, built-in scenario names).

/// The closest candidate to `word`, if it is close enough to be a likely typo: equal ignoring
/// case, or `word` is a prefix of it (at least 2 characters; the shortest such candidate), or at
/// most `max(2, len/3)` edits away (Damerau–Levenshtein, case-insensitive; the first of equally
/// close candidates). A candidate equal to `word` is never suggested.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lw = word.to_lowercase();
    if lw.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    let mut prefix: Option<&str> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let lc = c.to_lowercase();
        if lw.chars().count() >= 2
            && lc.starts_with(&lw)
            && lc != lw
            && !matches!(prefix, Some(p) if p.len() <= c.len())
        {
            prefix = Some(c);
        }
        let d = if lc == lw {
            0
        } else {
            strsim::damerau_levenshtein(&lw, &lc)
        };
        if !matches!(best, Some((bd, _)) if bd <= d) {
            best = Some((d, c));
        }
    }
    if let Some((0, c)) = best {
        return Some(c);
    }
    if prefix.is_some() {
        return prefix;
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn typos_prefixes_and_case() {
        assert_eq!(suggest("usa", ["us", "uk", "dk"]), Some("us"));
        assert_eq!(suggest("UK", ["uk", "us"]), Some("uk"));
        assert_eq!(suggest("greenland", ["grl", "us"]), None);
        assert_eq!(suggest("denmakr", ["denmark", "us"]), Some("denmark"));
        let ids = ["compromise", "median", "eum", "eum-scholz", "smp"];
        assert_eq!(suggest("eun", ids), Some("eum"));
        assert_eq!(suggest("comp", ids), Some("compromise"));
        assert_eq!(suggest("medain", ids), Some("median"));
        assert_eq!(suggest("eum-", ids), Some("eum-scholz"));
        assert_eq!(suggest("zzzzzz", ids), None);
        assert_eq!(suggest("nonsense", ids), None);
        assert_eq!(suggest("", ids), None);
        assert_eq!(suggest("smp", ids), None);
    }
}

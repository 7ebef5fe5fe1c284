//! A bound on XML element nesting, checked before the XML parser runs.
//!
//! `roxmltree` (0.20) parses nested elements by recursion and has no nesting limit of its own
//! (it bounds only entity expansion: depth 10, 255 references), so ~30,000 nested elements
//! overflow the stack. [`check`] scans the text once, without recursion, and refuses a document
//! nested deeper than [`MAX_XML_DEPTH`] with the position of the first element past the limit.
//! Entity declarations whose value holds markup are refused too: their expansion could nest
//! elements that the scan of the text does not see. KTAB files nest five levels and declare no
//! entities.

use std::ops::Range;

/// Deepest element nesting accepted in an XML scenario (documented in `docs/reliability.md`).
pub const MAX_XML_DEPTH: usize = 256;

/// Why [`check`] refused a document: message and the byte range it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepthError {
    pub message: String,
    pub span: Range<usize>,
}

/// Scan `text` for element nesting deeper than [`MAX_XML_DEPTH`] and for entity declarations
/// with markup. Malformed markup is left for the XML parser to report.
pub fn check(text: &str) -> Result<(), DepthError> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + off;
        let rest = &b[start..];
        if rest.starts_with(b"<!--") {
            i = skip_past(b, start + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_past(b, start + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_past(b, start + 2, b"?>");
        } else if rest.starts_with(b"<!") {
            // DOCTYPE (with an internal subset) or a declaration inside it.
            if rest.starts_with(b"<!ENTITY") {
                let end = tag_end(b, start);
                if b[start + 1..end].contains(&b'<') {
                    return Err(DepthError {
                        message: "entity declarations containing markup are not supported".into(),
                        span: start..start + 8,
                    });
                }
                i = end;
            } else {
                // Skip the declaration's name only; declarations inside an internal subset are
                // scanned on their own.
                i = start + 2;
            }
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = tag_end(b, start);
        } else {
            let end = tag_end(b, start);
            let empty = end >= 2 && b[end - 2] == b'/' && b[end - 1] == b'>';
            if !empty {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    let name_end = b[start + 1..end]
                        .iter()
                        .position(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'))
                        .map_or(end, |p| start + 1 + p);
                    return Err(DepthError {
                        message: format!("XML nested deeper than {MAX_XML_DEPTH} elements"),
                        span: start..name_end.max(start + 1),
                    });
                }
            }
            i = end;
        }
        if i >= b.len() {
            break;
        }
    }
    Ok(())
}

/// The index just past the first `pat` at or after `from` (the end of the text if none).
fn skip_past(b: &[u8], from: usize, pat: &[u8]) -> usize {
    b.get(from..)
        .and_then(|r| r.windows(pat.len()).position(|w| w == pat))
        .map_or(b.len(), |p| from + p + pat.len())
}

/// The index just past the `>` that closes the tag opened at `start`, skipping quoted
/// attribute values (the end of the text if none).
fn tag_end(b: &[u8], start: usize) -> usize {
    let mut quote = None;
    for (k, &c) in b.iter().enumerate().skip(start + 1) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return k + 1,
            None => {}
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_nesting() {
        let ok = format!(
            "<?xml version=\"1.0\"?><!-- <a> --><r a=\"x>\">{}<e/>{}</r>",
            "<a>".repeat(MAX_XML_DEPTH - 1),
            "</a>".repeat(MAX_XML_DEPTH - 1)
        );
        assert_eq!(check(&ok), Ok(()));
        assert!(roxmltree::Document::parse(&ok).is_ok());
        let deep = format!("<r>{}", "<a>".repeat(30_000));
        let e = check(&deep).unwrap_err();
        assert!(e.message.contains("deeper than 256"), "{e:?}");
        assert_eq!(
            e.span,
            3 + 3 * (MAX_XML_DEPTH - 1)..3 + 3 * (MAX_XML_DEPTH - 1) + 2
        );
    }

    #[test]
    fn entity_markup_is_refused() {
        let t = "<!DOCTYPE r [<!ENTITY e \"<a>x</a>\">]><r>&e;</r>";
        assert!(check(t).unwrap_err().message.contains("entity"));
        let plain = "<!DOCTYPE r [<!ENTITY e \"text\">]><r>&e;</r>";
        assert_eq!(check(plain), Ok(()));
    }
}

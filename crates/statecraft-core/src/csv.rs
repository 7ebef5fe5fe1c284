//! CSV text: one writer and one strict reader (RFC 4180 quoting), shared by the Monte Carlo
//! tables and sweep shards.

/// One CSV line (RFC 4180 quoting when needed), ending in `\n`.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut s = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let f = f.as_ref();
        if f.contains([',', '"', '\n', '\r']) {
            s.push('"');
            s.push_str(&f.replace('"', "\"\""));
            s.push('"');
        } else {
            s.push_str(f);
        }
    }
    s.push('\n');
    s
}

/// Parse CSV text (RFC 4180 quoting). Every record must end with a newline: a file cut short
/// mid-line is an error, not a silently shorter row.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut line = 1;
    let mut dirty = false;
    while let Some(c) = chars.next() {
        dirty = true;
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
                line += 1;
                dirty = false;
            }
            c => field.push(c),
        }
    }
    if in_quotes {
        return Err(format!("line {line}: unterminated quoted field"));
    }
    if dirty {
        return Err(format!(
            "line {line}: last line has no newline (truncated file?)"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip() {
        let rows = vec![
            vec![
                "a".to_string(),
                "b,c".into(),
                "say \"hi\"".into(),
                "".into(),
            ],
            vec!["1".into(), "2".into(), "3".into(), "4".into()],
        ];
        let text: String = rows.iter().map(|r| csv_line(r)).collect();
        assert_eq!(parse_csv(&text).unwrap(), rows);
        assert!(parse_csv("a,b\n1,2").is_err());
        assert!(parse_csv("a,\"b\n").is_err());
    }
}

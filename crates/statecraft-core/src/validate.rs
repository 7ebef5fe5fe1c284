//! Scoring models against real outcomes (DEU III).
//!
//! DEU III (Decision-making in the European Union III; Arregui & Perarnaud 2021,
//! doi:10.34810/data53) holds expert-coded positions and saliences of up to 30 actors on 364
//! contested EU legislative issues, 353 of them with the actual outcome. This module parses the
//! table (the text is handed in; no file I/O here) and scores every bargaining model by the
//! mean absolute error of its forecast, following `shared/reference/deu3/README.md`:
//!
//! - an actor takes part in an issue iff its position cell is non-empty;
//! - a missing salience counts as 50 (0–100 scale; divided by 100 for the models);
//! - capability = row 2 (GDP; Commission and EP already hold the maximum) normalised to a
//!   maximum of 1 (`gdp`), or 1 for everyone (`equal`);
//! - error = |forecast − out|, averaged over the issues with an outcome.

use crate::models::eum::{self, EumOptions, Issue as EumIssue};
use crate::models::stats::{weighted_mean, weighted_median, TieRule};
use serde::Serialize;

pub mod cv;
pub use cv::{cross_validate, CvReport, CvRow};

/// A problem with the DEU III text.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("DEU III table, line {line}: {message}")]
pub struct Deu3Error {
    pub line: usize,
    pub message: String,
}

/// One DEU III issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Deu3Issue {
    /// Numeric proposal number (`prnrnmc`; the cross-validation fold is this mod 5).
    pub proposal: i64,
    /// Issue id (`isnr`).
    pub id: String,
    /// Position (0–100) per actor; `None` = no position (the actor does not take part).
    pub x: Vec<Option<f64>>,
    /// Salience (0–100) per actor; `None` = not coded.
    pub s: Vec<Option<f64>>,
    /// Reference point, where coded.
    pub rp: Option<f64>,
    /// Actual outcome, where known.
    pub out: Option<f64>,
    /// Legislative procedure (`proc`: `COD` co-decision, `CNS` consultation); empty if absent.
    pub procedure: String,
    /// Council voting rule (`counvte`: `QMV`, `Unan`); empty if absent.
    pub voting: String,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq)]
pub struct Deu3 {
    /// Actor codes (`com`, `ep`, then 28 member states).
    pub actors: Vec<String>,
    /// Row 2: GDP per actor.
    pub gdp: Vec<f64>,
    pub issues: Vec<Deu3Issue>,
}

/// Split one line of tab-separated text with `"` quoting (`""` = a literal quote).
fn split_tsv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            '\t' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out
}

fn num(cell: Option<&String>, line: usize, what: &str) -> Result<Option<f64>, Deu3Error> {
    let t = cell.map_or("", |c| c.trim());
    if t.is_empty() || t == "NA" {
        return Ok(None);
    }
    t.parse::<f64>().map(Some).map_err(|_| Deu3Error {
        line,
        message: format!("{what}: `{t}` is not a number"),
    })
}

/// Parse the DEU III table (`deu3.tsv`).
pub fn parse_deu3(text: &str) -> Result<Deu3, Deu3Error> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, head)) = lines.next() else {
        return Err(Deu3Error {
            line: 1,
            message: "empty table".into(),
        });
    };
    let head = split_tsv(head);
    let col = |name: &str| -> Result<usize, Deu3Error> {
        head.iter()
            .position(|h| h == name)
            .ok_or_else(|| Deu3Error {
                line: 1,
                message: format!("no column `{name}`"),
            })
    };
    let (pcom, scom, rp, out) = (col("pcom")?, col("scom")?, col("rp")?, col("out")?);
    let (prn, isnr) = (col("prnrnmc")?, col("isnr")?);
    let (procc, vote) = (col("proc").ok(), col("counvte").ok());
    let n = scom.saturating_sub(pcom);
    if n == 0 || head.len() < scom + n {
        return Err(Deu3Error {
            line: 1,
            message: "position and salience columns do not line up".into(),
        });
    }
    let actors: Vec<String> = head[pcom..pcom + n]
        .iter()
        .map(|h| h.strip_prefix('p').unwrap_or(h).to_string())
        .collect();
    for (k, a) in actors.iter().enumerate() {
        if head[scom + k] != format!("s{a}") {
            return Err(Deu3Error {
                line: 1,
                message: format!("salience column for `{a}` not where expected"),
            });
        }
    }
    let Some((gi, grow)) = lines.next() else {
        return Err(Deu3Error {
            line: 2,
            message: "no GDP row".into(),
        });
    };
    let grow = split_tsv(grow);
    let mut gdp = Vec::with_capacity(n);
    for k in 0..n {
        gdp.push(num(grow.get(pcom + k), gi + 1, "GDP")?.unwrap_or(0.0));
    }
    let mut issues = Vec::new();
    for (li, line) in lines {
        let f = split_tsv(line);
        let lno = li + 1;
        // A row with fewer or more fields than the header is a damaged file (cut short, or a
        // stray tab), not an issue with missing values: refuse it rather than score part of it.
        if f.len() != head.len() {
            return Err(Deu3Error {
                line: lno,
                message: format!(
                    "row has {} fields but the header has {} (is the file cut short?)",
                    f.len(),
                    head.len()
                ),
            });
        }
        let mut x = Vec::with_capacity(n);
        let mut s = Vec::with_capacity(n);
        for (k, actor) in actors.iter().enumerate() {
            x.push(num(f.get(pcom + k), lno, &format!("position of {actor}"))?);
            s.push(num(f.get(scom + k), lno, &format!("salience of {actor}"))?);
        }
        issues.push(Deu3Issue {
            proposal: num(f.get(prn), lno, "prnrnmc")?.map_or(0, |v| v as i64),
            id: f.get(isnr).cloned().unwrap_or_default(),
            x,
            s,
            rp: num(f.get(rp), lno, "rp")?,
            out: num(f.get(out), lno, "out")?,
            procedure: procc.and_then(|c| f.get(c)).cloned().unwrap_or_default(),
            voting: vote.and_then(|c| f.get(c)).cloned().unwrap_or_default(),
        });
    }
    if !text.ends_with('\n') && !text.ends_with("\r\n") {
        return Err(Deu3Error {
            line: text.lines().count().max(1),
            message: "the last line has no line end: the file looks cut short".into(),
        });
    }
    Ok(Deu3 {
        actors,
        gdp,
        issues,
    })
}

/// Capability convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// GDP row normalised to a maximum of 1.
    Gdp,
    /// 1 for every actor.
    Equal,
}

/// The participants of one issue: capability, position (0–100) and salience (0–1).
pub struct Participants {
    pub c: Vec<f64>,
    pub x: Vec<f64>,
    pub s: Vec<f64>,
}

impl Deu3 {
    /// The participants of `issue` under capability convention `cap`.
    pub fn participants(&self, issue: &Deu3Issue, cap: Capability) -> Participants {
        let gmax = self.gdp.iter().copied().fold(0.0, f64::max);
        let mut p = Participants {
            c: vec![],
            x: vec![],
            s: vec![],
        };
        for (k, x) in issue.x.iter().enumerate() {
            let Some(x) = x else { continue };
            p.x.push(*x);
            p.s.push(issue.s[k].unwrap_or(50.0) / 100.0);
            p.c.push(match cap {
                Capability::Equal => 1.0,
                Capability::Gdp if gmax > 0.0 => self.gdp[k] / gmax,
                Capability::Gdp => 1.0,
            });
        }
        p
    }
}

/// One row of the score table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreRow {
    /// Model id (`compromise`, `median`, `eum-scholz`, `eum-printed`, `reference-point`).
    pub model: String,
    /// Statistic used as the forecast: `mean` or `median`.
    pub statistic: String,
    /// EUM round after which the statistic was taken (None for the static models).
    pub round: Option<usize>,
    pub mae_gdp: f64,
    pub mae_equal: f64,
    /// Number of issues scored.
    pub n: usize,
}

/// The DEU III score table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deu3Report {
    pub issues_total: usize,
    pub issues_with_outcome: usize,
    pub rounds: usize,
    pub rows: Vec<ScoreRow>,
}

/// Score every model on every issue with an outcome; EUM statistics after rounds 1..=`rounds`.
pub fn score_deu3(d: &Deu3, rounds: usize) -> Deu3Report {
    let scored: Vec<&Deu3Issue> = d
        .issues
        .iter()
        .filter(|i| i.out.is_some() && i.x.iter().any(Option::is_some))
        .collect();
    // errors[(model, stat, round)] = (sum gdp, sum equal, n)
    let mut rows: Vec<ScoreRow> = Vec::new();
    let mut add = |model: &str, stat: &str, round: Option<usize>, cap: Capability, err: f64| {
        let i = match rows
            .iter()
            .position(|r| r.model == model && r.statistic == stat && r.round == round)
        {
            Some(i) => i,
            None => {
                rows.push(ScoreRow {
                    model: model.into(),
                    statistic: stat.into(),
                    round,
                    mae_gdp: 0.0,
                    mae_equal: 0.0,
                    n: 0,
                });
                rows.len() - 1
            }
        };
        let r = &mut rows[i];
        match cap {
            Capability::Gdp => {
                r.mae_gdp += err;
                r.n += 1;
            }
            Capability::Equal => r.mae_equal += err,
        }
    };
    let variants = [
        ("eum-scholz", EumOptions::scholz()),
        ("eum-printed", EumOptions::printed()),
    ];
    for issue in &scored {
        let Some(out) = issue.out else { continue };
        for cap in [Capability::Gdp, Capability::Equal] {
            let p = d.participants(issue, cap);
            let w: Vec<f64> = p.c.iter().zip(&p.s).map(|(c, s)| c * s).collect();
            add(
                "compromise",
                "mean",
                None,
                cap,
                (weighted_mean(&p.x, &w) - out).abs(),
            );
            add(
                "median",
                "median",
                None,
                cap,
                (weighted_median(&p.x, &w, TieRule::Lower) - out).abs(),
            );
            for (id, o) in &variants {
                let ei = EumIssue::new(&p.c, &p.s, &p.x, o.range, (0.0, 100.0));
                let run = eum::run_issue(&p.x, &ei, o, rounds);
                for t in 1..=rounds {
                    let x = &run.positions[t.min(run.positions.len() - 1)];
                    add(
                        id,
                        "median",
                        Some(t),
                        cap,
                        (weighted_median(x, &ei.w, o.median_tie) - out).abs(),
                    );
                    add(
                        id,
                        "mean",
                        Some(t),
                        cap,
                        (weighted_mean(x, &ei.w) - out).abs(),
                    );
                }
            }
            if let (Some(rp), Capability::Gdp) = (issue.rp, cap) {
                add("reference-point", "rp", None, cap, (rp - out).abs());
            }
        }
    }
    for r in &mut rows {
        if r.n > 0 {
            r.mae_gdp /= r.n as f64;
            r.mae_equal /= r.n as f64;
        }
        if r.model == "reference-point" {
            r.mae_equal = f64::NAN;
        }
    }
    rows.sort_by(|a, b| {
        let order = |m: &str| {
            [
                "compromise",
                "median",
                "eum-scholz",
                "eum-printed",
                "reference-point",
            ]
            .iter()
            .position(|x| *x == m)
        };
        (order(&a.model), &a.statistic, a.round).cmp(&(order(&b.model), &b.statistic, b.round))
    });
    Deu3Report {
        issues_total: d.issues.len(),
        issues_with_outcome: scored.len(),
        rounds,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_quoting() {
        assert_eq!(
            split_tsv("\"a\"\t\t\"b\"\"c\"\t1"),
            vec!["a", "", "b\"c", "1"]
        );
        assert_eq!(split_tsv("\"x\ty\"\tz"), vec!["x\ty", "z"]);
    }

    #[test]
    fn small_table() {
        let text = "\"prnrnmc\"\t\"isnr\"\t\"pcom\"\t\"pde\"\t\"scom\"\t\"sde\"\t\"rp\"\t\"out\"\n\
                    \t\t\"4\"\t\"2\"\t\t\t\t\n\
                    1\t\"i1\"\t100\t0\t80\t\t\t60\n\
                    1\t\"i2\"\t\t0\t\t\t\t\n";
        let d = parse_deu3(text).unwrap();
        assert_eq!(d.actors, ["com", "de"]);
        assert_eq!(d.issues.len(), 2);
        let p = d.participants(&d.issues[0], Capability::Gdp);
        assert_eq!(p.c, [1.0, 0.5]);
        assert_eq!(p.s, [0.8, 0.5]); // missing salience = 50
        let rep = score_deu3(&d, 2);
        assert_eq!(rep.issues_with_outcome, 1);
        let comp = rep.rows.iter().find(|r| r.model == "compromise").unwrap();
        // gdp: (1·0.8·100 + 0.5·0.5·0)/(0.8 + 0.25) = 76.19…; |76.19 − 60| = 16.19…
        assert!((comp.mae_gdp - (80.0 / 1.05 - 60.0)).abs() < 1e-9);
        assert!(parse_deu3("").is_err());
        assert!(parse_deu3("\"pcom\"\t\"scom\"\n").is_err());
        // A file cut short: mid-row (fewer fields), or without its last line end.
        let cut = &text[..text.len() - 4];
        let e = parse_deu3(cut).err().unwrap();
        assert_eq!(e.line, 4, "{e:?}");
        assert!(e.message.contains("fields"), "{e:?}");
        let no_end = &text[..text.len() - 1];
        assert!(parse_deu3(no_end)
            .err()
            .unwrap()
            .message
            .contains("cut short"));
    }
}

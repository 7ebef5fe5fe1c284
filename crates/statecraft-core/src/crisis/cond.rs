//! A small predicate language for option preconditions, alliance rules and forecast questions.
//!
//! Grammar (the same as outcome predicates; the lead may swap this for `crate::expr` once merged):
//!
//! ```text
//! expr    := or
//! or      := and (("or" | "||") and)*
//! and     := not (("and" | "&&") not)*
//! not     := ("not" | "!") not | atom
//! atom    := "(" expr ")" | "true" | "false" | operand cmp operand
//! cmp     := "<" | "<=" | ">" | ">=" | "==" | "!="
//! operand := number | date (YYYY-MM-DD, = days after as_of) | variable (dotted name)
//! ```
//!
//! A comparison with a variable that is absent (e.g. `option.x.day` when x was never taken) is
//! false; `not` of it is true.

use crate::scenario::Date;
use std::fmt;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    fn apply(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => (a - b).abs() < 1e-9,
            Cmp::Ne => (a - b).abs() >= 1e-9,
        }
    }
}

/// An operand: a constant or a variable reference of type `V`.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand<V> {
    Const(f64),
    Var(V),
}

/// A parsed predicate over variables of type `V` (names after parsing, resolved slots after
/// [`Pred::map_vars`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Pred<V> {
    Const(bool),
    Cmp(Operand<V>, Cmp, Operand<V>),
    Not(Box<Pred<V>>),
    And(Vec<Pred<V>>),
    Or(Vec<Pred<V>>),
}

/// Why a predicate did not parse.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("bad predicate `{text}`: {message}")]
pub struct PredError {
    pub text: String,
    pub message: String,
}

impl<V> Pred<V> {
    /// Evaluate with a lookup for variables (None = absent).
    pub fn eval(&self, look: &mut dyn FnMut(&V) -> Option<f64>) -> bool {
        match self {
            Pred::Const(b) => *b,
            Pred::Not(p) => !p.eval(look),
            Pred::And(ps) => ps.iter().all(|p| p.eval(look)),
            Pred::Or(ps) => ps.iter().any(|p| p.eval(look)),
            Pred::Cmp(a, op, b) => {
                let mut val = |o: &Operand<V>| match o {
                    Operand::Const(c) => Some(*c),
                    Operand::Var(v) => look(v),
                };
                match (val(a), val(b)) {
                    (Some(x), Some(y)) => op.apply(x, y),
                    _ => false,
                }
            }
        }
    }

    /// Resolve every variable with `f` (e.g. names to state slots); the first error wins.
    pub fn map_vars<W, E>(&self, f: &mut dyn FnMut(&V) -> Result<W, E>) -> Result<Pred<W>, E> {
        let op = |o: &Operand<V>, f: &mut dyn FnMut(&V) -> Result<W, E>| -> Result<Operand<W>, E> {
            Ok(match o {
                Operand::Const(c) => Operand::Const(*c),
                Operand::Var(v) => Operand::Var(f(v)?),
            })
        };
        Ok(match self {
            Pred::Const(b) => Pred::Const(*b),
            Pred::Not(p) => Pred::Not(Box::new(p.map_vars(f)?)),
            Pred::And(ps) => Pred::And(ps.iter().map(|p| p.map_vars(f)).collect::<Result<_, _>>()?),
            Pred::Or(ps) => Pred::Or(ps.iter().map(|p| p.map_vars(f)).collect::<Result<_, _>>()?),
            Pred::Cmp(a, c, b) => Pred::Cmp(op(a, f)?, *c, op(b, f)?),
        })
    }

    /// Every variable mentioned.
    pub fn vars(&self) -> Vec<&V> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a V>) {
        match self {
            Pred::Const(_) => {}
            Pred::Not(p) => p.collect(out),
            Pred::And(ps) | Pred::Or(ps) => ps.iter().for_each(|p| p.collect(out)),
            Pred::Cmp(a, _, b) => {
                for o in [a, b] {
                    if let Operand::Var(v) = o {
                        out.push(v);
                    }
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Cmp(Cmp),
    And,
    Or,
    Not,
    LParen,
    RParen,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Num(n) => write!(f, "{n}"),
            Tok::Ident(s) => write!(f, "{s}"),
            Tok::Cmp(c) => write!(f, "{c:?}"),
            Tok::And => write!(f, "and"),
            Tok::Or => write!(f, "or"),
            Tok::Not => write!(f, "not"),
            Tok::LParen => write!(f, "("),
            Tok::RParen => write!(f, ")"),
        }
    }
}

fn lex(text: &str, as_of: Option<Date>) -> Result<Vec<Tok>, String> {
    let b: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == '&' || c == '|' {
            if b.get(i + 1) != Some(&c) {
                return Err(format!("single `{c}` at {i}; use `{c}{c}`"));
            }
            out.push(if c == '&' { Tok::And } else { Tok::Or });
            i += 2;
        } else if c == '<' || c == '>' || c == '=' || c == '!' {
            let eq = b.get(i + 1) == Some(&'=');
            let t = match (c, eq) {
                ('<', true) => Tok::Cmp(Cmp::Le),
                ('<', false) => Tok::Cmp(Cmp::Lt),
                ('>', true) => Tok::Cmp(Cmp::Ge),
                ('>', false) => Tok::Cmp(Cmp::Gt),
                ('=', true) => Tok::Cmp(Cmp::Eq),
                ('!', true) => Tok::Cmp(Cmp::Ne),
                ('!', false) => Tok::Not,
                _ => return Err(format!("single `=` at {i}; use `==`")),
            };
            i += if eq { 2 } else { 1 };
            out.push(t);
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '.') && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == '.' || b[i] == '-') {
                i += 1;
            }
            // exponent
            if i < b.len() && (b[i] == 'e' || b[i] == 'E') {
                i += 1;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == '-' || b[i] == '+') {
                    i += 1;
                }
            }
            let s: String = b[start..i].iter().collect();
            if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
                let d = Date::parse_from_str(&s, "%Y-%m-%d")
                    .map_err(|e| format!("bad date `{s}`: {e}"))?;
                let base = as_of.ok_or_else(|| format!("date `{s}` needs the scenario's as_of"))?;
                out.push(Tok::Num((d - base).num_days() as f64));
            } else {
                let v: f64 = s.parse().map_err(|_| format!("bad number `{s}`"))?;
                out.push(Tok::Num(v));
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_' || b[i] == '.') {
                i += 1;
            }
            let s: String = b[start..i].iter().collect();
            out.push(match s.as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Ident(s),
            });
        } else {
            return Err(format!("unexpected `{c}` at {i}"));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    i: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }
    fn or(&mut self) -> Result<Pred<String>, String> {
        let mut v = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.i += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Pred::Or(v)
        })
    }
    fn and(&mut self) -> Result<Pred<String>, String> {
        let mut v = vec![self.not()?];
        while self.peek() == Some(&Tok::And) {
            self.i += 1;
            v.push(self.not()?);
        }
        Ok(if v.len() == 1 {
            v.remove(0)
        } else {
            Pred::And(v)
        })
    }
    fn not(&mut self) -> Result<Pred<String>, String> {
        if self.peek() == Some(&Tok::Not) {
            self.i += 1;
            return Ok(Pred::Not(Box::new(self.not()?)));
        }
        self.atom()
    }
    fn operand(&mut self) -> Result<Operand<String>, String> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Operand::Const(n)),
            Some(Tok::Ident(s)) => Ok(Operand::Var(s)),
            Some(t) => Err(format!("expected a number, date or variable, found `{t}`")),
            None => Err("unexpected end".into()),
        }
    }
    fn atom(&mut self) -> Result<Pred<String>, String> {
        match self.peek() {
            Some(Tok::LParen) => {
                self.i += 1;
                let p = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(p),
                    _ => Err("missing `)`".into()),
                }
            }
            Some(Tok::Ident(s)) if s == "true" || s == "false" => {
                let b = s == "true";
                self.i += 1;
                Ok(Pred::Const(b))
            }
            _ => {
                let a = self.operand()?;
                let op = match self.next() {
                    Some(Tok::Cmp(c)) => c,
                    Some(t) => return Err(format!("expected a comparison, found `{t}`")),
                    None => return Err("expected a comparison, found the end".into()),
                };
                let b = self.operand()?;
                Ok(Pred::Cmp(a, op, b))
            }
        }
    }
}

/// Parse a predicate. Date literals become days after `as_of`. An empty text is `true`.
pub fn parse(text: &str, as_of: Option<Date>) -> Result<Pred<String>, PredError> {
    let err = |m: String| PredError {
        text: text.to_string(),
        message: m,
    };
    if text.trim().is_empty() {
        return Ok(Pred::Const(true));
    }
    let toks = lex(text, as_of).map_err(err)?;
    let mut p = Parser { toks, i: 0 };
    let out = p.or().map_err(err)?;
    if p.i < p.toks.len() {
        return Err(err(format!("unexpected `{}` after the end", p.toks[p.i])));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn ev(text: &str, vars: &[(&str, f64)]) -> bool {
        let m: BTreeMap<String, f64> = vars.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let as_of = Date::from_ymd_opt(2026, 1, 11);
        parse(text, as_of)
            .unwrap()
            .eval(&mut |v: &String| m.get(v).copied())
    }

    #[test]
    fn comparisons_logic_and_dates() {
        assert!(ev("a >= 1", &[("a", 1.0)]));
        assert!(!ev("a > 1", &[("a", 1.0)]));
        assert!(ev("a > 1 or b == 2", &[("a", 0.0), ("b", 2.0)]));
        assert!(!ev("a > 1 and b == 2", &[("a", 0.0), ("b", 2.0)]));
        assert!(ev("not (a > 1)", &[("a", 0.0)]));
        // 2026-01-18 is 7 days after 2026-01-11
        assert!(ev("option.x.day <= 2026-01-18", &[("option.x.day", 7.0)]));
        assert!(!ev("option.x.day <= 2026-01-17", &[("option.x.day", 7.0)]));
        assert!(ev("a < -0.5", &[("a", -1.0)]));
    }

    #[test]
    fn absent_vars_compare_false() {
        assert!(!ev("missing >= 0", &[]));
        assert!(ev("!(missing >= 0)", &[]));
        assert!(ev("", &[]));
    }

    #[test]
    fn bad_text_is_an_error_not_a_panic() {
        for t in [
            "a >",
            "a = 1",
            "(a > 1",
            "a > 1 b",
            "2026-13-01 > a",
            "a & b",
            "#",
        ] {
            assert!(parse(t, Date::from_ymd_opt(2026, 1, 11)).is_err(), "{t}");
        }
    }
}

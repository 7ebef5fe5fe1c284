//! The predicate language of the whole engine: outcome classes, forecast questions, hypotheses,
//! and the crisis layer's option preconditions and alliance rules.
//!
//! ```text
//! issue.mil_rights >= 70 and not (option.invasion.taken or cohesion < 0.5)
//! option.invasion.day <= 2026-06-30
//! ```
//!
//! Grammar (lowest precedence first):
//! ```text
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | primary
//! primary := "(" expr ")" | operand (cmp operand)?
//! operand := number | date | "true" | "false" | var
//! cmp     := "<" | "<=" | ">" | ">=" | "==" | "!="
//! ```
//! `&&`, `||` and `!` are accepted as `and`, `or` and `not`; `==`/`!=` compare within 1e-9.
//! - a `var` is a dotted name (`[A-Za-z_][A-Za-z0-9_.:-]*`, ending in a letter, digit or `_`)
//!   looked up in [`RunState::vars`];
//! - a date literal `YYYY-MM-DD` is the number of days after the scenario's `as_of`;
//! - a bare var is true iff it is present and ≠ 0; a bare number is true iff ≠ 0;
//! - a comparison with a missing var is false (so `not (x > 1)` is true when `x` is missing).
//!
//! Parse once ([`Expr::parse`]), evaluate many times ([`Expr::eval`]). Parse errors carry the
//! byte offset in the predicate text.
//!
//! An [`Expr`] is generic over its var type `V`: parsing gives `Expr<String>` (names), and
//! [`Expr::map_vars`] compiles it once to any other form, e.g. the crisis layer's pre-resolved
//! state slots, so that a hot loop evaluates without looking names up. [`Expr::eval`] takes
//! anything that gives a var's value ([`Lookup`]): a [`RunState`], a var map, or a closure.
//!
//! [`Expr::parse`] is strict (an empty text is an error: an outcome class must say something);
//! [`parse`] reads a *condition* (option precondition, alliance rule, question), where an empty
//! text means "always".

use crate::scenario::date::Date;
use crate::scenario::error::ScenarioError;
use crate::state::RunState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Deepest nesting of `(` and `not` a predicate may have. The parser, the evaluator, the
/// compiler ([`Expr::map_vars`]) and the destructor all recurse once per level, so a bound keeps
/// them far inside any thread's stack (a rayon worker's included); real predicates nest a few
/// levels. Documented in `docs/reliability.md`.
pub const MAX_PREDICATE_DEPTH: usize = 64;

/// Longest predicate text, in bytes (a predicate is one line of a scenario file, not a program).
pub const MAX_PREDICATE_LEN: usize = 64 * 1024;

/// `==` and `!=` compare with this absolute tolerance (so `x == 0.3` works for computed values).
pub const EQ_TOLERANCE: f64 = 1e-9;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
            Cmp::Eq => (a - b).abs() < EQ_TOLERANCE,
            Cmp::Ne => (a - b).abs() >= EQ_TOLERANCE,
        }
    }
}

/// An operand: a constant (numbers, dates after resolution, true/false) or a variable of type
/// `V` (a name after parsing; whatever [`Expr::map_vars`] made of it after compilation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Operand<V = String> {
    Const(f64),
    Var(V),
}

/// A parsed predicate over variables of type `V`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expr<V = String> {
    Or(Vec<Expr<V>>),
    And(Vec<Expr<V>>),
    Not(Box<Expr<V>>),
    Cmp(Operand<V>, Cmp, Operand<V>),
    /// A bare operand used as a truth value.
    Truthy(Operand<V>),
}

/// Where [`Expr::eval`] finds the value of a var (`None`: the var is absent).
pub trait Lookup<V> {
    fn value(&mut self, var: &V) -> Option<f64>;
}

impl Lookup<String> for &RunState {
    fn value(&mut self, var: &String) -> Option<f64> {
        self.get(var)
    }
}

impl Lookup<String> for &BTreeMap<String, f64> {
    fn value(&mut self, var: &String) -> Option<f64> {
        self.get(var).copied()
    }
}

impl<V, F: FnMut(&V) -> Option<f64> + ?Sized> Lookup<V> for &mut F {
    fn value(&mut self, var: &V) -> Option<f64> {
        self(var)
    }
}

/// A located parse error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct ParseError {
    pub message: String,
    /// Byte offset in the predicate text.
    pub offset: usize,
    /// Length in bytes of the offending token (≥ 1 unless at end of input).
    pub len: usize,
}

impl ParseError {
    /// As a scenario error, with the span shifted by `base` (the predicate's byte offset in the
    /// scenario file).
    pub fn to_scenario_error(&self, base: usize) -> ScenarioError {
        ScenarioError {
            message: format!("predicate: {}", self.message),
            span: Some(base + self.offset..base + self.offset + self.len),
            help: Some(
                "grammar: comparisons (< <= > >= == !=) of vars, numbers and dates (YYYY-MM-DD), \
                 combined with and/or/not and parentheses"
                    .into(),
            ),
        }
    }
}

/// A [`ParseError`] together with the predicate's text, for messages that are not shown
/// beside the scenario file (where a byte offset alone would not locate the problem).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad predicate `{text}`: {error}")]
pub struct PredError {
    pub text: String,
    pub error: ParseError,
}

/// Parse a condition (option precondition, alliance rule, forecast question): an empty (or
/// blank) text is always true; otherwise as [`Expr::parse`]. Dates are days after `as_of`.
pub fn parse(text: &str, as_of: Option<Date>) -> Result<Expr, PredError> {
    if text.trim().is_empty() {
        return Ok(Expr::constant(true));
    }
    Expr::parse(text, as_of).map_err(|error| PredError {
        text: text.to_string(),
        error,
    })
}

/// The crisis layer's predicates (option preconditions, `alliance.withdraw_when`), parsed once
/// when the scenario is loaded, so that no run parses text again (a run happens on a worker
/// thread, many thousand times). A cache beside the scenario's data: it is not serialised and
/// never makes two scenarios unequal. Texts that are not in it (a scenario built in code) are
/// parsed by [`Predicates::parse`] as before, with the same depth limit.
#[derive(Clone, Debug, Default)]
pub struct Predicates {
    as_of: Option<Date>,
    parsed: std::sync::Arc<BTreeMap<String, Expr>>,
}

impl PartialEq for Predicates {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Predicates {
    /// A cache of `texts` parsed against `as_of`; texts that do not parse are left out (the
    /// loader reports them).
    pub fn of_texts<'a>(as_of: Option<Date>, texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut parsed = BTreeMap::new();
        for t in texts {
            if let Ok(e) = parse(t, as_of) {
                parsed.insert(t.to_string(), e);
            }
        }
        Predicates {
            as_of,
            parsed: std::sync::Arc::new(parsed),
        }
    }

    /// The condition `text` (see [`parse`]): from the cache when it was parsed at load with the
    /// same `as_of`, else parsed now.
    pub fn parse(
        &self,
        text: &str,
        as_of: Option<Date>,
    ) -> Result<std::borrow::Cow<'_, Expr>, PredError> {
        match self.parsed.get(text) {
            Some(e) if self.as_of == as_of => Ok(std::borrow::Cow::Borrowed(e)),
            _ => parse(text, as_of).map(std::borrow::Cow::Owned),
        }
    }

    /// How many predicates the cache holds.
    pub fn len(&self) -> usize {
        self.parsed.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Date(Date),
    Ident(String),
    And,
    Or,
    Not,
    True,
    False,
    LParen,
    RParen,
    Cmp(Cmp),
}

struct Lexed {
    tok: Tok,
    at: usize,
    len: usize,
}

fn err(message: impl Into<String>, offset: usize, len: usize) -> ParseError {
    ParseError {
        message: message.into(),
        offset,
        len,
    }
}

fn lex(src: &str) -> Result<Vec<Lexed>, ParseError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let push = |out: &mut Vec<Lexed>, tok, len| {
            out.push(Lexed {
                tok,
                at: start,
                len,
            })
        };
        match c {
            b'(' => {
                push(&mut out, Tok::LParen, 1);
                i += 1;
            }
            b')' => {
                push(&mut out, Tok::RParen, 1);
                i += 1;
            }
            b'<' | b'>' | b'=' | b'!' => {
                let two = b.get(i + 1) == Some(&b'=');
                let op = match (c, two) {
                    (b'<', true) => Cmp::Le,
                    (b'<', false) => Cmp::Lt,
                    (b'>', true) => Cmp::Ge,
                    (b'>', false) => Cmp::Gt,
                    (b'=', true) => Cmp::Eq,
                    (b'!', true) => Cmp::Ne,
                    (b'=', false) if b.get(i + 1) == Some(&b'>') => {
                        return Err(err("`=>` is not an operator; use `>=`", i, 2))
                    }
                    (b'=', false) if b.get(i + 1) == Some(&b'<') => {
                        return Err(err("`=<` is not an operator; use `<=`", i, 2))
                    }
                    (b'=', false) => return Err(err("`=` is not an operator; use `==`", i, 1)),
                    _ => {
                        // `!` alone is `not`.
                        push(&mut out, Tok::Not, 1);
                        i += 1;
                        continue;
                    }
                };
                let len = if two { 2 } else { 1 };
                push(&mut out, Tok::Cmp(op), len);
                i += len;
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => {
                // Date literal?
                if c.is_ascii_digit()
                    && b.len() >= i + 10
                    && b[i..i + 4].iter().all(u8::is_ascii_digit)
                    && b[i + 4] == b'-'
                {
                    // The ten bytes may end inside a multi-byte character (`2026-1234é`):
                    // only an all-ASCII run can be a date, and the error names the run up to
                    // the last whole character.
                    let mut end = i + 10;
                    while !src.is_char_boundary(end) {
                        end -= 1;
                    }
                    let text = &src[i..end];
                    let date = if end == i + 10 {
                        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
                    } else {
                        None
                    };
                    let date =
                        date.ok_or_else(|| err(format!("invalid date `{text}`"), i, end - i))?;
                    push(&mut out, Tok::Date(date), 10);
                    i += 10;
                    continue;
                }
                let mut j = i;
                if matches!(b[j], b'-' | b'+') {
                    j += 1;
                }
                while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
                    j += 1;
                }
                if j < b.len() && matches!(b[j], b'e' | b'E') {
                    let mut k = j + 1;
                    if k < b.len() && matches!(b[k], b'-' | b'+') {
                        k += 1;
                    }
                    if k < b.len() && b[k].is_ascii_digit() {
                        j = k;
                        while j < b.len() && b[j].is_ascii_digit() {
                            j += 1;
                        }
                    }
                }
                let text = &src[i..j];
                let v: f64 = text
                    .parse()
                    .map_err(|_| err(format!("invalid number `{text}`"), i, (j - i).max(1)))?;
                push(&mut out, Tok::Num(v), j - i);
                i = j;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i;
                while j < b.len()
                    && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'.' | b':' | b'-'))
                {
                    j += 1;
                }
                // Names may not end in punctuation (so `x-1` style slips are caught below).
                while j > i + 1 && matches!(b[j - 1], b'.' | b':' | b'-') {
                    j -= 1;
                }
                let word = &src[i..j];
                let tok = match word {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word.to_string()),
                };
                push(&mut out, tok, j - i);
                i = j;
            }
            b'&' | b'|' => {
                // `&&` and `||` are accepted as `and` and `or`.
                if b.get(i + 1) == Some(&c) {
                    push(&mut out, if c == b'&' { Tok::And } else { Tok::Or }, 2);
                    i += 2;
                } else {
                    let w = if c == b'&' { "and" } else { "or" };
                    return Err(err(format!("use `{w}` instead of `{}`", c as char), i, 1));
                }
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                if ch.is_whitespace() {
                    // Non-ASCII white space (e.g. a no-break space pasted from a document).
                    i += ch.len_utf8();
                    continue;
                }
                return Err(err(
                    format!("unexpected character `{ch}`"),
                    i,
                    ch.len_utf8(),
                ));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Lexed>,
    pos: usize,
    /// Current nesting of `(` and `not` (bounded by [`MAX_PREDICATE_DEPTH`]).
    depth: usize,
    src_len: usize,
    as_of: Option<Date>,
    _src: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|l| &l.tok)
    }
    fn here(&self) -> (usize, usize) {
        self.toks
            .get(self.pos)
            .map_or((self.src_len, 0), |l| (l.at, l.len))
    }
    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }
    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }
    /// Enter one nesting level (`(` or `not`), refusing to go past [`MAX_PREDICATE_DEPTH`].
    fn enter(&mut self) -> Result<(), ParseError> {
        if self.depth >= MAX_PREDICATE_DEPTH {
            let (at, len) = self.here();
            return Err(err(
                format!(
                    "predicate nested deeper than {MAX_PREDICATE_DEPTH} levels of `(` and `not`"
                ),
                at,
                len,
            ));
        }
        self.depth += 1;
        Ok(())
    }
    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Tok::Not) {
            self.enter()?;
            self.pos += 1;
            let e = Expr::Not(Box::new(self.unary()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Tok::LParen) {
            self.enter()?;
            let (open, _) = self.here();
            self.pos += 1;
            let e = self.expr()?;
            self.depth -= 1;
            if self.peek() != Some(&Tok::RParen) {
                let (at, len) = self.here();
                return Err(err(
                    format!("expected `)` to close the `(` at byte {open}"),
                    at,
                    len,
                ));
            }
            self.pos += 1;
            return Ok(e);
        }
        let lhs = self.operand()?;
        if let Some(Tok::Cmp(op)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let rhs = self.operand()?;
            if let Some(Tok::Cmp(_)) = self.peek() {
                let (at, len) = self.here();
                return Err(err("comparisons cannot be chained; use `and`", at, len));
            }
            return Ok(Expr::Cmp(lhs, op, rhs));
        }
        Ok(Expr::Truthy(lhs))
    }
    fn operand(&mut self) -> Result<Operand, ParseError> {
        let (at, len) = self.here();
        let tok = match self.toks.get(self.pos) {
            Some(l) => l.tok.clone(),
            None => return Err(err("unexpected end of predicate", at, 0)),
        };
        let o = match tok {
            Tok::Num(v) => Operand::Const(v),
            Tok::True => Operand::Const(1.0),
            Tok::False => Operand::Const(0.0),
            Tok::Ident(name) => Operand::Var(name),
            Tok::Date(d) => match self.as_of {
                Some(as_of) => Operand::Const((d - as_of).num_days() as f64),
                None => {
                    return Err(err(
                        "a date needs the scenario's `as_of` (days are counted from it)",
                        at,
                        len,
                    ))
                }
            },
            other => {
                let what = match other {
                    Tok::And | Tok::Or => "a value before `and`/`or`",
                    Tok::RParen => "a value before `)`",
                    Tok::Cmp(_) => "a value before the comparison",
                    _ => "a value",
                };
                return Err(err(format!("expected {what}"), at, len));
            }
        };
        self.pos += 1;
        Ok(o)
    }
}

impl Expr {
    /// Parse a predicate. `as_of` resolves date literals (days after it).
    pub fn parse(src: &str, as_of: Option<Date>) -> Result<Expr, ParseError> {
        if src.len() > MAX_PREDICATE_LEN {
            return Err(err(
                format!("predicate longer than {MAX_PREDICATE_LEN} bytes"),
                0,
                0,
            ));
        }
        let toks = lex(src)?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
            src_len: src.len(),
            as_of,
            _src: src,
        };
        if p.toks.is_empty() {
            return Err(err("empty predicate", 0, 0));
        }
        let e = p.expr()?;
        if p.pos < p.toks.len() {
            let (at, len) = p.here();
            return Err(err("unexpected text after the predicate", at, len));
        }
        Ok(e)
    }

    /// Evaluate against a map of vars.
    pub fn eval_vars(&self, vars: &BTreeMap<String, f64>) -> bool {
        self.eval(vars)
    }

    /// Every var name the predicate reads (for the validator).
    pub fn vars(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_vars(&mut |v: &String| out.push(v.as_str()));
        out
    }
}

impl<V> Expr<V> {
    /// The predicate that is always (`true`) or never (`false`) true.
    pub const fn constant(b: bool) -> Self {
        Expr::Truthy(Operand::Const(if b { 1.0 } else { 0.0 }))
    }

    /// Evaluate, looking vars up in `vars`: a [`RunState`] (`e.eval(&st)`), a var map, or a
    /// closure (`e.eval(&mut |v: &Slot| ...)`).
    pub fn eval(&self, mut vars: impl Lookup<V>) -> bool {
        self.eval_in(&mut vars)
    }

    fn eval_in<L: Lookup<V>>(&self, vars: &mut L) -> bool {
        let mut get = |o: &Operand<V>| match o {
            Operand::Const(v) => Some(*v),
            Operand::Var(n) => vars.value(n),
        };
        match self {
            Expr::Or(v) => v.iter().any(|e| e.eval_in(vars)),
            Expr::And(v) => v.iter().all(|e| e.eval_in(vars)),
            Expr::Not(e) => !e.eval_in(vars),
            Expr::Cmp(a, op, b) => match (get(a), get(b)) {
                (Some(x), Some(y)) => op.apply(x, y),
                _ => false,
            },
            Expr::Truthy(o) => get(o).is_some_and(|v| v != 0.0 && !v.is_nan()),
        }
    }

    /// Compile: the same predicate with every var replaced by `f(var)` (e.g. names resolved to
    /// state slots once, before a hot loop); the first error wins.
    pub fn map_vars<W, E>(&self, f: &mut impl FnMut(&V) -> Result<W, E>) -> Result<Expr<W>, E> {
        let mut op = |o: &Operand<V>| -> Result<Operand<W>, E> {
            Ok(match o {
                Operand::Const(c) => Operand::Const(*c),
                Operand::Var(v) => Operand::Var(f(v)?),
            })
        };
        Ok(match self {
            Expr::Or(v) => Expr::Or(v.iter().map(|e| e.map_vars(f)).collect::<Result<_, _>>()?),
            Expr::And(v) => Expr::And(v.iter().map(|e| e.map_vars(f)).collect::<Result<_, _>>()?),
            Expr::Not(e) => Expr::Not(Box::new(e.map_vars(f)?)),
            Expr::Cmp(a, c, b) => {
                let a = op(a)?;
                Expr::Cmp(a, *c, op(b)?)
            }
            Expr::Truthy(a) => Expr::Truthy(op(a)?),
        })
    }

    /// Call `f` on every var the predicate reads, left to right.
    fn collect_vars<'a>(&'a self, f: &mut impl FnMut(&'a V)) {
        let mut op = |o: &'a Operand<V>| {
            if let Operand::Var(n) = o {
                f(n);
            }
        };
        match self {
            Expr::Or(v) | Expr::And(v) => {
                for e in v {
                    e.collect_vars(f);
                }
            }
            Expr::Not(e) => e.collect_vars(f),
            Expr::Cmp(a, _, b) => {
                op(a);
                op(b);
            }
            Expr::Truthy(a) => op(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(kv: &[(&str, f64)]) -> BTreeMap<String, f64> {
        kv.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn reversed_comparisons_suggest_the_operator_meant() {
        let e = Expr::parse("a => 1", None).unwrap_err();
        assert!(e.to_string().contains("use `>=`"), "{e}");
        let e = Expr::parse("a =< 1", None).unwrap_err();
        assert!(e.to_string().contains("use `<=`"), "{e}");
        let e = Expr::parse("a = 1", None).unwrap_err();
        assert!(e.to_string().contains("use `==`"), "{e}");
    }

    #[test]
    fn precedence_and_semantics() {
        let e = Expr::parse(
            "issue.mil_rights >= 70 and not (option.invasion.taken or cohesion < 0.5)",
            None,
        )
        .unwrap();
        assert!(e.eval_vars(&vars(&[("issue.mil_rights", 75.0), ("cohesion", 0.8)])));
        assert!(!e.eval_vars(&vars(&[("issue.mil_rights", 65.0), ("cohesion", 0.8)])));
        assert!(!e.eval_vars(&vars(&[
            ("issue.mil_rights", 75.0),
            ("cohesion", 0.8),
            ("option.invasion.taken", 1.0)
        ])));
        // taken = 0 is false; cohesion missing → comparison false → not(...) true.
        assert!(e.eval_vars(&vars(&[
            ("issue.mil_rights", 75.0),
            ("option.invasion.taken", 0.0)
        ])));
        // `and` binds tighter than `or`.
        let e = Expr::parse("a or b and c", None).unwrap();
        assert!(e.eval_vars(&vars(&[("a", 1.0)])));
        assert!(!e.eval_vars(&vars(&[("b", 1.0)])));
        let e = Expr::parse("x != 3 or not y", None).unwrap();
        assert!(e.eval_vars(&vars(&[("x", 3.0)])));
        assert!(!e.eval_vars(&vars(&[("x", 3.0), ("y", 2.0)])));
        // Missing var in != is still false.
        let e = Expr::parse("x != 3", None).unwrap();
        assert!(!e.eval_vars(&vars(&[])));
        let e = Expr::parse("!(a && b) || c == 0.3", None).unwrap();
        assert!(e.eval_vars(&vars(&[("a", 1.0), ("c", 0.1 + 0.2)])));
        assert!(!e.eval_vars(&vars(&[("a", 1.0), ("b", 1.0)])));
        assert!(Expr::parse("-1.5e1 < x", None)
            .unwrap()
            .eval_vars(&vars(&[("x", -10.0)])));
    }

    #[test]
    fn dates_are_days_after_as_of() {
        let as_of = Date::from_ymd_opt(2026, 1, 11);
        let e = Expr::parse("option.x.day <= 2026-01-21", as_of).unwrap();
        assert_eq!(
            e,
            Expr::Cmp(
                Operand::Var("option.x.day".into()),
                Cmp::Le,
                Operand::Const(10.0)
            )
        );
        let er = Expr::parse("d < 2026-01-21", None).unwrap_err();
        assert_eq!(er.offset, 4);
        let er = Expr::parse("d < 2026-02-30", as_of).unwrap_err();
        assert!(er.message.contains("invalid date"));
    }

    #[test]
    fn located_errors() {
        let cases = [
            ("a >= ", 5),
            ("(a > 1", 6),
            ("a > 1 b", 6),
            ("a = 1", 2),
            ("a and and b", 6),
            ("a & b", 2),
            ("1 < a < 3", 6),
            ("", 0),
            ("a > #", 4),
        ];
        for (src, at) in cases {
            let e = Expr::parse(src, None).unwrap_err();
            assert_eq!(e.offset, at, "{src:?}: {e}");
        }
        let se = Expr::parse("a =", None).unwrap_err().to_scenario_error(100);
        assert_eq!(se.span, Some(102..103));
    }

    #[test]
    fn lists_vars() {
        let e = Expr::parse("a.b > c and not d", None).unwrap();
        assert_eq!(e.vars(), vec!["a.b", "c", "d"]);
    }

    // Conditions (the crisis layer's preconditions and rules, forecast questions).

    fn ev(text: &str, kv: &[(&str, f64)]) -> bool {
        let m = vars(kv);
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
        assert!(ev(" \t", &[]));
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
        let e = parse("a >", None).unwrap_err();
        assert_eq!(e.text, "a >");
        assert_eq!(e.error.offset, 3);
        assert!(e.to_string().starts_with("bad predicate `a >`: "), "{e}");
    }

    #[test]
    fn date_like_token_before_a_multibyte_char_is_an_error() {
        // Found by fuzzing: the ten bytes of a would-be date ended inside `é`.
        let as_of = Date::from_ymd_opt(2026, 1, 11);
        for t in [
            "issue.budget <= 2026-1234é",
            "2026-0é",
            "2026-01-0é1",
            "1999-€",
        ] {
            let e = parse(t, as_of).unwrap_err();
            assert!(t.is_char_boundary(e.error.offset + e.error.len), "{t}: {e}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!(
            "{}a{}",
            "(".repeat(MAX_PREDICATE_DEPTH),
            ")".repeat(MAX_PREDICATE_DEPTH)
        );
        assert!(Expr::parse(&ok, None).is_ok());
        let nots = format!("{}a", "not ".repeat(MAX_PREDICATE_DEPTH));
        assert!(Expr::parse(&nots, None).is_ok());
        for deep in [
            format!(
                "{}a{}",
                "(".repeat(MAX_PREDICATE_DEPTH + 1),
                ")".repeat(MAX_PREDICATE_DEPTH + 1)
            ),
            format!("{}a", "not ".repeat(MAX_PREDICATE_DEPTH + 1)),
            format!("{}a", "!(".repeat(20_000)),
            "(".repeat(60_000),
        ] {
            let e = Expr::parse(&deep, None).unwrap_err();
            assert!(e.message.contains("nested deeper"), "{e}");
        }
        let long = "a and ".repeat(MAX_PREDICATE_LEN / 6 + 1) + "a";
        assert!(Expr::parse(&long, None)
            .unwrap_err()
            .message
            .contains("longer than"));
    }

    #[test]
    fn constants_and_unicode_space() {
        let m = vars(&[]);
        assert!(Expr::<String>::constant(true).eval(&m));
        assert!(!Expr::<String>::constant(false).eval(&m));
        // A no-break space separates tokens like an ASCII one; its offset is in bytes.
        assert!(ev("a\u{a0}>\u{a0}1", &[("a", 2.0)]));
        assert_eq!(Expr::parse("a\u{a0}> #", None).unwrap_err().offset, 5);
    }

    /// The crisis layer compiles names to slots once and evaluates on the slots: the result is
    /// the same as evaluating on names.
    #[test]
    fn compiled_to_slots_evaluates_the_same() {
        let names = ["a", "b", "option.x.day"];
        let e = Expr::parse(
            "(a > 1 or not b) and option.x.day <= 2026-01-18 and a != b",
            Date::from_ymd_opt(2026, 1, 11),
        )
        .unwrap();
        let slots: Expr<usize> = e
            .map_vars(&mut |v: &String| names.iter().position(|n| n == v).ok_or(v.clone()))
            .unwrap();
        for vals in [
            [2.0, 0.0, 7.0],
            [0.0, 0.0, 7.0],
            [2.0, 1.0, 8.0],
            [1.0, 0.0, 3.0],
        ] {
            let m: BTreeMap<String, f64> = names
                .iter()
                .zip(vals)
                .map(|(n, v)| (n.to_string(), v))
                .collect();
            assert_eq!(
                slots.eval(&mut |i: &usize| Some(vals[*i])),
                e.eval_vars(&m),
                "{vals:?}"
            );
        }
        // Absent slots compare false, as absent names do.
        assert!(!slots.eval(&mut |_: &usize| None));
        // An unknown name is reported.
        let err = Expr::parse("a > 1 and zz < 2", None)
            .unwrap()
            .map_vars(&mut |v: &String| names.iter().position(|n| n == v).ok_or(v.clone()))
            .unwrap_err();
        assert_eq!(err, "zz");
    }
}

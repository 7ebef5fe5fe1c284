//! Parsing scenario text (TOML, CSV tables) into a validated `Scenario`.
//!
//! Every entry point takes text and returns either a `Scenario` that passed [`validate`] or
//! *all* the problems found, each located by a byte span in the text handed in and carrying a
//! help line. Nothing here panics on any input (a proptest feeds it random and mutated text).
//!
//! How errors are located:
//! - syntax errors and type errors come from the TOML parser with their span;
//! - unknown keys (`deny_unknown_fields`) too; after one is found, its `key = value` is blanked
//!   out (bytes replaced by spaces, so offsets do not move) and parsing is retried, so that every
//!   unknown key of a file is reported in one go;
//! - semantic errors are found on the parsed `Scenario` by [`validate_at`], which names the
//!   offending value by a key path such as `stances[3].actor`; [`toml_span`] maps that path to
//!   its span with `toml_edit`'s span-preserving parser.

use super::{Actor, Dist, Issue, Meta, Num, Scenario, ScenarioError, ScenarioErrors, Stance};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The input formats `from_str_auto` can tell apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// statecraft's own scenario format (`docs/scenario.md`).
    Toml,
    /// A plain table `Actor,Capability,Position,Salience` (one issue).
    Csv,
    /// KTAB's CSV input (first row: scenario name, description, #actors, #dimensions).
    KtabCsv,
    /// KTAB's XML input.
    KtabXml,
}

/// Guess the format from the file name's extension, then from the content.
pub fn detect(filename: &str, text: &str) -> Format {
    let lower = filename.to_ascii_lowercase();
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if lower.ends_with(".toml") {
        return Format::Toml;
    }
    if lower.ends_with(".xml") {
        return Format::KtabXml;
    }
    let first = body.lines().next().unwrap_or("");
    if looks_like_ktab_csv(first) {
        return Format::KtabCsv;
    }
    if lower.ends_with(".csv") {
        return Format::Csv;
    }
    if body.starts_with('<') {
        return Format::KtabXml;
    }
    if first.to_ascii_lowercase().starts_with("actor,")
        || body.starts_with('#') && {
            // A CSV table may start with `# scale: …` comment lines.
            body.lines()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .is_some_and(|l| l.to_ascii_lowercase().starts_with("actor,"))
        }
    {
        return Format::Csv;
    }
    Format::Toml
}

/// KTAB CSV files start with a row `name, description, n_actors, n_dims, …`: at least four
/// fields whose third and fourth are numbers.
fn looks_like_ktab_csv(first_line: &str) -> bool {
    let f: Vec<&str> = first_line.split(',').map(str::trim).collect();
    f.len() >= 4 && f[2].parse::<f64>().is_ok() && f[3].parse::<f64>().is_ok()
}

/// Parse a scenario of any supported format. `filename` picks the format by extension (and
/// names the scenario for CSV tables); the content decides when the extension does not.
///
/// A `use = "…"` priors file is looked up among the built-in priors files only
/// ([`crate::builtin::priors`]); front ends that may read files pass their own lookup to
/// [`from_str_auto_with`].
pub fn from_str_auto(filename: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    from_str_auto_with(filename, text, &builtin_files)
}

/// How the loader finds the text of a file a scenario names (`use = "priors.toml"`): `None` =
/// no such file, `Some(Err(why))` = it exists but could not be read. The core does no I/O, so a
/// front end that reads files supplies this (the CLI resolves relative to the scenario's own
/// directory, then falls back to the built-in files); the web explorer passes
/// [`builtin_files`] so that no client can name a path on the server.
pub type Resolve<'a> = dyn Fn(&str) -> Option<Result<String, String>> + 'a;

/// The lookup that knows only the files embedded in the binary ([`crate::builtin::priors`]).
pub fn builtin_files(name: &str) -> Option<Result<String, String>> {
    crate::builtin::priors(name).map(|t| Ok(t.to_string()))
}

/// [`from_str_auto`] with a lookup for the files a scenario names.
pub fn from_str_auto_with(
    filename: &str,
    text: &str,
    resolve: &Resolve,
) -> Result<Scenario, ScenarioErrors> {
    dispatch(detect(filename, text), filename, text, resolve)
}

/// The one place that maps a format to its parser. KTAB readers plug in here.
fn dispatch(
    format: Format,
    filename: &str,
    text: &str,
    resolve: &Resolve,
) -> Result<Scenario, ScenarioErrors> {
    let stem = file_stem(filename);
    match format {
        Format::Toml => from_toml_str_with(text, resolve),
        Format::Csv => from_csv_str(stem, text),
        Format::KtabCsv => crate::formats::ktab::parse_csv(text).map(|k| k.into_scenario()),
        Format::KtabXml => crate::formats::ktab::parse_xml(text).map(|k| k.into_scenario()),
    }
}

fn file_stem(filename: &str) -> &str {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or(filename);
    match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    }
}

// ---------------------------------------------------------------------------------------------
// TOML

/// Largest capability accepted. Only ratios matter, and the models multiply capabilities by
/// saliences and distances and sum them over actors (squared in places), so values near
/// `f64::MAX` overflow to `inf`; 1e12 leaves a margin of 10²⁸⁰. Documented in
/// `docs/reliability.md`.
pub const MAX_CAPABILITY: f64 = 1e12;

/// How many unknown keys are collected from one file before giving up.
const MAX_STRUCTURAL_ERRORS: usize = 200;

/// Parse and validate a TOML scenario (`docs/scenario.md`); a `use`d priors file must be one of
/// the built-in ones ([`from_toml_str_with`] takes a lookup).
pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioErrors> {
    from_toml_str_with(text, &builtin_files)
}

/// Parse and validate a TOML scenario, looking up the files it names with `resolve`.
pub fn from_toml_str_with(text: &str, resolve: &Resolve) -> Result<Scenario, ScenarioErrors> {
    let doc = match toml_edit::ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let mut err = ScenarioError::new(format!("TOML syntax error: {}", e.message().trim()))
                .with_help("see https://toml.io for the syntax; docs/scenario.md for the format");
            err.span = e.span();
            return Err(err.into());
        }
    };
    let mut errors = Vec::new();
    // Edits made to `current` so far: (byte position in the edited text, length change).
    let (mut current, mut shifts) = quote_dates_in(text, &doc);
    drop(doc);
    let scenario = loop {
        match toml::from_str::<Scenario>(&current) {
            Ok(s) => break Some(s),
            Err(e) => {
                let mut err = structural_error(&e);
                err.span = err.span.map(|sp| unshift(&shifts, sp));
                let mut retry = None;
                if err.message.starts_with("unknown key") && errors.len() < MAX_STRUCTURAL_ERRORS {
                    if let Some(sp) = e.span() {
                        // A likely typo is corrected (so that the table is complete and the
                        // rest of the file gets checked); any other unknown key is blanked.
                        let fix = err
                            .help
                            .as_deref()
                            .and_then(|h| h.strip_prefix("did you mean `"))
                            .and_then(|h| h.strip_suffix("`?"));
                        retry = fix
                            .and_then(|f| rename_key(&current, sp.clone(), f))
                            .map(|t| (t, sp.start, f_delta(fix, &sp)))
                            .or_else(|| {
                                blank_key_value(&current, sp.clone()).map(|t| (t, sp.start, 0))
                            });
                    }
                }
                errors.push(err);
                match retry {
                    Some((next, at, delta)) => {
                        if delta != 0 {
                            shifts.push((at, delta));
                        }
                        current = next;
                    }
                    None => break None,
                }
            }
        }
    };
    let Some(mut s) = scenario else {
        return Err(ScenarioErrors { errors });
    };
    if let Err(mut e) = apply_use(&mut s, resolve) {
        e.span = toml_span(text, "use");
        errors.push(e);
    }
    evidence::apply(&mut s);
    // Typos were corrected and unknown keys blanked, so the scenario is still worth checking;
    // its spans refer to the edited text and are mapped back.
    let found = validate_located(&s);
    if !found.is_empty() {
        let doc = toml_edit::ImDocument::parse(current.as_str()).ok();
        errors.extend(found.into_iter().map(|(path, mut e, within)| {
            e.span = doc
                .as_ref()
                .and_then(|d| span_in(d, &path))
                .map(|sp| match &within {
                    Some(w) => inside_string(&current, sp, w.clone()),
                    None => sp,
                })
                .map(|sp| unshift(&shifts, sp));
            e
        }));
    }
    if errors.is_empty() {
        let mut s = s;
        s.predicates = crate::expr::Predicates::of_texts(
            s.scenario.as_of,
            s.crisis
                .options
                .iter()
                .map(|o| o.when.as_str())
                .chain(s.crisis.alliance.iter().map(|a| a.withdraw_when.as_str()))
                .chain(
                    s.crisis
                        .options
                        .iter()
                        .flat_map(|o| o.modifiers.iter().map(|m| m.when.as_str())),
                ),
        );
        Ok(s)
    } else {
        sort_by_location(&mut errors);
        Err(ScenarioErrors { errors })
    }
}

/// Apply the priors file named by `use` (once): its fitted constants go into the numbers and
/// the scenario records them in `applied_priors`.
fn apply_use(s: &mut Scenario, resolve: &Resolve) -> Result<(), ScenarioError> {
    let Some(file) = s.uses.take() else {
        return Ok(());
    };
    if s.applied_priors.is_some() {
        return Err(ScenarioError::new(format!(
            "`use = \"{file}\"` with an `[applied_priors]` table: the numbers already include priors"
        ))
        .with_help("a scenario written out after loading carries `[applied_priors]`; remove `use` (or the table, to apply the file to the numbers as written)"));
    }
    let text = match resolve(&file) {
        None => {
            let known = crate::builtin::priors_names();
            let mut e = ScenarioError::new(format!("priors file `{file}` not found"));
            e.help = Some(match suggest(&file, known.iter().copied()) {
                Some(k) => format!(
                    "did you mean `{k}`? (a path is relative to the scenario file; built-in: {})",
                    known.join(", ")
                ),
                None => format!(
                    "a path is relative to the scenario file; built-in priors files: {}",
                    known.join(", ")
                ),
            });
            return Err(e);
        }
        Some(Err(why)) => {
            return Err(ScenarioError::new(format!("priors file `{file}`: {why}")));
        }
        Some(Ok(t)) => t,
    };
    let p = super::priors::parse(&text).map_err(|why| {
        ScenarioError::new(format!("priors file `{file}`: {why}"))
            .with_help("write one with `statecraft fit scenarios/backtest -o priors.toml` (docs/backtest.md §4)")
    })?;
    super::priors::apply_params(s, &p.params);
    s.applied_priors = Some(super::priors::AppliedPriors {
        file,
        params: p.params,
        fitted_on: p.fitted_on,
        range: p.range,
    });
    Ok(())
}

/// The span of bytes `within` of the content of the string value written at `value` in
/// `text`, when the string's raw text maps byte for byte onto its content up to there (no
/// escape sequences before it); else the whole value's span.
fn inside_string(text: &str, value: Range<usize>, within: Range<usize>) -> Range<usize> {
    let Some(raw) = text.get(value.clone()) else {
        return value;
    };
    let mut open = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        1
    } else {
        return value;
    };
    // A newline right after a multi-line string's opening delimiter is not part of it.
    if open == 3 {
        if raw[open..].starts_with("\r\n") {
            open += 2;
        } else if raw[open..].starts_with('\n') {
            open += 1;
        }
    }
    let basic = raw.starts_with('"');
    let end = within.end.max(within.start + 1);
    match raw.get(open..open + end) {
        Some(prefix) if !(basic && prefix.contains('\\')) && open + end < raw.len() + 1 => {
            value.start + open + within.start..value.start + open + end
        }
        _ => value,
    }
}

fn sort_by_location(errs: &mut [ScenarioError]) {
    errs.sort_by_key(|e| e.span.as_ref().map_or(usize::MAX, |s| s.start));
}

/// Turn a serde/toml error into a `ScenarioError` with a clearer message and a help line.
fn structural_error(e: &toml::de::Error) -> ScenarioError {
    let msg = e.message().trim().to_string();
    let mut out = if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        let mut err = ScenarioError::new(format!("unknown key `{name}`"));
        err.help = Some(match suggest(name, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if expected.is_empty() => "remove this key".to_string(),
            None => format!(
                "allowed keys here: {}",
                expected
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        err
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let help = if name == "scenario" {
            "start the file with a `[scenario]` table holding `id` and `title` (see docs/scenario.md)"
                .to_string()
        } else {
            format!("add `{name} = …` to this table (see docs/scenario.md)")
        };
        ScenarioError::new(format!("missing key `{name}`")).with_help(help)
    } else if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (name, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        ScenarioError::new(format!("unknown value `{name}`")).with_help(
            match suggest(name, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("expected one of: {}", expected.join(", ")),
            },
        )
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let rest = rest
            .replace("expected a sequence", "expected an array")
            .replace("expected a map", "expected a table")
            .replace("expected struct ", "expected a table ")
            .replace("expected a string", "expected a string (in quotes)");
        ScenarioError::new(format!("wrong type: found {rest}"))
            .with_help("see docs/scenario.md for the type of each key")
    } else if let Some((m, h)) = msg.split_once(super::num::HELP) {
        ScenarioError::new(m).with_help(h)
    } else {
        ScenarioError::new(msg).with_help("see docs/scenario.md for the format")
    };
    out.span = e.span();
    out
}

fn f_delta(fix: Option<&str>, span: &Range<usize>) -> isize {
    fix.map_or(0, |f| f.len() as isize - span.len() as isize)
}

/// Map a span of the edited text back to the original text (undo the shifts, newest first).
fn unshift(shifts: &[(usize, isize)], span: Range<usize>) -> Range<usize> {
    let back = |mut x: usize| {
        for &(at, delta) in shifts.iter().rev() {
            if x > at {
                x = (x as isize - delta).max(at as isize) as usize;
            }
        }
        x
    };
    back(span.start)..back(span.end)
}

/// Replace the key at `key_span` by `new` if the result still parses.
fn rename_key(text: &str, key_span: Range<usize>, new: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + new.len());
    out.push_str(text.get(..key_span.start)?);
    out.push_str(new);
    out.push_str(text.get(key_span.end..)?);
    toml_edit::ImDocument::parse(out.as_str()).ok()?;
    Some(out)
}

/// Replace the `key = value` whose key sits at `key_span` by spaces (offsets stay valid), if the
/// pair lies on one line and the result still parses. `None` when that is not possible.
fn blank_key_value(text: &str, key_span: Range<usize>) -> Option<String> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let value_span = find_key_by_span(Node::Item(doc.as_item()), &key_span)?;
    let range = key_span.start..value_span.end;
    if range.end > text.len() || text.get(range.clone())?.contains('\n') {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for b in &mut bytes[range] {
        *b = b' ';
    }
    let out = String::from_utf8(bytes).ok()?;
    toml_edit::ImDocument::parse(out.as_str()).ok()?;
    Some(out)
}

/// A node of a parsed TOML document, borrowed (no clones while walking).
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a toml_edit::Item),
    Table(&'a toml_edit::Table),
    Value(&'a toml_edit::Value),
}

impl<'a> Node<'a> {
    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(i) => i.span(),
            Node::Table(t) => t.span(),
            Node::Value(v) => v.span(),
        }
    }

    fn table_like(self) -> Option<&'a dyn toml_edit::TableLike> {
        match self {
            Node::Item(i) => i.as_table_like(),
            Node::Table(t) => Some(t),
            Node::Value(toml_edit::Value::InlineTable(t)) => Some(t),
            Node::Value(_) => None,
        }
    }

    /// The value under `key`, with the span of the key itself.
    fn key(self, key: &str) -> Option<(Option<Range<usize>>, Node<'a>)> {
        let (k, v) = self.table_like()?.get_key_value(key)?;
        Some((k.span(), Node::Item(v)))
    }

    fn index(self, i: usize) -> Option<Node<'a>> {
        use toml_edit::{Item, Value};
        match self {
            Node::Item(Item::ArrayOfTables(a)) => a.get(i).map(Node::Table),
            Node::Item(Item::Value(Value::Array(a))) | Node::Value(Value::Array(a)) => {
                a.get(i).map(Node::Value)
            }
            _ => None,
        }
    }

    /// Every direct child, with the span of its key (array elements have none).
    fn children(self) -> Vec<(Option<Range<usize>>, Node<'a>)> {
        use toml_edit::{Item, Value};
        if let Some(t) = self.table_like() {
            return t
                .iter()
                .filter_map(|(k, _)| t.get_key_value(k))
                .map(|(k, v)| (k.span(), Node::Item(v)))
                .collect();
        }
        match self {
            Node::Item(Item::ArrayOfTables(a)) => {
                a.iter().map(|t| (None, Node::Table(t))).collect()
            }
            Node::Item(Item::Value(Value::Array(a))) | Node::Value(Value::Array(a)) => {
                a.iter().map(|v| (None, Node::Value(v))).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Visit every node below this one (depth first).
    fn walk(self, f: &mut dyn FnMut(Option<Range<usize>>, Node<'a>)) {
        for (k, child) in self.children() {
            f(k, child);
            child.walk(f);
        }
    }
}

/// The span of the value of the key whose span is `key_span`, searching the whole document.
fn find_key_by_span(root: Node, key_span: &Range<usize>) -> Option<Range<usize>> {
    let mut found = None;
    root.walk(&mut |k, node| {
        if found.is_none() && k.as_ref() == Some(key_span) {
            found = node.span();
        }
    });
    found
}

/// [`quote_dates_in`] parsing `text` itself (unchanged text and no shift if it is not TOML).
#[cfg(test)]
fn quote_bare_dates(text: &str) -> (String, Vec<(usize, isize)>) {
    match toml_edit::ImDocument::parse(text) {
        Ok(doc) => quote_dates_in(text, &doc),
        Err(_) => (text.to_string(), Vec::new()),
    }
}

/// Put quotes around every bare TOML local date (`2026-01-11` → `"2026-01-11"`), so that every
/// `Date` field of the scenario, whoever defines it, reads a bare date like a quoted one. `doc`
/// is `text` parsed (the loader parses it once for this and its syntax check). Returns the new
/// text and the shifts made (see [`unshift`]).
fn quote_dates_in(text: &str, doc: &toml_edit::ImDocument<&str>) -> (String, Vec<(usize, isize)>) {
    let mut spans = Vec::new();
    Node::Item(doc.as_item()).walk(&mut |_, node| {
        let v = match node {
            Node::Item(toml_edit::Item::Value(v)) | Node::Value(v) => v,
            _ => return,
        };
        if let toml_edit::Value::Datetime(d) = v {
            let d = d.value();
            if d.date.is_some() && d.time.is_none() {
                if let Some(sp) = v.span() {
                    spans.push(sp);
                }
            }
        }
    });
    spans.sort_by_key(|s| s.start);
    spans.dedup();
    let mut out = String::with_capacity(text.len() + 2 * spans.len());
    let mut shifts = Vec::new();
    let mut last = 0;
    for sp in spans {
        let (Some(before), Some(date)) = (text.get(last..sp.start), text.get(sp.clone())) else {
            return (text.to_string(), Vec::new());
        };
        out.push_str(before);
        shifts.push((out.len(), 1));
        out.push('"');
        out.push_str(date);
        shifts.push((out.len(), 1));
        out.push('"');
        last = sp.end;
    }
    out.push_str(text.get(last..).unwrap_or(""));
    (out, shifts)
}

/// One step of a key path.
#[derive(Debug, PartialEq)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Split `stances[3].position.value` into `[Key(stances), Index(3), Key(position), Key(value)]`.
fn parse_path(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { break };
            if let Ok(i) = r[..end].parse() {
                out.push(Seg::Index(i));
            }
            rest = &r[end + 1..];
        }
    }
    out
}

/// The byte span in `text` of the value at `path` (e.g. `stances[3].actor`). When the path
/// goes deeper than the file does (a default that is not written, `.value` of a bare number),
/// the span of the deepest part that exists is returned. `None` if `text` does not parse.
pub fn toml_span(text: &str, path: &str) -> Option<Range<usize>> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    span_in(&doc, path)
}

/// [`toml_span`] in an already parsed document.
fn span_in<S>(doc: &toml_edit::ImDocument<S>, path: &str) -> Option<Range<usize>> {
    let mut node = Node::Item(doc.as_item());
    let mut best: Option<Range<usize>> = None;
    for seg in parse_path(path) {
        let (span, next) = match seg {
            Seg::Key(k) => match node.key(k) {
                // A `[table]` may have no span of its own: fall back to its key.
                Some((key_span, child)) => (child.span().or(key_span), child),
                None => break,
            },
            Seg::Index(i) => match node.index(i) {
                Some(child) => (child.span(), child),
                None => break,
            },
        };
        if span.is_some() {
            best = span;
        }
        node = next;
    }
    best
}

// ---------------------------------------------------------------------------------------------
// CSV tables

/// Parse a plain table `Actor,Capability,Position,Salience` (salience 0–1) as a one-issue
/// scenario named `name`. The issue's scale is the range of the positions unless a comment line
/// before the header gives it: `# scale: 0..100` (or `# scale: 0, 100`).
pub fn from_csv_str(name: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    let table = CsvTable::parse(name, text)?;
    let mut errs: Vec<ScenarioError> = validate_at(&table.scenario)
        .into_iter()
        .map(|(path, mut e)| {
            e.span = table.span(&path);
            e
        })
        .collect();
    if errs.is_empty() {
        Ok(table.scenario)
    } else {
        sort_by_location(&mut errs);
        Err(ScenarioErrors { errors: errs })
    }
}

const CSV_COLUMNS: [&str; 4] = ["actor", "capability", "position", "salience"];

struct CsvTable {
    scenario: Scenario,
    /// Span of the header line.
    header: Range<usize>,
    /// Per data row, the span of each of the four columns (in `CSV_COLUMNS` order).
    rows: Vec<[Range<usize>; 4]>,
}

/// Split one CSV line (starting at byte `offset` of the file) into trimmed fields with spans.
/// Double quotes around a field are removed (`""` inside stands for one quote).
fn split_csv_line(line: &str, offset: usize) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i <= bytes.len() {
        let at_end = i == bytes.len();
        if at_end || (bytes[i] == b',' && !in_quotes) {
            let raw = &line[start..i];
            let lead = raw.len() - raw.trim_start().len();
            let trimmed = raw.trim();
            let s0 = offset + start + lead;
            let field = if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"')
            {
                trimmed[1..trimmed.len() - 1].replace("\"\"", "\"")
            } else {
                trimmed.to_string()
            };
            out.push((field, s0..s0 + trimmed.len()));
            start = i + 1;
        } else if bytes[i] == b'"' {
            in_quotes = !in_quotes;
        }
        i += 1;
    }
    out
}

/// `Macri` → `macri`, `Xi Jinping (PBSC)` → `xi_jinping_pbsc` (ASCII only: other characters
/// become `_`).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn parse_scale(directive: &str) -> Option<(f64, f64)> {
    let d = directive.trim();
    let (a, b) = d.split_once("..").or_else(|| d.split_once(','))?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

impl CsvTable {
    fn parse(name: &str, text: &str) -> Result<CsvTable, ScenarioErrors> {
        let mut errors = Vec::new();
        let mut scale: Option<(f64, f64)> = None;
        let mut header: Option<Range<usize>> = None;
        let mut order = [0usize; 4];
        let mut rows = Vec::new();
        let mut data: Vec<(String, [f64; 3])> = Vec::new();
        let mut offset = 0;
        for raw_line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += raw_line.len();
            let mut line = raw_line.trim_end_matches(['\n', '\r']);
            let mut lo = line_start;
            if line_start == 0 {
                if let Some(rest) = line.strip_prefix('\u{feff}') {
                    line = rest;
                    lo += '\u{feff}'.len_utf8();
                }
            }
            let span = lo..lo + line.len();
            if line.trim().is_empty() {
                continue;
            }
            if let Some(comment) = line.trim_start().strip_prefix('#') {
                if let Some(d) = comment.trim_start().strip_prefix("scale") {
                    let d = d.trim_start().trim_start_matches([':', '=']);
                    match parse_scale(d) {
                        Some(s) => scale = Some(s),
                        None => errors.push(
                            ScenarioError::new("cannot read the scale")
                                .with_span(span.clone())
                                .with_help("write it as `# scale: 0..100`"),
                        ),
                    }
                }
                continue;
            }
            let fields = split_csv_line(line, lo);
            if header.is_none() {
                let names: Vec<String> = fields.iter().map(|f| f.0.to_lowercase()).collect();
                let mut ok = names.len() == 4;
                for (slot, col) in CSV_COLUMNS.iter().enumerate() {
                    match names.iter().position(|n| n == col) {
                        Some(i) => order[slot] = i,
                        None => ok = false,
                    }
                }
                if !ok {
                    errors.push(
                        ScenarioError::new(format!("unexpected CSV header `{}`", line.trim()))
                            .with_span(span.clone())
                            .with_help(
                                "the first row must be `Actor,Capability,Position,Salience`",
                            ),
                    );
                    return Err(ScenarioErrors { errors });
                }
                header = Some(span);
                continue;
            }
            if fields.len() != 4 {
                errors.push(
                    ScenarioError::new(format!(
                        "expected 4 fields (Actor,Capability,Position,Salience), found {}",
                        fields.len()
                    ))
                    .with_span(span)
                    .with_help("one row per actor; no commas inside names unless quoted"),
                );
                continue;
            }
            let col = |slot: usize| &fields[order[slot]];
            let mut nums = [0.0; 3];
            let mut row_ok = true;
            for k in 0..3 {
                let (v, sp) = col(k + 1);
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => nums[k] = x,
                    _ => {
                        row_ok = false;
                        errors.push(
                            ScenarioError::new(format!(
                                "{} must be a number, found `{v}`",
                                CSV_COLUMNS[k + 1]
                            ))
                            .with_span(sp.clone())
                            .with_help("write a plain decimal number such as `0.8`"),
                        );
                    }
                }
            }
            if row_ok {
                rows.push([
                    col(0).1.clone(),
                    col(1).1.clone(),
                    col(2).1.clone(),
                    col(3).1.clone(),
                ]);
                data.push((col(0).0.clone(), nums));
            }
        }
        let Some(header) = header else {
            errors.push(
                ScenarioError::new("empty CSV table")
                    .with_span(0..0)
                    .with_help("the first row must be `Actor,Capability,Position,Salience`"),
            );
            return Err(ScenarioErrors { errors });
        };
        if data.is_empty() && errors.is_empty() {
            errors.push(
                ScenarioError::new("the table has no actors")
                    .with_span(header.clone())
                    .with_help("add one row per actor below the header"),
            );
        }
        let (min, max) = scale.unwrap_or_else(|| {
            data.iter()
                .map(|d| d.1[1])
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                    (a.min(p), b.max(p))
                })
        });
        if errors.is_empty() && scale.is_none() && !data.is_empty() && min >= max {
            errors.push(
                ScenarioError::new(format!(
                    "all positions are equal ({min}): the issue's scale cannot be guessed"
                ))
                .with_span(header.clone())
                .with_help("give the scale in a line before the header: `# scale: 0..100`"),
            );
        }
        if !errors.is_empty() {
            return Err(ScenarioErrors { errors });
        }
        let id = match slug(name) {
            s if s.is_empty() => "table".to_string(),
            s => s,
        };
        let mut used = HashSet::new();
        let mut actors = Vec::new();
        let mut stances = Vec::new();
        for (i, (actor, [cap, pos, sal])) in data.iter().enumerate() {
            let mut aid = match slug(actor) {
                s if s.is_empty() => format!("actor{}", i + 1),
                s => s,
            };
            // Distinct names that slug alike (`U.K.`, `UK`) get a numeric suffix; identical
            // names stay identical so that validation reports them as duplicates.
            if used.contains(&aid) && data[..i].iter().all(|d| &d.0 != actor) {
                aid = format!("{aid}_{}", i + 1);
            }
            used.insert(aid.clone());
            actors.push(Actor {
                id: aid.clone(),
                name: actor.clone(),
                capability: Num::new(*cap),
                ..Default::default()
            });
            stances.push(Stance {
                actor: aid,
                issue: id.clone(),
                position: Num::new(*pos),
                salience: Num::new(*sal),
            });
        }
        let scenario = Scenario {
            scenario: Meta {
                id: id.clone(),
                title: name.to_string(),
                ..Default::default()
            },
            actors,
            issues: vec![Issue {
                id,
                name: name.to_string(),
                min,
                max,
                ..Default::default()
            }],
            stances,
            ..Default::default()
        };
        Ok(CsvTable {
            scenario,
            header,
            rows,
        })
    }

    /// Map a key path of the generated scenario back to the CSV cell it came from.
    fn span(&self, path: &str) -> Option<Range<usize>> {
        let segs = parse_path(path);
        match segs.as_slice() {
            [Seg::Key(t), Seg::Index(i), Seg::Key(field), ..]
                if *t == "actors" || *t == "stances" =>
            {
                let row = self.rows.get(*i)?;
                let col = match *field {
                    "capability" => 1,
                    "position" => 2,
                    "salience" => 3,
                    _ => 0,
                };
                Some(row[col].clone())
            }
            _ => Some(self.header.clone()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Every semantic problem of a parsed scenario (without locations). See [`validate_at`].
pub fn validate(s: &Scenario) -> Vec<ScenarioError> {
    validate_at(s).into_iter().map(|(_, e)| e).collect()
}

pub use crate::suggest::suggest;

fn did_you_mean<'a>(
    word: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let cands: Vec<&str> = candidates.into_iter().collect();
    match suggest(word, cands.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if cands.is_empty() => format!("no {what} is defined yet"),
        None if cands.len() <= 8 => format!(
            "known {what} ids: {}",
            cands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!("define it under [[{what}s]] first"),
    }
}

/// The allowed range of a number, for messages.
#[derive(Clone, Copy)]
struct Range01 {
    lo: f64,
    hi: f64,
    what: &'static str,
}

/// A problem found by validation: the key path of the value at fault, the error, and for a
/// problem inside a string value (a predicate), the byte range within the string's content.
pub type Found = (String, ScenarioError, Option<Range<usize>>);

struct Checker<'a> {
    s: &'a Scenario,
    out: Vec<Found>,
    source_ids: Vec<&'a str>,
}

impl<'a> Checker<'a> {
    fn err(&mut self, path: String, msg: String, help: impl Into<String>) {
        self.out
            .push((path, ScenarioError::new(msg).with_help(help), None));
    }

    /// An error inside the string at `path`, at bytes `within` of its content.
    fn err_within(
        &mut self,
        path: String,
        msg: String,
        help: impl Into<String>,
        within: Option<Range<usize>>,
    ) {
        self.out
            .push((path, ScenarioError::new(msg).with_help(help), within));
    }

    fn check_id(&mut self, path: String, what: &str, id: &str) {
        if id.is_empty() {
            self.err(
                path,
                format!("empty {what} id"),
                "ids name things in other tables and in outputs; give one such as `uk`",
            );
        } else if let Some(c) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            self.err(
                path,
                format!("{what} id `{id}` contains `{c}`"),
                format!(
                    "ids may hold ASCII letters, digits, `_` and `-` only (they appear in dotted paths like `actor.{}.capability`); put the full name in `name`",
                    slug(id)
                ),
            );
        }
    }

    fn duplicates<'b>(&mut self, table: &str, what: &str, ids: impl Iterator<Item = &'b str>) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            if let Some(first) = seen.get(id) {
                self.err(
                    format!("{table}[{i}].id"),
                    format!("duplicate {what} id `{id}`"),
                    format!(
                        "the {} {what} in the file already uses this id; ids must be unique",
                        ordinal(*first + 1)
                    ),
                );
            } else {
                seen.insert(id, i);
            }
        }
    }

    /// Checks shared by every number: confidence, distribution shape, range, source reference.
    fn num(&mut self, path: &str, n: &Num, range: Option<Range01>) {
        if let Some(c) = n.confidence {
            if !(0.0..=1.0).contains(&c) || !c.is_finite() {
                self.err(
                    format!("{path}.confidence"),
                    format!("confidence {c} is outside 0–1"),
                    "confidence is a probability: 0 = a guess, 1 = certain",
                );
            }
        }
        if let Some(d) = &n.dist {
            for (key, p) in d.problems() {
                self.err(
                    format!("{path}.{key}"),
                    format!("bad distribution: {p}"),
                    "see docs/scenario.md, section Numbers",
                );
            }
            let (lo, hi) = d.support();
            if let Some(r) = range {
                if lo < r.lo || hi > r.hi {
                    let key = match d {
                        Dist::Discrete { .. } => "values",
                        _ if lo < r.lo => "min",
                        _ => "max",
                    };
                    self.err(
                        format!("{path}.{key}"),
                        format!(
                            "the distribution reaches [{lo}, {hi}], outside the {} range [{}, {}]",
                            r.what, r.lo, r.hi
                        ),
                        "narrow the distribution's min/max to the allowed range",
                    );
                }
            }
        }
        if !n.value.is_finite() {
            self.err(
                format!("{path}.value"),
                format!("{} is not a finite number", n.value),
                "write an ordinary number (nan and inf are not values of a scenario)",
            );
        } else if let Some(r) = range {
            if n.value < r.lo || n.value > r.hi {
                let msg = if r.hi.is_infinite() {
                    format!("{} {} must be at least {}", r.what, n.value, r.lo)
                } else {
                    format!(
                        "{} {} is outside the allowed range [{}, {}]",
                        r.what, n.value, r.lo, r.hi
                    )
                };
                self.err(format!("{path}.value"), msg, range_help(r.what));
            }
        }
        if let Some(src) = &n.source {
            self.source_ref(&format!("{path}.source"), src);
        }
        if let Some(r) = &n.reference {
            self.reference(path, r, range);
        }
    }

    /// A reference class: counts finite, `0 ≤ events`, `exposure > 0`, `events ≤ exposure` for
    /// trials, a known source, and a number whose range is [0, 1] (a probability).
    fn reference(
        &mut self,
        path: &str,
        r: &crate::scenario::num::Reference,
        range: Option<Range01>,
    ) {
        let p = format!("{path}.reference");
        if !(r.events.is_finite() && r.events >= 0.0) {
            self.err(
                format!("{p}.events"),
                format!("reference events {} must be a count ≥ 0", r.events),
                "events = how many times the class's event happened (k in k events in n units)",
            );
        }
        if !(r.exposure.is_finite() && r.exposure > 0.0) {
            self.err(
                format!("{p}.exposure"),
                format!("reference exposure {} must be > 0", r.exposure),
                "exposure = how many trials or crisis-months (…) were observed (n)",
            );
        }
        if let Ok(None) = r.unit_days() {
            if r.events > r.exposure {
                self.err(
                    format!("{p}.events"),
                    format!(
                        "reference events {} exceed its {} trials",
                        r.events, r.exposure
                    ),
                    "a probability per trial needs events ≤ exposure; for a rate use a time unit such as `crisis-months`",
                );
            }
        }
        if let Some(rg) = range {
            if rg.lo != 0.0 || rg.hi != 1.0 {
                self.err(
                    p.clone(),
                    format!(
                        "a reference class gives a probability, but this {} ranges over [{}, {}]",
                        rg.what, rg.lo, rg.hi
                    ),
                    "use `reference` on per-round propensities, rates and pass probabilities (range 0–1)",
                );
            }
        }
        self.source_ref(&format!("{p}.source"), &r.source);
    }

    /// When the scenario declares sources, every `source = "…"` names them: each part (split on
    /// `;`) starts with a source id, optionally followed by a locator (`article ¶12`).
    fn source_ref(&mut self, path: &str, src: &str) {
        if self.source_ids.is_empty() {
            return;
        }
        for part in src.split(';') {
            let id = part.split_whitespace().next().unwrap_or("");
            let id = id.trim_end_matches([',', ':']);
            if !self.source_ids.contains(&id) {
                let help = did_you_mean(id, "source", self.source_ids.clone());
                self.err(
                    path.to_string(),
                    format!("unknown source `{id}`"),
                    format!("{help} (a `source` starts with the id of a [[sources]] entry, e.g. `article ¶12`)"),
                );
            }
        }
    }
}

fn range_help(what: &str) -> &'static str {
    match what {
        "salience" => "salience is 0 (does not care) … 1 (cares most)",
        "capability" => "capability must not be negative (only ratios matter)",
        "probability" | "propensity" | "legality" | "share" | "rate" | "lock" | "threat"
        | "damage" | "cohesion" => "a probability or share: 0 … 1 (docs/crisis.md)",
        "weight" | "threshold" | "noise" | "size" => "must not be negative (docs/crisis.md)",
        "alignment" => "−1 back the target, 0 neutral, +1 back the initiator",
        "position" => "a position must lie on its issue's scale [min, max]",
        _ => "see docs/scenario.md",
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, x) if x != 11 => "st",
        (2, x) if x != 12 => "nd",
        (3, x) if x != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Every semantic problem of a parsed scenario, each with the key path of the value at fault
/// (e.g. `stances[3].actor`, `sources[0].date`) for locating it in the source text.
///
/// Checked: ids (non-empty, ASCII `[A-Za-z0-9_-]`, unique per table), references (stance → actor and
/// issue, actor → parent, number → source) with a did-you-mean, parent cycles, ranges (salience,
/// confidence and reliability 0–1, capability ≥ 0, position within its issue, issue min < max,
/// anchors within the issue), distributions, empty issues, duplicate stances, and forecasting
/// discipline (no source dated after `as_of`; horizon not before `as_of`).
pub fn validate_at(s: &Scenario) -> Vec<(String, ScenarioError)> {
    validate_located(s)
        .into_iter()
        .map(|(path, e, _)| (path, e))
        .collect()
}

/// [`validate_at`], plus, for problems inside a string value (a predicate), the byte range of
/// the fault within the string's content (what [`from_toml_str`] adds to the string's start).
///
/// Beyond the checks listed at [`validate_at`]: the uncertainty layer's hooks
/// ([`crate::mc::validate`]: outcome and question predicates parse, hypotheses name known
/// outcomes, actors, number paths and crisis elements, hypothesis sources are known) and the
/// crisis layer's references (`crisis_refs`: actors, issues, options, gates, allies,
/// parameter and variable names).
pub fn validate_located(s: &Scenario) -> Vec<Found> {
    let mut c = Checker {
        s,
        out: Vec::new(),
        source_ids: s.sources.iter().map(|x| x.id.as_str()).collect(),
    };
    let m = &s.scenario;
    c.check_id("scenario.id".into(), "scenario", &m.id);
    if let (Some(a), Some(h)) = (m.as_of, m.horizon) {
        if h < a {
            c.err(
                "scenario.horizon".into(),
                format!("horizon {h} is before as_of {a}"),
                "the horizon is the last simulated date; it must not precede as_of",
            );
        }
    }
    if m.round_days == Some(0) {
        c.err(
            "scenario.round_days".into(),
            "round_days must be at least 1".into(),
            "days per simulated round, e.g. 7 for a week",
        );
    }

    // Sources.
    for (i, src) in s.sources.iter().enumerate() {
        c.check_id(format!("sources[{i}].id"), "source", &src.id);
        if !(0.0..=1.0).contains(&src.reliability) {
            c.err(
                format!("sources[{i}].reliability"),
                format!("reliability {} is outside 0–1", src.reliability),
                "0 = worthless … 1 = certain; hedged, anonymous claims get less",
            );
        }
        if let (Some(d), Some(a)) = (src.date, m.as_of) {
            if d > a {
                c.err(
                    format!("sources[{i}].date"),
                    format!("source `{}` is dated {d}, after the scenario's as_of {a}", src.id),
                    "forecasting discipline: a scenario may use only what was public on or before as_of; drop the source or move as_of",
                );
            }
        }
        if src.paragraphs.contains(&0) {
            c.err(
                format!("sources[{i}].paragraphs"),
                "paragraph numbers start at 1".into(),
                "number paragraphs ¶1, ¶2, … by counting non-empty lines",
            );
        }
    }
    c.duplicates("sources", "source", s.sources.iter().map(|x| x.id.as_str()));

    // Actors.
    let actor_ids: Vec<&str> = s.actors.iter().map(|a| a.id.as_str()).collect();
    for (i, a) in s.actors.iter().enumerate() {
        c.check_id(format!("actors[{i}].id"), "actor", &a.id);
        c.num(
            &format!("actors[{i}].capability"),
            &a.capability,
            Some(Range01 {
                lo: 0.0,
                hi: f64::INFINITY,
                what: "capability",
            }),
        );
        if a.capability.value.is_finite() && a.capability.value > MAX_CAPABILITY {
            c.err(
                format!("actors[{i}].capability.value"),
                format!(
                    "capability {:e} is over the limit of {MAX_CAPABILITY:e}",
                    a.capability.value
                ),
                "only ratios of capabilities matter: rescale them (e.g. to 0–100) so that sums and products stay finite",
            );
        }
        if let Some(p) = &a.parent {
            if p == &a.id {
                c.err(
                    format!("actors[{i}].parent"),
                    format!("actor `{p}` is its own parent"),
                    "remove `parent` or name the actor this one belongs to",
                );
            } else if !actor_ids.contains(&p.as_str()) {
                c.err(
                    format!("actors[{i}].parent"),
                    format!("unknown parent actor `{p}`"),
                    did_you_mean(p, "actor", actor_ids.iter().copied()),
                );
            }
        }
    }
    c.duplicates("actors", "actor", actor_ids.iter().copied());
    parent_cycles(&mut c);

    // Issues.
    let issue_ids: Vec<&str> = s.issues.iter().map(|x| x.id.as_str()).collect();
    for (i, is) in s.issues.iter().enumerate() {
        c.check_id(format!("issues[{i}].id"), "issue", &is.id);
        if !is.min.is_finite() || !is.max.is_finite() || is.min >= is.max {
            c.err(
                format!("issues[{i}].max"),
                format!(
                    "issue `{}` needs min < max (min = {}, max = {})",
                    is.id, is.min, is.max
                ),
                "the scale runs from min to max, e.g. min = 0, max = 100",
            );
        } else {
            for (j, an) in is.anchors.iter().enumerate() {
                if !an.value.is_finite() || an.value < is.min || an.value > is.max {
                    c.err(
                        format!("issues[{i}].anchors[{j}].value"),
                        format!(
                            "anchor `{}` at {} lies outside the issue's scale [{}, {}]",
                            an.label, an.value, is.min, is.max
                        ),
                        "anchors label points of the scale; move it inside [min, max]",
                    );
                }
            }
        }
        if !s.stances.iter().any(|st| st.issue == is.id) {
            c.err(
                format!("issues[{i}]"),
                format!("issue `{}` has no stances", is.id),
                format!(
                    "add [[stances]] with issue = \"{}\" for the actors who care, or remove the issue",
                    is.id
                ),
            );
        }
    }
    c.duplicates("issues", "issue", issue_ids.iter().copied());

    // Stances.
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, st) in s.stances.iter().enumerate() {
        if !actor_ids.contains(&st.actor.as_str()) {
            c.err(
                format!("stances[{i}].actor"),
                format!("unknown actor `{}`", st.actor),
                did_you_mean(&st.actor, "actor", actor_ids.iter().copied()),
            );
        }
        let issue = s.issues.iter().find(|x| x.id == st.issue);
        if issue.is_none() {
            c.err(
                format!("stances[{i}].issue"),
                format!("unknown issue `{}`", st.issue),
                did_you_mean(&st.issue, "issue", issue_ids.iter().copied()),
            );
        }
        let pos_range = issue
            .filter(|x| x.min.is_finite() && x.max.is_finite() && x.min < x.max)
            .map(|x| Range01 {
                lo: x.min,
                hi: x.max,
                what: "position",
            });
        c.num(&format!("stances[{i}].position"), &st.position, pos_range);
        c.num(
            &format!("stances[{i}].salience"),
            &st.salience,
            Some(Range01 {
                lo: 0.0,
                hi: 1.0,
                what: "salience",
            }),
        );
        match seen.get(&(st.actor.as_str(), st.issue.as_str())) {
            Some(first) => c.err(
                format!("stances[{i}]"),
                format!("duplicate stance of `{}` on `{}`", st.actor, st.issue),
                format!(
                    "the {} stance in the file is already for this actor and issue; keep one",
                    ordinal(first + 1)
                ),
            ),
            None => {
                seen.insert((st.actor.as_str(), st.issue.as_str()), i);
            }
        }
    }

    // Other tables: ids only (their content is checked where it is used).
    c.duplicates(
        "outcomes",
        "outcome",
        s.outcomes.iter().map(|x| x.id.as_str()),
    );
    c.duplicates(
        "hypotheses",
        "hypothesis",
        s.hypotheses.iter().map(|x| x.id.as_str()),
    );
    c.duplicates(
        "questions",
        "question",
        s.questions.iter().map(|x| x.id.as_str()),
    );
    for (i, h) in s.hypotheses.iter().enumerate() {
        for (k, src) in h.sources.iter().enumerate() {
            c.source_ref(&format!("hypotheses[{i}].sources[{k}]"), src);
        }
    }
    for p in crate::mc::validate(s) {
        let within = p.predicate.as_ref().map(|e| e.offset..e.offset + e.len);
        c.out.push((p.path, p.error, within));
    }
    crisis_refs::check(&mut c);
    for (path, msg, help) in s.model.check(!s.crisis.is_empty()) {
        c.err(path, msg, help);
    }
    crisis_ranges::check(&mut c);
    run_vars::check(&mut c);
    c.out
}

/// Report each cycle of `parent` links once, at the actor of the cycle that comes first in the file.
fn parent_cycles(c: &mut Checker) {
    let s = c.s;
    let index: HashMap<&str, usize> = s
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut reported: HashSet<usize> = HashSet::new();
    for start in 0..s.actors.len() {
        let mut path = vec![start];
        let mut cur = start;
        while let Some(p) = s.actors[cur].parent.as_deref() {
            let Some(&next) = index.get(p) else { break };
            if next == cur {
                break; // self-parent, reported separately
            }
            if let Some(pos) = path.iter().position(|&x| x == next) {
                let cycle = &path[pos..];
                let first = *cycle.iter().min().unwrap_or(&next);
                if first == start && !reported.contains(&first) {
                    reported.extend(cycle.iter().copied());
                    let names: Vec<&str> = cycle
                        .iter()
                        .chain(std::iter::once(&cycle[0]))
                        .map(|&k| s.actors[k].id.as_str())
                        .collect();
                    c.err(
                        format!("actors[{start}].parent"),
                        format!("cycle of parents: {}", names.join(" → ")),
                        "parent links must form a tree: remove one `parent` of the cycle",
                    );
                }
                break;
            }
            if path.len() > s.actors.len() {
                break;
            }
            path.push(next);
            cur = next;
        }
    }
}

mod crisis_ranges;
mod crisis_refs;
mod evidence;
mod run_vars;
pub use run_vars::check_target;

#[cfg(test)]
mod tests;

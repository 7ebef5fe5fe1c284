//! Readers for KTAB's SMP scenario formats (smp-spec §4): the CSV format of `smpc` and the XML
//! format of `smpSchema.xsd`. Both produce a statecraft [`Scenario`] plus what the scenario
//! schema has no place for (SMP parameters, PRNG seed, accommodation matrix) in
//! [`KtabScenario`]. Malformed input gives located [`ScenarioError`]s (byte span + help), and
//! every error in a file is reported, not just the first.

use crate::models::smp::SmpParams;
use crate::models::{ModelOptions, ModelSpec, Problem, Seed};
use crate::scenario::{Actor, Issue, Meta, Num, Scenario, ScenarioError, ScenarioErrors, Stance};
use std::ops::Range;

/// KTAB's limits (smp-spec §3.6).
pub const MIN_ACTORS: usize = 3;
pub const MAX_ACTORS: usize = 250;
pub const MAX_NAME_CHARS: usize = 25;
pub const MAX_DESC_CHARS: usize = 256;
pub const MAX_CAPABILITY: f64 = 1e8;

/// A KTAB scenario: a statecraft scenario whose `[model]` table says `smp` and carries the
/// file's SMP parameters (`<ModelParameters>`; KTAB's defaults for CSV), accommodation matrix
/// (`<IdealAdjustment>`) and `<prngSeed>`.
#[derive(Clone, Debug, PartialEq)]
pub struct KtabScenario {
    pub scenario: Scenario,
    /// Which format it came from: "csv" or "xml".
    pub format: &'static str,
}

impl KtabScenario {
    /// The file's SMP parameters (from the scenario's `[model]` table).
    pub fn params(&self) -> SmpParams {
        self.scenario.model.options.smp.clone().unwrap_or_default()
    }

    /// The file's `<prngSeed>` (XML only).
    pub fn seed(&self) -> Option<u64> {
        self.scenario.model.seed.map(|s| s.0)
    }

    /// The SMP model with this file's parameters (KTAB's defaults for CSV).
    pub fn smp(&self) -> crate::models::smp::Smp {
        crate::models::smp::Smp::new(self.params())
    }

    /// The plain statecraft scenario.
    pub fn into_scenario(self) -> Scenario {
        self.scenario
    }

    /// The bargaining problem: actors in file order, one dimension per issue on 0–100,
    /// saliences 0–1 ([`Scenario::problem`]; a KTAB file gives every actor a stance on every
    /// dimension).
    pub fn problem(&self) -> Problem {
        self.scenario.problem()
    }

    /// The scenario as statecraft TOML; its `[model]` table keeps the SMP settings.
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string_pretty(&self.scenario).map_err(|e| e.to_string())?;
        Ok(format!(
            "# Converted from a KTAB {} scenario by `statecraft convert`; [model] holds its SMP \
             settings.\n\n{body}",
            self.format.to_uppercase()
        ))
    }
}

/// Read a KTAB file, choosing the format from its content (XML starts with `<`).
pub fn parse(text: &str) -> Result<KtabScenario, ScenarioErrors> {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        parse_xml(text)
    } else {
        parse_csv(text)
    }
}

// ---------------------------------------------------------------------------------------------
// Shared raw form

struct RawActor {
    name: String,
    name_span: Range<usize>,
    desc: String,
    cap: f64,
    pos: Vec<f64>,
    sal: Vec<f64>,
}

struct Raw {
    name: String,
    desc: String,
    dims: Vec<String>,
    actors: Vec<RawActor>,
}

fn err(message: impl Into<String>, span: Range<usize>, help: impl Into<String>) -> ScenarioError {
    let help: String = help.into();
    ScenarioError {
        message: message.into(),
        span: Some(span),
        help: if help.is_empty() { None } else { Some(help) },
    }
}

/// A statecraft id from a KTAB name: keeps letters, digits, `-` and `_`; other runs become `_`.
pub fn to_id(s: &str) -> String {
    let mut out = String::new();
    let mut last_us = false;
    for ch in s.trim().chars() {
        if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
            out.push(ch);
            last_us = ch == '_';
        } else if !last_us && !out.is_empty() {
            out.push('_');
            last_us = true;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn unique_id(base: String, fallback: String, used: &mut Vec<String>) -> String {
    let base = if base.is_empty() { fallback } else { base };
    let mut id = base.clone();
    let mut k = 2;
    while used.contains(&id) {
        id = format!("{base}_{k}");
        k += 1;
    }
    used.push(id.clone());
    id
}

fn check_actor_text(a: &RawActor, desc_span: Range<usize>, errors: &mut Vec<ScenarioError>) {
    let nchars = a.name.chars().count();
    if nchars == 0 {
        errors.push(err(
            "actor name is empty",
            a.name_span.clone(),
            "KTAB needs a name of 1 to 25 characters",
        ));
    } else if nchars > MAX_NAME_CHARS {
        errors.push(err(
            format!("actor name `{}` has {nchars} characters", a.name),
            a.name_span.clone(),
            "KTAB allows at most 25 characters; shorten the name (put the long form in the description)",
        ));
    }
    let dchars = a.desc.chars().count();
    if dchars > MAX_DESC_CHARS {
        errors.push(err(
            format!("actor description has {dchars} characters"),
            desc_span,
            "KTAB allows at most 256 characters",
        ));
    }
}

fn check_duplicates(actors: &[RawActor], errors: &mut Vec<ScenarioError>) {
    for (i, a) in actors.iter().enumerate() {
        if let Some(first) = actors[..i]
            .iter()
            .find(|b| b.name == a.name && !a.name.is_empty())
        {
            errors.push(err(
                format!("actor `{}` appears twice", a.name),
                a.name_span.clone(),
                format!(
                    "the first `{}` is at byte {}; actor names must be unique",
                    first.name, first.name_span.start
                ),
            ));
        }
    }
}

/// Check a coordinate and a salience; `sal_sum` accumulates the actor's total.
#[allow(clippy::too_many_arguments)]
fn check_pos_sal(
    actor: &str,
    dim: &str,
    pos: f64,
    pos_span: Range<usize>,
    sal: f64,
    sal_span: Range<usize>,
    sal_sum: &mut f64,
    errors: &mut Vec<ScenarioError>,
) {
    if !(0.0..=100.0).contains(&pos) {
        errors.push(err(
            format!("position {pos} of `{actor}` on `{dim}` is outside [0, 100]"),
            pos_span,
            "KTAB positions are on a 0–100 scale",
        ));
    }
    if !(0.0..=100.0).contains(&sal) {
        errors.push(err(
            format!("salience {sal} of `{actor}` on `{dim}` is outside [0, 100]"),
            sal_span,
            "KTAB saliences are percentages of the actor's attention, 0–100",
        ));
    } else {
        let before = *sal_sum;
        *sal_sum += sal;
        if *sal_sum > 100.0 + 1e-9 && before <= 100.0 + 1e-9 {
            errors.push(err(
                format!("saliences of `{actor}` add up to more than 100 (reached {sal_sum})"),
                sal_span,
                "an actor's saliences are shares of its attention and must sum to at most 100; \
                 scale them down",
            ));
        }
    }
}

fn build(raw: Raw, params: SmpParams, seed: Option<u64>, format: &'static str) -> KtabScenario {
    let mut used_a = Vec::new();
    let actor_ids: Vec<String> = raw
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| unique_id(to_id(&a.name), format!("actor{}", i + 1), &mut used_a))
        .collect();
    let mut used_d = Vec::new();
    let dim_ids: Vec<String> = raw
        .dims
        .iter()
        .enumerate()
        .map(|(k, d)| {
            unique_id(
                to_id(d).to_lowercase().replace('-', "_"),
                format!("dim{}", k + 1),
                &mut used_d,
            )
        })
        .collect();
    let actors = raw
        .actors
        .iter()
        .zip(&actor_ids)
        .map(|(a, id)| Actor {
            id: id.clone(),
            name: a.name.clone(),
            capability: Num::new(a.cap),
            note: a.desc.clone(),
            ..Default::default()
        })
        .collect();
    let issues = raw
        .dims
        .iter()
        .zip(&dim_ids)
        .map(|(d, id)| Issue {
            id: id.clone(),
            name: if d.is_empty() { id.clone() } else { d.clone() },
            min: 0.0,
            max: 100.0,
            ..Default::default()
        })
        .collect();
    let mut stances = Vec::new();
    for (a, aid) in raw.actors.iter().zip(&actor_ids) {
        for (k, did) in dim_ids.iter().enumerate() {
            stances.push(Stance {
                actor: aid.clone(),
                issue: did.clone(),
                position: Num::new(a.pos[k]),
                salience: Num::new(a.sal[k] / 100.0),
            });
        }
    }
    let id = to_id(&raw.name).to_lowercase();
    KtabScenario {
        scenario: Scenario {
            scenario: Meta {
                id: if id.is_empty() { "ktab".into() } else { id },
                title: raw.name,
                description: raw.desc,
                ..Default::default()
            },
            actors,
            issues,
            stances,
            model: ModelSpec {
                id: Some("smp".into()),
                rounds: None,
                seed: seed.map(Seed),
                options: ModelOptions {
                    smp: Some(params),
                    ..ModelOptions::default()
                },
            },
            ..Default::default()
        },
        format,
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

struct Field {
    /// Unquoted, trimmed text.
    value: String,
    span: Range<usize>,
}

struct Line {
    span: Range<usize>,
    fields: Vec<Field>,
}

/// Split into non-blank lines of comma-separated fields with byte spans; `"` quotes a field.
fn csv_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let body = raw.trim_end_matches(['\n', '\r']);
        if body.trim().trim_start_matches('\u{feff}').is_empty() {
            continue;
        }
        let bytes = body.as_bytes();
        let mut fields = Vec::new();
        let mut i = 0;
        loop {
            let fstart = i;
            // leading spaces, then maybe a quoted field
            let mut j = i;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
                j += 1;
            }
            let mut value;
            if j < bytes.len() && bytes[j] == b'"' {
                value = String::new();
                let mut k = j + 1;
                let mut seg = k;
                while k < bytes.len() {
                    if bytes[k] == b'"' {
                        if k + 1 < bytes.len() && bytes[k + 1] == b'"' {
                            value.push_str(&body[seg..k + 1]);
                            k += 2;
                            seg = k;
                            continue;
                        }
                        break;
                    }
                    k += 1;
                }
                value.push_str(&body[seg..k.min(bytes.len())]);
                // skip to the delimiter
                while k < bytes.len() && bytes[k] != b',' {
                    k += 1;
                }
                i = k;
            } else {
                let mut k = i;
                while k < bytes.len() && bytes[k] != b',' {
                    k += 1;
                }
                value = body[i..k].to_string();
                i = k;
            }
            let value = value
                .trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string();
            fields.push(Field {
                value,
                span: line_start + fstart..line_start + i,
            });
            if i >= bytes.len() {
                break;
            }
            i += 1; // the comma
        }
        lines.push(Line {
            span: line_start..line_start + body.len(),
            fields,
        });
    }
    lines
}

fn num(f: &Field, what: &str, errors: &mut Vec<ScenarioError>) -> Option<f64> {
    match f.value.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(err(
                format!("{what} `{}` is not a number", f.value),
                f.span.clone(),
                format!("write the {what} as a decimal number, e.g. 42.5"),
            ));
            None
        }
    }
}

/// Read KTAB's CSV scenario format (smp-spec §4.1).
pub fn parse_csv(text: &str) -> Result<KtabScenario, ScenarioErrors> {
    let fail = |errors: Vec<ScenarioError>| Err(ScenarioErrors { errors });
    let lines = csv_lines(text);
    let mut errors = Vec::new();
    let Some(head) = lines.first() else {
        return fail(vec![err(
            "the file is empty",
            0..0,
            "a KTAB CSV starts with `name,description,numActors,numDims`",
        )]);
    };
    if head.fields.len() < 4 {
        return fail(vec![err(
            format!("the first row has {} fields; KTAB needs 4", head.fields.len()),
            head.span.clone(),
            "the first row is `<scenario name>,<description>,<number of actors>,<number of dimensions>`",
        )]);
    }
    let count = |f: &Field, what: &str, errors: &mut Vec<ScenarioError>| -> Option<usize> {
        match f.value.parse::<usize>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(err(
                    format!("number of {what} `{}` is not a whole number", f.value),
                    f.span.clone(),
                    format!("write the number of {what} as a whole number, e.g. 7"),
                ));
                None
            }
        }
    };
    let n_act = count(&head.fields[2], "actors", &mut errors);
    let n_dim = count(&head.fields[3], "dimensions", &mut errors);
    if let Some(n) = n_act {
        if n < MIN_ACTORS {
            errors.push(err(
                format!("the scenario declares {n} actors; SMP needs at least {MIN_ACTORS}"),
                head.fields[2].span.clone(),
                "KTAB's SMP runs with 3 to 250 actors; add actors",
            ));
        } else if n > MAX_ACTORS {
            errors.push(err(
                format!("the scenario declares {n} actors; KTAB allows at most {MAX_ACTORS}"),
                head.fields[2].span.clone(),
                "KTAB's SMP runs with 3 to 250 actors",
            ));
        }
    }
    if n_dim == Some(0) {
        errors.push(err(
            "the scenario declares 0 dimensions",
            head.fields[3].span.clone(),
            "SMP needs at least one dimension",
        ));
    }
    let (Some(n), Some(m)) = (n_act, n_dim) else {
        return fail(errors);
    };
    if !errors.is_empty() {
        return fail(errors);
    }
    let Some(hdr) = lines.get(1) else {
        return fail(vec![err(
            "the header row is missing",
            text.len()..text.len(),
            "the second row names the columns: `Actor,Description,Power,<dim 1>,<salience 1>,...`",
        )]);
    };
    if hdr.fields.len() < 3 + 2 * m {
        return fail(vec![err(
            format!(
                "the header row has {} columns; {m} dimension(s) need {}",
                hdr.fields.len(),
                3 + 2 * m
            ),
            hdr.span.clone(),
            "each dimension has a position column and a salience column after `Actor,Description,Power`",
        )]);
    }
    let dims: Vec<String> = (0..m)
        .map(|d| hdr.fields[3 + 2 * d].value.clone())
        .collect();
    let rows = &lines[2..];
    if rows.len() < n {
        errors.push(err(
            format!(
                "the scenario declares {n} actors but only {} actor rows follow",
                rows.len()
            ),
            text.len()..text.len(),
            "add the missing actor rows or correct the number of actors in the first row",
        ));
    }
    if let Some(extra) = rows.get(n) {
        // More rows than declared would otherwise be dropped silently.
        errors.push(err(
            format!(
                "the scenario declares {n} actors but {} actor rows follow",
                rows.len()
            ),
            extra.span.clone(),
            "correct the number of actors in the first row or remove the extra rows",
        ));
    }
    let mut actors = Vec::new();
    for row in rows.iter().take(n) {
        if row.fields.len() < 3 + 2 * m {
            errors.push(err(
                format!(
                    "this actor row has {} fields; {} are needed",
                    row.fields.len(),
                    3 + 2 * m
                ),
                row.span.clone(),
                "an actor row is `name,description,capability` then position,salience per dimension",
            ));
            continue;
        }
        let f = &row.fields;
        let name = f[0].value.clone();
        let mut ok = true;
        let cap = num(&f[2], "capability", &mut errors);
        if let Some(c) = cap {
            if !(0.0..=MAX_CAPABILITY).contains(&c) {
                errors.push(err(
                    format!("capability {c} of `{name}` is outside [0, 1e8]"),
                    f[2].span.clone(),
                    "capabilities are non-negative (only ratios matter) and KTAB caps them at 1e8",
                ));
            }
        } else {
            ok = false;
        }
        let mut pos = Vec::with_capacity(m);
        let mut sal = Vec::with_capacity(m);
        let mut sal_sum = 0.0;
        for d in 0..m {
            let (pf, sf) = (&f[3 + 2 * d], &f[4 + 2 * d]);
            let p = num(pf, "position", &mut errors);
            let s = num(sf, "salience", &mut errors);
            match (p, s) {
                (Some(p), Some(s)) => {
                    check_pos_sal(
                        &name,
                        &dims[d],
                        p,
                        pf.span.clone(),
                        s,
                        sf.span.clone(),
                        &mut sal_sum,
                        &mut errors,
                    );
                    pos.push(p);
                    sal.push(s);
                }
                _ => ok = false,
            }
        }
        let a = RawActor {
            name,
            name_span: f[0].span.clone(),
            desc: f[1].value.clone(),
            cap: cap.unwrap_or(0.0),
            pos,
            sal,
        };
        check_actor_text(&a, f[1].span.clone(), &mut errors);
        if ok {
            actors.push(a);
        }
    }
    check_duplicates(&actors, &mut errors);
    if !errors.is_empty() {
        return fail(errors);
    }
    let raw = Raw {
        name: head.fields[0].value.clone(),
        desc: head.fields[1].value.clone(),
        dims,
        actors,
    };
    Ok(build(raw, SmpParams::default(), None, "csv"))
}

// ---------------------------------------------------------------------------------------------
// XML

fn text_pos_to_byte(text: &str, row: u32, col: u32) -> usize {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == row as usize {
            let c = line
                .char_indices()
                .nth(col.saturating_sub(1) as usize)
                .map_or(line.len(), |(b, _)| b);
            return offset + c;
        }
        offset += line.len();
    }
    text.len()
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == tag)
}

fn children<'a, 'i>(n: roxmltree::Node<'a, 'i>, tag: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(|c| c.is_element() && c.tag_name().name() == tag)
        .collect()
}

/// Read KTAB's XML scenario format (smp-spec §4.2).
pub fn parse_xml(text: &str) -> Result<KtabScenario, ScenarioErrors> {
    use roxmltree::{Document, Node};
    let fail = |errors: Vec<ScenarioError>| Err(ScenarioErrors { errors });
    if let Err(e) = super::xml_depth::check(text) {
        let help = "a KTAB scenario nests a few levels; this document is not one";
        return fail(vec![err(e.message, e.span, help)]);
    }
    let doc = match Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let p = e.pos();
            let at = text_pos_to_byte(text, p.row, p.col);
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            return fail(vec![err(
                format!("malformed XML: {e}"),
                at..end,
                "fix the XML syntax here (every element closed, attributes quoted)",
            )]);
        }
    };
    let mut errors = Vec::new();
    let root = doc.root_element();
    if root.tag_name().name() != "Scenario" {
        return fail(vec![err(
            format!(
                "the root element is <{}>, not <Scenario>",
                root.tag_name().name()
            ),
            root.range(),
            "a KTAB XML scenario is a <Scenario> element (smpSchema.xsd)",
        )]);
    }
    let text_of = |n: Node| n.text().unwrap_or("").trim().to_string();
    let required = |n: Node, tag: &str, errors: &mut Vec<ScenarioError>| -> Option<String> {
        match child(n, tag) {
            Some(c) => Some(text_of(c)),
            None => {
                errors.push(err(
                    format!("<{}> has no <{tag}>", n.tag_name().name()),
                    n.range().start..n.range().start + 1 + n.tag_name().name().len(),
                    format!("add a <{tag}> element"),
                ));
                None
            }
        }
    };
    let xml_num = |n: Node, what: &str, errors: &mut Vec<ScenarioError>| -> Option<f64> {
        let t = text_of(n);
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                let msg = if t.is_empty() {
                    format!("<{}> is empty", n.tag_name().name())
                } else {
                    format!("{what} `{t}` is not a number")
                };
                errors.push(err(
                    msg,
                    n.range(),
                    format!("write the {what} as a decimal number, e.g. 42.5"),
                ));
                None
            }
        }
    };

    let name = required(root, "name", &mut errors).unwrap_or_default();
    let desc = child(root, "desc").map(text_of).unwrap_or_default();
    let seed = match child(root, "prngSeed") {
        Some(s) => match text_of(s).parse::<u64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(err(
                    format!(
                        "prngSeed `{}` is not an unsigned 64-bit integer",
                        text_of(s)
                    ),
                    s.range(),
                    "write the seed as a decimal integer from 0 to 18446744073709551615",
                ));
                None
            }
        },
        None => None,
    };
    let mut params = SmpParams::default();
    if let Some(mp) = child(root, "ModelParameters") {
        for c in mp.children().filter(|c| c.is_element()) {
            let key = c.tag_name().name();
            if let Err(msg) = params.set_ktab(key, &text_of(c)) {
                errors.push(err(
                    format!("bad SMP parameter <{key}>{}</{key}>", text_of(c)),
                    c.range(),
                    msg,
                ));
            }
        }
    }
    let dims: Vec<String> = match child(root, "Dimensions") {
        Some(d) => children(d, "dName").into_iter().map(text_of).collect(),
        None => {
            errors.push(err(
                "<Scenario> has no <Dimensions>",
                root.range().start..root.range().start + 9,
                "add <Dimensions><dName>…</dName></Dimensions>",
            ));
            Vec::new()
        }
    };
    if dims.is_empty() && child(root, "Dimensions").is_some() {
        errors.push(err(
            "<Dimensions> names no dimension",
            child(root, "Dimensions").map_or(0..0, |d| d.range()),
            "add at least one <dName>",
        ));
    }
    let m = dims.len();
    let mut actors = Vec::new();
    let actor_nodes = child(root, "Actors")
        .map(|a| children(a, "Actor"))
        .unwrap_or_default();
    if actor_nodes.len() < MIN_ACTORS || actor_nodes.len() > MAX_ACTORS {
        let span =
            child(root, "Actors").map_or(root.range().start..root.range().start + 9, |a| a.range());
        errors.push(err(
            format!("the scenario has {} actors", actor_nodes.len()),
            span,
            "KTAB's SMP runs with 3 to 250 actors",
        ));
    }
    let mut all_names: Vec<String> = Vec::new();
    for an in &actor_nodes {
        let aname = required(*an, "name", &mut errors);
        all_names.push(aname.clone().unwrap_or_default());
        let name_span = child(*an, "name").map_or(an.range(), |c| c.range());
        let adesc = child(*an, "description").map(text_of).unwrap_or_default();
        let desc_span = child(*an, "description").map_or(an.range(), |c| c.range());
        let cap = match child(*an, "capability") {
            Some(c) => {
                let v = xml_num(c, "capability", &mut errors);
                if let Some(v) = v {
                    if !(0.0..=MAX_CAPABILITY).contains(&v) {
                        errors.push(err(
                            format!("capability {v} is outside [0, 1e8]"),
                            c.range(),
                            "capabilities are non-negative (only ratios matter) and KTAB caps them at 1e8",
                        ));
                    }
                }
                v
            }
            None => {
                required(*an, "capability", &mut errors);
                None
            }
        };
        let coords = |tag: &str, item: &'static str, errors: &mut Vec<ScenarioError>| {
            let Some(p) = child(*an, tag) else {
                errors.push(err(
                    format!("<Actor> has no <{tag}>"),
                    an.range(),
                    format!("add <{tag}> with one <{item}> per dimension"),
                ));
                return None;
            };
            let items = children(p, item);
            if items.len() != m {
                errors.push(err(
                    format!(
                        "<{tag}> has {} <{item}> but there are {m} dimensions",
                        items.len()
                    ),
                    p.range(),
                    format!("give one <{item}> per dimension, in the order of <Dimensions>"),
                ));
                return None;
            }
            let mut vals = Vec::new();
            let mut ok = true;
            for it in items {
                let what = if item == "dCoord" {
                    "position"
                } else {
                    "salience"
                };
                match xml_num(it, what, errors) {
                    Some(v) => vals.push((v, it.range())),
                    None => ok = false,
                }
            }
            ok.then_some(vals)
        };
        let pos = coords("Position", "dCoord", &mut errors);
        let sal = coords("Salience", "dSal", &mut errors);
        let (Some(aname), Some(cap), Some(pos), Some(sal)) = (aname, cap, pos, sal) else {
            continue;
        };
        let mut sum = 0.0;
        for d in 0..m {
            check_pos_sal(
                &aname,
                &dims[d],
                pos[d].0,
                pos[d].1.clone(),
                sal[d].0,
                sal[d].1.clone(),
                &mut sum,
                &mut errors,
            );
        }
        let a = RawActor {
            name: aname,
            name_span,
            desc: adesc,
            cap,
            pos: pos.iter().map(|x| x.0).collect(),
            sal: sal.iter().map(|x| x.0).collect(),
        };
        check_actor_text(&a, desc_span, &mut errors);
        actors.push(a);
    }
    check_duplicates(&actors, &mut errors);
    // IdealAdjustment: optional (KTAB's reader requires it although the XSD does not).
    if let Some(ia) = child(root, "IdealAdjustment") {
        let n = all_names.len();
        let mut a: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
            .collect();
        let find = |nm: &str| all_names.iter().position(|x| x == nm);
        for pair in children(ia, "iaPair") {
            let who = child(pair, "adjustingIdeal");
            let refp = child(pair, "referencePos");
            let adj = child(pair, "adjust");
            let (Some(who), Some(refp), Some(adj)) = (who, refp, adj) else {
                errors.push(err(
                    "<iaPair> needs <adjustingIdeal>, <referencePos> and <adjust>",
                    pair.range(),
                    "",
                ));
                continue;
            };
            let idx = |node: Node, errors: &mut Vec<ScenarioError>| {
                let nm = text_of(node);
                let i = find(&nm);
                if i.is_none() {
                    errors.push(err(
                        format!("no actor is named `{nm}`"),
                        node.range(),
                        "IdealAdjustment refers to actors by their <name>",
                    ));
                }
                i
            };
            let i = idx(who, &mut errors);
            let j = idx(refp, &mut errors);
            let v = xml_num(adj, "adjustment", &mut errors);
            if let Some(v) = v {
                if !(0.0..=1.0).contains(&v) {
                    errors.push(err(
                        format!("adjustment {v} is outside [0, 1]"),
                        adj.range(),
                        "accommodation weights are fractions between 0 and 1",
                    ));
                    continue;
                }
            }
            if let (Some(i), Some(j), Some(v)) = (i, j, v) {
                a[i][j] = v;
            }
        }
        for (i, row) in a.iter().enumerate() {
            let s: f64 = row.iter().sum();
            if s > 1.0 + 1e-10 {
                errors.push(err(
                    format!(
                        "the accommodation weights of `{}` sum to {s} > 1",
                        all_names[i]
                    ),
                    ia.range(),
                    "each actor's weights (including the identity entry for itself, 1 unless \
                     set) must sum to at most 1; lower its own <adjust> entry",
                ));
            }
        }
        let identity = a.iter().enumerate().all(|(i, r)| {
            r.iter()
                .enumerate()
                .all(|(j, &x)| x == if i == j { 1.0 } else { 0.0 })
        });
        if !identity {
            params.accommodation = Some(a);
        }
    }
    if !errors.is_empty() {
        return fail(errors);
    }
    let raw = Raw {
        name,
        desc,
        dims,
        actors,
    };
    Ok(build(raw, params, seed, "xml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "Demo,\"A, quoted description\",3,2,\n\
        Actor,Description,Power,D1,S1,D2,S2,\n\
        A, first, 10, 20, 30, 40, 50,\n\
        B, second, 20, 80, 10, 60, 20,\n\
        C, third, 5, 50, 50, 50, 50,\n";

    #[test]
    fn csv_reads_quoted_description_and_scales_salience() {
        let k = parse_csv(GOOD).unwrap();
        assert_eq!(k.scenario.scenario.description, "A, quoted description");
        assert_eq!(k.scenario.actors.len(), 3);
        assert_eq!(k.scenario.issues[1].id, "d2");
        let p = k.problem();
        assert_eq!(p.position[1], vec![80.0, 60.0]);
        assert_eq!(p.salience[2], vec![0.5, 0.5]);
        assert_eq!(p.capability, vec![10.0, 20.0, 5.0]);
    }

    /// The single error's message and the source text under its span.
    fn one_error(res: Result<KtabScenario, ScenarioErrors>, text: &str) -> (String, String) {
        let e = res.unwrap_err();
        assert_eq!(e.errors.len(), 1, "{e:?}");
        let e = &e.errors[0];
        assert!(e.help.is_some(), "{e:?}");
        let span = e.span.clone().unwrap();
        (e.message.clone(), text[span].to_string())
    }

    #[test]
    fn csv_too_few_actors() {
        let t = GOOD.replacen(",3,2,", ",2,2,", 1);
        let (msg, at) = one_error(parse_csv(&t), &t);
        assert!(msg.contains("at least 3"), "{msg}");
        assert_eq!(at, "2");
    }

    #[test]
    fn csv_missing_actor_rows() {
        let t = GOOD.replacen(",3,2,", ",4,2,", 1);
        let (msg, at) = one_error(parse_csv(&t), &t);
        assert!(msg.contains("only 3 actor rows"), "{msg}");
        assert_eq!(at, "");
    }

    #[test]
    fn csv_non_numeric_capability() {
        let t = GOOD.replacen(" 20, 80,", " lots, 80,", 1);
        let (msg, at) = one_error(parse_csv(&t), &t);
        assert!(msg.contains("capability `lots`"), "{msg}");
        assert_eq!(at.trim(), "lots");
    }

    #[test]
    fn csv_position_out_of_range() {
        let t = GOOD.replacen(" 80, 10,", " 180, 10,", 1);
        let (msg, at) = one_error(parse_csv(&t), &t);
        assert!(msg.contains("outside [0, 100]"), "{msg}");
        assert_eq!(at.trim(), "180");
    }

    #[test]
    fn csv_salience_sum_over_100() {
        let t = GOOD.replacen(
            "C, third, 5, 50, 50, 50, 50",
            "C, third, 5, 50, 60, 50, 50",
            1,
        );
        let (msg, at) = one_error(parse_csv(&t), &t);
        assert!(msg.contains("more than 100"), "{msg}");
        assert_eq!(at.trim(), "50");
    }

    #[test]
    fn csv_reports_every_error() {
        let t = GOOD
            .replacen(" 20, 80,", " x, 80,", 1)
            .replacen(" 60, 20,", " 60, -1,", 1);
        let e = parse_csv(&t).unwrap_err();
        assert_eq!(e.errors.len(), 2, "{e:?}");
    }

    const XML: &str = r#"<?xml version="1.0"?>
<Scenario><name>X</name><desc>d</desc><prngSeed>7</prngSeed>
<ModelParameters><VotingRule>Cubic</VotingRule></ModelParameters>
<Dimensions><dName>D</dName></Dimensions>
<Actors>
<Actor><name>A</name><description/><capability>1</capability><Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
<Actor><name>B</name><description/><capability>2</capability><Position><dCoord>50</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
<Actor><name>C</name><description/><capability>3</capability><Position><dCoord>90</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
</Actors>
<IdealAdjustment><iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>A</referencePos><adjust>0.5</adjust></iaPair></IdealAdjustment>
</Scenario>"#;

    #[test]
    fn xml_reads_params_seed_and_accommodation() {
        let k = parse_xml(XML).unwrap();
        assert_eq!(k.seed(), Some(7));
        assert_eq!(
            k.params().voting_rule,
            crate::models::smp::VotingRule::Cubic
        );
        let a = k.params().accommodation.clone().unwrap();
        assert_eq!(a[0], vec![0.5, 0.0, 0.0]);
        assert_eq!(a[1], vec![0.0, 1.0, 0.0]);
        // the [model] table keeps every setting through `convert` and back
        let toml = k.to_toml().unwrap();
        assert!(toml.contains("[model.options.smp]"), "{toml}");
        let back = crate::scenario::load::from_toml_str(&toml).unwrap();
        assert_eq!(back.model, k.scenario.model);
        assert_eq!(back.model.id.as_deref(), Some("smp"));
    }

    #[test]
    fn xml_syntax_error_is_located() {
        let t = XML.replacen("</desc>", "</dsc>", 1);
        let (msg, at) = one_error(parse_xml(&t), &t);
        assert!(msg.contains("malformed XML"), "{msg}");
        assert!(!at.is_empty());
    }

    #[test]
    fn xml_bad_parameter_lists_valid_values() {
        let t = XML.replacen("Cubic", "Cubed", 1);
        let e = parse_xml(&t).unwrap_err();
        let h = e.errors[0].help.clone().unwrap();
        assert!(h.contains("PropCbc"), "{h}");
        assert_eq!(
            &t[e.errors[0].span.clone().unwrap()],
            "<VotingRule>Cubed</VotingRule>"
        );
    }

    #[test]
    fn xml_too_few_actors_and_bad_salience() {
        let t = XML.replacen(
            "<dSal>50</dSal></Salience></Actor>\n</Actors>",
            "<dSal>150</dSal></Salience></Actor>\n</Actors>",
            1,
        );
        let (msg, at) = one_error(parse_xml(&t), &t);
        assert!(msg.contains("salience 150"), "{msg}");
        assert_eq!(at, "<dSal>150</dSal>");
        let start = XML.find("<Actor>").unwrap();
        let end = XML.find("<Actor><name>B").unwrap();
        let t = format!("{}{}", &XML[..start], &XML[end..])
            .replace("<adjustingIdeal>A<", "<adjustingIdeal>B<")
            .replace("<referencePos>A<", "<referencePos>B<");
        let (msg, _) = one_error(parse_xml(&t), &t);
        assert!(msg.contains("2 actors"), "{msg}");
    }

    #[test]
    fn xml_accommodation_row_sum_over_one() {
        let t = XML.replacen(
            "</IdealAdjustment>",
            "<iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>B</referencePos><adjust>0.9</adjust></iaPair></IdealAdjustment>",
            1,
        );
        let (msg, _) = one_error(parse_xml(&t), &t);
        assert!(msg.contains("sum to"), "{msg}");
    }

    #[test]
    fn ids_are_sanitised() {
        assert_eq!(to_id(" Policy Position "), "Policy_Position");
        assert_eq!(to_id("Liu He - Deputy"), "Liu_He_-_Deputy");
    }
}

//! Unit tests of the loader: one per error class, each checking the message, the help and that
//! the span points at the right text.

use super::*;
use crate::scenario::error::line_col;

const MINIMAL: &str = include_str!("../../../../../scenarios/examples/minimal.toml");

fn errs(text: &str) -> Vec<ScenarioError> {
    match from_toml_str(text) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    }
}

/// Replace `from` (which must occur in MINIMAL exactly once) by `to`.
fn edit(from: &str, to: &str) -> String {
    assert_eq!(MINIMAL.matches(from).count(), 1, "{from:?} must occur once");
    MINIMAL.replace(from, to)
}

/// The one error whose message contains `msg`; asserts that its span covers `at` and that its
/// help contains `help`. Returns (line, column).
fn expect(text: &str, msg: &str, at: &str, help: &str) -> (usize, usize) {
    let all = errs(text);
    let found: Vec<&ScenarioError> = all.iter().filter(|e| e.message.contains(msg)).collect();
    assert_eq!(
        found.len(),
        1,
        "want one error containing {msg:?}, got {all:#?}"
    );
    let e = found[0];
    let span = e.span.clone().unwrap_or_else(|| panic!("no span: {e:#?}"));
    let covered = &text[span.clone()];
    assert!(
        covered.contains(at),
        "span {span:?} covers {covered:?}, want {at:?}; {e:#?}"
    );
    let h = e.help.clone().unwrap_or_default();
    assert!(h.contains(help), "help {h:?} lacks {help:?}");
    line_col(text, span.start)
}

#[test]
fn minimal_example_loads() {
    let s = from_toml_str(MINIMAL).unwrap();
    assert_eq!(s.actors.len(), 3);
    assert_eq!(s.issues[0].anchors.len(), 3);
    assert_eq!(s.stances[2].position.value, 90.0);
    assert_eq!(s.scenario.as_of.unwrap().to_string(), "2026-01-11");
}

#[test]
fn every_example_scenario_loads() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Err(e) = from_str_auto(&name, &text) {
            panic!("{name}: {e:#?}");
        }
        n += 1;
    }
    assert!(n >= 2);
    let eu = from_toml_str(include_str!(
        "../../../../../scenarios/examples/eu_emissions.toml"
    ))
    .unwrap();
    let csv = from_csv_str("eu", EU).unwrap();
    for (a, b) in eu.stances.iter().zip(&csv.stances) {
        assert_eq!(a.position.value, b.position.value);
        assert_eq!(a.salience.value, b.salience.value);
    }
}

#[test]
fn quoted_and_bare_dates() {
    let a = from_toml_str(MINIMAL).unwrap();
    let b = from_toml_str(&edit("as_of = 2026-01-11", "as_of = \"2026-01-11\"")).unwrap();
    assert_eq!(a.scenario.as_of, b.scenario.as_of);
    let (line, _) = expect(
        &edit("as_of = 2026-01-11", "as_of = \"11 Jan 2026\""),
        "expected a date",
        "11 Jan 2026",
        "docs/scenario.md",
    );
    assert_eq!(line, 5);
    let e = errs(&edit("as_of = 2026-01-11", "as_of = 2026-01-11T10:00:00"));
    assert!(e[0].message.contains("without time of day"), "{e:#?}");
}

#[test]
fn syntax_error_is_located() {
    let t = edit("capability = 35", "capability = = 35");
    let e = errs(&t);
    assert_eq!(e.len(), 1);
    assert!(e[0].message.starts_with("TOML syntax error"), "{e:#?}");
    assert_eq!(e[0].line_col(&t).unwrap().0, 21);
}

#[test]
fn unknown_keys_all_reported_with_did_you_mean() {
    let t = edit("capability = 35", "capabilty = 35")
        .replace("unit = \"%\"", "unit = \"%\"\nlabel = \"x\"")
        .replace("kind = \"assumption\"", "knid = \"assumption\"");
    let all = errs(&t);
    let msgs: Vec<&str> = all.iter().map(|e| e.message.as_str()).collect();
    assert!(msgs.contains(&"unknown key `capabilty`"), "{all:#?}");
    assert!(msgs.contains(&"unknown key `label`"), "{all:#?}");
    assert!(msgs.contains(&"unknown key `knid`"), "{all:#?}");
    // The misspelt `capabilty` does not also produce "missing key `capability`".
    assert_eq!(all.len(), 3, "{all:#?}");
    let e = all
        .iter()
        .find(|e| e.message.contains("capabilty"))
        .unwrap();
    assert_eq!(e.help.as_deref(), Some("did you mean `capability`?"));
    assert_eq!(&t[e.span.clone().unwrap()], "capabilty");
    // Spans found after the typo was corrected (one byte longer) still point at the key.
    let e = all.iter().find(|e| e.message.contains("label")).unwrap();
    assert_eq!(&t[e.span.clone().unwrap()], "label");
}

#[test]
fn wrong_type() {
    expect(
        &edit("salience = 0.8", "salience = \"high\""),
        "found the string \"high\"",
        "high",
        "docs/scenario.md",
    );
    expect(
        &edit("min = 0\n", "min = \"zero\"\n"),
        "wrong type",
        "zero",
        "docs/scenario.md",
    );
}

#[test]
fn missing_key() {
    let t = edit("capability = 25\n", "\n");
    let all = errs(&t);
    assert!(
        all[0].message.contains("missing key `capability`"),
        "{all:#?}"
    );
    assert!(all[0].help.as_deref().unwrap().contains("capability = …"));
}

#[test]
fn unknown_enum_value() {
    let t = edit("name = \"Party A\"", "name = \"Party A\"\nkind = \"stat\"");
    let all = errs(&t);
    assert!(all[0].message.contains("unknown value `stat`"), "{all:#?}");
    assert_eq!(all[0].help.as_deref(), Some("did you mean `state`?"));
}

#[test]
fn salience_out_of_range() {
    let (line, col) = expect(
        &edit("salience = 0.8", "salience = 1.5"),
        "salience 1.5 is outside",
        "1.5",
        "salience is 0",
    );
    assert_eq!((line, col), (44, 12));
}

#[test]
fn position_outside_issue() {
    expect(
        &edit("position = 20", "position = 120"),
        "position 120 is outside the allowed range [0, 100]",
        "120",
        "issue's scale",
    );
    // A number table points at its `value`.
    expect(
        &edit("value = 60, source", "value = -5, source"),
        "position -5",
        "-5",
        "issue's scale",
    );
}

#[test]
fn confidence_reliability_capability_ranges() {
    expect(
        &edit("confidence = 0.5", "confidence = 2"),
        "confidence 2 is outside 0–1",
        "2",
        "probability",
    );
    expect(
        &edit("reliability = 0.5", "reliability = 1.5"),
        "reliability 1.5",
        "1.5",
        "0 = worthless",
    );
    expect(
        &edit("capability = 25", "capability = -1"),
        "capability -1",
        "-1",
        "must not be negative",
    );
}

#[test]
fn issue_min_not_below_max() {
    expect(
        &edit("max = 100\nunit", "max = 0\nunit"),
        "needs min < max",
        "0",
        "min = 0, max = 100",
    );
}

#[test]
fn anchor_outside_scale() {
    expect(
        &edit("{ value = 100, label", "{ value = 150, label"),
        "anchor `everything` at 150",
        "150",
        "inside [min, max]",
    );
}

#[test]
fn bad_distribution() {
    expect(
        &edit("min = 70, mode = 90", "min = 70, mode = 60"),
        "mode 60 lies outside",
        "60",
        "Numbers",
    );
    expect(
        &edit(
            "min = 70, mode = 90, max = 100",
            "min = 70, mode = 90, max = 120",
        ),
        "reaches [70, 120]",
        "120",
        "narrow",
    );
}

#[test]
fn unknown_actor_with_did_you_mean() {
    let t = edit("actor = \"b\"", "actor = \"bb\"").replace("id = \"b\"", "id = \"bx\"");
    expect(&t, "unknown actor `bb`", "bb", "did you mean `bx`?");
    let t = edit("actor = \"c\"", "actor = \"zzzzzz\"");
    expect(
        &t,
        "unknown actor `zzzzzz`",
        "zzzzzz",
        "known actor ids: `a`, `b`, `c`",
    );
}

#[test]
fn unknown_issue_with_did_you_mean() {
    let t = MINIMAL.replacen("issue = \"budget\"", "issue = \"budjet\"", 1);
    expect(
        &t,
        "unknown issue `budjet`",
        "budjet",
        "did you mean `budget`?",
    );
}

#[test]
fn unknown_parent() {
    let t = edit("name = \"Party C\"", "name = \"Party C\"\nparent = \"aa\"");
    expect(&t, "unknown parent actor `aa`", "aa", "did you mean `a`?");
}

#[test]
fn unknown_source() {
    let t = edit(
        "value = 60, source = \"assumption\"",
        "value = 60, source = \"asumption ¶3\"",
    );
    expect(
        &t,
        "unknown source `asumption`",
        "asumption",
        "did you mean `assumption`?",
    );
}

#[test]
fn duplicate_ids() {
    let t = edit("id = \"c\"", "id = \"a\"").replace("actor = \"c\"", "actor = \"a\"");
    let (line, _) = expect(&t, "duplicate actor id `a`", "a", "1st actor");
    assert_eq!(line, 24);
    // A duplicate actor also makes a duplicate stance.
    expect(
        &t,
        "duplicate stance of `a` on `budget`",
        "[[stances]]",
        "1st stance",
    );
}

#[test]
fn bad_id_characters() {
    let t = edit("id = \"c\"", "id = \"party c\"").replace("actor = \"c\"", "actor = \"party c\"");
    expect(
        &t,
        "actor id `party c` contains ` `",
        "party c",
        "actor.party_c.capability",
    );
}

#[test]
fn empty_issue() {
    let t = format!(
        "{MINIMAL}\n[[issues]]\nid = \"lonely\"\nname = \"Nobody cares\"\nmin = 0\nmax = 1\n"
    );
    expect(
        &t,
        "issue `lonely` has no stances",
        "[[issues]]",
        "add [[stances]]",
    );
}

#[test]
fn parent_cycle() {
    let t = edit("name = \"Party A\"", "name = \"Party A\"\nparent = \"c\"")
        .replace("name = \"Party B\"", "name = \"Party B\"\nparent = \"a\"")
        .replace("name = \"Party C\"", "name = \"Party C\"\nparent = \"b\"");
    expect(&t, "cycle of parents: a → c → b → a", "c", "tree");
    let t = edit("name = \"Party A\"", "name = \"Party A\"\nparent = \"a\"");
    expect(&t, "its own parent", "a", "remove");
}

#[test]
fn source_after_as_of() {
    let t = edit("reliability = 0.5", "reliability = 0.5\ndate = 2026-02-01");
    expect(
        &t,
        "dated 2026-02-01, after the scenario's as_of 2026-01-11",
        "2026-02-01",
        "forecasting discipline",
    );
}

#[test]
fn horizon_before_as_of() {
    let t = edit(
        "as_of = 2026-01-11",
        "as_of = 2026-01-11\nhorizon = 2025-12-31",
    );
    expect(
        &t,
        "horizon 2025-12-31 is before",
        "2025-12-31",
        "must not precede",
    );
}

#[test]
fn semantic_errors_reported_after_unknown_keys() {
    // `capabilty` is corrected to `capability` for checking; the salience error after it (and
    // located after the one-byte shift) is still found.
    let t = edit("capability = 35", "capabilty = 35").replace("salience = 0.8", "salience = 1.5");
    let all = errs(&t);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all[0].message.contains("capabilty"));
    assert_eq!(&t[all[1].span.clone().unwrap()], "1.5");
}

#[test]
fn all_semantic_errors_reported_in_file_order() {
    let t = edit("salience = 0.8", "salience = 1.5")
        .replace("capability = 25", "capability = -1")
        .replace("actor = \"b\"", "actor = \"bb\"");
    let all = errs(&t);
    assert_eq!(all.len(), 3, "{all:#?}");
    let starts: Vec<usize> = all.iter().map(|e| e.span.clone().unwrap().start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[test]
fn toml_span_paths() {
    let sp = |p: &str| toml_span(MINIMAL, p).map(|r| &MINIMAL[r]);
    assert_eq!(sp("stances[1].actor"), Some("\"b\""));
    assert_eq!(sp("stances[1].position.value"), Some("60"));
    assert_eq!(sp("stances[0].position.value"), Some("20")); // bare number: falls back
    assert_eq!(sp("issues[0].anchors[1].label"), Some("\"half\""));
    assert_eq!(sp("scenario.as_of"), Some("2026-01-11"));
    assert!(sp("stances[2]").unwrap().contains("[[stances]]"));
    assert_eq!(toml_span("not toml = = ", "x"), None);
    assert_eq!(
        parse_path("a[1][2].b"),
        vec![Seg::Key("a"), Seg::Index(1), Seg::Index(2), Seg::Key("b")]
    );
}

#[test]
fn inline_array_of_tables_is_located_too() {
    let t = r#"
[scenario]
id = "x"
title = "x"
actors = [ { id = "a", name = "A", capability = 1 } ]
"#;
    // `actors` inside [scenario] is an unknown key.
    assert!(errs(t)[0].message.contains("unknown key `actors`"));
    let t = r#"
actors = [ { id = "a", name = "A", capability = 1 }, { id = "b", name = "B", capability = -2 } ]
issues = [ { id = "i", name = "I", min = 0, max = 1 } ]
stances = [ { actor = "a", issue = "i", position = 0.5, salience = 0.5 } ]
[scenario]
id = "x"
title = "x"
"#;
    expect(t, "capability -2", "-2", "negative");
}

// --- CSV ------------------------------------------------------------------------------------

const EU: &str =
    include_str!("../../../../../../shared/reference/examples/eu_emissions_bdm1994.csv");

#[test]
fn csv_reference_tables_load() {
    let s = from_csv_str("eu_emissions_bdm1994", EU).unwrap();
    assert_eq!(s.actors.len(), 10);
    assert_eq!(s.issues.len(), 1);
    assert_eq!((s.issues[0].min, s.issues[0].max), (4.0, 10.0));
    assert_eq!(s.actors[3].id, "germany");
    assert_eq!(s.actors[3].name, "Germany");
    assert_eq!(s.stances[8].salience.value, 1.0);
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/examples"
    );
    for name in [
        "argentina_2016.csv",
        "greece_2015_debt.csv",
        "iran_2013_election.csv",
        "ktab_china_2014_cnpc.csv",
        "ktab_china_2014_policy.csv",
        "sultan_bdm1997.csv",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        let s = from_str_auto(name, &text).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
        assert!(s.actors.len() >= 8, "{name}");
        assert_eq!(s.stances.len(), s.actors.len());
    }
}

#[test]
fn csv_scale_directive_and_errors() {
    let s = from_csv_str(
        "t",
        "# scale: 0..100\nActor,Capability,Position,Salience\nA,1,10,0.5\nB,1,20,0.5\n",
    )
    .unwrap();
    assert_eq!((s.issues[0].min, s.issues[0].max), (0.0, 100.0));
    let t = "Actor,Capability,Position,Salience\nA,1,10,0.5\nB,x,20,1.5\n";
    let e = from_csv_str("t", t).unwrap_err().errors;
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(&t[e[0].span.clone().unwrap()], "x");
    let t = "Actor,Capability,Position,Salience\nA,1,10,0.5\nB,2,20,1.5\n";
    let e = from_csv_str("t", t).unwrap_err().errors;
    assert!(e[0].message.contains("salience 1.5"), "{e:#?}");
    assert_eq!(&t[e[0].span.clone().unwrap()], "1.5");
    assert_eq!(e[0].line_col(t), Some((3, 8)));
    let t = "Actor,Capability,Position,Salience\nA,1,10,0.5\nA,2,20,0.5\n";
    let e = from_csv_str("t", t).unwrap_err().errors;
    assert!(
        e.iter()
            .any(|e| e.message.contains("duplicate actor id `a`")),
        "{e:#?}"
    );
    let e = from_csv_str("t", "Name,Cap\n").unwrap_err().errors;
    assert!(e[0].message.contains("unexpected CSV header"));
    let e = from_csv_str("t", "Actor,Capability,Position,Salience\nA,1,5,0.5\n").unwrap_err();
    assert!(e.errors[0].help.as_deref().unwrap().contains("# scale"));
}

#[test]
fn format_detection() {
    assert_eq!(detect("x.toml", "Actor,Capability"), Format::Toml);
    assert_eq!(detect("x.csv", EU), Format::Csv);
    assert_eq!(detect("x", EU), Format::Csv);
    assert_eq!(
        detect("x", "# scale: 0..1\nActor,Capability,Position,Salience\n"),
        Format::Csv
    );
    assert_eq!(
        detect("x.csv", "XYZ,  XYZ Issue,  40,  1,\nActor,..."),
        Format::KtabCsv
    );
    assert_eq!(detect("x.xml", "<a/>"), Format::KtabXml);
    assert_eq!(detect("x", "  <?xml version='1.0'?>"), Format::KtabXml);
    assert_eq!(detect("x", "[scenario]\n"), Format::Toml);
    // A truncated KTAB file goes to the KTAB reader, which locates the problem.
    let e = from_str_auto("k.csv", "XYZ, XYZ Issue, 40, 1,\n").unwrap_err();
    assert!(!e.errors.is_empty() && e.errors[0].span.is_some());
    let ok = from_str_auto(
        "dummy.csv",
        include_str!("../../../../../../shared/reference/ktab/inputs/dummyData_3Dim.csv"),
    )
    .unwrap();
    assert_eq!(ok.issues.len(), 3);
    assert_eq!(file_stem("a/b/eu.x.csv"), "eu.x");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn random_text(s in "\\PC{0,200}") {
            let _ = from_toml_str(&s);
            let _ = from_csv_str("x", &s);
            let _ = from_str_auto("x", &s);
        }

        #[test]
        fn tomlish_text(s in "[\\[\\]a-z_=\"{}, .0-9\n-]{0,300}") {
            let _ = from_toml_str(&s);
        }

        /// Delete, insert or replace a few bytes of the valid example.
        #[test]
        fn mutated_example(
            edits in proptest::collection::vec((0usize..2000, 0u8..3, "\\PC{0,3}"), 1..4)
        ) {
            let mut t = MINIMAL.to_string();
            for (pos, op, ins) in edits {
                let mut p = pos % (t.len() + 1);
                while !t.is_char_boundary(p) { p -= 1; }
                match op {
                    0 => { let end = t[p..].chars().next().map_or(p, |c| p + c.len_utf8()); t.replace_range(p..end, ""); }
                    1 => t.insert_str(p, &ins),
                    _ => { let end = t[p..].char_indices().nth(4).map_or(t.len(), |(i, _)| p + i); t.replace_range(p..end, &ins); }
                }
            }
            if let Err(e) = from_toml_str(&t) {
                for err in &e.errors {
                    if let Some(sp) = &err.span {
                        prop_assert!(sp.end <= t.len());
                        let _ = line_col(&t, sp.start);
                    }
                }
            }
            let _ = from_csv_str("x", &t);
        }

        #[test]
        fn mutated_csv(cut in 0usize..400, ins in "[,.0-9a-z\"\n-]{0,6}") {
            let mut t = EU.to_string();
            let p = cut % (t.len() + 1);
            t.insert_str(p, &ins);
            let _ = from_csv_str("x", &t);
        }
    }
}

/// The complete example of docs/scenario.md loads, and its snippets of numbers parse.
#[test]
fn documented_example_loads() {
    let doc = include_str!("../../../../../docs/scenario.md");
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    let full = blocks.iter().find(|b| b.contains("[scenario]")).unwrap();
    let s = from_toml_str(full).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(s.actors.len(), 4);
    assert_eq!(s.actors[2].parent.as_deref(), Some("dk"));
    assert_eq!(s.actors[3].capability.value, 30.0);
    for b in &blocks {
        if b.starts_with("position = ") {
            for line in b.lines() {
                let t = full.replacen("position = 5\n", &format!("{line}\n"), 1);
                assert_ne!(&t, full);
                from_toml_str(&t).unwrap_or_else(|e| panic!("{line}: {e:#?}"));
            }
        }
    }
}

/// Bare dates are quoted before deserializing, so a `Date` field defined anywhere (crisis
/// events, questions) reads `2026-01-11` and `"2026-01-11"` alike, and spans stay right.
#[test]
fn bare_dates_are_quoted_for_every_date_field() {
    #[derive(serde::Deserialize)]
    struct Plain {
        d: chrono::NaiveDate,
        e: Vec<chrono::NaiveDate>,
        t: toml::value::Datetime,
    }
    let text = "d = 2026-01-11\ne = [2026-02-01, \"2026-03-01\"]\nt = 2026-01-11T10:00:00\n";
    let (q, shifts) = quote_bare_dates(text);
    assert_eq!(
        q,
        "d = \"2026-01-11\"\ne = [\"2026-02-01\", \"2026-03-01\"]\nt = 2026-01-11T10:00:00\n"
    );
    let p: Plain = toml::from_str(&q).unwrap();
    assert_eq!(p.d.to_string(), "2026-01-11");
    assert_eq!(p.e[0].to_string(), "2026-02-01");
    assert_eq!(p.t.to_string(), "2026-01-11T10:00:00");
    // The quoted `"2026-02-01"` maps back onto the bare date of the original text.
    let sp = q.find("\"2026-02-01\"").unwrap();
    let back = unshift(&shifts, sp..sp + 12);
    assert_eq!(&text[back], "2026-02-01");
    let (same, none) = quote_bare_dates("not = = toml");
    assert_eq!((same.as_str(), none.len()), ("not = = toml", 0));
}

#[test]
fn structural_messages_are_plain() {
    let e = errs("");
    assert_eq!(e[0].message, "missing key `scenario`");
    assert!(e[0].help.as_deref().unwrap().contains("[scenario]"));
    let e = errs("stances = 3\n[scenario]\nid = \"x\"\ntitle = \"t\"\n");
    assert_eq!(
        e[0].message,
        "wrong type: found integer `3`, expected an array"
    );
    assert_eq!(e[0].span, Some(10..11));
    let e = errs("[scenario]\nid = \"x\"\ntitle = \"t\"\n[crisiss]\n");
    assert_eq!(e[0].help.as_deref(), Some("did you mean `crisis`?"));
}

/// Writing a scenario back to TOML and reading it again gives the same scenario (what
/// `convert` relies on).
#[test]
fn toml_round_trip() {
    for name in crate::builtin::names() {
        let s = from_toml_str(crate::builtin::get(name).unwrap()).unwrap();
        let text = toml::to_string(&s).unwrap();
        let back = from_toml_str(&text).unwrap_or_else(|e| panic!("{name}: {e:#?}\n{text}"));
        assert_eq!(s, back, "{name}");
    }
    let s = from_csv_str("eu", EU).unwrap();
    let back = from_toml_str(&toml::to_string(&s).unwrap()).unwrap();
    assert_eq!(s, back);
}

// ---------------------------------------------------------------------------------------------
// Uncertainty hooks (mc::validate) and crisis references, located like every other error.

const OUTCOME: &str =
    "\n[[outcomes]]\nid = \"high\"\nname = \"High\"\nwhen = \"issue.budget >= 50\"\n";

fn with_hypothesis(outcome: &str, cf: &str) -> String {
    format!(
        "{MINIMAL}{OUTCOME}\n[[hypotheses]]\nid = \"H1\"\nclaim = \"C matters\"\noutcome = \"{outcome}\"\nsources = [\"assumption\"]\ncounterfactual = {cf}\n"
    )
}

#[test]
fn outcome_predicate_error_is_located_at_the_token() {
    let text = format!("{MINIMAL}{}", OUTCOME.replace(">= 50", ">= 50 andd x < 2"));
    let all = errs(&text);
    assert_eq!(all.len(), 1, "{all:#?}");
    let span = all[0].span.clone().unwrap();
    assert_eq!(&text[span], "andd");
    assert!(all[0].message.contains("outcome `high`"), "{all:#?}");
    assert!(all[0].help.as_deref().unwrap().contains("grammar"));
}

#[test]
fn question_predicate_error_is_located_at_the_token() {
    let text = format!(
        "{MINIMAL}\n[[questions]]\nid = \"q\"\ntitle = \"Q\"\nwhen = \"issue.budget >= >= 5\"\n"
    );
    let all = errs(&text);
    assert_eq!(all.len(), 1, "{all:#?}");
    let span = all[0].span.clone().unwrap();
    assert_eq!(span.start, text.rfind(">= 5").unwrap());
    assert!(all[0].message.contains("question `q`"), "{all:#?}");
}

#[test]
fn predicate_offsets_in_literal_and_escaped_strings() {
    // A literal string maps byte for byte: the token is found.
    let text = format!(
        "{MINIMAL}{}",
        OUTCOME.replace("\"issue.budget >= 50\"", "'issue.budget >= 50 andd 1'")
    );
    let e = &errs(&text)[0];
    assert_eq!(&text[e.span.clone().unwrap()], "andd");
    // An escape before the token: the offset cannot be mapped, the whole string is marked.
    let text = format!(
        "{MINIMAL}{}",
        OUTCOME.replace(
            "\"issue.budget >= 50\"",
            "\"issue.budget >= 5\\u0030 andd 1\""
        )
    );
    let e = &errs(&text)[0];
    let covered = &text[e.span.clone().unwrap()];
    assert!(
        covered.starts_with("\"issue") && covered.ends_with("1\""),
        "{covered:?}"
    );
}

#[test]
fn hypothesis_unknown_outcome() {
    let text = with_hypothesis("hihg", "{ without = [\"c\"] }");
    expect(
        &text,
        "names outcome `hihg`",
        "\"hihg\"",
        "did you mean `high`?",
    );
}

#[test]
fn hypothesis_unknown_actor() {
    let text = with_hypothesis("high", "{ without = [\"c\", \"cc\"] }");
    expect(&text, "no actor `cc`", "\"cc\"", "did you mean `c`?");
}

#[test]
fn hypothesis_unknown_path_and_value_off_scale() {
    let text = with_hypothesis("high", "{ set = { \"stance.c.budgte.position\" = 80 } }");
    expect(
        &text,
        "no number at `stance.c.budgte.position`",
        "\"stance.c.budgte.position\" = 80",
        "stance.<actor>.<issue>.position",
    );
    let text = with_hypothesis("high", "{ set = { \"stance.c.budget.position\" = 180 } }");
    expect(&text, "outside the allowed range", "= 180", "set = {");
}

#[test]
fn hypothesis_disable_needs_a_crisis_element() {
    let text = with_hypothesis("high", "{ disable = [\"gate.jcs\"] }");
    expect(
        &text,
        "`disable` names `gate.jcs`",
        "\"gate.jcs\"",
        "`gate.<id>`",
    );
}

#[test]
fn hypothesis_unknown_source() {
    let text = with_hypothesis("high", "{ without = [\"c\"] }")
        .replace("sources = [\"assumption\"]", "sources = [\"asumption ¶2\"]");
    expect(
        &text,
        "unknown source `asumption`",
        "asumption ¶2",
        "did you mean `assumption`?",
    );
}

#[test]
fn good_hypotheses_pass() {
    let text = with_hypothesis(
        "high",
        "{ without = [\"c\"], set = { \"stance.b.budget.position\" = 80 } }",
    );
    assert!(errs(&text).is_empty(), "{:#?}", errs(&text));
}

/// MINIMAL with a horizon, a group and a small crisis section; `edits` are (from, to)
/// replacements in the crisis section.
fn crisis(edits: &[(&str, &str)]) -> String {
    let mut c = String::from(
        r#"
[crisis]
initiator = "a"
target = "b"
issue = "budget"

[[crisis.options]]
id = "veto"
name = "Veto"
propensity = 0.2
gates = ["court"]
when = "issue.budget >= 50"
effects = [{ param = "pressure", value = 0.1 }]

[[crisis.gates]]
id = "court"
name = "Court"
actor = "c"
block = 0.0
substitutes = ["veto"]

[[crisis.allies]]
actor = "b"
threshold = 0.5

[[crisis.allies]]
actor = "c"
threshold = 0.5

[[crisis.links]]
from = "b"
to = "c"
weight = 0.5

[crisis.alliance]
name = "Coalition"
group = "coalition"
withdraw_when = "cohesion < 0.5"
"#,
    );
    for (from, to) in edits {
        assert_eq!(c.matches(from).count(), 1, "{from:?} must occur once");
        c = c.replace(from, to);
    }
    let base = MINIMAL
        .replace(
            "as_of = 2026-01-11",
            "as_of = 2026-01-11\nhorizon = 2026-06-30",
        )
        .replace(
            "name = \"Party B\"",
            "name = \"Party B\"\ngroups = [\"coalition\"]",
        );
    format!("{base}{c}")
}

#[test]
fn crisis_section_without_errors_loads() {
    let text = crisis(&[]);
    assert!(errs(&text).is_empty(), "{:#?}", errs(&text));
}

#[test]
fn crisis_unknown_actor() {
    let text = crisis(&[("actor = \"c\"\nblock", "actor = \"cc\"\nblock")]);
    expect(&text, "unknown actor `cc`", "\"cc\"", "did you mean `c`?");
    let text = crisis(&[("target = \"b\"", "target = \"zzz\"")]);
    expect(&text, "unknown actor `zzz`", "\"zzz\"", "known actor ids");
}

#[test]
fn crisis_unknown_issue() {
    let text = crisis(&[("issue = \"budget\"", "issue = \"budgte\"")]);
    expect(
        &text,
        "unknown issue `budgte`",
        "\"budgte\"",
        "did you mean `budget`?",
    );
}

#[test]
fn crisis_unknown_gate() {
    let text = crisis(&[("gates = [\"court\"]", "gates = [\"cuort\"]")]);
    expect(
        &text,
        "unknown gate `cuort`",
        "\"cuort\"",
        "did you mean `court`?",
    );
}

#[test]
fn crisis_unknown_option() {
    let text = crisis(&[("substitutes = [\"veto\"]", "substitutes = [\"vteo\"]")]);
    expect(
        &text,
        "unknown option `vteo`",
        "\"vteo\"",
        "did you mean `veto`?",
    );
}

#[test]
fn crisis_link_needs_allies() {
    let text = crisis(&[("from = \"b\"", "from = \"a\"")]);
    expect(&text, "unknown ally `a`", "\"a\"", "[[crisis.allies]]");
}

#[test]
fn crisis_effect_parameter_located_inside_the_string() {
    let text = crisis(&[("param = \"pressure\"", "param = \"salience.c.budgte\"")]);
    let (_, _) = expect(
        &text,
        "unknown issue `budgte` in parameter",
        "budgte",
        "did you mean `budget`?",
    );
    let e = errs(&text).remove(0);
    assert_eq!(&text[e.span.unwrap()], "budgte");
    let text = crisis(&[("param = \"pressure\"", "param = \"presure\"")]);
    expect(
        &text,
        "unknown parameter `presure`",
        "\"presure\"",
        "parameters:",
    );
}

#[test]
fn crisis_predicate_variables_and_syntax() {
    let text = crisis(&[(
        "when = \"issue.budget >= 50\"",
        "when = \"issue.budget >= 50 and option.vteo.taken == 0\"",
    )]);
    let e = errs(&text).remove(0);
    assert_eq!(&text[e.span.clone().unwrap()], "option.vteo.taken");
    assert!(e.message.contains("unknown option `vteo`"), "{e:#?}");
    let text = crisis(&[("\"cohesion < 0.5\"", "\"cohesoin < 0.5\"")]);
    let e = errs(&text).remove(0);
    assert_eq!(&text[e.span.clone().unwrap()], "cohesoin");
    assert!(e.help.unwrap().contains("variables:"));
    let text = crisis(&[("\"cohesion < 0.5\"", "\"cohesion < < 0.5\"")]);
    expect(&text, "predicate:", "\"cohesion < < 0.5\"", "grammar");
}

#[test]
fn crisis_roles_and_duplicates() {
    let text = crisis(&[("initiator = \"a\"\n", "")]);
    expect(
        &text,
        "names no actor and the crisis has no `initiator`",
        "[[crisis.options]]",
        "initiator",
    );
    let text = crisis(&[("id = \"court\"", "id = \"veto\"")])
        .replace("gates = [\"court\"]", "gates = [\"veto\"]");
    // a gate may share an id with an option (separate tables); a duplicate option may not
    assert!(errs(&text).is_empty(), "{:#?}", errs(&text));
    let text = crisis(&[]).replace(
        "[[crisis.gates]]",
        "[[crisis.options]]\nid = \"veto\"\nname = \"Veto again\"\npropensity = 0.1\n\n[[crisis.gates]]",
    );
    expect(
        &text,
        "duplicate option id `veto`",
        "\"veto\"",
        "must be unique",
    );
    let text = crisis(&[("group = \"coalition\"", "group = \"coalitoin\"")]);
    expect(
        &text,
        "no actor has the group `coalitoin`",
        "\"coalitoin\"",
        "groups",
    );
}

#[test]
fn crisis_references_to_removed_actors_are_allowed() {
    let text = crisis(&[("actor = \"c\"\nblock", "actor = \"gone\"\nblock")])
        .replace("[crisis]\n", "[crisis]\ndisabled = [\"actor.gone\"]\n");
    assert!(errs(&text).is_empty(), "{:#?}", errs(&text));
}

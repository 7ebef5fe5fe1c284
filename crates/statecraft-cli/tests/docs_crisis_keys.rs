//! `docs/crisis.md`'s key tables (section 11) match `docs/scenario.schema.json`: every crisis
//! table of the schema has a key table, with exactly the schema's keys, their types and which
//! are required; required keys have no default. The tables cannot drift from the schema.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn repo_file(rel: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The type column's text for a schema property.
fn type_of(p: &Value) -> String {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        return match name {
            "num" => "number".into(),
            "id" => "id".into(),
            "date" => "date".into(),
            n if n.starts_with("crisis") => "table".into(),
            n => n.into(),
        };
    }
    if let Some(e) = p.get("enum").and_then(Value::as_array) {
        let v: Vec<String> = e
            .iter()
            .map(|x| format!("`{}`", x.as_str().unwrap_or("")))
            .collect();
        return format!("one of {}", v.join(", "));
    }
    match p.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = &p["items"];
            if items.get("$ref").is_some() {
                "array of tables".into()
            } else {
                format!("array of {}s", items["type"].as_str().unwrap_or(""))
            }
        }
        Some("object") => "table".into(),
        Some(t) => t.into(),
        None => String::new(),
    }
}

struct Row {
    ty: String,
    required: String,
    default: String,
    range: String,
    meaning: String,
}

/// Key tables of the doc: schema definition name → key → row.
fn doc_tables(md: &str) -> BTreeMap<String, BTreeMap<String, Row>> {
    let begin = md
        .find("<!-- crisis-key-tables: begin")
        .expect("docs/crisis.md has the key-table block");
    let end = md
        .find("<!-- crisis-key-tables: end -->")
        .expect("the key-table block is closed");
    let mut out: BTreeMap<String, BTreeMap<String, Row>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in md[begin..end].lines() {
        if let Some(rest) = line.strip_prefix("<!-- schema: ") {
            let name = rest.trim_end_matches("-->").trim().to_string();
            assert!(!out.contains_key(&name), "two key tables for {name}");
            out.insert(name.clone(), BTreeMap::new());
            current = Some(name);
            continue;
        }
        let Some(name) = &current else { continue };
        if !line.starts_with("| `") {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 6, "six columns: {line}");
        let key = cells[0].trim_matches('`').to_string();
        let row = Row {
            ty: cells[1].into(),
            required: cells[2].into(),
            default: cells[3].into(),
            range: cells[4].into(),
            meaning: cells[5].into(),
        };
        let table = out.get_mut(name).expect("current table");
        assert!(
            table.insert(key.clone(), row).is_none(),
            "{name}: `{key}` twice"
        );
    }
    out
}

#[test]
fn crisis_key_tables_match_the_schema() {
    let schema: Value =
        serde_json::from_str(&repo_file("docs/scenario.schema.json")).expect("schema is JSON");
    let defs = schema["definitions"].as_object().expect("definitions");
    let doc = doc_tables(&repo_file("docs/crisis.md"));
    // Every crisis table of the schema (and the effect table they share) is documented.
    let wanted: BTreeSet<String> = defs
        .keys()
        .filter(|k| k.starts_with("crisis") || k.as_str() == "effect")
        .cloned()
        .collect();
    let have: BTreeSet<String> = doc.keys().cloned().collect();
    assert_eq!(
        have, wanted,
        "key tables in docs/crisis.md vs crisis tables of the schema"
    );
    for (name, rows) in &doc {
        let def = &defs[name.as_str()];
        let props = def["properties"].as_object().expect("properties");
        let required: BTreeSet<&str> = def
            .get("required")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let keys: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        let doc_keys: BTreeSet<&str> = rows.keys().map(String::as_str).collect();
        assert_eq!(doc_keys, keys, "{name}: documented keys vs schema keys");
        for (key, row) in rows {
            let p = &props[key.as_str()];
            assert_eq!(row.ty, type_of(p), "{name}.{key}: type");
            let req = if required.contains(key.as_str()) {
                "yes"
            } else {
                "no"
            };
            assert_eq!(row.required, req, "{name}.{key}: required");
            if req == "yes" {
                assert_eq!(
                    row.default, "—",
                    "{name}.{key}: a required key has no default"
                );
            } else {
                assert!(!row.default.is_empty(), "{name}.{key}: default");
            }
            assert!(
                !row.range.is_empty() && !row.meaning.is_empty(),
                "{name}.{key}"
            );
            // Numbers name their declared range; integers of the schema carry their minimum.
            if p.get("type").and_then(Value::as_str) == Some("integer") {
                let min = p["minimum"].as_i64().unwrap_or(-1);
                assert!(
                    row.range.starts_with(&min.to_string()),
                    "{name}.{key}: range from {min}"
                );
            }
        }
    }
}

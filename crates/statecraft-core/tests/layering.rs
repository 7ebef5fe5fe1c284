//! Tidy tests of the architecture's invariants (ARCHITECTURE.md), in the manner of
//! rust-analyzer's: they read the sources as text and fail with the offending file.
//!
//! - No import cycle between the core's modules (one module = one file; `crate::a::b::C`
//!   resolves to the longest module path that is a file).
//! - The core does no I/O: no file system, network, process, clock, environment or terminal
//!   access outside `#[cfg(test)]` code.
//! - The core depends on no async runtime, web, Python or terminal crate; the report crate
//!   does not depend on the CLI; the CLI and the report are the only front ends of the core.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` → `a::b`, `src/a/mod.rs` → `a`, `src/lib.rs` → `` (the crate root).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src_dir()).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

/// The text of a file without its `#[cfg(test)]` part (tests are at the end of each file by
/// convention) and without line comments.
fn code_of(text: &str) -> String {
    let body = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    body.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path `crate::a::b…` named in `code`, with `crate::a::{b, c::d}` expanded one level.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(is_ident) {
            continue; // e.g. `statecraft_core::…` is not this crate's path syntax
        }
        let mut path = String::new();
        let mut s = rest;
        loop {
            let ident: String = s.chars().take_while(|&c| is_ident(c)).collect();
            if ident.is_empty() {
                break;
            }
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(&ident);
            s = &s[ident.len()..];
            if let Some(t) = s.strip_prefix("::") {
                s = t;
                if let Some(group) = s.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    for item in group[..end].split(',') {
                        let head: String =
                            item.trim().chars().take_while(|&c| is_ident(c)).collect();
                        if !head.is_empty() && head != "self" {
                            out.push(format!("{path}::{head}"));
                        }
                    }
                    break;
                }
            } else {
                break;
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// The module a path refers to: its longest prefix that is a module of the crate.
fn resolve(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(f);
        if m.is_empty() || m.ends_with("tests") {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read source");
        let code = code_of(&text);
        let deps = g.entry(m.clone()).or_default();
        for p in crate_paths(&code) {
            if let Some(r) = resolve(&p, &modules) {
                // A module may use its own submodules and its ancestors' items freely.
                if r != m && !r.is_empty() && !m.starts_with(&format!("{r}::")) {
                    deps.insert(r);
                }
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl<'a> T<'a> {
        fn visit(&mut self, v: &'a str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on.insert(v);
            if let Some(ws) = self.g.get(v) {
                for w in ws {
                    let w = w.as_str();
                    if !self.index.contains_key(w) {
                        self.visit(w);
                        let lw = self.low[w];
                        let lv = self.low[v];
                        self.low.insert(v, lv.min(lw));
                    } else if self.on.contains(w) {
                        let iw = self.index[w];
                        let lv = self.low[v];
                        self.low.insert(v, lv.min(iw));
                    }
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

#[test]
fn the_cycle_finder_finds_cycles() {
    // The checker itself must be able to fail.
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default().insert("a".into());
    g.entry("d".into()).or_default().insert("a".into());
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"]]);
    if let Some(s) = g.get_mut("c") {
        s.clear();
    }
    assert!(cycles(&g).is_empty());
    let mods: BTreeSet<String> = ["mc", "scenario", "scenario::load"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let paths =
        crate_paths("use crate::scenario::{load::suggest, Scenario};\nlet x = crate::mc::run();");
    let r: BTreeSet<_> = paths.iter().filter_map(|p| resolve(p, &mods)).collect();
    assert_eq!(
        r,
        ["mc", "scenario", "scenario::load"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

#[test]
fn no_import_cycles_between_core_modules() {
    let g = module_graph();
    assert!(g.len() > 10, "the graph was read: {} modules", g.len());
    let c = cycles(&g);
    assert!(
        c.is_empty(),
        "import cycles between core modules (break each by moving the shared item down a layer):\n{}",
        c.iter()
            .map(|comp| {
                comp.iter()
                    .map(|m| {
                        let deps: Vec<&str> = g[m]
                            .iter()
                            .filter(|d| comp.contains(d))
                            .map(String::as_str)
                            .collect();
                        format!("  {m} -> {}", deps.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
}

/// Tokens that mean I/O, the clock, the environment or the terminal.
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "std::io::stdin",
    "std::io::stdout",
    "std::io::stderr",
    "SystemTime",
    "Instant::now",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "dbg!(",
    "File::open",
    "File::create",
];

#[test]
fn the_core_does_no_io() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut bad = Vec::new();
    for f in &files {
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(f).expect("read source"));
        for tok in FORBIDDEN {
            if code.contains(tok) {
                bad.push(format!("{}: {tok}", f.display()));
            }
        }
    }
    assert!(bad.is_empty(), "I/O in the core:\n{}", bad.join("\n"));
}

fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).expect("read Cargo.toml");
    let v: toml::Value = toml::from_str(&text).expect("Cargo.toml parses");
    let mut out = Vec::new();
    for table in ["dependencies", "build-dependencies"] {
        if let Some(t) = v.get(table).and_then(|t| t.as_table()) {
            out.extend(t.keys().cloned());
        }
    }
    out
}

#[test]
fn crate_dependencies_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let core = dependencies(&root.join("Cargo.toml"));
    let banned = [
        "tokio",
        "axum",
        "hyper",
        "reqwest",
        "pyo3",
        "clap",
        "miette",
        "indicatif",
        "statecraft-report",
        "statecraft-cli",
        "statecraft-serve",
        "statecraft-py",
    ];
    let found: Vec<&String> = core
        .iter()
        .filter(|d| banned.contains(&d.as_str()))
        .collect();
    assert!(found.is_empty(), "the core must not depend on {found:?}");
    assert!(
        core.iter().any(|d| d == "serde"),
        "read the core's dependencies"
    );
    let report = dependencies(&root.join("../statecraft-report/Cargo.toml"));
    assert!(
        !report.iter().any(|d| d == "statecraft-cli"),
        "the report crate must not depend on the CLI"
    );
    let py = dependencies(&root.join("../statecraft-py/Cargo.toml"));
    assert!(
        py.iter().any(|d| d == "statecraft-core")
            && !py
                .iter()
                .any(|d| d == "statecraft-cli" || d == "statecraft-report"),
        "the Python binding depends on the core only: {py:?}"
    );
}

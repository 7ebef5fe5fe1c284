//! Results an analyst reads without the docs (issue 16): the default terminal screen at 100
//! columns with nothing cut, `compare`, `--trace` / `--explain`, `sweep run` without shards,
//! `forecast` in percentages, `--quiet` / `--verbose`, progress lines off a terminal,
//! `NO_COLOR`, shell completions and the man page.

mod common;
use common::{root, statecraft, statecraft_env};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small, fixed job of the built-in scenario (its numbers may move with engine work; the
/// assertions check structure, widths and text, not values).
const SMALL: [&str; 6] = [
    "--runs",
    "60",
    "--pivotal-runs",
    "5",
    "--discount-runs",
    "20",
];

fn greenland() -> statecraft_core::scenario::Scenario {
    let text = statecraft_core::builtin::get("greenland-2026").unwrap();
    statecraft_core::scenario::load::from_toml_str(text).unwrap()
}

/// Wrapped text read back: continuation lines joined with single spaces.
fn unwrapped(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn default_screen_fits_100_columns_and_cuts_nothing() {
    let o = statecraft(&SMALL);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    for (i, line) in t.lines().enumerate() {
        let w = line.chars().count();
        assert!(w <= 100, "line {} is {w} columns wide:\n{line}", i + 1);
    }
    assert!(!t.contains('…'), "no text is cut:\n{t}");
    // The blocks, in order, each labelled with its run count.
    let mut at = 0;
    for head in [
        "OUTCOMES — ",
        "ISSUE OUTCOMES — ",
        "HYPOTHESES — ",
        "PIVOTAL ACTORS — ",
        "FORECAST QUESTIONS — ",
        "EVIDENCE DISCOUNT — ",
        "OPTIONS AND GATES — ",
        "CHANGE AN ASSUMPTION",
    ] {
        let Some(k) = t[at..].find(head) else {
            panic!("block `{head}` missing or out of order:\n{t}");
        };
        at += k;
        if head != "CHANGE AN ASSUMPTION" {
            let block: String = t[at..].lines().take(3).collect::<Vec<_>>().join(" ");
            assert!(
                block.contains(" runs"),
                "`{head}` names its run count: {block}"
            );
        }
    }
    let flat = unwrapped(&t);
    let scn = greenland();
    // Outcome classes and questions with their whole text.
    for c in &scn.outcomes {
        assert!(
            flat.contains(&unwrapped(&c.name)),
            "class text of {}:\n{t}",
            c.id
        );
    }
    for q in &scn.questions {
        assert!(
            flat.contains(&unwrapped(&q.title)),
            "question text of {}:\n{t}",
            q.id
        );
    }
    // Overlap, counted from the runs.
    assert!(
        flat.contains("classes overlap (a run can be in several): they sum to")
            || flat.contains("classes are mutually exclusive in these runs"),
        "{t}"
    );
    assert!(flat.contains("over 60 runs"), "{t}");
    // Pivotal actors carry a unit and an interval.
    let piv = t
        .lines()
        .find(|l| l.trim_start().starts_with("1.") && l.contains(" pts ["))
        .unwrap_or_else(|| panic!("pivotal rank 1 with unit and interval:\n{t}"));
    assert!(piv.contains(']'), "{piv}");
    // Gate statistics.
    assert!(flat.contains("gate jcs"), "{t}");
    // No model options a crisis scenario ignores.
    assert!(!t.contains("model options {"), "{t}");
    // The closing hint names the three commands that change an assumption.
    for cmd in [
        "statecraft paths greenland-2026",
        "statecraft greenland-2026 --set PATH=VALUE",
        "statecraft compare greenland-2026 --set PATH=VALUE",
    ] {
        assert!(flat.contains(cmd), "hint `{cmd}`:\n{t}");
    }
}

#[test]
fn compare_reports_paired_differences_as_table_json_and_csv() {
    let args = [
        "compare",
        "greenland-2026",
        "--set",
        "crisis.coercion.rate=0",
        "--runs",
        "60",
    ];
    let o = statecraft(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("COMPARE — base greenland-2026"), "{t}");
    assert!(t.contains("Newcombe 95% paired interval (60 runs)"), "{t}");
    assert!(t.lines().all(|l| l.chars().count() <= 100), "{t}");
    let mut j = args.to_vec();
    j.extend(["--format", "json"]);
    let o = statecraft(&j);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let scn = greenland();
    assert_eq!(v["format"], "statecraft.compare/1");
    assert_eq!(v["comparison"]["runs"], 60);
    let deltas = v["comparison"]["deltas"].as_array().unwrap();
    assert_eq!(deltas.len(), scn.outcomes.len());
    for d in deltas {
        let (lo, x, hi) = (
            d["lo"].as_f64().unwrap(),
            d["delta"].as_f64().unwrap(),
            d["hi"].as_f64().unwrap(),
        );
        assert!(lo <= x && x <= hi, "{d}");
    }
    assert!(
        !v["var_deltas"].as_array().unwrap().is_empty(),
        "coercion rate 0 moves vars"
    );
    // Forecast questions are paired too: one entry per question with a predicate, the table
    // names them with their text, the CSV has a row each.
    let with_when: Vec<&statecraft_core::scenario::Question> = scn
        .questions
        .iter()
        .filter(|q| !q.when.trim().is_empty())
        .collect();
    assert!(!with_when.is_empty());
    let qd = v["comparison"]["question_deltas"].as_array().unwrap();
    assert_eq!(qd.len(), with_when.len(), "{qd:?}");
    for (d, q) in qd.iter().zip(&with_when) {
        assert_eq!(d["outcome"], q.id.as_str());
        let (lo, x, hi) = (
            d["lo"].as_f64().unwrap(),
            d["delta"].as_f64().unwrap(),
            d["hi"].as_f64().unwrap(),
        );
        assert!(lo <= x && x <= hi, "{d}");
        let (pb, pa) = (d["p_base"].as_f64().unwrap(), d["p_alt"].as_f64().unwrap());
        assert!((x - (pa - pb)).abs() < 1e-12, "{d}");
    }
    assert!(t.contains("QUESTIONS — P(YES)"), "{t}");
    for q in &with_when {
        assert!(t.contains(&format!("  {}", q.id)), "{}: {t}", q.id);
        assert!(
            unwrapped(&t).contains(&unwrapped(&q.title)),
            "{}: {t}",
            q.title
        );
    }
    let mut c = args.to_vec();
    c.extend(["--format", "csv"]);
    let o = statecraft(&c);
    let csv = stdout(&o);
    assert!(
        csv.starts_with("kind,id,base,variant,delta,lo,hi,runs,seed\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("outcome,")).count(),
        scn.outcomes.len()
    );
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("question,")).count(),
        with_when.len()
    );
    // Same scenario, no edit: nothing to compare (exit 2 with a hint).
    let o = statecraft(&["compare", "greenland-2026", "--runs", "5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to compare"), "{}", stderr(&o));
    // Identical worlds given as two names: zero deltas.
    let o = statecraft(&[
        "compare",
        "greenland-2026",
        "greenland-2026",
        "--runs",
        "20",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for d in v["comparison"]["deltas"].as_array().unwrap() {
        assert_eq!(d["delta"].as_f64(), Some(0.0), "{d}");
    }
}

#[test]
fn run_vs_is_the_compare_shortcut() {
    // `run --vs VARIANT` prints exactly what `compare BASE VARIANT` prints, edits included.
    let dir = std::env::temp_dir().join(format!("statecraft-vs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let variant = dir.join("variant.toml");
    std::fs::write(
        &variant,
        statecraft_core::builtin::get("greenland-2026").unwrap(),
    )
    .unwrap();
    let v = variant.to_str().unwrap();
    let edit = ["--set", "crisis.coercion.rate=0", "--runs", "40"];
    let mut a = vec!["run", "greenland-2026", "--vs", v];
    a.extend(edit);
    let mut b = vec!["compare", "greenland-2026", v];
    b.extend(edit);
    for fmt in [&[][..], &["--format", "csv"][..]] {
        let (mut a, mut b) = (a.clone(), b.clone());
        a.extend(fmt);
        b.extend(fmt);
        let (oa, ob) = (statecraft(&a), statecraft(&b));
        assert!(oa.status.success(), "{}", stderr(&oa));
        assert!(ob.status.success(), "{}", stderr(&ob));
        assert_eq!(stdout(&oa), stdout(&ob), "{fmt:?}");
    }
    let t = stdout(&statecraft(&a));
    assert!(
        t.contains("COMPARE — base greenland-2026 vs variant"),
        "{t}"
    );
    assert!(t.contains("QUESTIONS — P(YES)"), "{t}");
    // --vs and --trace do not combine.
    let o = statecraft(&["run", "--vs", v, "--trace", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn trace_and_explain_print_one_dated_run() {
    let o = statecraft(&["--runs", "20", "--trace", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.starts_with("RUN 3 of seed 1 — greenland-2026"), "{t}");
    assert!(t.contains("outcome classes reached:"), "{t}");
    assert!(t.contains("  2026-01-11  "), "dated lines from as_of:\n{t}");
    assert!(t.contains("run ends: "), "{t}");
    assert!(t.lines().all(|l| l.chars().count() <= 100), "{t}");
    // The JSON trace agrees with the job: run 3's classes are those the table names.
    let o = statecraft(&["--runs", "20", "--trace", "3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["run"], 3);
    let classes: Vec<&str> = v["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x.as_str())
        .collect();
    let line = t
        .lines()
        .find(|l| l.starts_with("outcome classes reached:"))
        .unwrap();
    for c in &classes {
        assert!(line.contains(c), "{line} vs {classes:?}");
    }
    // --explain finds a run in the class asked for.
    let o = statecraft(&["--runs", "200", "--explain", "force", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(
        v["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == "force"),
        "{v}"
    );
    // Bad requests are input errors.
    let o = statecraft(&["--runs", "20", "--trace", "20"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = statecraft(&["--runs", "20", "--explain", "forse"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no outcome class `forse`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sweep_run_without_shard_flags_runs_every_point() {
    let dir = std::env::temp_dir().join(format!("statecraft-read-sweep-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let m = dir.join("m.json");
    let out = dir.join("out");
    let (ms, os) = (m.to_str().unwrap(), out.to_str().unwrap());
    let o = statecraft(&[
        "sweep",
        "plan",
        "minimal",
        "--grid",
        "actor.a.capability=1,2,3",
        "--runs",
        "5",
        "-o",
        ms,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = statecraft_env(
        &["sweep", "run", ms, "--out", os],
        &[("SLURM_ARRAY_TASK_ID", ""), ("JOB_COMPLETION_INDEX", "")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let one = out.join("shard-00000-of-00001.csv");
    let text = std::fs::read_to_string(&one).expect("the whole sweep as one shard");
    assert_eq!(
        text.lines().count(),
        1 + 3,
        "header and three points:\n{text}"
    );
    // `--of N` alone runs every shard in turn.
    let o = statecraft(&["sweep", "run", ms, "--of", "2", "--out", os]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("shard-00000-of-00002.csv").is_file());
    assert!(out.join("shard-00001-of-00002.csv").is_file());
    // `--shard` alone is an error that says what to add.
    let o = statecraft(&["sweep", "run", ms, "--shard", "1", "--out", os]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn forecast_prints_percentages_with_the_question() {
    let o = statecraft(&["forecast", "--runs", "40"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    let row = t
        .lines()
        .find(|l| l.starts_with("force-by-2026-06-30"))
        .unwrap_or_else(|| panic!("{t}"));
    assert!(row.contains('%') && row.contains("(40 runs)"), "{row}");
    assert!(!row.contains(" 0.0") || row.contains("0.0%"), "{row}");
    assert!(t.contains("Will the US use military force"), "{t}");
}

#[test]
fn quiet_verbose_and_progress_lines_off_a_terminal() {
    // stderr is a pipe here: progress is plain lines; --verbose always says when a step is done.
    let o = statecraft(&[
        "--verbose",
        "--runs",
        "10",
        "--pivotal-runs",
        "2",
        "--discount-runs",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("statecraft: simulating done"), "{e}");
    assert!(
        !e.contains('\r') && !e.contains("\x1b["),
        "plain lines, no terminal codes: {e:?}"
    );
    let o = statecraft(&[
        "--quiet",
        "--runs",
        "10",
        "--pivotal-runs",
        "2",
        "--discount-runs",
        "2",
    ]);
    assert!(o.status.success());
    assert_eq!(stderr(&o), "", "--quiet says nothing on success");
    assert!(stdout(&o).contains("OUTCOMES"));
    // Global flags after the subcommand, and before it.
    let o = statecraft(&["check", "minimal", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = statecraft(&["--quiet", "check", "minimal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = statecraft(&["--quiet", "--verbose", "check", "minimal"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `statecraft check no-such-scenario` with colour forced (`FORCE_COLOR=1`, which the error
/// renderer's terminal detection honours off a terminal) and `NO_COLOR` as given (None = unset).
fn check_error_with(no_color: Option<&str>) -> String {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_statecraft"));
    c.args(["check", "no-such-scenario"])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env("FORCE_COLOR", "1");
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let o = c.output().expect("run statecraft");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("no-such-scenario"), "{e}");
    e
}

#[test]
fn no_color_turns_off_colour_that_is_otherwise_forced() {
    // Without NO_COLOR the forced colour shows: the test can fail in both directions.
    let coloured = check_error_with(None);
    assert!(
        coloured.contains("\x1b["),
        "colour forced but absent: {coloured:?}"
    );
    // https://no-color.org: any non-empty value turns colour off, an empty one does not.
    let plain = check_error_with(Some("1"));
    assert!(!plain.contains("\x1b["), "{plain:?}");
    assert_eq!(
        plain,
        coloured
            .split("\x1b[")
            .enumerate()
            .map(|(i, s)| if i == 0 {
                s
            } else {
                s.split_once('m').map_or(s, |x| x.1)
            })
            .collect::<String>(),
        "the same text, only the escape codes removed"
    );
    assert!(check_error_with(Some("")).contains("\x1b["));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let o = statecraft(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let t = stdout(&o);
        assert!(t.contains("statecraft") && t.contains("compare"), "{shell}");
    }
    let o = statecraft(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let o = statecraft(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains(".TH statecraft"), "{}", &t[..t.len().min(300)]);
    assert!(t.contains("compare"), "subcommands are listed");
    let _ = root();
}

//! Rendering tests: golden files, hand-derived geometry, well-formedness, accessibility,
//! determinism, and robustness to NaN / empty input (property tests).
//!
//! Golden files live in `tests/golden/` and are the full output for `tests/fixtures/small.json`.
//! After an intended change of the output, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test -p statecraft-report --test render` and review the diff.

use proptest::prelude::*;
use statecraft_report::*;
use std::path::PathBuf;

fn fixture(name: &str) -> ReportData {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn small() -> ReportData {
    fixture("small.json")
}

/// Every chart function, by name, so no chart escapes the checks below.
fn all_charts(d: &ReportData) -> Vec<(String, String)> {
    let mut v = vec![
        ("outcomes".to_string(), charts::outcomes_svg(d)),
        ("network".to_string(), charts::network_svg(d)),
        ("tornado".to_string(), charts::tornado_svg(d)),
        ("sobol".to_string(), charts::sobol_svg(d)),
        ("hypotheses".to_string(), charts::hypotheses_svg(d)),
        ("discount".to_string(), charts::discount_svg(d)),
    ];
    for i in 0..d.trajectories.len().max(1) {
        v.push((format!("trajectory-{i}"), charts::trajectory_svg(d, i)));
    }
    v
}

/// Parses as XML and checks the accessibility contract of a chart's root element.
fn check_chart(name: &str, svg: &str) -> Result<(), String> {
    let doc = roxmltree::Document::parse(svg).map_err(|e| format!("{name}: not XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(format!("{name}: root is not <svg>"));
    }
    if root.attribute("role") != Some("img") {
        return Err(format!("{name}: no role=img"));
    }
    if root.attribute("aria-label").unwrap_or("").trim().is_empty() {
        return Err(format!("{name}: empty aria-label"));
    }
    if root.attribute("viewBox").is_none() {
        return Err(format!("{name}: no viewBox"));
    }
    let first = root.children().find(|n| n.is_element());
    if first.map(|n| n.tag_name().name()) != Some("title") {
        return Err(format!("{name}: first child is not <title>"));
    }
    if !root.children().any(|n| n.has_tag_name("desc")) {
        return Err(format!("{name}: no <desc>"));
    }
    // No non-finite number may reach a geometric attribute.
    const GEOMETRY: [&str; 16] = [
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "width",
        "height",
        "d",
        "dy",
        "transform",
        "viewBox",
        "stroke-width",
    ];
    for node in doc.descendants() {
        for a in node.attributes() {
            let v = a.value();
            if !GEOMETRY.contains(&a.name()) {
                continue;
            }
            if v.contains("NaN") || v.contains("inf") || v.contains("n/a") {
                return Err(format!("{name}: attribute {}={v:?}", a.name()));
            }
        }
    }
    // Ids are prefixed by the chart id, so charts can share one HTML page.
    let id = root.attribute("id").unwrap_or("");
    for node in doc.descendants() {
        if let Some(x) = node.attribute("id") {
            if !x.starts_with(id) {
                return Err(format!("{name}: id {x:?} is not prefixed by {id:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn golden_files_match() {
    let d = small();
    let mut files = write_charts(&d);
    files.push(("report.html".to_string(), render_html(&d)));
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatched = vec![];
    for (name, text) in &files {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "missing golden file {}; run with UPDATE_GOLDEN=1",
                path.display()
            )
        });
        if &expected != text {
            let line = expected
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(expected.lines().count().min(text.lines().count()));
            mismatched.push(format!("{name} (first difference at line {})", line + 1));
        }
    }
    assert!(
        mismatched.is_empty(),
        "output differs from golden files: {mismatched:?}; if intended, rerun with UPDATE_GOLDEN=1 and review the diff"
    );
    let expected_names = [
        "outcomes.svg",
        "trajectory-rights.svg",
        "network.svg",
        "tornado.svg",
        "sobol.svg",
        "hypotheses.svg",
        "evidence-discount.svg",
        "report.html",
    ];
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, expected_names);
}

/// Geometry derived by hand from the layout constants, independent of the golden files.
#[test]
fn outcome_bars_have_hand_computed_geometry() {
    let svg = charts::outcomes_svg(&small());
    // Width 880; plot from x0 = 16 + lw + 10 with lw = max(4 chars × 12 px × 0.55, 80) = 80,
    // so x0 = 106, to x1 = 880 − 170 = 710: 604 px for 100%.
    // "War" p = 0.75 (first: sorted most likely first): width 0.75 × 604 = 453.0,
    // row 0 at top 62, row height 34: mid = 62 + 17 − 3 = 76, bar y = mid − 8 = 68.
    assert!(
        svg.contains(r#"<rect x="106.0" y="68.0" width="453.0" height="16.0""#),
        "{svg}"
    );
    // "Deal" p = 0.25: width 151.0, row 1: y = 68 + 34 = 102.
    assert!(svg.contains(r#"<rect x="106.0" y="102.0" width="151.0" height="16.0""#));
    // Whisker of "Deal" from 0.2 → 106 + 120.8 = 226.8 to 0.3 → 106 + 181.2 = 287.2 at y = 110.
    assert!(svg.contains(r#"<line x1="226.8" y1="110.0" x2="287.2" y2="110.0""#));
    // Labels with fixed decimals.
    assert!(svg.contains(">25.0% (20.0–30.0%)<"));
}

#[test]
fn network_encodes_alignment_redundantly() {
    let svg = charts::network_svg(&small());
    // X: p_initiator 0 → the blue end of the scale, square (backs the target).
    assert!(svg.contains(r##"fill="#215FA6" stroke="#1a1a1a" stroke-width="1.5"><title>X: backs Alpha 0.0%, neutral 0.0%, backs Beta 100.0% (most likely: target)"##));
    // Z: p_initiator 1 → the orange end, triangle (backs the initiator).
    assert!(svg.contains(
        r##"fill="#B8550B" stroke="#1a1a1a" stroke-width="1.5"><title>Z: backs Alpha 100.0%"##
    ));
    assert!(svg.contains("(most likely: initiator)"));
    // The tipping path is drawn (two segments) and listed.
    assert_eq!(
        svg.matches("<title>Tipping path 1: x → y → z (40.0% of runs)</title>")
            .count(),
        2
    );
    assert!(svg.contains("X → Y → Z"));
}

#[test]
fn hypothesis_paragraphs_are_collapsed_and_verdicts_have_text() {
    let html = render_html(&small());
    assert!(html.contains("article ¶1–¶3, ¶5"), "paragraph ranges");
    assert!(html.contains("<span class=\"badge supported\">✔ Supported</span>"));
}

#[test]
fn every_chart_is_well_formed_and_accessible() {
    for d in [small(), sample_data().unwrap(), ReportData::default()] {
        for (name, svg) in all_charts(&d) {
            check_chart(&name, &svg).unwrap();
        }
    }
}

#[test]
fn html_is_well_formed_self_contained_and_complete() {
    for d in [small(), sample_data().unwrap(), ReportData::default()] {
        let html = render_html(&d);
        let doc = roxmltree::Document::parse_with_options(
            &html,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        for id in [
            "headline",
            "forecasts",
            "trajectories",
            "cascade",
            "drivers",
            "hypotheses",
            "provenance",
            "reproduction",
        ] {
            assert!(
                doc.descendants().any(|n| n.attribute("id") == Some(id)),
                "section {id} missing"
            );
        }
        // Self-contained: nothing is loaded from elsewhere.
        for bad in [
            "<script src",
            "<link",
            "http://",
            "https://",
            "<img",
            "@import",
            "url(http",
        ] {
            let allowed_ns = html.matches("http://www.w3.org/2000/svg").count();
            if bad == "http://" {
                assert_eq!(html.matches(bad).count(), allowed_ns, "external reference");
            } else {
                assert!(!html.contains(bad), "found {bad}");
            }
        }
        let svg_count = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
        assert_eq!(svg_count, write_charts(&d).len());
    }
}

#[test]
fn output_is_deterministic() {
    let d = sample_data().unwrap();
    assert_eq!(render_html(&d), render_html(&d));
    assert_eq!(write_charts(&d), write_charts(&d));
    // A JSON round trip gives the same bytes too.
    let again: ReportData = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(render_html(&again), render_html(&d));
}

#[test]
fn sample_data_fills_every_section() {
    let d = sample_data().unwrap();
    let names: Vec<String> = write_charts(&d).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 8, "{names:?}");
    let html = render_html(&d);
    assert!(
        !html.contains("not available") && !html.contains("No outcome"),
        "a section is empty"
    );
}

#[test]
fn chart_file_names_are_unique() {
    let mut d = small();
    d.trajectories.push(d.trajectories[0].clone());
    d.trajectories.push(d.trajectories[0].clone());
    let names: Vec<String> = write_charts(&d).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"trajectory-rights.svg".to_string()));
    assert!(names.contains(&"trajectory-rights-2.svg".to_string()));
    assert!(names.contains(&"trajectory-rights-3.svg".to_string()));
}

// ---------------------------------------------------------------------------------------------
// Property tests: random data (including NaN, ±∞, huge values, markup in strings, empty lists)
// never panics, and always gives well-formed, accessible charts and a parseable page.

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0..1.0f64,
        1 => -2.0..2.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => -1e12..1e12f64,
    ]
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,12}",
        "[ -~]{0,40}",
        Just("<&\"'>".to_string()),
        Just(String::new()),
        Just("ünïcødé ¶12 → ✔ \u{7}".to_string()),
    ]
}

fn band() -> impl Strategy<Value = Band> {
    (any_f64(), any_f64(), any_f64(), any_f64(), any_f64()).prop_map(|(a, b, c, d, e)| Band {
        q05: a * 100.0,
        q25: b * 100.0,
        q50: c * 100.0,
        q75: d * 100.0,
        q95: e * 100.0,
    })
}

prop_compose! {
    fn report_data()(
        title in any_text(),
        outcomes in prop::collection::vec((any_text(), any_f64(), any_f64(), any_f64()), 0..6),
        forecasts in prop::collection::vec((any_text(), any_text(), any_f64(), any_f64(), any_f64()), 0..4),
        traj in prop::collection::vec(
            (any_text(), any_f64(), any_f64(),
             prop::collection::vec((any_f64(), any_text()), 0..4),
             prop::collection::vec((any_text(), prop::collection::vec(band(), 0..6)), 0..5)),
            0..3),
        nodes in prop::collection::vec((any_text(), any_f64(), any_f64(), any_f64()), 0..8),
        edges in prop::collection::vec((0usize..9, 0usize..9, any_f64()), 0..10),
        paths in prop::collection::vec((prop::collection::vec(0usize..9, 0..5), any_f64()), 0..7),
        bars in prop::collection::vec((any_text(), any_f64(), any_f64()), 0..20),
        base in any_f64(),
        sobol in prop::collection::vec((any_text(), prop::collection::vec(any_f64(), 6)), 0..18),
        hyps in prop::collection::vec((any_text(), any_f64(), any_f64(), any_f64(), 0u8..3, prop::collection::vec(1u32..40, 0..4)), 0..6),
        discounts in prop::collection::vec(any_f64(), 0..6),
        series in prop::collection::vec((any_text(), prop::collection::vec(any_f64(), 0..7)), 0..9),
        runs in any::<u64>(),
        round_days in prop::option::of(any::<u32>()),
    ) -> ReportData {
        let id = |k: usize| format!("n{k}");
        ReportData {
            title,
            round_days,
            outcomes: outcomes.into_iter().map(|(name, p, lo, hi)| OutcomeEstimate { name, p, lo, hi }).collect(),
            forecasts: forecasts.into_iter().map(|(id, title, p, lo, hi)| ForecastEstimate { id, title, by: String::new(), p, lo, hi }).collect(),
            trajectories: traj.into_iter().map(|(issue, min, max, anchors, actors)| IssueTrajectory {
                issue,
                unit: String::new(),
                min: min * 100.0,
                max: max * 100.0,
                anchors: anchors.into_iter().map(|(v, label)| AnchorLabel { value: v * 100.0, label }).collect(),
                actors: actors.into_iter().map(|(actor, rounds)| ActorTrajectory { actor, rounds }).collect(),
                caption: "caption <&> \"quoted\"".into(),
                bands_from: "first 8,192 of 10,000 runs".into(),
            }).collect(),
            network: Network {
                initiator: String::new(),
                target: "T<".into(),
                nodes: nodes.into_iter().enumerate().map(|(k, (name, a, b, c))| NetworkNode { id: id(k), name, p_initiator: a, p_neutral: b, p_target: c }).collect(),
                edges: edges.into_iter().map(|(f, t, weight)| NetworkEdge { from: id(f), to: id(t), weight }).collect(),
                paths: paths.into_iter().map(|(p, frequency)| TippingPath { path: p.into_iter().map(id).collect(), frequency }).collect(),
                caption: "caption <&>".into(),
            },
            tornado: Tornado {
                outcome: "o".into(),
                base,
                bars: bars.into_iter().map(|(input, low_effect, high_effect)| TornadoBar { input, path: String::new(), low_effect, high_effect, low_value: Some(low_effect), high_value: None }).collect(),
            },
            sobol: Sobol {
                outcome: String::new(),
                indices: sobol.into_iter().map(|(input, v)| SobolIndex { input, path: String::new(), s1: v[0], s1_lo: v[1], s1_hi: v[2], st: v[3], st_lo: v[4], st_hi: v[5] }).collect(),
                n: 0,
                warnings: vec![],
            },
            hypotheses: hyps.into_iter().enumerate().map(|(k, (claim, delta_p, lo, hi, v, ps))| HypothesisResult {
                id: format!("H{k}"),
                claim,
                outcome: "o".into(),
                delta_p, lo, hi,
                verdict: [Verdict::Supported, Verdict::NotSupported, Verdict::Inconclusive][v as usize],
                sources: vec![SourceRef { source: "article".into(), paragraphs: ps }],
                ..Default::default()
            }).collect(),
            evidence_discount: EvidenceDiscount {
                discounts,
                series: series.into_iter().map(|(outcome, p)| DiscountSeries { outcome, p }).collect(),
            },
            reproduction: Reproduction { runs, ..Default::default() },
            ..Default::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_data_renders_well_formed(d in report_data()) {
        for (name, svg) in all_charts(&d) {
            prop_assert!(check_chart(&name, &svg).is_ok(), "{:?}", check_chart(&name, &svg));
        }
        let html = render_html(&d);
        let parsed = roxmltree::Document::parse_with_options(
            &html,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        );
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        for (name, svg) in write_charts(&d) {
            prop_assert!(name.ends_with(".svg") && !name.contains('/'));
            prop_assert!(roxmltree::Document::parse(&svg).is_ok());
        }
    }
}

/// The Sobol chart carries its warning inside the SVG when the estimates are rough (a negative
/// index, intervals spanning most of [0, 1], or a core warning), and none when they are not.
#[test]
fn sobol_chart_warns_in_chart_when_estimates_are_rough() {
    let idx = |s1: f64, lo: f64, hi: f64| SobolIndex {
        input: "x".into(),
        path: "x".into(),
        s1,
        s1_lo: lo,
        s1_hi: hi,
        st: s1.max(0.0),
        st_lo: lo.max(0.0),
        st_hi: hi,
    };
    let mut d = ReportData {
        sobol: Sobol {
            outcome: "o".into(),
            indices: vec![idx(0.5, 0.45, 0.55), idx(0.2, 0.15, 0.25)],
            n: 4096,
            warnings: vec![],
        },
        ..ReportData::default()
    };
    let clean = charts::sobol_svg(&d);
    assert!(!clean.contains("too rough"), "{clean}");
    assert!(charts::sobol_warnings(&d.sobol).is_empty());
    // A negative point estimate.
    d.sobol.indices[1] = idx(-0.3, -0.35, -0.25);
    d.sobol.n = 32;
    let w = charts::sobol_warnings(&d.sobol);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].0.contains("base sample N = 32"), "{w:?}");
    assert!(
        w[1].1.starts_with("1 of 2 inputs have a negative index"),
        "{w:?}"
    );
    let rough = charts::sobol_svg(&d);
    assert!(
        rough.contains("too rough to rank inputs (base sample N = 32)"),
        "{rough}"
    );
    // Wide intervals: median width 0.9 > 0.5; and the core's warning, capitalised.
    d.sobol.indices = vec![idx(0.3, 0.0, 0.9), idx(0.3, 0.05, 0.95)];
    d.sobol.warnings = vec!["the variance is not resolved".into()];
    let w = charts::sobol_warnings(&d.sobol);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(w[1].1.contains("spans 90% of [0, 1]"), "{w:?}");
    assert_eq!(w[2].1, "The variance is not resolved");
    // The chart grows by the banner: every bar row moves down.
    assert!(charts::sobol_svg(&d).contains("fill=\"#fff4d6\""));
}

/// More than BIG_NETWORK allies: the matrix view, one row and one column per ally, every
/// influence edge a cell with its weight in the tooltip.
#[test]
fn a_dense_network_is_drawn_as_a_matrix() {
    let n = charts::BIG_NETWORK + 4;
    let mut d = ReportData::default();
    d.network.initiator = "A".into();
    d.network.target = "B".into();
    d.network.nodes = (0..n)
        .map(|i| NetworkNode {
            id: format!("n{i}"),
            name: format!("Node {i}"),
            p_initiator: i as f64 / n as f64,
            p_neutral: 1.0 - i as f64 / n as f64,
            p_target: 0.0,
        })
        .collect();
    d.network.edges = (1..n)
        .map(|i| NetworkEdge {
            from: "n0".into(),
            to: format!("n{i}"),
            weight: i as f64,
        })
        .collect();
    let svg = charts::network_svg(&d);
    assert!(svg.contains("influence matrix"), "{svg}");
    assert_eq!(svg.matches("<title>Node 0 → Node ").count(), n - 1);
    // Rows sorted by P(back initiator): the last node first.
    let first = svg.find(&format!(">Node {}</text>", n - 1)).unwrap();
    let last = svg.find(">Node 0</text>").unwrap();
    assert!(first < last);
    // The strongest edge is the darkest cell (0.12 + 0.83 · 1).
    assert!(svg.contains(&format!(
        "fill-opacity=\"0.95\"><title>Node 0 → Node {}: weight",
        n - 1
    )));
}

/// A tornado row whose two effects point the same way with a short gap ("0.0 pp" and
/// "+5.0 pp", as on the Greenland report) keeps its two labels apart: the inner one moves to
/// the other side of the base line. Widths estimated at 6 px per character of 10 px text.
#[test]
fn tornado_labels_of_one_row_do_not_overlap() {
    let mut d = small();
    d.tornado = Tornado {
        outcome: "o".into(),
        base: 0.6,
        bars: vec![
            TornadoBar {
                input: "wide".into(),
                low_effect: -0.6,
                high_effect: 0.05,
                ..Default::default()
            },
            TornadoBar {
                input: "zero low".into(),
                low_effect: 0.0,
                high_effect: 0.05,
                ..Default::default()
            },
            TornadoBar {
                input: "both down".into(),
                low_effect: -0.05,
                high_effect: -0.04,
                ..Default::default()
            },
        ],
    };
    let svg = charts::tornado_svg(&d);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let labels: Vec<(f64, f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.ends_with(" pp")))
        .map(|n| {
            let x: f64 = n.attribute("x").unwrap().parse().unwrap();
            let y: f64 = n.attribute("y").unwrap().parse().unwrap();
            let w = 6.0 * n.text().unwrap().chars().count() as f64;
            let (a, b) = match n.attribute("text-anchor") {
                Some("end") => (x - w, x),
                _ => (x, x + w),
            };
            (y, a, b)
        })
        .collect();
    assert_eq!(labels.len(), 6, "{labels:?}");
    for (i, p) in labels.iter().enumerate() {
        for q in &labels[i + 1..] {
            if p.0 == q.0 {
                assert!(
                    p.2 <= q.1 || q.2 <= p.1,
                    "labels overlap in a row: {p:?} {q:?}"
                );
            }
        }
    }
}

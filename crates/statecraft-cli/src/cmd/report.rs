//! `statecraft report [SCENARIO] --out DIR [--runs N --seed S]`: writes `DIR/report.html`
//! (self-contained: inline CSS and SVG) and every chart as `DIR/<chart>.svg` for slides.
//! Files are written to a temporary name and renamed, so an interrupted run never leaves a
//! half-written report in place of a good one.

use super::Failure;
use statecraft_report::{render_html, write_charts, ReportData};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file or built-in name.
    #[arg(default_value = "greenland-2026")]
    pub scenario: String,
    /// Output directory (created if missing).
    #[arg(long, default_value = "report")]
    pub out: PathBuf,
    /// Monte Carlo runs.
    #[arg(long, default_value_t = 10_000)]
    pub runs: u64,
    /// Master seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            scenario: "greenland-2026".into(),
            out: PathBuf::from("report"),
            runs: 10_000,
            seed: 42,
        }
    }
}

/// The canonical command that reproduces the report's content (the output directory does not
/// change the content, so it is left out: the same inputs give byte-identical files).
fn canonical_command(args: &Args) -> String {
    let scenario = if args
        .scenario
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    {
        args.scenario.clone()
    } else {
        format!("'{}'", args.scenario.replace('\'', r"'\''"))
    };
    format!(
        "statecraft report {scenario} --runs {} --seed {}",
        args.runs, args.seed
    )
}

/// Runs per configuration of the expensive analyses, capped so that the Greenland report at
/// 10,000 runs stays under 10 s on two cores (measured figures in `docs/report.md`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Runs of the base and of each counterfactual in the hypothesis tests.
    pub hypotheses: u64,
    /// Runs at each evidence-discount level.
    pub discount: u64,
    /// Runs of the base and of each actor variant in the pivotality ranking.
    pub pivotality: u64,
    /// Runs per configuration of the one-at-a-time tornado.
    pub tornado: u64,
    /// Base sample size N of the Sobol design (N·(k + 2) model runs).
    pub sobol_n: usize,
    /// Bootstrap resamples for the Sobol intervals.
    pub bootstrap: usize,
}

impl Budget {
    /// The budget for `runs` Monte Carlo runs. The hypothesis tests and the evidence discount
    /// get `runs` up to a cap; the analyses whose cost grows with the number of inputs k
    /// (tornado: 2k + 1 configurations, Sobol: N·(k + 2) runs) and of actors (pivotality:
    /// 3·actors + 1 configurations) scale with `runs` up to their cap at 10,000 runs.
    pub fn for_runs(runs: u64) -> Budget {
        let scaled = |cap: u64, min: u64| (runs * cap).div_ceil(10_000).clamp(min, cap);
        Budget {
            hypotheses: runs.min(1000),
            discount: runs.min(500),
            pivotality: scaled(50, 4),
            tornado: scaled(20, 2),
            sobol_n: scaled(32, 4) as usize,
            bootstrap: 100,
        }
    }

    fn notes(&self, runs: u64, target: &str) -> Vec<String> {
        vec![
            format!("Outcome probabilities, forecasts, trajectories and the alliance cascade: {runs} runs."),
            format!("Hypothesis tests: {} paired runs per counterfactual (common random numbers).", self.hypotheses),
            format!("Evidence-discount sensitivity: {} runs per discount level.", self.discount),
            format!("Pivotal actors: {} paired runs per actor variant (separates large effects only).", self.pivotality),
            format!("Tornado for {target}: {} runs per configuration (inputs at their 5th/95th percentiles).", self.tornado),
            format!("Sobol indices for {target}: base sample N = {}, {} bootstrap resamples (a rough screen at this N: read the intervals, not the points).", self.sobol_n, self.bootstrap),
        ]
    }
}

/// Evidence-discount levels shown in the report.
pub const DISCOUNTS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// The sensitivity target: the outcome whose indicator varies most (p·(1 − p) largest; the
/// first in scenario order on a tie), from a quick pilot of the scenario's outcomes.
fn sensitivity_target(outcomes: &[statecraft_core::mc::OutcomeProb]) -> Option<String> {
    let mut best: Option<(&statecraft_core::mc::OutcomeProb, f64)> = None;
    for o in outcomes {
        let v = o.p * (1.0 - o.p);
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((o, v));
        }
    }
    best.map(|(o, _)| o.id.clone())
}

/// Loads the scenario, runs the core's study (Monte Carlo, hypotheses, pivotality, tornado,
/// Sobol, forecasts, evidence discount) and adapts it into [`ReportData`]
/// (`statecraft_report::from_study`).
pub fn build_report_data(args: &Args) -> Result<ReportData, Failure> {
    use statecraft_core::engine::RunOptions;
    use statecraft_core::mc::McConfig;
    use statecraft_core::sensitivity::Target;
    use statecraft_core::study::{self, StudyConfig};

    if args.runs == 0 {
        return Err(Failure::input("--runs must be at least 1"));
    }
    let scn = crate::load::scenario(&args.scenario)?.scenario;
    let fail = |e: study::StudyError| {
        if e.is_input() {
            Failure::input(e.to_string())
        } else {
            Failure::other(format!("simulation failed: {e}"))
        }
    };
    let run = RunOptions::default();
    let mc = McConfig {
        runs: args.runs,
        seed: args.seed,
        model_options: serde_json::to_value(&run).unwrap_or_default(),
        ..McConfig::default()
    };
    let budget = Budget::for_runs(args.runs);
    // Pilot (the budget's pivotality runs, outcomes only) to choose the sensitivity target.
    let pilot = StudyConfig {
        mc: McConfig {
            runs: budget.pivotality,
            ..mc.clone()
        },
        run: run.clone(),
        hypotheses: false,
        pivotal: false,
        forecasts: false,
        discount_levels: vec![],
        ..StudyConfig::default()
    };
    let target = sensitivity_target(&study::study(&scn, &pilot, None).map_err(fail)?.mc.outcomes);
    let cfg = StudyConfig {
        mc,
        run,
        hypotheses: true,
        hypothesis_runs: Some(budget.hypotheses),
        pivotal: !scn.outcomes.is_empty(),
        pivotal_runs: Some(budget.pivotality),
        tornado: target.clone().map(Target::Outcome),
        tornado_runs: Some(budget.tornado),
        sobol: target.clone().map(|t| (Target::Outcome(t), budget.sobol_n)),
        bootstrap: budget.bootstrap,
        forecasts: true,
        discount_levels: DISCOUNTS.to_vec(),
        discount_runs: Some(budget.discount),
        ..StudyConfig::default()
    };
    let st = study::study(&scn, &cfg, None).map_err(fail)?;
    let target_name = target
        .as_deref()
        .map(|t| format!("P({t})"))
        .unwrap_or_else(|| "no outcome".into());
    Ok(statecraft_report::from_study::from_study(
        &scn,
        &st,
        &canonical_command(args),
        &budget.notes(args.runs, &target_name),
    ))
}

/// Writes `bytes` to `dir/name` through a temporary file in the same directory and a rename.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Failure> {
    let target = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .map_err(|e| Failure::other(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::other(format!("cannot move {} into place: {e}", target.display()))
    })
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let data = build_report_data(&args)?;
    std::fs::create_dir_all(&args.out).map_err(|e| {
        Failure::other(format!(
            "cannot create output directory {}: {e}",
            args.out.display()
        ))
    })?;
    let charts = write_charts(&data);
    for (name, svg) in &charts {
        write_atomic(&args.out, name, svg.as_bytes())?;
    }
    write_atomic(&args.out, "report.html", render_html(&data).as_bytes())?;
    eprintln!(
        "wrote {} and {} chart(s) to {}",
        args.out.join("report.html").display(),
        charts.len(),
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_canonical_and_quoted() {
        let mut a = Args::default();
        assert_eq!(
            canonical_command(&a),
            "statecraft report greenland-2026 --runs 10000 --seed 42"
        );
        a.scenario = "my file.toml".into();
        a.runs = 5;
        assert_eq!(
            canonical_command(&a),
            "statecraft report 'my file.toml' --runs 5 --seed 42"
        );
    }

    #[test]
    fn writes_report_and_charts_and_leaves_no_temp_files() {
        let dir =
            std::env::temp_dir().join(format!("statecraft-report-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let args = Args {
            out: dir.join("nested/out"),
            runs: 40,
            ..Args::default()
        };
        exec(args).map_err(|_| "exec failed").unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.join("nested/out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"report.html".to_string()));
        assert!(names.contains(&"outcomes.svg".to_string()));
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
        let html = std::fs::read_to_string(dir.join("nested/out/report.html")).unwrap();
        assert!(html.contains("statecraft report greenland-2026 --runs 40 --seed 42"));
        assert!(!html.contains("class=\"notice\""), "no stand-in banner");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn budget_caps_and_scales() {
        // At 10,000 runs every analysis is at its cap; at 200 the scaled ones are
        // ceil(200·cap/10000) but at least their floor: pivotality ceil(1) → 4, tornado 2, Sobol 4.
        let b = Budget::for_runs(10_000);
        assert_eq!(
            (b.hypotheses, b.discount, b.pivotality, b.tornado, b.sobol_n),
            (1000, 500, 50, 20, 32)
        );
        let b = Budget::for_runs(200);
        assert_eq!(
            (b.hypotheses, b.discount, b.pivotality, b.tornado, b.sobol_n),
            (200, 200, 4, 2, 4)
        );
        // 5,000 runs: half of each cap.
        let b = Budget::for_runs(5_000);
        assert_eq!((b.pivotality, b.tornado, b.sobol_n), (25, 10, 16));
    }

    #[test]
    fn target_is_the_most_uncertain_outcome() {
        let o = |id: &str, p: f64| statecraft_core::mc::OutcomeProb {
            id: id.into(),
            name: id.into(),
            when: String::new(),
            hits: 0,
            runs: 0,
            p,
            lo: 0.0,
            hi: 0.0,
        };
        // p(1−p): 0.09, 0.25, 0.16 → b; a tie keeps the first.
        assert_eq!(
            sensitivity_target(&[o("a", 0.1), o("b", 0.5), o("c", 0.2)]).as_deref(),
            Some("b")
        );
        assert_eq!(
            sensitivity_target(&[o("a", 0.25), o("b", 0.75)]).as_deref(),
            Some("a")
        );
        assert_eq!(sensitivity_target(&[]), None);
    }

    #[test]
    fn zero_runs_is_an_input_error() {
        let a = Args {
            runs: 0,
            ..Args::default()
        };
        assert!(matches!(build_report_data(&a), Err(Failure::Input(_))));
    }
}

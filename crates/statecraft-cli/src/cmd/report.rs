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
    /// The budget for `runs` Monte Carlo runs: each analysis gets at most `runs` runs.
    pub fn for_runs(runs: u64) -> Budget {
        Budget {
            hypotheses: runs.min(1000),
            discount: runs.min(500),
            pivotality: runs.min(50),
            tornado: runs.min(20),
            sobol_n: runs.clamp(2, 32) as usize,
            bootstrap: 100,
        }
    }

    fn notes(&self, runs: u64, target: &str) -> Vec<String> {
        vec![
            format!("Outcome probabilities, forecasts, trajectories and the alliance cascade: {runs} runs."),
            format!("Hypothesis tests: {} paired runs per counterfactual (common random numbers).", self.hypotheses),
            format!("Evidence-discount sensitivity: {} runs per discount level.", self.discount),
            format!("Pivotal actors: {} paired runs per actor variant.", self.pivotality),
            format!("Tornado for {target}: {} runs per configuration (inputs at their 5th/95th percentiles).", self.tornado),
            format!("Sobol indices for {target}: base sample N = {}, {} bootstrap resamples.", self.sobol_n, self.bootstrap),
        ]
    }
}

/// Evidence-discount levels shown in the report.
pub const DISCOUNTS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

fn mc_failure(e: impl std::fmt::Display) -> Failure {
    Failure::other(format!("simulation failed: {e}"))
}

/// Loads the scenario, runs the Monte Carlo job and the analyses, and adapts the results into
/// [`ReportData`] (`statecraft_report::from_study`).
pub fn build_report_data(args: &Args) -> Result<ReportData, Failure> {
    use statecraft_core::engine::{self, RunOptions};
    use statecraft_core::scenario::OutcomeClass;
    use statecraft_core::forecast::QuestionForecast;
    use statecraft_core::mc::{self, McConfig};
    use statecraft_core::sample::Sampler;
    use statecraft_core::sensitivity::{self, Target};
    use statecraft_report::from_study::{self, DiscountPoint};

    if args.runs == 0 {
        return Err(Failure::input("--runs must be at least 1"));
    }
    let scn = crate::load::scenario(&args.scenario)?.scenario;
    let opts = RunOptions::default();
    let f = |s: &statecraft_core::scenario::Scenario, r: &mut statecraft_core::rng::Rng| {
        engine::simulate_once(s, &opts, r)
    };
    let cfg = McConfig {
        runs: args.runs,
        seed: args.seed,
        model_options: serde_json::to_value(&opts).unwrap_or_default(),
        ..McConfig::default()
    };
    let budget = Budget::for_runs(args.runs);
    let with_runs = |n: u64| McConfig {
        runs: n,
        ..cfg.clone()
    };

    let t0 = std::time::Instant::now();
    let tick = |what: &str| eprintln!("TIMING {what} {:?}", t0.elapsed());
    // Base Monte Carlo: outcomes, series, vars, events, forecasts.
    // The forecast questions ride along as extra outcome classes (evaluated on each run's
    // final state as it is folded in), then are split off again.
    let mut with_questions = scn.clone();
    with_questions
        .outcomes
        .extend(scn.questions.iter().map(|q| OutcomeClass {
            id: format!("question:{}", q.id),
            name: q.title.clone(),
            when: q.when.clone(),
        }));
    let runs = mc::simulate(&with_questions, &cfg, f, None).map_err(|e| match e {
        mc::McError::Predicate { .. } => Failure::input(format!("{e}")),
        e => mc_failure(e),
    })?;
    let sampler = Sampler::new(
        &mc::apply_edits(&scn, &cfg.edits).map_err(mc_failure)?,
        cfg.evidence_discount,
    );
    let mut result = mc::aggregate(&with_questions, &cfg, &sampler, &runs);
    drop(runs);
    let n_out = scn.outcomes.len();
    let forecasts: Vec<QuestionForecast> = scn
        .questions
        .iter()
        .zip(result.outcomes.iter().skip(n_out))
        .map(|(q, o)| QuestionForecast::from_counts(q, o.hits, o.runs))
        .collect();
    result.outcomes.truncate(n_out);
    result
        .convergence
        .retain(|w| !w.outcome.starts_with("question:"));
    result.provenance = mc::Provenance::new(&scn, &cfg);
    tick("base");
    eprintln!("TIMING inputs {}", sampler.inputs.len());

    let hypotheses =
        mc::evaluate_hypotheses(&scn, &with_runs(budget.hypotheses), f).map_err(mc_failure)?;

    tick("hyp");
    let mut discount = vec![DiscountPoint {
        discount: 0.0,
        outcomes: result.outcomes.clone(),
    }];
    for d in DISCOUNTS.iter().skip(1) {
        let c = McConfig {
            evidence_discount: *d,
            ..with_runs(budget.discount)
        };
        let r = mc::run(&scn, &c, f, None).map_err(mc_failure)?;
        discount.push(DiscountPoint {
            discount: *d,
            outcomes: r.outcomes,
        });
    }

    tick("discount");
    // The sensitivity target: the outcome whose indicator varies most (p closest to 1/2).
    let target = result
        .outcomes
        .iter()
        .max_by(|a, b| {
            (a.p * (1.0 - a.p))
                .total_cmp(&(b.p * (1.0 - b.p)))
                .then(b.id.cmp(&a.id))
        })
        .map(|o| o.id.clone());
    let (tornado, sobol) = match &target {
        Some(t) => {
            let t = Target::Outcome(t.clone());
            (
                Some(
                    sensitivity::tornado(&scn, &with_runs(budget.tornado), &t, f)
                        .map_err(mc_failure)?,
                ),
                Some(
                    sensitivity::sobol(&scn, &cfg, &t, budget.sobol_n, budget.bootstrap, f)
                        .map_err(mc_failure)?,
                ),
            )
        }
        None => (None, None),
    };
    tick("tornado+sobol");
    let pivots = if scn.outcomes.is_empty() {
        vec![]
    } else {
        sensitivity::pivotality(&scn, &with_runs(budget.pivotality), f).map_err(mc_failure)?
    };
    tick("pivot");
    let target_name = target
        .as_deref()
        .map(|t| format!("P({t})"))
        .unwrap_or_else(|| "no outcome".into());
    let inputs = from_study::Inputs {
        scn: &scn,
        mc: &result,
        forecasts: &forecasts,
        hypotheses: &hypotheses,
        tornado: tornado.as_ref(),
        sobol: sobol.as_ref(),
        pivots: &pivots,
        discount: &discount,
        command: canonical_command(args),
        notes: budget.notes(args.runs, &target_name),
    };
    Ok(from_study::build(&inputs))
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
        assert!(html.contains("statecraft report greenland-2026 --runs 10000 --seed 42"));
        let _ = std::fs::remove_dir_all(&dir);
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

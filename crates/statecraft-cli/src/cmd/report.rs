//! `statecraft report [SCENARIO] --out DIR [--runs N --seed S]`: writes `DIR/report.html`
//! (self-contained: inline CSS and SVG) and every chart as `DIR/<chart>.svg` for slides.
//! All files are written under temporary names and renamed only when all are complete (one
//! unit, `fsio::write_all_atomic`), so an interrupted run never leaves a
//! half-written report in place of a good one.

use super::Failure;
use statecraft_core::plan::{self, PlanRequest, Preset};
use statecraft_report::{render_html, write_charts, ReportData};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file or built-in name.
    #[arg(default_value = "greenland-2026")]
    pub scenario: String,
    /// Output directory (created if missing).
    #[arg(long, default_value = "report")]
    pub out: PathBuf,
    /// Monte Carlo runs.
    #[arg(long, default_value_t = plan::REPORT_RUNS)]
    pub runs: u64,
    /// Master seed (the same default as `statecraft run`, so both print the same numbers for
    /// the same runs).
    #[arg(long, default_value_t = plan::DEFAULT_SEED)]
    pub seed: u64,
    /// Backtest ledger for the "Track record" section (`statecraft backtest`'s ledger); the
    /// section is left out, with a note on stderr, when the directory does not exist.
    #[arg(long, value_name = "DIR", default_value = super::backtest::DEFAULT_DIR)]
    pub track_record: PathBuf,
    /// Monte Carlo runs per ledger case in the Track record section (printed in the section).
    #[arg(long, value_name = "N", default_value_t = TRACK_RECORD_RUNS)]
    pub track_record_runs: u64,
    /// Leave the Track record section out (no backtest is run).
    #[arg(long)]
    pub no_track_record: bool,
}

/// Runs per ledger case in the report's Track record section: a fifth of `statecraft
/// backtest`'s default, so the section adds seconds, not a minute, to the report.
pub const TRACK_RECORD_RUNS: u64 = 200;

impl Default for Args {
    fn default() -> Self {
        Args {
            scenario: "greenland-2026".into(),
            out: PathBuf::from("report"),
            runs: plan::REPORT_RUNS,
            seed: plan::DEFAULT_SEED,
            track_record: PathBuf::from(super::backtest::DEFAULT_DIR),
            track_record_runs: TRACK_RECORD_RUNS,
            no_track_record: false,
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
    let track = if args.no_track_record {
        " --no-track-record".to_string()
    } else if args.track_record_runs != TRACK_RECORD_RUNS {
        format!(" --track-record-runs {}", args.track_record_runs)
    } else {
        String::new()
    };
    format!(
        "statecraft report {scenario} --runs {} --seed {}{track}",
        args.runs, args.seed
    )
}

/// The Track record section's data: the ledger run through the core's backtest with the
/// hand-set constants, adapted by `statecraft_report::backtest::from_backtest`.
fn track_record(args: &Args) -> Result<Option<statecraft_report::BacktestView>, Failure> {
    if args.no_track_record {
        return Ok(None);
    }
    if !args.track_record.is_dir() {
        eprintln!(
            "track record: left out (no backtest ledger at {}; --track-record DIR)",
            args.track_record.display()
        );
        return Ok(None);
    }
    let cases = super::backtest::load_ledger(&args.track_record)?;
    let cfg = statecraft_core::backtest::BacktestConfig {
        runs: args.track_record_runs,
        seed: args.seed,
        ..Default::default()
    };
    cfg.check().map_err(Failure::input)?;
    let rep = statecraft_core::backtest::backtest(
        &cases,
        &cfg,
        statecraft_core::backtest::Params::HAND_SET,
        0.5,
    )
    .map_err(|e| match e {
        statecraft_core::backtest::BacktestError::Config(_) => Failure::input(e),
        _ => Failure::other(e),
    })?;
    Ok(Some(statecraft_report::backtest::from_backtest(&rep)))
}

/// Loads the scenario, runs the core's report plan ([`Preset::Report`]: Monte Carlo,
/// hypotheses, pivotality, tornado and Sobol on a pilot's most uncertain outcome, forecasts,
/// evidence discount) and adapts it into [`ReportData`] (`statecraft_report::from_study`).
pub fn build_report_data(args: &Args) -> Result<ReportData, Failure> {
    let scn = crate::load::scenario(&args.scenario)?.scenario;
    // The scenario's own model (its `[model]` table, or the default), as `run` resolves it.
    let exp = super::mc_args::experiment(&scn, None, &[], None, Vec::new())?;
    let req = PlanRequest {
        runs: Some(args.runs),
        seed: args.seed,
        ..PlanRequest::new(Preset::Report)
    };
    let fail = super::study_view::failure;
    let plan = exp.plan(&req).map_err(fail)?;
    let cfg = plan::resolve(&scn, &plan, None).map_err(fail)?;
    let st = statecraft_core::study::study(&scn, &cfg, None).map_err(fail)?;
    let mut data = statecraft_report::from_study::from_study(
        &scn,
        &st,
        &canonical_command(args),
        &plan::run_notes(&cfg),
    );
    data.track_record = track_record(args)?;
    Ok(data)
}

pub fn exec(args: Args) -> Result<(), Failure> {
    // The output directory is checked before the study, which takes seconds to minutes.
    crate::fsio::ensure_writable_dir(&args.out)?;
    let data = build_report_data(&args)?;
    let charts = write_charts(&data);
    let html = render_html(&data);
    // One unit: every chart and the HTML are complete under temporary names before any is
    // renamed into place.
    let mut files: Vec<(PathBuf, &[u8])> = charts
        .iter()
        .map(|(name, svg)| (args.out.join(name), svg.as_bytes()))
        .collect();
    files.push((args.out.join("report.html"), html.as_bytes()));
    crate::fsio::write_all_atomic(&files)?;
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
            "statecraft report greenland-2026 --runs 10000 --seed 1"
        );
        a.scenario = "my file.toml".into();
        a.runs = 5;
        assert_eq!(
            canonical_command(&a),
            "statecraft report 'my file.toml' --runs 5 --seed 1"
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
        assert!(html.contains("statecraft report greenland-2026 --runs 40 --seed 1"));
        assert!(!html.contains("class=\"notice\""), "no stand-in banner");
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

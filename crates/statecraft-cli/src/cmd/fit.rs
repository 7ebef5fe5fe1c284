//! `statecraft fit [DIR] -o priors.toml`: fit shared crisis-layer constants (a multiplier on
//! option propensities, a shift of gate intercepts, a multiplier on the concession rate) to the
//! ledger by history matching / rejection ABC on a grid, with leave-one-case-out scoring; print
//! fitted vs hand-set values and the out-of-sample skill of each; write the priors file.
//! Method: docs/backtest.md §4.

use super::backtest::{load_ledger, DEFAULT_DIR};
use super::Failure;
use crate::fsio::write_atomic;
use statecraft_core::backtest::BacktestConfig;
use statecraft_core::fit::{self, FitConfig, FitReport, Grid};
use std::path::PathBuf;

/// Runs per case and grid point when `--runs` is not given.
pub const DEFAULT_RUNS: u64 = 200;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Ledger directory.
    #[arg(default_value = DEFAULT_DIR)]
    pub dir: PathBuf,
    /// Write the fitted priors (TOML) here.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Monte Carlo runs per case and grid point.
    #[arg(long, default_value_t = DEFAULT_RUNS)]
    pub runs: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// ABC tolerance on the mean Brier score.
    #[arg(long, default_value_t = 0.005)]
    pub tolerance: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn p3(p: &statecraft_core::backtest::Params) -> String {
    format!(
        "propensity ×{:<4}  gate intercept {:+.1}  coercion ×{}",
        p.propensity, p.gate_block, p.coercion
    )
}

fn table(r: &FitReport) -> String {
    let post = &r.posterior;
    let mut out = format!(
        "Fit — {} cases, {} grid points, {} runs per case and point, seed {}, ABC tolerance {}\n\n",
        r.cases.len(),
        r.config.grid.points().len(),
        r.config.backtest.runs,
        r.config.backtest.seed,
        r.config.tolerance
    );
    out.push_str(&format!("hand-set: {}\n", p3(&r.hand_set)));
    out.push_str(&format!(
        "fitted (all cases): {}   in-sample Brier {:.4} (hand-set {:.4}); {} points accepted\n",
        p3(&post.best),
        post.brier,
        post.brier_hand_set,
        post.accepted.len()
    ));
    out.push_str(&format!(
        "accepted ranges: propensity ×[{}, {}], gate intercept [{:+}, {:+}], coercion ×[{}, {}]\n\n",
        post.propensity[0],
        post.propensity[1],
        post.gate_block[0],
        post.gate_block[1],
        post.coercion[0],
        post.coercion[1]
    ));
    let w = r
        .folds
        .iter()
        .map(|f| f.held_out.len())
        .max()
        .unwrap_or(8)
        .max(8);
    out.push_str(&format!(
        "{:w$}  {:<50}  {:>9}  {:>9}\n",
        "held out", "fitted on the other cases", "Brier fit", "Brier hand"
    ));
    for f in &r.folds {
        out.push_str(&format!(
            "{:w$}  {:<50}  {:>9.4}  {:>9.4}\n",
            f.held_out,
            p3(&f.fitted),
            f.brier_fitted,
            f.brier_hand_set
        ));
    }
    let (a, b) = (&r.out_of_sample_fitted, &r.out_of_sample_hand_set);
    out.push_str(&format!(
        "\nout of sample ({} questions): fitted Brier {:.4}, skill vs base rate {:+.3}, vs 50% {:+.3}, log {:.4}\n",
        a.n, a.brier, a.skill_base_rate, a.skill_half, a.log
    ));
    out.push_str(&format!(
        "                  hand-set Brier {:.4}, skill vs base rate {:+.3}, vs 50% {:+.3}, log {:.4}\n",
        b.brier, b.skill_base_rate, b.skill_half, b.log
    ));
    out
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let cases = load_ledger(&args.dir)?;
    let cfg = FitConfig {
        backtest: BacktestConfig {
            runs: args.runs,
            seed: args.seed,
            ..BacktestConfig::default()
        },
        grid: Grid::default(),
        tolerance: args.tolerance,
    };
    let rep = fit::fit(&cases, &cfg).map_err(|e| match e {
        statecraft_core::backtest::BacktestError::Config(_) => Failure::input(e),
        _ => Failure::other(e),
    })?;
    if let Some(o) = &args.output {
        let text = fit::priors_toml(&rep.priors()).map_err(Failure::other)?;
        write_atomic(o, text.as_bytes())?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rep).map_err(Failure::other)?
        );
    } else {
        print!("{}", table(&rep));
    }
    Ok(())
}

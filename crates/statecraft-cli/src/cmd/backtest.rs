//! `statecraft backtest [DIR]`: forecast every ledger case of DIR (default `scenarios/backtest`)
//! with the core's study pipeline, score its questions against `<case>.resolutions.toml` and
//! print per case and pooled: Brier, log score, skill vs the ledger base rate and vs 50%, and the
//! Murphy decomposition. `--out DIR` writes `reliability.svg`, `backtest.html` and
//! `backtest.json`. Method: docs/backtest.md.

use super::score::summary_table;
use super::Failure;
use statecraft_core::backtest::{self, BacktestConfig, BacktestReport, Case, Params};
use statecraft_core::fit;
use std::path::{Path, PathBuf};

/// Runs per case when `--runs` is not given (the whole ledger stays well under a minute).
pub const DEFAULT_RUNS: u64 = 1000;
/// The ledger directory when none is given.
pub const DEFAULT_DIR: &str = "scenarios/backtest";

/// Output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Ledger directory: `<case>.toml` scenarios with `<case>.resolutions.toml` beside them.
    #[arg(default_value = DEFAULT_DIR)]
    pub dir: PathBuf,
    /// Monte Carlo runs per case.
    #[arg(long, default_value_t = DEFAULT_RUNS)]
    pub runs: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Equal-width reliability bins.
    #[arg(long, default_value_t = statecraft_core::scoring::DEFAULT_BINS)]
    pub bins: usize,
    /// Shared constants from `statecraft fit -o` (default: every scenario as written).
    #[arg(long)]
    pub priors: Option<PathBuf>,
    /// Weight of an external probability in log-odds pooling (questions that carry one).
    #[arg(long, default_value_t = 0.5)]
    pub pool_weight: f64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Directory for reliability.svg, backtest.html and backtest.json.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn read(p: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(p)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", p.display())))
}

/// Load every case of a ledger directory, in file-name order.
pub fn load_ledger(dir: &Path) -> Result<Vec<Case>, Failure> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::input(format!("cannot read directory {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "toml")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".resolutions.toml"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure::input(format!(
            "{}: no ledger scenarios (*.toml) found",
            dir.display()
        )));
    }
    if files.len() > backtest::MAX_CASES {
        return Err(Failure::input(format!(
            "{}: {} cases, at most {} allowed",
            dir.display(),
            files.len(),
            backtest::MAX_CASES
        )));
    }
    let mut cases = Vec::with_capacity(files.len());
    for f in files {
        let name = f.to_string_lossy().to_string();
        let scn = crate::load::scenario(&name)?.scenario;
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let rpath = f.with_file_name(format!("{stem}.resolutions.toml"));
        let (case_id, res) = backtest::parse_resolutions(&read(&rpath)?)
            .map_err(|e| Failure::input(format!("{}: {e}", rpath.display())))?;
        cases.push(
            Case::new(scn, &case_id, res)
                .map_err(|e| Failure::input(format!("{}: {e}", rpath.display())))?,
        );
    }
    Ok(cases)
}

fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        format!("{v:.d$}")
    } else {
        "—".into()
    }
}

/// The report as a terminal table.
pub fn table(r: &BacktestReport) -> String {
    let mut out = format!(
        "Backtest — {} cases, {} questions, {} runs per case, seed {}; constants: propensity ×{}, gate intercept {:+}, coercion ×{}\n\n",
        r.cases.len(),
        r.pooled.n,
        r.config.runs,
        r.config.seed,
        r.params.propensity,
        r.params.gate_block,
        r.params.coercion
    );
    let w = r
        .cases
        .iter()
        .flat_map(|c| c.questions.iter().map(|q| q.id.len()))
        .chain(r.cases.iter().map(|c| c.id.len()))
        .max()
        .unwrap_or(4)
        .max(8);
    out.push_str(&format!(
        "{:w$}  {:>3}  {:>6}  {:>7}  {:>8}  {:>9}  {:>9}\n",
        "case", "n", "base", "Brier", "log", "skill/br", "skill/50"
    ));
    let row = |id: &str, s: &statecraft_core::scoring::Summary| {
        format!(
            "{id:w$}  {:>3}  {:>6}  {:>7}  {:>8}  {:>9}  {:>9}\n",
            s.n,
            num(s.base_rate, 3),
            num(s.brier, 4),
            num(s.log, 4),
            num(s.skill_base_rate, 3),
            num(s.skill_half, 3)
        )
    };
    for c in &r.cases {
        out.push_str(&row(&c.id, &c.summary));
        for q in &c.questions {
            out.push_str(&format!(
                "  {:w$}  P {:>5.3}  outcome {}  Brier {:.4}\n",
                q.id,
                q.probability,
                u8::from(q.outcome),
                q.brier,
                w = w - 2
            ));
        }
    }
    let s = &r.pooled;
    out.push_str(&row("pooled", s));
    out.push_str(&summary_table(s));
    out.push_str("reliability bins (lo–hi: n, mean forecast, observed):\n");
    for b in s.murphy.bins.iter().filter(|b| b.n > 0) {
        out.push_str(&format!(
            "  {:.1}–{:.1}: {:>3}, {:.3}, {:.3}\n",
            b.lo, b.hi, b.n, b.mean_p, b.freq
        ));
    }
    match &r.external_pooling {
        Some(p) => out.push_str(&format!(
            "log-odds pooling with external prices (w = {}, {} questions): Brier model {:.4}, external {:.4}, pooled {:.4}\n",
            p.weight, p.n, p.brier_model, p.brier_external, p.brier_pooled
        )),
        None => out.push_str("log-odds pooling: no ledger question carries an external price\n"),
    }
    out.push_str(
        "Per-case base rate = the other cases' questions (a case is never its own baseline); pooled: the ledger's.\n",
    );
    out
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let cases = load_ledger(&args.dir)?;
    let cfg = BacktestConfig {
        runs: args.runs,
        seed: args.seed,
        bins: args.bins,
    };
    cfg.check().map_err(Failure::input)?;
    if !(0.0..=1.0).contains(&args.pool_weight) {
        return Err(Failure::input(format!(
            "--pool-weight {} is outside 0–1",
            args.pool_weight
        )));
    }
    let mut in_sample = 0;
    let params = match &args.priors {
        None => Params::HAND_SET,
        Some(p) => {
            let pr = fit::parse_priors(&read(p)?)
                .map_err(|e| Failure::input(format!("{}: {e}", p.display())))?;
            in_sample = cases
                .iter()
                .filter(|c| pr.fitted_on.iter().any(|f| f == c.id()))
                .count();
            pr.params
        }
    };
    let rep = backtest::backtest(&cases, &cfg, params, args.pool_weight).map_err(|e| match e {
        backtest::BacktestError::Config(_) => Failure::input(e),
        _ => Failure::other(e),
    })?;
    let json = serde_json::to_string_pretty(&rep).map_err(Failure::other)?;
    if let Some(dir) = &args.out {
        crate::fsio::ensure_writable_dir(dir)?;
        let view = statecraft_report::backtest::from_backtest(&rep);
        let svg = statecraft_report::charts::reliability_svg(&view);
        let html = statecraft_report::backtest::render_backtest_html(&view);
        crate::fsio::write_all_atomic(&[
            (dir.join("reliability.svg"), svg.as_bytes()),
            (dir.join("backtest.html"), html.as_bytes()),
            (dir.join("backtest.json"), json.as_bytes()),
        ])?;
    }
    match args.format {
        Format::Json => println!("{json}"),
        Format::Table => {
            print!("{}", table(&rep));
            if in_sample > 0 {
                println!(
                    "IN-SAMPLE: the priors were fitted on {in_sample} of these cases; for out-of-sample skill see `statecraft fit` (leave-one-case-out)."
                );
            }
        }
    }
    Ok(())
}

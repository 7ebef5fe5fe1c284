//! `statecraft score FORECASTS RESOLUTIONS`: Brier and log scores per question and their means.
//! FORECASTS is the JSON printed by `statecraft forecast --format json`; RESOLUTIONS is TOML
//! (`id = 1`, optionally under `[resolutions]`) or CSV (`id,outcome`).

use super::Failure;
use statecraft_core::forecast::{self, Forecast};
use statecraft_core::scoring::{self, Pair};
use std::path::PathBuf;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Forecasts as printed by `statecraft forecast --format json`.
    pub forecasts: PathBuf,
    /// Resolutions: TOML (`id = 0|1`) or CSV (`id,outcome`).
    pub resolutions: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Base rate for the skill baseline (default: the share of these questions that resolved yes).
    #[arg(long)]
    pub base_rate: Option<f64>,
    /// Equal-width reliability bins of the Murphy decomposition.
    #[arg(long, default_value_t = scoring::DEFAULT_BINS)]
    pub bins: usize,
}

/// What `--json` prints: the per-question scores and their summary against the baselines.
#[derive(serde::Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    scores: &'a forecast::Scores,
    summary: scoring::Summary,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let f: Forecast =
        serde_json::from_str(&crate::fsio::read_text(&args.forecasts)?).map_err(|e| {
            Failure::input(format!(
                "{}: not a forecast JSON file: {e}",
                args.forecasts.display()
            ))
        })?;
    forecast::check_forecast(&f)
        .map_err(|e| Failure::input(format!("{}: {e}", args.forecasts.display())))?;
    let r = forecast::parse_resolutions(&crate::fsio::read_text(&args.resolutions)?)
        .map_err(|e| Failure::input(format!("{}: {e}", args.resolutions.display())))?;
    let s = forecast::score(&f, &r);
    if s.questions.is_empty() {
        return Err(Failure::input(
            "no question of the forecasts has a resolution",
        ));
    }
    if let Some(b) = args.base_rate {
        if !(0.0..=1.0).contains(&b) {
            return Err(Failure::input(format!("--base-rate {b} is outside 0–1")));
        }
    }
    if !(1..=scoring::MAX_BINS).contains(&args.bins) {
        return Err(Failure::input(format!(
            "--bins {} is outside 1–{}",
            args.bins,
            scoring::MAX_BINS
        )));
    }
    let pairs: Vec<Pair> = s
        .questions
        .iter()
        .map(|q| Pair::new(q.probability, q.outcome))
        .collect();
    let summary = scoring::summarize(&pairs, args.base_rate, args.bins);
    if args.json {
        let out = Output {
            scores: &s,
            summary,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(Failure::other)?
        );
        return Ok(());
    }
    let w = s
        .questions
        .iter()
        .map(|q| q.id.len())
        .max()
        .unwrap_or(2)
        .max(4);
    println!(
        "Scores — {} (hash {}), {} runs, seed {}",
        f.scenario, f.scenario_hash, f.runs, f.seed
    );
    println!(
        "{:w$}  {:>6}  {:>7}  {:>7}  {:>8}",
        "id", "P", "outcome", "Brier", "log"
    );
    for q in &s.questions {
        println!(
            "{:w$}  {:>6.3}  {:>7}  {:>7.4}  {:>8.4}",
            q.id,
            q.probability,
            u8::from(q.outcome),
            q.brier,
            q.log
        );
    }
    println!(
        "{:w$}  {:>6}  {:>7}  {:>7.4}  {:>8.4}",
        "mean", "", "", s.mean_brier, s.mean_log
    );
    if !s.unresolved.is_empty() {
        println!("unresolved (not scored): {}", s.unresolved.join(", "));
    }
    if !s.unknown.is_empty() {
        println!("resolutions with no forecast: {}", s.unknown.join(", "));
    }
    println!("Brier: (p − o)², lower is better; log: ln P(outcome), higher is better.");
    print!("{}", summary_table(&summary));
    Ok(())
}

fn f(v: f64, d: usize) -> String {
    if v.is_finite() {
        format!("{v:+.d$}")
    } else {
        "—".into()
    }
}

/// Skill against the two baselines and the Murphy decomposition, as printed by `score` and
/// `backtest`.
pub fn summary_table(s: &scoring::Summary) -> String {
    let m = &s.murphy;
    format!(
        "\nskill (1 − BS/BS_ref, higher is better; n = {n}):\n\
         \x20 vs base rate {br:.3}: BS_ref {bb:.4}, skill {sb}\n\
         \x20 vs 50%:            BS_ref {bh:.4}, skill {sh}\n\
         Murphy decomposition ({k} equal-width bins): BS {bs:.4} = REL {rel:.4} − RES {res:.4} + UNC {unc:.4} + within-bin {wb}\n",
        n = s.n,
        br = s.base_rate,
        bb = s.brier_base_rate,
        sb = f(s.skill_base_rate, 3),
        bh = s.brier_half,
        sh = f(s.skill_half, 3),
        k = m.bins.len(),
        bs = m.brier,
        rel = m.reliability,
        res = m.resolution,
        unc = m.uncertainty,
        wb = f(m.within_bin, 4),
    )
}

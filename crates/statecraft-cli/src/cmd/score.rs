//! `statecraft score FORECASTS RESOLUTIONS`: Brier and log scores per question and their means.
//! FORECASTS is the JSON printed by `statecraft forecast --format json`; RESOLUTIONS is TOML
//! (`id = 1`, optionally under `[resolutions]`) or CSV (`id,outcome`).

use super::Failure;
use statecraft_core::forecast::{self, Forecast};
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
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&s).map_err(Failure::other)?
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
    Ok(())
}

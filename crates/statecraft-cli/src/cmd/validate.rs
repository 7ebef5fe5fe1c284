//! `statecraft validate deu3 PATH`: score every model on real outcomes (DEU III) by mean
//! absolute error. The protocol is in `shared/reference/deu3/README.md`; the scoring lives in
//! `statecraft_core::validate`.

use super::Failure;
use statecraft_core::validate::{parse_deu3, score_deu3, Deu3Report};
use std::path::PathBuf;

/// Data set to validate against.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum Dataset {
    /// DEU III: 353 EU legislative issues with known outcomes (`deu3.tsv`).
    #[default]
    Deu3,
}

/// Output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Data set.
    #[arg(value_enum)]
    pub dataset: Dataset,
    /// Path to the data file (e.g. ../shared/reference/deu3/deu3.tsv).
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// EUM rounds to score (1..=N).
    #[arg(long, default_value_t = 10)]
    pub rounds: usize,
}

fn fmt_mae(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "—".into()
    }
}

/// The report as a table readable in a terminal.
pub fn table(rep: &Deu3Report) -> String {
    let mut out = format!(
        "DEU III: {} issues, {} with an outcome. Mean absolute error on the 0–100 scale (lower is better).\n\n",
        rep.issues_total, rep.issues_with_outcome
    );
    out.push_str(&format!(
        "{:<16} {:<9} {:>5} {:>9} {:>9} {:>5}\n",
        "model", "forecast", "round", "MAE gdp", "MAE equal", "n"
    ));
    out.push_str(&format!("{}\n", "-".repeat(58)));
    for r in &rep.rows {
        out.push_str(&format!(
            "{:<16} {:<9} {:>5} {:>9} {:>9} {:>5}\n",
            r.model,
            r.statistic,
            r.round.map_or("-".to_string(), |t| t.to_string()),
            fmt_mae(r.mae_gdp),
            fmt_mae(r.mae_equal),
            r.n
        ));
    }
    out.push_str(
        "\ngdp: capability = GDP row normalised to max 1; equal: capability 1 for every actor.\n\
         An actor takes part iff it has a position; a missing salience counts as 50.\n",
    );
    out
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let Dataset::Deu3 = args.dataset;
    let text = crate::fsio::read_text(&args.path)?;
    let data =
        parse_deu3(&text).map_err(|e| Failure::input(format!("{}: {e}", args.path.display())))?;
    if args.rounds == 0 {
        return Err(Failure::input("--rounds must be at least 1"));
    }
    let rep = score_deu3(&data, args.rounds);
    match args.format {
        Format::Table => print!("{}", table(&rep)),
        Format::Json => {
            let s = serde_json::to_string_pretty(&rep).map_err(Failure::other)?;
            println!("{s}");
        }
    }
    Ok(())
}

//! `statecraft validate deu3 PATH`: score every model on real outcomes (DEU III) by mean
//! absolute error. The protocol is in `shared/reference/deu3/README.md`; the scoring lives in
//! `statecraft_core::validate`.

use super::Failure;
use statecraft_core::validate::{cross_validate, parse_deu3, score_deu3, CvReport, Deu3Report};
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

/// The cross-validation table: held-out MAE per fold and their mean, per model.
pub fn cv_table(cv: &CvReport) -> String {
    let mut out = format!(
        "\n5-fold cross-validation (fold = proposal number mod 5; issues per fold {}). Held-out MAE, gdp capability;\n\
         CV MAE = mean of the five fold MAEs; pooled = MAE over all held-out issues together.\n\
         Models marked * choose their parameters on the four training folds only.\n\n",
        cv.fold_sizes
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join("/")
    );
    out.push_str(&format!("{:<13}", "model"));
    for k in 0..cv.folds {
        out.push_str(&format!(" {:>7}", format!("fold {k}")));
    }
    out.push_str(&format!(
        " {:>8} {:>10} {:>8}\n",
        "CV MAE", "CV equal", "pooled"
    ));
    for r in &cv.rows {
        let name = format!("{}{}", r.model, if r.fitted { "*" } else { "" });
        out.push_str(&format!("{name:<13}"));
        for m in &r.fold_mae_gdp {
            out.push_str(&format!(" {:>7}", fmt_mae(*m)));
        }
        out.push_str(&format!(
            " {:>8} {:>10} {:>8}",
            fmt_mae(r.cv_mae_gdp),
            fmt_mae(r.cv_mae_equal),
            fmt_mae(r.pooled_mae_gdp)
        ));
        if r.fallbacks > 0 {
            out.push_str(&format!(
                "  ({} issues fell back to the compromise forecast)",
                r.fallbacks
            ));
        }
        out.push('\n');
    }
    for r in cv.rows.iter().filter(|r| r.fitted) {
        out.push_str(&format!(
            "\n{} parameters chosen per fold (gdp):\n",
            r.model
        ));
        for (k, p) in r.params_gdp.iter().enumerate() {
            out.push_str(&format!("  fold {k}: {p}\n"));
        }
    }
    let comp = cv.rows.iter().find(|r| r.model == "compromise");
    let base = comp.map(|r| r.cv_mae_gdp);
    let base_pooled = comp.map_or(f64::NAN, |r| r.pooled_mae_gdp);
    if let (Some(b), Some(best)) = (
        base,
        cv.rows
            .iter()
            .filter(|r| r.model != "compromise")
            .min_by(|a, b| a.cv_mae_gdp.total_cmp(&b.cv_mae_gdp)),
    ) {
        out.push_str(&format!(
            "\nbest other than compromise: {} at CV MAE {} (pooled {}) vs compromise {} (pooled {}): {} by {:.2}\n",
            best.model,
            fmt_mae(best.cv_mae_gdp),
            fmt_mae(best.pooled_mae_gdp),
            fmt_mae(b),
            fmt_mae(base_pooled),
            if best.cv_mae_gdp < b { "lower" } else { "higher" },
            (best.cv_mae_gdp - b).abs()
        ));
    }
    out
}

/// What `--format json` prints: the score table and the cross-validation.
#[derive(serde::Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    report: &'a Deu3Report,
    cv: &'a CvReport,
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
    let cv = cross_validate(&data, args.rounds);
    match args.format {
        Format::Table => print!("{}{}", table(&rep), cv_table(&cv)),
        Format::Json => {
            let out = Output {
                report: &rep,
                cv: &cv,
            };
            let s = serde_json::to_string_pretty(&out).map_err(Failure::other)?;
            println!("{s}");
        }
    }
    Ok(())
}

//! `statecraft forecast [SCENARIO] --format json|table`: each forecast question's probability
//! with its 95% Wilson interval, the run count, the seed and the scenario hash.

use super::Failure;
use statecraft_core::forecast;
use statecraft_core::scenario::Scenario;
use std::path::PathBuf;

/// Output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Scenario file (TOML); default: the built-in Greenland 2026 scenario.
    pub scenario: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Number of simulated runs.
    #[arg(long, default_value_t = 10_000)]
    pub runs: u64,
    /// Master seed (run i uses stream (seed, i)).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// The built-in default scenario.
pub const GREENLAND: &str = include_str!("../../../../scenarios/greenland-2026.toml");

/// INTERIM — the lead replaces this with the core loader (`scenario::load`) and `builtin`.
/// Parses TOML; hypothesis entries are reduced to `id` and `claim` so that the Monte Carlo
/// schema's extra fields do not trip the skeleton's strict `Hypothesis` type.
pub fn load_scenario(path: Option<&PathBuf>) -> Result<Scenario, Failure> {
    let text = match path {
        None => GREENLAND.to_string(),
        Some(p) if p.as_os_str() == "greenland-2026" => GREENLAND.to_string(),
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| Failure::input(format!("cannot read {}: {e}", p.display())))?,
    };
    let mut v: toml::Table = text
        .parse()
        .map_err(|e| Failure::input(format!("scenario is not valid TOML: {e}")))?;
    if let Some(toml::Value::Array(hs)) = v.get_mut("hypotheses") {
        for h in hs.iter_mut() {
            if let toml::Value::Table(t) = h {
                t.retain(|k, _| k == "id" || k == "claim");
            }
        }
    }
    toml::Value::Table(v)
        .try_into()
        .map_err(|e| Failure::input(format!("scenario does not match the schema: {e}")))
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let scn = load_scenario(args.scenario.as_ref())?;
    if scn.questions.is_empty() {
        return Err(Failure::input("the scenario declares no [[questions]]"));
    }
    if args.runs == 0 {
        return Err(Failure::input("--runs must be at least 1"));
    }
    let f = forecast::forecast(&scn, args.seed, args.runs).map_err(Failure::input)?;
    match args.format {
        Format::Json => {
            let s = serde_json::to_string_pretty(&f).map_err(Failure::other)?;
            println!("{s}");
        }
        Format::Table => print!("{}", table(&f)),
    }
    Ok(())
}

fn table(f: &forecast::Forecast) -> String {
    let mut out = format!(
        "Forecast questions — {} (hash {}), {} runs, seed {}, engine {}\n",
        f.scenario, f.scenario_hash, f.runs, f.seed, f.engine_version
    );
    let w = f
        .questions
        .iter()
        .map(|q| q.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    out.push_str(&format!(
        "{:w$}  {:>6}  {:>17}  {:>10}\n",
        "id", "P", "95% interval", "by"
    ));
    for q in &f.questions {
        let by = q.by.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{:w$}  {:>6.3}  [{:.3}, {:.3}]  {:>10}\n",
            q.id, q.probability, q.lo, q.hi, by
        ));
    }
    out.push_str(
        "(inputs at nominal values; in-model randomness only until Monte Carlo input sampling lands)\n",
    );
    out
}

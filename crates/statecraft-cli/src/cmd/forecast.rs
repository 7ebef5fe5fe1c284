//! `statecraft forecast [SCENARIO] --format json|table`: each forecast question's probability
//! with its 95% Wilson interval, the run count, the seed and the scenario hash. The runs are a
//! Monte Carlo job with input sampling (`statecraft_core::study`, forecast part only).

use super::mc_args::McArgs;
use super::{study_view, Failure};
use statecraft_core::forecast;
use statecraft_core::plan::Preset;

/// Output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file or built-in name.
    #[arg(default_value = statecraft_core::builtin::DEFAULT)]
    pub scenario: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Runs (default 10000), seed, evidence discount, edits, threads.
    #[command(flatten)]
    pub mc: McArgs,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let scn = crate::load::scenario(&args.scenario)?.scenario;
    if scn.questions.is_empty() {
        return Err(Failure::input("the scenario declares no [[questions]]"));
    }
    let exp = super::mc_args::experiment(&scn, None, &[], None, args.mc.edits())?;
    let req = args
        .mc
        .plan_request(Preset::Forecast, exp.run_options().clone());
    let plan = exp.plan(&req).map_err(study_view::failure)?;
    let f = study_view::run(&scn, &plan, &args.mc)?.to_forecast();
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
        "Forecast questions — {} (sha256 {}), {} runs, seed {}, evidence discount {}, engine {}\n",
        f.scenario, f.scenario_hash, f.runs, f.seed, f.evidence_discount, f.engine_version
    );
    if !f.edits.is_empty() {
        out.push_str(&format!("edits: {}\n", f.edits.join("; ")));
    }
    let w = f
        .questions
        .iter()
        .map(|q| q.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    out.push_str(&format!(
        "{:w$}  {:>6}  {:>18}  {:>10}\n",
        "id", "P", "95% interval", "by"
    ));
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    for q in &f.questions {
        let by = q.by.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{:w$}  {:>6}  [{:>6}, {:>6}]  {:>10}  ({} runs)\n",
            q.id,
            pct(q.probability),
            pct(q.lo),
            pct(q.hi),
            by,
            q.runs
        ));
        if !q.title.is_empty() {
            let mut t = String::new();
            study_view::wrap_into(&mut t, "    ", &q.title);
            out.push_str(&t);
        }
    }
    out
}

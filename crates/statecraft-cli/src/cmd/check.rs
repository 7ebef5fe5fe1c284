//! `statecraft check FILE`: load and validate a scenario; print a summary or every error.
//! `--ledger`: the evidence ledger (computed by `statecraft_core::evidence`, rendered here).

use super::mc_args::{mc_failure, with_threads};
use super::Failure;
use statecraft_core::evidence::{self, Basis, Entry, Ledger, Ordering};
use statecraft_core::mc::McConfig;
use statecraft_core::sensitivity::Target;

/// Assumed numbers listed in the text ledger unless `--all` (the JSON always has every one).
pub const LEDGER_TOP: usize = 25;

/// Paths shown per reason in the text ledger's list of fixed numbers unless `--all`.
pub const FIXED_EXAMPLES: usize = 3;

/// Output format of `--ledger`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Scenario file (TOML, or a CSV table `Actor,Capability,Position,Salience`) or a built-in name.
    pub file: String,
    /// Print the evidence ledger: how many numbers are sourced, reference-class based,
    /// assumed, unmarked or fixed, and the assumed numbers by influence (docs/evidence.md).
    #[arg(long)]
    pub ledger: bool,
    /// Order the assumed numbers by a one-at-a-time tornado (a few runs per configuration)
    /// instead of by the width of their distributions.
    #[arg(long, requires = "ledger")]
    pub influence: bool,
    /// The tornado's target for --influence: an outcome id or a var (default: the first outcome).
    #[arg(long, requires = "influence", value_name = "OUTCOME")]
    pub target: Option<String>,
    /// Seed of the --influence tornado.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Worker threads for --influence (results are identical for any value).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// List every assumed number and every fixed one (the text form shows the first few).
    #[arg(long, requires = "ledger")]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print the compiled experiment: every uncertain input (path, distribution, declared
    /// range, basis) and the output schema (outcome classes, questions, and every variable and
    /// series a run records, with its kind: binary, count, day, continuous, categorical).
    #[arg(long, conflicts_with = "ledger")]
    pub schema: bool,
    /// Run a short pilot (default 200 runs) and warn of outcome classes that are never or
    /// always true, and note overlapping classes.
    #[arg(long, value_name = "RUNS", num_args = 0..=1, default_missing_value = "200", conflicts_with = "ledger")]
    pub pilot: Option<u64>,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let loaded = crate::load::scenario(&args.file)?;
    let s = &loaded.scenario;
    if !args.ledger {
        // What every run command compiles: the model and the scenario as one experiment.
        let exp = super::mc_args::experiment(s, None, &[], None, Vec::new())?;
        if args.schema {
            return super::write_stdout(&schema_text(&exp, args.format)?);
        }
        let mut out = format!(
            "ok: {} actors, {} issues, {} stances\n",
            s.actors.len(),
            s.issues.len(),
            s.stances.len()
        );
        let o = exp.outputs();
        let [b, c, d, x, k] = o.kind_counts();
        out.push_str(&format!(
            "experiment: model {}, {} uncertain inputs; outputs: {} outcome classes, {} questions, {} variables ({b} binary, {c} count, {d} day, {x} continuous, {k} categorical), {} series\n",
            exp.run_options().model,
            exp.inputs().len(),
            o.outcomes.len(),
            o.questions.len(),
            o.vars.len(),
            o.series.len(),
        ));
        if let Some(runs) = args.pilot {
            let p =
                with_threads(args.threads, || exp.pilot(runs, args.seed))?.map_err(mc_failure)?;
            out.push_str(&format!(
                "pilot: {} runs, seed {}: {} warning(s), {} note(s)\n",
                p.runs,
                p.seed,
                p.diagnostics
                    .iter()
                    .filter(|d| d.severity == statecraft_core::experiment::Severity::Warning)
                    .count(),
                p.diagnostics
                    .iter()
                    .filter(|d| d.severity == statecraft_core::experiment::Severity::Note)
                    .count(),
            ));
            for d in &p.diagnostics {
                out.push_str(&format!("  {}\n", d.to_string().replace('\n', "\n  ")));
            }
        }
        return super::write_stdout(&out);
    }
    let ledger = if args.influence {
        let name = match args
            .target
            .clone()
            .or_else(|| s.outcomes.first().map(|o| o.id.clone()))
        {
            Some(n) => n,
            None => {
                return Err(Failure::input(
                    "--influence needs --target (the scenario declares no outcome classes)",
                ))
            }
        };
        let target = Target::resolve(s, &name);
        let run = super::mc_args::resolve_model(s, None, &[], None)?;
        let cfg = McConfig {
            seed: args.seed,
            ..Default::default()
        };
        with_threads(args.threads, || {
            evidence::ledger_by_influence(s, &cfg, &target, |x, r| {
                statecraft_core::engine::simulate_once(x, &run, r)
            })
        })?
        .map_err(mc_failure)?
    } else {
        evidence::ledger(s, 0.0, None)
    };
    match args.format {
        Format::Json => {
            let j = serde_json::to_string_pretty(&ledger).map_err(Failure::other)?;
            super::write_stdout(&format!("{j}\n"))
        }
        Format::Table => super::write_stdout(&table(&ledger, args.all)),
    }
}

fn basis_text(b: &Basis) -> String {
    match b {
        Basis::Fixed { reason, .. } => format!("fixed: {reason}"),
        Basis::Reference {
            events,
            exposure,
            unit,
            source,
        } => format!("reference: {events} in {exposure} {unit} ({source})"),
        Basis::Sourced {
            source,
            reliability,
            confidence,
        } => match confidence {
            Some(c) => format!("{source} (reliability {reliability}), confidence {c}"),
            None => format!("{source} (reliability {reliability})"),
        },
        Basis::Assumed {
            confidence,
            distribution,
        } => match (confidence, distribution) {
            (Some(c), true) => format!("assumed: distribution, confidence {c}"),
            (Some(c), false) => format!("assumed: confidence {c}"),
            (None, true) => "assumed: distribution".into(),
            (None, false) => "assumed: cites an assumption source".into(),
        },
        Basis::Unmarked => format!(
            "UNMARKED: default certainty {}",
            statecraft_core::scenario::num::ASSUMED_CONFIDENCE
        ),
        Basis::Data => "data".into(),
    }
}

fn g(x: f64) -> String {
    statecraft_core::catalog::num_text(x)
}

/// The text form of the ledger.
pub fn table(l: &Ledger, all: bool) -> String {
    let c = &l.counts;
    let mut o = format!("EVIDENCE LEDGER — {} ({} numbers)\n", l.scenario, c.total);
    let rows = [
        (
            "sourced",
            c.sourced,
            "cite a [[sources]] entry (certainty: confidence, else reliability)".to_string(),
        ),
        (
            "reference",
            c.reference,
            "drawn from a reference class's posterior".to_string(),
        ),
        (
            "assumed",
            c.assumed,
            "marked assumptions (confidence, distribution or an assumption source)".to_string(),
        ),
        (
            "unmarked",
            c.unmarked,
            format!(
                "no basis stated: sampled with the default certainty {}",
                statecraft_core::scenario::num::ASSUMED_CONFIDENCE
            ),
        ),
        (
            "fixed",
            c.fixed,
            format!(
                "with a reason ({} structural by the format)",
                c.fixed_by_format
            ),
        ),
        (
            "data",
            c.data,
            "bare numbers of a bargaining-only scenario (certain)".to_string(),
        ),
    ];
    for (name, n, what) in rows {
        o.push_str(&format!("  {name:<10} {n:>5}  {what}\n"));
    }
    o.push_str(&format!(
        "  {:<10} {:>5}  sampled by Monte Carlo\n",
        "sampled", c.sampled
    ));
    if !l.sources.is_empty() {
        o.push_str("\nSOURCES CITED BY NUMBERS — id, kind, reliability, numbers\n");
        for s in &l.sources {
            o.push_str(&format!(
                "  {:<24} {:<12} {:>5}  {:>4}\n",
                s.id,
                s.kind,
                g(s.reliability),
                s.numbers
            ));
        }
    }
    if !l.fixed.is_empty() {
        o.push_str("\nFIXED — reason: numbers\n");
        let mut reasons: Vec<(&str, Vec<&Entry>)> = Vec::new();
        for e in &l.fixed {
            if let Basis::Fixed { reason, .. } = &e.basis {
                match reasons.iter_mut().find(|(r, _)| *r == reason.as_str()) {
                    Some((_, v)) => v.push(e),
                    None => reasons.push((reason.as_str(), vec![e])),
                }
            }
        }
        for (reason, es) in reasons {
            let shown: Vec<String> = es
                .iter()
                .take(if all { usize::MAX } else { FIXED_EXAMPLES })
                .map(|e| format!("{} = {}", e.path, g(e.value)))
                .collect();
            let more = es.len() - shown.len();
            o.push_str(&format!(
                "  {reason} ({}):\n    {}",
                es.len(),
                shown.join(", ")
            ));
            if more > 0 {
                o.push_str(&format!(", … {more} more"));
            }
            o.push('\n');
        }
    }
    let order = match &l.ordering {
        Ordering::Tornado { target, runs } => {
            format!("by tornado swing of {target} ({runs} runs per configuration)")
        }
        Ordering::Width => {
            "by the width of the effective distribution relative to the domain (no sensitivity result; --influence runs a tornado)".to_string()
        }
    };
    o.push_str(&format!(
        "\nASSUMED NUMBERS ({}) — what to source next, {order}\n",
        l.assumed.len()
    ));
    let n = if all {
        l.assumed.len()
    } else {
        LEDGER_TOP.min(l.assumed.len())
    };
    for e in &l.assumed[..n] {
        let infl = e
            .influence
            .map(|x| format!("  swing {:.3}", x))
            .unwrap_or_default();
        o.push_str(&format!(
            "  {:<48} {:>8}  spread {:.3}{infl}  {}\n",
            e.path,
            g(e.value),
            e.spread,
            basis_text(&e.basis)
        ));
    }
    if n < l.assumed.len() {
        o.push_str(&format!("  … {} more (--all)\n", l.assumed.len() - n));
    }
    if !l.rates_without_reference.is_empty() {
        o.push_str(&format!(
            "\nRATES WITHOUT A REFERENCE CLASS ({}) — assumptions until a class is cited\n  {}\n",
            l.rates_without_reference.len(),
            l.rates_without_reference.join(", ")
        ));
    }
    o
}

/// `check --schema`: the compiled experiment's input space and output schema.
fn schema_text(
    exp: &statecraft_core::experiment::Experiment,
    format: Format,
) -> Result<String, Failure> {
    use statecraft_core::schema::Kind;
    if format == Format::Json {
        let j = serde_json::to_string_pretty(&exp.describe()).map_err(Failure::other)?;
        return Ok(format!("{j}\n"));
    }
    let mut o = format!(
        "EXPERIMENT — {} (model {})\n\nINPUTS — {} uncertain numbers: path, distribution, declared range, basis\n",
        exp.scenario().scenario.id,
        exp.run_options().model,
        exp.inputs().len()
    );
    let r = |x: Option<f64>, inf: &str| x.map_or(inf.to_string(), g);
    for i in exp.inputs() {
        o.push_str(&format!(
            "  {:<48} {:<28} [{}, {}]  {}\n",
            i.path,
            statecraft_core::catalog::dist_text(&i.dist),
            r(i.min, "-inf"),
            r(i.max, "inf"),
            i.basis
        ));
    }
    let s = exp.outputs();
    o.push_str(&format!("\nOUTCOME CLASSES — {}\n", s.outcomes.len()));
    for c in &s.outcomes {
        o.push_str(&format!("  {:<28} binary  {}\n", c.id, c.when));
    }
    o.push_str(&format!("\nQUESTIONS — {}\n", s.questions.len()));
    for c in &s.questions {
        o.push_str(&format!("  {:<28} binary  {}\n", c.id, c.when));
    }
    let kind = |k: &Kind| match k {
        Kind::Binary => "binary".to_string(),
        Kind::Count { max: Some(m) } => format!("count ≤ {m}"),
        Kind::Count { max: None } => "count".into(),
        Kind::Day => "day (after as_of)".into(),
        Kind::Continuous { min, max, unit } => {
            let u = if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            };
            format!("continuous [{}, {}]{u}", r(*min, "-inf"), r(*max, "inf"))
        }
        Kind::Categorical { values, labels } => {
            let parts: Vec<String> = values
                .iter()
                .zip(labels)
                .map(|(v, l)| format!("{} {l}", g(*v)))
                .collect();
            format!("categorical {{{}}}", parts.join(", "))
        }
    };
    o.push_str(&format!(
        "\nVARIABLES — {} (* = recorded only by some runs)\n",
        s.vars.len()
    ));
    for v in &s.vars {
        let star = if v.always { " " } else { "*" };
        o.push_str(&format!("  {star}{:<48} {}\n", v.name, kind(&v.kind)));
    }
    o.push_str(&format!(
        "\nSERIES — {} (one value per round)\n",
        s.series.len()
    ));
    for v in &s.series {
        o.push_str(&format!("  {:<49} {}\n", v.name, kind(&v.kind)));
    }
    Ok(o)
}

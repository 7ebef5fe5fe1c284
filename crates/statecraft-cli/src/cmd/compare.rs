//! `statecraft compare BASE [VARIANT] [--set/--without/--disable …]`: how a variant world moves
//! the outcomes, as paired differences (common random numbers, Newcombe intervals) from the
//! core's [`statecraft_core::compare::compare`]. The variant is a second scenario file, or the
//! base with the edits, or a second file with the edits on top. Outcome classes and forecast
//! questions are both paired (`Comparison::deltas`, `Comparison::question_deltas`).

use super::mc_args::{mc_failure, progress_bar, McArgs};
use super::study_view::{failure, wrap_into, WIDTH};
use super::Failure;
use statecraft_core::compare::Comparison;
use statecraft_core::mc::{McConfig, VarSummary};
use std::fmt::Write as _;

/// Runs per world when `--runs` is not given.
pub const DEFAULT_COMPARE_RUNS: u64 = 1000;
/// Vars listed in the table (the largest standardized changes).
const MAX_VARS: usize = 10;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The base scenario (file or built-in name).
    pub base: String,
    /// The variant scenario (file or built-in name); default: the base. `--set`, `--without`
    /// and `--disable` are applied to the variant only.
    pub variant: Option<String>,
    /// Runs per world (default 1000), seed, edits (applied to the variant), threads.
    #[command(flatten)]
    pub mc: McArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// One var's change of mean (unpaired normal interval: conservative under common random numbers,
/// which correlate the two worlds positively).
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct VarDelta {
    pub var: String,
    pub mean_base: f64,
    pub mean_variant: f64,
    pub delta: f64,
    pub lo: f64,
    pub hi: f64,
    pub runs_base: u64,
    pub runs_variant: u64,
}

fn var_delta(name: &str, a: &VarSummary, b: &VarSummary) -> Option<VarDelta> {
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let se = (a.sd.powi(2) / a.n as f64 + b.sd.powi(2) / b.n as f64).sqrt();
    let d = b.mean - a.mean;
    Some(VarDelta {
        var: name.to_string(),
        mean_base: a.mean,
        mean_variant: b.mean,
        delta: d,
        lo: d - 1.96 * se,
        hi: d + 1.96 * se,
        runs_base: a.n,
        runs_variant: b.n,
    })
}

/// Every var both worlds recorded, largest |Δ|/se first (bookkeeping vars `disabled.*` left out).
pub fn var_deltas(c: &Comparison) -> Vec<VarDelta> {
    let mut v: Vec<VarDelta> = c
        .base
        .vars
        .iter()
        .filter(|(k, _)| !k.starts_with("disabled."))
        .filter_map(|(k, a)| var_delta(k, a, c.variant.vars.get(k)?))
        .filter(|d| d.delta != 0.0)
        .collect();
    let z = |d: &VarDelta| {
        let half = (d.hi - d.lo) / 2.0;
        if half > 0.0 {
            d.delta.abs() / half
        } else {
            f64::INFINITY
        }
    };
    v.sort_by(|a, b| z(b).total_cmp(&z(a)).then(a.var.cmp(&b.var)));
    v
}

#[derive(serde::Serialize)]
struct Json<'a> {
    format: &'static str,
    base: &'a str,
    variant: &'a str,
    edits: Vec<String>,
    comparison: &'a Comparison,
    var_deltas: Vec<VarDelta>,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let base = crate::load::scenario(&args.base)?.scenario;
    let variant_name = args.variant.clone().unwrap_or_else(|| args.base.clone());
    let variant_src = match &args.variant {
        Some(v) => crate::load::scenario(v)?.scenario,
        None => base.clone(),
    };
    let edits = args.mc.edits();
    if args.variant.is_none() && edits.is_empty() {
        return Err(Failure::Input(miette::miette!(
            help = "e.g. `statecraft compare greenland-2026 --set crisis.coercion.rate=0.2`, or \
                    `statecraft compare base.toml variant.toml`",
            "nothing to compare: give a VARIANT scenario or an edit (--set, --without, --disable)"
        )));
    }
    let variant = statecraft_core::mc::apply_edits(&variant_src, &edits).map_err(mc_failure)?;
    let opts = super::mc_args::resolve_model(&base, None, &[], None)?;
    let cfg = McConfig {
        edits: Vec::new(),
        ..args
            .mc
            .to_config_with(DEFAULT_COMPARE_RUNS, serde_json::Value::Null)?
    };
    let total = 2 * cfg.runs;
    let pb = progress_bar(total, "comparing");
    let result = args.mc.install(|| {
        let cb = |n: u64| {
            if let Some(pb) = &pb {
                if n.is_multiple_of(64) || n == total {
                    pb.set_position(n);
                }
            }
        };
        statecraft_core::compare::compare(&base, &variant, &cfg, &opts, Some(&cb))
    })?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    let c = result.map_err(failure)?;
    let edit_text: Vec<String> = edits.iter().map(ToString::to_string).collect();
    let out = match args.format {
        Format::Table => {
            let titles: Vec<(String, String)> = base
                .questions
                .iter()
                .map(|q| (q.id.clone(), q.title.clone()))
                .collect();
            let mut t = render_table(&c, &args.base, &variant_name, &edit_text);
            t.push_str(&render_questions(&c, &titles));
            t
        }
        Format::Json => {
            let j = Json {
                format: "statecraft.compare/1",
                base: &args.base,
                variant: &variant_name,
                edits: edit_text,
                comparison: &c,
                var_deltas: var_deltas(&c),
            };
            let mut t = serde_json::to_string_pretty(&j)
                .map_err(|e| Failure::other(format!("cannot encode JSON: {e}")))?;
            t.push('\n');
            t
        }
        Format::Csv => render_csv(&c),
    };
    super::write_stdout(&out)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn pts(x: f64) -> String {
    format!("{:+.1}", 100.0 * x)
}

/// The table: outcome Δ with paired intervals, then the vars that moved most.
pub fn render_table(c: &Comparison, base: &str, variant: &str, edits: &[String]) -> String {
    let mut o = String::new();
    let what = if edits.is_empty() {
        variant.to_string()
    } else if base == variant {
        format!("{base} with {}", edits.join(", "))
    } else {
        format!("{variant} with {}", edits.join(", "))
    };
    wrap_into(
        &mut o,
        "",
        &format!("COMPARE — base {base} vs variant {what}"),
    );
    wrap_into(
        &mut o,
        "",
        &format!(
            "{} runs per world · seed {} · common random numbers: run i of both worlds shares \
             every random draw of the elements they share",
            c.runs, c.seed
        ),
    );
    let _ = writeln!(o);
    wrap_into(
        &mut o,
        "",
        &format!(
            "OUTCOMES — Δ = variant − base in percentage points, Newcombe 95% paired interval ({} runs)",
            c.runs
        ),
    );
    delta_rows(&mut o, &c.deltas, 7, |_, _| {});
    wrap_into(
        &mut o,
        "  ",
        "* = the interval excludes 0 (one comparison per class; no multiplicity correction)",
    );
    let vars = var_deltas(c);
    if !vars.is_empty() {
        let _ = writeln!(o);
        wrap_into(
            &mut o,
            "",
            &format!(
                "VARS — change of the mean, largest first (normal interval, unpaired: conservative) \
                 ({} runs per world)",
                c.runs
            ),
        );
        let vw = vars
            .iter()
            .take(MAX_VARS)
            .map(|v| v.var.len())
            .max()
            .unwrap_or(3)
            .min(40);
        for v in vars.iter().take(MAX_VARS) {
            let _ = writeln!(
                o,
                "  {:<vw$}  {:>10.3} → {:<10.3}  Δ {:>+9.3} [{:+.3}, {:+.3}]",
                v.var, v.mean_base, v.mean_variant, v.delta, v.lo, v.hi
            );
        }
        if vars.len() > MAX_VARS {
            let _ = writeln!(
                o,
                "  and {} more vars changed (--format json lists them all)",
                vars.len() - MAX_VARS
            );
        }
    }
    let _ = WIDTH;
    o
}

/// The QUESTIONS block: each forecast question's paired difference, with its text wrapped under
/// the id (`titles`: id → title of the base scenario).
pub fn render_questions(c: &Comparison, titles: &[(String, String)]) -> String {
    let mut o = String::new();
    if c.question_deltas.is_empty() {
        return o;
    }
    let _ = writeln!(o);
    wrap_into(
        &mut o,
        "",
        &format!(
            "QUESTIONS — P(YES), Δ = variant − base in percentage points, Newcombe 95% paired interval ({} runs)",
            c.runs
        ),
    );
    delta_rows(&mut o, &c.question_deltas, 8, |o, d| {
        if let Some((_, t)) = titles.iter().find(|(id, _)| *id == d.outcome) {
            if !t.is_empty() {
                wrap_into(o, "      ", t);
            }
        }
    });
    o
}

/// The paired-difference table of the OUTCOMES and QUESTIONS blocks: a header, then one row per
/// delta (ids padded to at least `min_w`; `*` when the interval excludes 0), each followed by
/// whatever `after` writes for it.
fn delta_rows(
    o: &mut String,
    deltas: &[statecraft_core::mc::Delta],
    min_w: usize,
    after: impl Fn(&mut String, &statecraft_core::mc::Delta),
) {
    let w = deltas
        .iter()
        .map(|d| d.outcome.len())
        .max()
        .unwrap_or(min_w)
        .max(min_w);
    let _ = writeln!(
        o,
        "  {:<w$}  {:>6}  {:>7}  {:>6}  {:>16}",
        "", "base", "variant", "Δ", "95% interval"
    );
    for d in deltas {
        let mark = if d.lo > 0.0 || d.hi < 0.0 { "*" } else { " " };
        let _ = writeln!(
            o,
            "  {:<w$}  {:>6}  {:>7}  {:>6}  [{:>6}, {:>6}] {mark}",
            d.outcome,
            pct(d.p_base),
            pct(d.p_alt),
            pts(d.delta),
            pts(d.lo),
            pts(d.hi)
        );
        after(o, d);
    }
}

/// CSV: one row per outcome class, per forecast question and per var.
pub fn render_csv(c: &Comparison) -> String {
    let mut o = statecraft_core::sweep::csv_line(&[
        "kind", "id", "base", "variant", "delta", "lo", "hi", "runs", "seed",
    ]);
    for d in &c.deltas {
        o.push_str(&statecraft_core::sweep::csv_line(&[
            "outcome".to_string(),
            d.outcome.clone(),
            d.p_base.to_string(),
            d.p_alt.to_string(),
            d.delta.to_string(),
            d.lo.to_string(),
            d.hi.to_string(),
            c.runs.to_string(),
            c.seed.to_string(),
        ]));
    }
    for d in &c.question_deltas {
        o.push_str(&statecraft_core::sweep::csv_line(&[
            "question".to_string(),
            d.outcome.clone(),
            d.p_base.to_string(),
            d.p_alt.to_string(),
            d.delta.to_string(),
            d.lo.to_string(),
            d.hi.to_string(),
            c.runs.to_string(),
            c.seed.to_string(),
        ]));
    }
    for v in var_deltas(c) {
        o.push_str(&statecraft_core::sweep::csv_line(&[
            "var".to_string(),
            v.var.clone(),
            v.mean_base.to_string(),
            v.mean_variant.to_string(),
            v.delta.to_string(),
            v.lo.to_string(),
            v.hi.to_string(),
            c.runs.to_string(),
            c.seed.to_string(),
        ]));
    }
    o
}

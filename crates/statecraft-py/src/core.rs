//! Every call into `statecraft-core` the Python binding makes, in one place, in plain Rust (no
//! pyo3 type): when the core's API changes, this file is the one to fix. The binding holds no
//! model logic or policy: flags become the same `PlanRequest` / `McConfig` the CLI builds
//! (`crates/statecraft-cli/src/cmd/mc_args.rs`), and results are the core's own serialisations
//! (the study JSON is byte-for-byte what `statecraft run --format json` prints).

use serde::Serialize;
use statecraft_core::engine::{ModelOverride, RunOptions};
use statecraft_core::experiment::Experiment;
use statecraft_core::mc::{self, McConfig, McError};
use statecraft_core::plan::{self, PlanRequest, Preset};
use statecraft_core::scenario::{load, Edit, Scenario, ScenarioErrors};
use statecraft_core::study::StudyError;
use statecraft_core::sweep::{self, GridAxis, Manifest, SweepError};
use statecraft_core::{builtin, catalog};

/// Monte Carlo runs when the caller gives none (the CLI's `DEFAULT_RUNS`, for sweeps).
pub const DEFAULT_RUNS: u64 = 1000;
/// Most rows one `run_batch` call accepts (each row is a full Monte Carlo job).
pub const MAX_BATCH_ROWS: usize = 1_000_000;
/// Most located errors carried by one `ScenarioError` (the CLI's `MAX_REPORTED_ERRORS`).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One located problem of a scenario text.
#[derive(Clone, Debug, Serialize)]
pub struct Located {
    pub message: String,
    pub help: Option<String>,
    /// 1-based line and column of the start of the problem, when it has a location.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Byte range in the text.
    pub start: Option<usize>,
    pub end: Option<usize>,
}

/// Why a call failed: the binding maps these onto Python exceptions.
#[derive(Debug)]
pub enum Error {
    /// The scenario does not load: every problem, located (`file`, total count, first ones).
    Scenario {
        file: String,
        total: usize,
        errors: Vec<Located>,
    },
    /// Bad input (an unknown path, a value out of range, a damaged manifest, …).
    Input(String),
    /// Anything else (a run that failed inside the engine).
    Other(String),
}

impl Error {
    /// One-paragraph text: the summary line and every located message.
    pub fn message(&self) -> String {
        match self {
            Error::Scenario {
                file,
                total,
                errors,
            } => {
                let mut s = format!("{total} error(s) in scenario {file}");
                for e in errors {
                    s.push_str("\n  ");
                    s.push_str(file);
                    if let (Some(l), Some(c)) = (e.line, e.column) {
                        s.push_str(&format!(":{l}:{c}"));
                    }
                    s.push_str(": ");
                    s.push_str(&e.message);
                    if let Some(h) = &e.help {
                        s.push_str(&format!(" (help: {h})"));
                    }
                }
                if *total > errors.len() {
                    s.push_str(&format!("\n  … and {} more", total - errors.len()));
                }
                s
            }
            Error::Input(m) | Error::Other(m) => m.clone(),
        }
    }
}

fn scenario_errors(file: &str, text: &str, e: ScenarioErrors) -> Error {
    let total = e.errors.len();
    let errors = e
        .errors
        .into_iter()
        .take(MAX_REPORTED_ERRORS)
        .map(|x| {
            let lc = x.line_col(text);
            Located {
                line: lc.map(|p| p.0),
                column: lc.map(|p| p.1),
                start: x.span.as_ref().map(|s| s.start),
                end: x.span.as_ref().map(|s| s.end),
                message: x.message,
                help: x.help,
            }
        })
        .collect();
    Error::Scenario {
        file: file.to_string(),
        total,
        errors,
    }
}

fn mc_error(e: McError) -> Error {
    match e {
        McError::Run { .. } => Error::Other(e.to_string()),
        other => Error::Input(other.to_string()),
    }
}

fn study_error(e: StudyError) -> Error {
    match e {
        StudyError::Mc(m) => mc_error(m),
        other if other.is_input() => Error::Input(other.to_string()),
        other => Error::Other(other.to_string()),
    }
}

fn sweep_error(e: SweepError) -> Error {
    match e {
        SweepError::Mc(m) => mc_error(m),
        other => Error::Input(other.to_string()),
    }
}

fn json<T: Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string(v).map_err(|e| Error::Other(format!("cannot encode JSON: {e}")))
}

/// Load a scenario from its text; `filename` picks the format (TOML, CSV, KTAB) as in the CLI.
pub fn load(filename: &str, text: &str) -> Result<Scenario, Error> {
    load::from_str_auto(filename, text).map_err(|e| scenario_errors(filename, text, e))
}

/// The text of a built-in scenario.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    builtin::get(name)
}

pub fn builtin_names() -> Vec<&'static str> {
    builtin::names()
}

/// A did-you-mean for a name that is neither a file nor a built-in scenario.
pub fn suggest_builtin(name: &str) -> Option<String> {
    statecraft_core::suggest::suggest(name, builtin::names()).map(str::to_string)
}

/// The scenario as JSON (what a sweep manifest embeds), and back, re-validated.
pub fn scenario_to_json(scn: &Scenario) -> Result<String, Error> {
    json(scn)
}

pub fn scenario_from_json(text: &str) -> Result<Scenario, Error> {
    let scn: Scenario = serde_json::from_str(text)
        .map_err(|e| Error::Input(format!("not a statecraft scenario in JSON: {e}")))?;
    let errs = load::validate(&scn);
    if errs.is_empty() {
        Ok(scn)
    } else {
        Err(scenario_errors(
            "(scenario JSON)",
            "",
            ScenarioErrors { errors: errs },
        ))
    }
}

pub fn scenario_hash(scn: &Scenario) -> String {
    mc::scenario_hash(scn)
}

/// Id, title, outcome class ids and issue ids of a scenario.
pub fn summary(scn: &Scenario) -> (String, String, Vec<String>, Vec<String>) {
    (
        scn.scenario.id.clone(),
        scn.scenario.title.clone(),
        scn.outcomes.iter().map(|o| o.id.clone()).collect(),
        scn.issues.iter().map(|i| i.id.clone()).collect(),
    )
}

/// Every settable number (`statecraft paths`) as a JSON array, with the distribution's text form.
pub fn parameters_json(scn: &Scenario) -> Result<String, Error> {
    let rows: Vec<serde_json::Value> = catalog::parameters(scn)
        .into_iter()
        .map(|p| {
            let text = p.dist.as_ref().map(catalog::dist_text);
            let mut v = serde_json::to_value(&p).unwrap_or(serde_json::Value::Null);
            if let (Some(obj), Some(t)) = (v.as_object_mut(), text) {
                obj.insert("distribution".into(), serde_json::Value::String(t));
            }
            v
        })
        .collect();
    json(&rows)
}

/// The Monte Carlo flags every call shares (the CLI's `McArgs`).
#[derive(Clone, Debug)]
pub struct Flags {
    pub runs: Option<u64>,
    pub seed: u64,
    pub evidence_discount: f64,
    pub set: Vec<(String, f64)>,
    pub without: Vec<String>,
    pub disable: Vec<String>,
    pub tolerance: f64,
    pub max_runs: Option<u64>,
}

impl Flags {
    /// The edits in the CLI's application order: removals, sets, disables.
    pub fn edits(&self) -> Vec<Edit> {
        let mut e: Vec<Edit> = self
            .without
            .iter()
            .map(|a| Edit::Without { actor: a.clone() })
            .collect();
        e.extend(self.set.iter().map(|(p, v)| Edit::Set {
            path: p.clone(),
            value: *v,
        }));
        e.extend(self.disable.iter().map(|d| Edit::Disable { id: d.clone() }));
        e
    }

    fn check(&self) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&self.evidence_discount) {
            return Err(Error::Input(format!(
                "evidence_discount = {} is outside [0, 1]",
                self.evidence_discount
            )));
        }
        if !(self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(Error::Input("tolerance must be in (0, 1)".into()));
        }
        if let Some((p, v)) = self.set.iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Input(format!(
                "set[{p:?}] = {v} is not a finite number"
            )));
        }
        Ok(())
    }
}

/// The analysis flags of a study (the CLI's `AnalysisArgs` and `StudyArgs`).
#[derive(Clone, Debug, Default)]
pub struct StudyFlags {
    pub preset: String,
    pub hypotheses: bool,
    pub pivotal: bool,
    pub pivotal_runs: Option<u64>,
    /// Adaptive pivotality (`--pivotal-top`, `--pivotal-cap`).
    pub pivotal_top: Option<usize>,
    pub pivotal_cap: Option<u64>,
    pub discount_runs: Option<u64>,
    pub nested: Option<(u64, u64)>,
    /// `--tornado TARGET`.
    pub tornado: Option<String>,
    /// `--sobol TARGET`, `--sobol-n N`, `--sobol-groups RULE`.
    pub sobol: Option<String>,
    pub sobol_n: Option<usize>,
    pub sobol_groups: Option<String>,
    /// `--hypothesis-looks K`.
    pub hypothesis_looks: Option<usize>,
}

fn preset(id: &str) -> Result<Preset, Error> {
    Preset::ALL
        .into_iter()
        .find(|p| p.id() == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
            Error::Input(format!(
                "unknown preset `{id}`; presets: {}",
                ids.join(", ")
            ))
        })
}

/// The model that runs: the scenario's `[model]` table (or the default), as `statecraft run`
/// resolves it with no `--model` flags.
fn run_options(scn: &Scenario) -> Result<RunOptions, Error> {
    RunOptions::resolve(scn, &ModelOverride::default()).map_err(|e| Error::Input(e.to_string()))
}

/// The `PlanRequest` `statecraft run` builds from the same flags.
fn request(scn: &Scenario, f: &Flags, s: &StudyFlags) -> Result<PlanRequest, Error> {
    f.check()?;
    let sobol_groups = s
        .sobol_groups
        .as_deref()
        .map(statecraft_core::sensitivity::SobolGroups::parse)
        .transpose()
        .map_err(|e| Error::Input(format!("sobol_groups: {e}")))?;
    Ok(PlanRequest {
        runs: f.runs,
        seed: f.seed,
        evidence_discount: f.evidence_discount,
        edits: f.edits(),
        tolerance: f.tolerance,
        max_runs: f.max_runs,
        run: Some(run_options(scn)?),
        hypotheses: s.hypotheses,
        pivotal: s.pivotal,
        pivotal_runs: s.pivotal_runs,
        pivotal_top: s.pivotal_top,
        pivotal_cap: s.pivotal_cap,
        discount_runs: s.discount_runs,
        nested: s.nested,
        tornado: s.tornado.clone(),
        sobol: s.sobol.clone(),
        sobol_n: s.sobol_n,
        sobol_groups,
        hypothesis_looks: s.hypothesis_looks,
        ..PlanRequest::new(preset(&s.preset)?)
    })
}

/// Run a study; the `Study` JSON exactly as `statecraft run --format json` prints it.
pub fn study_json(scn: &Scenario, f: &Flags, s: &StudyFlags) -> Result<String, Error> {
    let req = request(scn, f, s)?;
    let run = req.run.clone().map_or_else(|| run_options(scn), Ok)?;
    let exp = experiment(scn, run, &req.edits)?;
    let p = exp.plan(&req).map_err(study_error)?;
    let st = exp.execute(&p, None).map_err(study_error)?;
    serde_json::to_string_pretty(&st)
        .map(|mut t| {
            t.push('\n');
            t
        })
        .map_err(|e| Error::Other(format!("cannot encode JSON: {e}")))
}

/// The compiled experiment of `scn` with `run` and `edits` (every problem at once, as
/// `statecraft run`).
fn experiment(scn: &Scenario, run: RunOptions, edits: &[Edit]) -> Result<Experiment, Error> {
    statecraft_core::experiment::compile_resolved(scn, run, edits)
        .map_err(|d| Error::Input(d.to_string()))
}

/// The experiment's model, input space and output schema (`statecraft check --schema --format
/// json`, byte for byte).
pub fn experiment_json(scn: &Scenario) -> Result<String, Error> {
    let exp = experiment(scn, run_options(scn)?, &[])?;
    serde_json::to_string_pretty(&exp.describe())
        .map(|mut t| {
            t.push('\n');
            t
        })
        .map_err(|e| Error::Other(format!("cannot encode JSON: {e}")))
}

/// One row of `run_batch`: outcome probabilities with their intervals and var means.
#[derive(Serialize)]
struct BatchRow {
    runs: u64,
    outcomes: Vec<(String, f64, f64, f64)>,
    vars: Vec<(String, Option<f64>)>,
}

/// One Monte Carlo job per row of `rows` (values for `paths`, set on top of `f.set`), each the
/// main job of preset `preset` with the same seed (common random numbers across rows). `vars`:
/// the vars whose mean is returned (`None` = `issue.<id>` for every issue, as in sweeps).
pub fn run_batch(
    scn: &Scenario,
    f: &Flags,
    preset_id: &str,
    paths: &[String],
    rows: &[Vec<f64>],
    vars: Option<Vec<String>>,
) -> Result<String, Error> {
    if rows.len() > MAX_BATCH_ROWS {
        return Err(Error::Input(format!(
            "{} rows is over the limit of {MAX_BATCH_ROWS} rows per batch",
            rows.len()
        )));
    }
    let vars = vars.unwrap_or_else(|| {
        scn.issues
            .iter()
            .map(|i| format!("issue.{}", i.id))
            .collect()
    });
    let sf = StudyFlags {
        preset: preset_id.to_string(),
        ..StudyFlags::default()
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if row.len() != paths.len() {
            return Err(Error::Input(format!(
                "row {i} has {} values for {} columns",
                row.len(),
                paths.len()
            )));
        }
        let mut fr = f.clone();
        fr.set
            .extend(paths.iter().cloned().zip(row.iter().copied()));
        let req = request(scn, &fr, &sf)?;
        let p = plan::plan(scn, &req).map_err(|e| match study_error(e) {
            Error::Input(m) => Error::Input(format!("row {i}: {m}")),
            other => other,
        })?;
        let st = plan::execute(scn, &p, None).map_err(study_error)?;
        if let Some(v) = vars.iter().find(|v| !st.mc.vars.contains_key(v.as_str())) {
            let names: Vec<&str> = st.mc.vars.keys().map(String::as_str).collect();
            let hint = statecraft_core::suggest::suggest(v, names.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Error::Input(format!("unknown var `{v}`{hint}")));
        }
        out.push(BatchRow {
            runs: st.provenance.runs,
            outcomes: st
                .mc
                .outcomes
                .iter()
                .map(|o| (o.id.clone(), o.p, o.lo, o.hi))
                .collect(),
            vars: vars
                .iter()
                .map(|v| (v.clone(), st.mc.vars.get(v.as_str()).map(|s| s.mean)))
                .collect(),
        });
    }
    json(&out)
}

/// A sweep manifest, pretty JSON exactly as `statecraft sweep plan -o` writes it.
pub fn sweep_plan(
    scn: &Scenario,
    grid: Vec<(String, Vec<f64>)>,
    f: &Flags,
    vars: Vec<String>,
) -> Result<String, Error> {
    f.check()?;
    let runs = f.runs.unwrap_or(DEFAULT_RUNS);
    if runs == 0 {
        return Err(Error::Input("runs must be at least 1".into()));
    }
    let max = f.max_runs.unwrap_or(plan::MAX_RUNS);
    if runs > max {
        return Err(Error::Input(format!(
            "runs = {runs} is over the limit of {max} runs per job (raise max_runs)"
        )));
    }
    let model_options = serde_json::to_value(run_options(scn)?)
        .map_err(|e| Error::Other(format!("cannot encode model options: {e}")))?;
    let cfg = McConfig {
        runs,
        seed: f.seed,
        evidence_discount: f.evidence_discount,
        edits: f.edits(),
        tolerance: f.tolerance,
        model_options,
        ..McConfig::default()
    };
    let grid = grid
        .into_iter()
        .map(|(path, values)| GridAxis { path, values })
        .collect();
    let m = sweep::plan(scn, grid, &cfg, vars).map_err(sweep_error)?;
    serde_json::to_string_pretty(&m).map_err(|e| Error::Other(format!("cannot encode JSON: {e}")))
}

/// A manifest read back and checked (format, engine version, scenario hash, point count).
pub fn manifest(text: &str) -> Result<Manifest, Error> {
    let m: Manifest = serde_json::from_str(text)
        .map_err(|e| Error::Input(format!("not a sweep manifest: {e}")))?;
    m.check().map_err(sweep_error)?;
    Ok(m)
}

/// Points of a manifest.
pub fn sweep_points(text: &str) -> Result<usize, Error> {
    Ok(manifest(text)?.points)
}

/// The points shard `shard` of `of` owns.
pub fn shard_points(points: usize, shard: usize, of: usize) -> Result<Vec<usize>, Error> {
    sweep::shard_points(points, shard, of).map_err(sweep_error)
}

/// Run one shard: its CSV text, the bytes `statecraft sweep run --shard I --of N` writes.
pub fn sweep_run_shard(text: &str, shard: usize, of: usize) -> Result<String, Error> {
    let m = manifest(text)?;
    let opts: RunOptions = serde_json::from_value(m.model_options.clone())
        .map_err(|e| Error::Input(format!("manifest model options: {e}")))?;
    sweep::run_shard(
        &m,
        shard,
        of,
        |scn, rng| statecraft_core::engine::simulate_once(scn, &opts, rng),
        None,
    )
    .map_err(sweep_error)
}

/// Merge shard texts `(name, csv)` with the core's checks; the bytes `statecraft sweep reduce`
/// writes.
pub fn sweep_reduce(
    files: &[(String, String)],
    manifest_text: Option<&str>,
) -> Result<String, Error> {
    let m = manifest_text.map(manifest).transpose()?;
    sweep::reduce(files, m.as_ref()).map_err(sweep_error)
}

pub fn shard_file_name(shard: usize, of: usize) -> String {
    sweep::shard_file_name(shard, of)
}

/// Defaults the Python signatures mirror: seed (every preset's), runs of a sweep, most runs per
/// job.
pub fn defaults() -> (u64, u64, u64) {
    (plan::DEFAULT_SEED, DEFAULT_RUNS, plan::MAX_RUNS)
}

pub fn engine_version() -> &'static str {
    statecraft_core::ENGINE_VERSION
}

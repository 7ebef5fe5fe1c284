//! Monte Carlo flags shared by `run` (flattened into its `Args`) and other commands, and the
//! glue from flags to `statecraft_core::mc::McConfig`: thread pool, progress bar.

use super::Failure;
use statecraft_core::engine::RunOptions;
use statecraft_core::mc::{self, McConfig};
use statecraft_core::plan::{PlanRequest, Preset};
use statecraft_core::scenario::Edit;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering as AtomicOrdering};
use std::sync::Mutex;
use std::time::Instant;

/// Monte Carlo runs when `--runs` is not given.
pub const DEFAULT_RUNS: u64 = 1000;

/// Most Monte Carlo runs one job accepts unless `--max-runs` raises it (the core's limit).
pub use statecraft_core::plan::MAX_RUNS;

/// Worker threads allowed per core (`--threads` above this multiple of the cores is refused:
/// more threads than cores only add contention; results never depend on the count).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The largest `--threads` value accepted on this machine.
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from) * MAX_THREADS_PER_CORE
}

/// Monte Carlo and counterfactual flags.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct McArgs {
    /// Number of Monte Carlo runs (default 1000). Giving it
    /// turns `run` on a bargaining scenario into a Monte Carlo study.
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// Master seed: run i uses RNG stream (seed, i), so results do not depend on --threads.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// How much a source's reliability < 1 widens its numbers (0 = not at all, 1 = fully).
    #[arg(long, default_value_t = 0.0, value_name = "D", value_parser = parse_discount)]
    pub evidence_discount: f64,
    /// Fix a number: PATH=VALUE, e.g. stance.uk.mil_rights.position=80 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_set_edit)]
    pub set: Vec<Edit>,
    /// Remove an actor and its stances (repeatable).
    #[arg(long = "without", value_name = "ACTOR")]
    pub without: Vec<String>,
    /// Disable a crisis-layer element, e.g. gate.jcs (repeatable).
    #[arg(long = "disable", value_name = "ID")]
    pub disable: Vec<String>,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS). Results are identical for any
    /// value.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Warn when an outcome's 95% interval half-width exceeds this.
    #[arg(long, default_value_t = 0.05, value_name = "W")]
    pub tolerance: f64,
    /// Raise the limit on --runs (default 100,000,000) when a job really needs more.
    #[arg(long, value_name = "N")]
    pub max_runs: Option<u64>,
}

impl Default for McArgs {
    fn default() -> Self {
        McArgs {
            runs: None,
            seed: 1,
            evidence_discount: 0.0,
            set: Vec::new(),
            without: Vec::new(),
            disable: Vec::new(),
            threads: None,
            tolerance: 0.05,
            max_runs: None,
        }
    }
}

fn parse_discount(s: &str) -> Result<f64, String> {
    let d: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&d) {
        Ok(d)
    } else {
        Err(format!("{d} is outside [0, 1]"))
    }
}

fn parse_set_edit(s: &str) -> Result<Edit, String> {
    mc::parse_set(s)
}

impl McArgs {
    /// The edits in application order: removals, sets, disables.
    pub fn edits(&self) -> Vec<Edit> {
        let mut e: Vec<Edit> = self
            .without
            .iter()
            .map(|a| Edit::Without { actor: a.clone() })
            .collect();
        e.extend(self.set.iter().cloned());
        e.extend(self.disable.iter().map(|d| Edit::Disable { id: d.clone() }));
        e
    }

    /// The core configuration. `model_options` (model id, rounds, …) is recorded in outputs.
    pub fn to_config(&self, model_options: serde_json::Value) -> Result<McConfig, Failure> {
        self.to_config_with(DEFAULT_RUNS, model_options)
    }

    /// [`McArgs::to_config`] with `default_runs` when `--runs` is not given.
    pub fn to_config_with(
        &self,
        default_runs: u64,
        model_options: serde_json::Value,
    ) -> Result<McConfig, Failure> {
        let runs = self.runs.unwrap_or(default_runs);
        if runs == 0 {
            return Err(Failure::input("--runs must be at least 1"));
        }
        let max = self.max_runs.unwrap_or(MAX_RUNS);
        if runs > max {
            return Err(Failure::Input(miette::miette!(
                help = "pass --max-runs N to allow more runs in one job (or split it with `statecraft sweep`)",
                "--runs {runs} is over the limit of {max} runs per job"
            )));
        }
        if !(self.tolerance > 0.0 && self.tolerance < 1.0) {
            return Err(Failure::input("--tolerance must be in (0, 1)"));
        }
        Ok(McConfig {
            runs,
            seed: self.seed,
            evidence_discount: self.evidence_discount,
            edits: self.edits(),
            tolerance: self.tolerance,
            model_options,
            ..McConfig::default()
        })
    }

    /// The analysis-plan request for `preset` with these flags (runs, seed, discount, edits,
    /// tolerance); the core's `plan` fills in the rest.
    pub fn plan_request(&self, preset: Preset, run: RunOptions) -> PlanRequest {
        PlanRequest {
            runs: self.runs,
            seed: self.seed,
            evidence_discount: self.evidence_discount,
            edits: self.edits(),
            tolerance: self.tolerance,
            max_runs: self.max_runs,
            run: Some(run),
            ..PlanRequest::new(preset)
        }
    }

    /// Run `f` in a rayon pool of `--threads` threads (the global pool when not given).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Result<R, Failure> {
        with_threads(self.threads, f)
    }
}

/// Analysis flags (flatten into `run`'s Args next to [`McArgs`]).
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct AnalysisArgs {
    /// Evaluate the scenario's hypotheses (counterfactuals, common random numbers).
    #[arg(long)]
    pub hypotheses: bool,
    /// Sobol indices of every uncertain input for TARGET (an outcome id or a var name).
    #[arg(long, value_name = "TARGET")]
    pub sobol: Option<String>,
    /// Base sample size N of the Sobol design (the model runs N·(2·inputs + 4) times: every point on two in-run streams).
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub sobol_n: usize,
    /// Group the Sobol inputs: `inputs` (one index per input), `kind` (one per kind of number:
    /// every actor's capability, every option's propensity, …) or NAME=PATTERN[,PATTERN][;…]
    /// (`*` matches one path segment; unmatched inputs form `(rest)`). The design then runs
    /// N·(2·groups + 4) times.
    #[arg(long, value_name = "RULE", value_parser = parse_sobol_groups)]
    pub sobol_groups: Option<statecraft_core::sensitivity::SobolGroups>,
    /// One-at-a-time tornado (5th/95th percentiles) for TARGET (an outcome id or a var name).
    #[arg(long, value_name = "TARGET")]
    pub tornado: Option<String>,
    /// Rank actors by how much each outcome probability moves when they go to either end of
    /// the scale or are removed.
    #[arg(long)]
    pub pivotal: bool,
    /// Most looks of each counterfactual hypothesis test (default 5: at n/16, n/8, n/4, n/2
    /// and n pairs, none below 256): a test stops at the first look that settles it, with α
    /// spent in proportion to the pairs (docs/uncertainty.md §6). 1 = one fixed-sample test at
    /// the full run count.
    #[arg(long, value_name = "K")]
    pub hypothesis_looks: Option<usize>,
}

impl Default for AnalysisArgs {
    fn default() -> Self {
        AnalysisArgs {
            hypotheses: false,
            sobol: None,
            sobol_n: 512,
            sobol_groups: None,
            tornado: None,
            pivotal: false,
            hypothesis_looks: None,
        }
    }
}

impl AnalysisArgs {
    /// Adds the analyses asked for (`--hypotheses`, `--sobol`, `--tornado`, `--pivotal`) to a
    /// plan request.
    pub fn apply(&self, req: &mut PlanRequest) {
        req.hypotheses |= self.hypotheses;
        req.pivotal |= self.pivotal;
        req.tornado.clone_from(&self.tornado);
        req.sobol.clone_from(&self.sobol);
        if self.sobol.is_some() {
            req.sobol_n = Some(self.sobol_n);
        }
        req.sobol_groups.clone_from(&self.sobol_groups);
        req.hypothesis_looks = self.hypothesis_looks;
    }
}

fn parse_sobol_groups(s: &str) -> Result<statecraft_core::sensitivity::SobolGroups, String> {
    statecraft_core::sensitivity::SobolGroups::parse(s)
}

/// Run `f` in a rayon pool of `threads` threads (the global pool when `None`).
pub fn with_threads<R: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> R + Send,
) -> Result<R, Failure> {
    match threads {
        None => Ok(f()),
        Some(0) => Err(Failure::input("--threads must be at least 1")),
        Some(n) if n > max_threads() => Err(Failure::Input(miette::miette!(
            help = "results are identical for any thread count; more threads than cores only add contention",
            "--threads {n} is over the limit of {} ({MAX_THREADS_PER_CORE} per core)",
            max_threads()
        ))),
        // the global pool already has `n` threads (`main` sized it by `--threads`)
        Some(n) if rayon::current_thread_index().is_none() && rayon::current_num_threads() == n => {
            Ok(f())
        }
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Failure::other(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(f))
        }
    }
}

/// Map a core Monte Carlo error to a CLI failure: bad edits and predicates are input errors.
pub fn mc_failure(e: mc::McError) -> Failure {
    match e {
        mc::McError::Run { .. } => Failure::other(e),
        _ => Failure::input(e),
    }
}

/// How much the CLI says on stderr: 0 = `--quiet` (errors only), 1 = default, 2 = `--verbose`.
static VERBOSITY: AtomicU8 = AtomicU8::new(1);

/// Set by `main` from `--quiet` / `--verbose`.
pub fn set_verbosity(v: u8) {
    VERBOSITY.store(v, AtomicOrdering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(AtomicOrdering::Relaxed)
}

/// Progress on stderr: a bar on a terminal, plain lines (every 10%, at most one a second, only
/// once a second has passed) when stderr is a file or a pipe, nothing with `--quiet`.
pub enum Progress {
    Bar(indicatif::ProgressBar),
    Lines(LineProgress),
}

pub struct LineProgress {
    what: String,
    /// Planned steps (re-planned by [`statecraft_core::study::Progress::planned`]).
    total: AtomicU64,
    /// Most steps reported done.
    done: AtomicU64,
    start: Instant,
    /// (last line printed, last tenth reported).
    last: Mutex<(Instant, u64)>,
}

impl Progress {
    pub fn set_position(&self, n: u64) {
        match self {
            Progress::Bar(b) => b.set_position(n),
            Progress::Lines(l) => l.update(n),
        }
    }
    pub fn finish_and_clear(&self) {
        match self {
            Progress::Bar(b) => {
                b.finish_and_clear();
                if verbosity() >= 2 {
                    eprintln!(
                        "statecraft: {} done in {:.1} s",
                        b.message(),
                        b.elapsed().as_secs_f64()
                    );
                }
            }
            Progress::Lines(l) => l.finish(),
        }
    }
}

/// A study's progress: bar positions throttled to every 64th step, re-planned totals applied.
impl statecraft_core::study::Progress for Progress {
    fn done(&self, n: u64) {
        match self {
            Progress::Bar(b) if n.is_multiple_of(64) => b.set_position(n),
            Progress::Bar(_) => {}
            Progress::Lines(l) => l.update(n),
        }
    }
    fn planned(&self, total: u64) {
        match self {
            Progress::Bar(b) => b.set_length(total),
            Progress::Lines(l) => l.total.store(total, AtomicOrdering::Relaxed),
        }
    }
}

impl LineProgress {
    fn update(&self, n: u64) {
        self.done.fetch_max(n, AtomicOrdering::Relaxed);
        let total = self.total.load(AtomicOrdering::Relaxed);
        let now = Instant::now();
        if now.duration_since(self.start).as_secs_f64() < 1.0 || total == 0 {
            return;
        }
        let tenth = (10 * n.min(total)) / total;
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if tenth > last.1 && now.duration_since(last.0).as_secs_f64() >= 1.0 {
            *last = (now, tenth);
            eprintln!(
                "statecraft: {} {}% ({n}/{total}, {:.0} s)",
                self.what,
                10 * tenth,
                now.duration_since(self.start).as_secs_f64()
            );
        }
    }
    fn finish(&self) {
        let t = self.start.elapsed().as_secs_f64();
        if t >= 1.0 || verbosity() >= 2 {
            eprintln!(
                "statecraft: {} done ({} steps, {t:.1} s)",
                self.what,
                self.done.load(AtomicOrdering::Relaxed)
            );
        }
    }
}

/// Progress for `total` steps on stderr (see [`Progress`]), or `None` with `--quiet`.
pub fn progress_bar(total: u64, what: &str) -> Option<Progress> {
    if verbosity() == 0 {
        return None;
    }
    if !std::io::stderr().is_terminal() {
        return Some(Progress::Lines(LineProgress {
            what: what.to_string(),
            total: AtomicU64::new(total),
            done: AtomicU64::new(0),
            start: Instant::now(),
            last: Mutex::new((Instant::now(), 0)),
        }));
    }
    let pb = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)")
    {
        pb.set_style(style);
    }
    pb.set_message(what.to_string());
    Some(Progress::Bar(pb))
}

/// Compile the experiment a command runs (`statecraft_core::experiment::compile`): the model as
/// [`resolve_model`] resolves it (its flag-specific messages first), then every edit
/// (`--set`, `--without`, `--disable`) checked at once, each problem on its own line (exit 2).
pub fn experiment(
    scn: &statecraft_core::scenario::Scenario,
    model: Option<&str>,
    model_opt: &[String],
    rounds: Option<usize>,
    edits: Vec<Edit>,
) -> Result<statecraft_core::experiment::Experiment, Failure> {
    let run = resolve_model(scn, model, model_opt, rounds)?;
    statecraft_core::experiment::compile_resolved(scn, run, &edits).map_err(Failure::input)
}

/// The model that runs on `scn`: `--model`, `--model-opt` and `--rounds` over the scenario's
/// `[model]` table, resolved and checked against the model registry by the core
/// (`RunOptions::resolve`). Any problem is an input error (exit 2) naming the flag.
pub fn resolve_model(
    scn: &statecraft_core::scenario::Scenario,
    model: Option<&str>,
    model_opt: &[String],
    rounds: Option<usize>,
) -> Result<statecraft_core::engine::RunOptions, Failure> {
    use statecraft_core::engine::{EngineError, ModelOverride, RunOptions};
    let mut options = Vec::with_capacity(model_opt.len());
    for kv in model_opt {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(Failure::input(format!(
                "--model-opt `{kv}`: expected KEY=VALUE (e.g. --model-opt VotingRule=PropCbc)"
            )));
        };
        options.push((k.trim().to_string(), v.trim().to_string()));
    }
    let over = ModelOverride {
        id: model.map(str::to_string),
        rounds,
        options,
    };
    RunOptions::resolve(scn, &over).map_err(|e| {
        let flag = match &e {
            EngineError::UnknownModel { .. } if model.is_some() => "--model: ",
            EngineError::UnknownModel { .. } => "[model] id: ",
            EngineError::CrisisModel { .. } if model.is_some() => "--model: ",
            EngineError::ModelOption(_) if !model_opt.is_empty() => "--model-opt: ",
            _ => "",
        };
        Failure::input(format!("{flag}{e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        mc: McArgs,
        #[command(flatten)]
        an: AnalysisArgs,
    }

    #[test]
    fn flags_map_to_config() {
        let c = Cli::try_parse_from([
            "x",
            "--runs",
            "50",
            "--seed",
            "9",
            "--evidence-discount",
            "0.5",
            "--set",
            "stance.uk.x.position=80",
            "--without",
            "jcs",
            "--disable",
            "gate.jcs",
        ])
        .unwrap();
        let cfg = c.mc.to_config(serde_json::Value::Null).ok().unwrap();
        assert_eq!((cfg.runs, cfg.seed, cfg.evidence_discount), (50, 9, 0.5));
        assert_eq!(
            cfg.edits,
            vec![
                Edit::Without {
                    actor: "jcs".into()
                },
                Edit::Set {
                    path: "stance.uk.x.position".into(),
                    value: 80.0
                },
                Edit::Disable {
                    id: "gate.jcs".into()
                },
            ]
        );
        assert!(Cli::try_parse_from(["x", "--evidence-discount", "1.5"]).is_err());
        assert!(Cli::try_parse_from(["x", "--set", "a.b"]).is_err());
        let d = Cli::try_parse_from(["x"]).unwrap();
        assert_eq!(d.mc, McArgs::default());
        let one = d.mc.install(rayon::current_num_threads).ok().unwrap();
        assert!(one >= 1);
        let t = McArgs {
            threads: Some(1),
            ..McArgs::default()
        };
        assert_eq!(t.install(rayon::current_num_threads).ok(), Some(1));
        let minimal = statecraft_core::scenario::load::from_toml_str(
            statecraft_core::builtin::get("minimal").unwrap(),
        )
        .unwrap();
        let a = Cli::try_parse_from(["x", "--sobol", "issue.budget", "--pivotal", "--hypotheses"])
            .unwrap();
        let mut req = a.mc.plan_request(Preset::Run, RunOptions::default());
        a.an.apply(&mut req);
        let plan = statecraft_core::plan::plan(&minimal, &req).ok().unwrap();
        for flag in ["--sobol", "--tornado"] {
            let bad = Cli::try_parse_from(["x", flag, "issue.budgte"]).unwrap();
            let mut r = bad.mc.plan_request(Preset::Run, RunOptions::default());
            bad.an.apply(&mut r);
            let Err(e) = statecraft_core::plan::plan(&minimal, &r) else {
                panic!("{flag} with an unknown target must be an error");
            };
            assert!(
                e.to_string().contains("did you mean `issue.budget`?"),
                "{e}"
            );
        }
        let many = Cli::try_parse_from(["x", "--runs", "10000000000"]).unwrap();
        let r = many.mc.plan_request(Preset::Run, RunOptions::default());
        assert!(statecraft_core::plan::plan(&minimal, &r).is_err());
        let allowed =
            Cli::try_parse_from(["x", "--runs", "10000000000", "--max-runs", "20000000000"])
                .unwrap();
        let r = allowed.mc.plan_request(Preset::Run, RunOptions::default());
        assert!(statecraft_core::plan::plan(&minimal, &r).is_ok());
        assert!(matches!(
            with_threads(Some(100_000), || ()),
            Err(Failure::Input(_))
        ));
        assert_eq!(
            Cli::try_parse_from(["x"]).unwrap().an,
            AnalysisArgs::default()
        );
        assert_eq!(
            plan.config.sobol,
            Some((
                statecraft_core::sensitivity::Target::Var("issue.budget".into()),
                512
            ))
        );
        assert!(plan.config.pivotal && plan.config.hypotheses && plan.config.tornado.is_none());
    }
}

//! Monte Carlo flags shared by `run` (flattened into its `Args`) and other commands, and the
//! glue from flags to `statecraft_core::mc::McConfig`: thread pool, progress bar.

use super::Failure;
use statecraft_core::mc::{self, McConfig};
use statecraft_core::scenario::{Edit, Scenario};
use statecraft_core::sensitivity::{AnalysisRequest, Target};
use std::io::IsTerminal;

/// Monte Carlo runs when `--runs` is not given.
pub const DEFAULT_RUNS: u64 = 1000;

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
    /// Base sample size N of the Sobol design (the model runs N·(inputs + 2) times).
    #[arg(long, default_value_t = 512, value_name = "N")]
    pub sobol_n: usize,
    /// One-at-a-time tornado (5th/95th percentiles) for TARGET (an outcome id or a var name).
    #[arg(long, value_name = "TARGET")]
    pub tornado: Option<String>,
    /// Rank actors by how much each outcome probability moves when they go to either end of
    /// the scale or are removed.
    #[arg(long)]
    pub pivotal: bool,
}

impl Default for AnalysisArgs {
    fn default() -> Self {
        AnalysisArgs {
            hypotheses: false,
            sobol: None,
            sobol_n: 512,
            tornado: None,
            pivotal: false,
        }
    }
}

impl AnalysisArgs {
    /// The analyses asked for (`--hypotheses`, `--sobol`, `--tornado`, `--pivotal`); run them
    /// for the study configuration.
    pub fn request(&self, scn: &Scenario) -> Result<AnalysisRequest, Failure> {
        if self.sobol.is_some() && self.sobol_n < 2 {
            return Err(Failure::input("--sobol-n must be at least 2"));
        }
        Ok(AnalysisRequest {
            hypotheses: self.hypotheses,
            sobol: self
                .sobol
                .as_deref()
                .map(|t| (Target::resolve(scn, t), self.sobol_n)),
            bootstrap: 200,
            tornado: self.tornado.as_deref().map(|t| Target::resolve(scn, t)),
            pivotality: self.pivotal,
        })
    }
}

/// Run `f` in a rayon pool of `threads` threads (the global pool when `None`).
pub fn with_threads<R: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> R + Send,
) -> Result<R, Failure> {
    match threads {
        None => Ok(f()),
        Some(0) => Err(Failure::input("--threads must be at least 1")),
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

/// A progress bar on stderr for `total` steps, or `None` when stderr is not a terminal.
pub fn progress_bar(total: u64, what: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta} left)")
    {
        pb.set_style(style);
    }
    pb.set_message(what.to_string());
    Some(pb)
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
        let a =
            Cli::try_parse_from(["x", "--sobol", "issue.x", "--pivotal", "--hypotheses"]).unwrap();
        let req = a.an.request(&Scenario::default()).ok().unwrap();
        assert_eq!(
            Cli::try_parse_from(["x"]).unwrap().an,
            AnalysisArgs::default()
        );
        assert_eq!(req.sobol, Some((Target::Var("issue.x".into()), 512)));
        assert!(req.pivotality && req.hypotheses && req.tornado.is_none());
    }
}

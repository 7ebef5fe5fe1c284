//! `statecraft sweep`: plan a parameter grid, run it in shards, reduce the shard files.
//!
//! Shard files are written atomically (temporary file in the output directory, then rename), so
//! a shard killed at any moment leaves either its complete file or none; re-running it is safe.
//! See `docs/sweeps.md`.

use super::mc_args::{mc_failure, progress_bar, with_threads, McArgs};
use super::Failure;
use crate::fsio::{read_text, write_atomic};
use statecraft_core::engine::{self, RunOptions};
use statecraft_core::sweep::{self, GridAxis, Manifest, SweepError};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
}

#[derive(clap::Subcommand, Debug)]
pub enum SweepCommand {
    /// Write a manifest: the scenario, the grid, the seed and run count.
    Plan(Box<PlanArgs>),
    /// Run one shard of a manifest and write its CSV file into --out.
    Run(RunArgs),
    /// Merge the shard files of a directory, checking that every point is present exactly once.
    Reduce(ReduceArgs),
}

#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// Scenario: a file (TOML, CSV, …) or a built-in name.
    pub scenario: String,
    /// A grid axis: PATH=V1,V2,… (repeatable; the sweep is the product of the axes).
    #[arg(long = "grid", value_name = "PATH=V1,V2,...", value_parser = GridAxis::parse, required = true)]
    pub grid: Vec<GridAxis>,
    /// Runs, seed, evidence discount and fixed edits (--set/--without/--disable) for every point.
    #[command(flatten)]
    pub mc: McArgs,
    /// Vars to record per point (default: issue.<id> for every issue).
    #[arg(long = "var", value_name = "VAR")]
    pub vars: Vec<String>,
    /// Model id (see `statecraft models`); default: the scenario's `[model]` table, else `eum`
    /// (`crisis-averaging` for a crisis scenario).
    #[arg(long)]
    pub model: Option<String>,
    /// A model option `KEY=VALUE` (repeatable), as for `run`.
    #[arg(long = "model-opt", value_name = "KEY=VALUE")]
    pub model_opt: Vec<String>,
    /// Maximum rounds per run (default: the model's).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Manifest to write.
    #[arg(short = 'o', long = "output", value_name = "MANIFEST.json")]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Manifest written by `sweep plan`.
    pub manifest: PathBuf,
    /// This shard's index, 0-based (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX;
    /// without either, every shard runs in turn).
    #[arg(long)]
    pub shard: Option<usize>,
    /// Number of shards (default: $SLURM_ARRAY_TASK_COUNT, else 1: the whole sweep).
    #[arg(long)]
    pub of: Option<usize>,
    /// Directory for the shard's CSV file.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads for this shard (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::Args, Debug)]
pub struct ReduceArgs {
    /// Directory holding shard-*.csv files.
    pub dir: PathBuf,
    /// Merged CSV to write.
    #[arg(short = 'o', long = "output", value_name = "MERGED.csv")]
    pub output: PathBuf,
    /// Check the shards against this manifest too.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
}

/// The model options a sweep records in its manifest (`--model`, `--model-opt`, `--rounds`
/// over the scenario's `[model]` table, resolved as `run` resolves them).
fn model_options(
    scn: &statecraft_core::scenario::Scenario,
    a: &PlanArgs,
) -> Result<serde_json::Value, Failure> {
    let opts = super::mc_args::resolve_model(scn, a.model.as_deref(), &a.model_opt, a.rounds)?;
    serde_json::to_value(opts).map_err(Failure::other)
}

/// The engine options recorded in a manifest.
fn manifest_options(m: &Manifest) -> Result<RunOptions, Failure> {
    serde_json::from_value(m.model_options.clone())
        .map_err(|e| Failure::input(format!("manifest model options: {e}")))
}

fn sweep_failure(e: SweepError) -> Failure {
    match e {
        SweepError::Mc(m) => mc_failure(m),
        other => Failure::input(other),
    }
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

pub fn exec(args: Args) -> Result<(), Failure> {
    match args.command {
        None => Err(Failure::input(
            "usage: statecraft sweep plan|run|reduce … (see `statecraft sweep --help`)",
        )),
        Some(SweepCommand::Plan(a)) => plan(*a),
        Some(SweepCommand::Run(a)) => run(a),
        Some(SweepCommand::Reduce(a)) => reduce(a),
    }
}

fn plan(a: PlanArgs) -> Result<(), Failure> {
    let scn = crate::load::scenario(&a.scenario)?.scenario;
    let cfg = a.mc.to_config(model_options(&scn, &a)?)?;
    let m = sweep::plan(&scn, a.grid, &cfg, a.vars).map_err(sweep_failure)?;
    let json = serde_json::to_string_pretty(&m).map_err(Failure::other)?;
    write_atomic(&a.output, json.as_bytes())?;
    eprintln!(
        "planned {} points × {} runs; run it with `statecraft sweep run {} --out DIR` (or one shard per job: --shard I --of N)",
        m.points,
        m.runs,
        a.output.display()
    );
    Ok(())
}

fn read_manifest(path: &Path) -> Result<Manifest, Failure> {
    let text = read_text(path)?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| Failure::input(format!("{}: not a sweep manifest: {e}", path.display())))?;
    m.check().map_err(sweep_failure)?;
    Ok(m)
}

fn run(a: RunArgs) -> Result<(), Failure> {
    let m = read_manifest(&a.manifest)?;
    let opts = manifest_options(&m)?;
    let shard = a
        .shard
        .or_else(|| env_usize("SLURM_ARRAY_TASK_ID"))
        .or_else(|| env_usize("JOB_COMPLETION_INDEX"));
    let of = a.of.or_else(|| env_usize("SLURM_ARRAY_TASK_COUNT"));
    // Without a shard index (flag or scheduler variable) the command runs every shard in turn:
    // one shard of one by default, or each of `--of N`.
    let shards: Vec<(usize, usize)> = match (shard, of) {
        (Some(i), Some(n)) => vec![(i, n)],
        (Some(_), None) => {
            return Err(Failure::input(
                "--shard given without --of (and $SLURM_ARRAY_TASK_COUNT is not set): pass --of N, or neither flag to run every point",
            ))
        }
        (None, Some(n)) => (0..n).collect::<Vec<_>>().into_iter().map(|i| (i, n)).collect(),
        (None, None) => vec![(0, 1)],
    };
    if shards.is_empty() {
        return Err(Failure::input("--of must be at least 1"));
    }
    crate::fsio::ensure_writable_dir(&a.out)?;
    for (shard, of) in shards {
        run_one_shard(&m, &opts, &a, shard, of)?;
    }
    Ok(())
}

fn run_one_shard(
    m: &Manifest,
    opts: &RunOptions,
    a: &RunArgs,
    shard: usize,
    of: usize,
) -> Result<(), Failure> {
    let n_points = sweep::shard_points(m.points, shard, of)
        .map_err(sweep_failure)?
        .len();
    let pb = progress_bar(n_points as u64, &format!("shard {shard}/{of}"));
    let cb = |done: usize, _total: usize| {
        if let Some(p) = &pb {
            p.set_position(done as u64);
        }
    };
    let csv = with_threads(a.threads, || {
        sweep::run_shard(
            m,
            shard,
            of,
            |scn, rng| engine::simulate_once(scn, opts, rng),
            Some(&cb),
        )
    })?
    .map_err(sweep_failure)?;
    if let Some(p) = &pb {
        p.finish_and_clear();
    }
    let path = a.out.join(sweep::shard_file_name(shard, of));
    write_atomic(&path, csv.as_bytes())?;
    eprintln!("wrote {} ({n_points} points)", path.display());
    Ok(())
}

fn reduce(a: ReduceArgs) -> Result<(), Failure> {
    let manifest = a.manifest.as_deref().map(read_manifest).transpose()?;
    let rd = std::fs::read_dir(&a.dir)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", a.dir.display())))?;
    let mut names: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".csv"))
        })
        .collect();
    names.sort();
    let mut files = Vec::new();
    for p in names {
        let text = read_text(&p)?;
        files.push((p.display().to_string(), text));
    }
    let merged = sweep::reduce(&files, manifest.as_ref()).map_err(sweep_failure)?;
    write_atomic(&a.output, merged.as_bytes())?;
    eprintln!(
        "merged {} shard file(s) into {}",
        files.len(),
        a.output.display()
    );
    Ok(())
}

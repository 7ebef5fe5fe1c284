//! The `statecraft` command line: parses arguments, calls statecraft-core, renders the result.
//! Front-end only: no model logic lives here.

mod cmd;
mod fsio;
mod load;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Simulate geopolitical crises: bargaining, options, alliance cascades, as probabilities.
#[derive(Parser)]
#[command(name = "statecraft", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Say nothing on stderr but errors (no progress).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Say more on stderr (timings of every long step).
    #[arg(long, global = true)]
    verbose: bool,
    /// With no subcommand, `statecraft [SCENARIO] [FLAGS]` is `statecraft run [SCENARIO] [FLAGS]`.
    #[command(flatten)]
    run: cmd::run::Args,
}

impl Cli {
    /// The `--threads` of the command, if it takes one and it was given.
    fn threads(&self) -> Option<usize> {
        match &self.command {
            None => self.run.mc.threads,
            Some(Command::Run(a)) => a.mc.threads,
            Some(Command::Forecast(a)) => a.mc.threads,
            Some(Command::Compare(a)) => a.mc.threads,
            Some(Command::Check(a)) => a.threads,
            Some(Command::Sweep(cmd::sweep::Args {
                command: Some(cmd::sweep::SweepCommand::Run(a)),
                ..
            })) => a.threads,
            _ => None,
        }
    }
}

// One value per process, parsed once by clap: the size gap between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run a scenario (a path or a built-in name; default: greenland-2026).
    Run(cmd::run::Args),
    /// Load and validate a scenario file; report every error with its location.
    Check(cmd::check::Args),
    /// List the available models.
    Models(cmd::models::Args),
    /// Score models on real outcomes (DEU III).
    Validate(cmd::validate::Args),
    /// Convert KTAB CSV/XML scenarios to statecraft TOML.
    Convert(cmd::convert::Args),
    /// Print the scenario's forecast questions with probabilities and intervals.
    Forecast(cmd::forecast::Args),
    /// Score forecasts against resolutions (Brier, log).
    Score(cmd::score::Args),
    /// Backtest on resolved crises: scores, skill, Murphy decomposition, reliability diagram.
    Backtest(cmd::backtest::Args),
    /// Fit shared crisis-layer constants to the backtest ledger (leave-one-case-out).
    Fit(cmd::fit::Args),
    /// Plan, run (sharded) and reduce parameter sweeps.
    Sweep(cmd::sweep::Args),
    /// Write a self-contained HTML report with charts.
    Report(cmd::report::Args),
    /// List every number `--set` accepts, with its value, distribution, range and source.
    Paths(cmd::authoring::PathsArgs),
    /// Write a built-in scenario's TOML (to start a variant of it).
    Export(cmd::authoring::ExportArgs),
    /// Write a commented template scenario that passes `check`.
    New(cmd::authoring::NewArgs),
    /// The what-if explorer in the browser: controls for every number, base vs variant.
    Serve(cmd::serve::Args),
    /// Compare a variant with a base scenario: outcome and var differences, paired runs.
    Compare(cmd::compare::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout: `statecraft man > statecraft.1`.
    Man,
}

fn main() -> ExitCode {
    // `--quiet` / `--verbose` anywhere, also before a subcommand (`statecraft --quiet report`):
    // with no subcommand the run flags are top-level arguments, which would otherwise make clap
    // read the subcommand's name as the run's SCENARIO.
    let mut quiet = false;
    let mut verbose = false;
    let argv: Vec<std::ffi::OsString> = std::env::args_os()
        .enumerate()
        .filter(|(i, a)| {
            if *i == 0 {
                return true;
            }
            match a.to_str() {
                Some("--quiet" | "-q") => {
                    quiet = true;
                    false
                }
                Some("--verbose") => {
                    verbose = true;
                    false
                }
                _ => true,
            }
        })
        .map(|(_, a)| a)
        .collect();
    if quiet && verbose {
        eprintln!("error: --quiet and --verbose cannot be used together");
        return ExitCode::from(2);
    }
    let cli = Cli::parse_from(argv);
    cmd::mc_args::set_verbosity(if quiet || cli.quiet {
        0
    } else if verbose || cli.verbose {
        2
    } else {
        1
    });
    // `--threads N` sizes the global pool too, so what a command computes before its job's
    // pool (the experiment's compile: the sampler's tables) also uses N threads, and a job
    // reuses that pool ([`cmd::mc_args::with_threads`]). A value `with_threads` refuses is
    // left to it to report.
    if let Some(n) = cli.threads() {
        if (1..=cmd::mc_args::max_threads()).contains(&n) {
            // fails only if a pool exists already: then jobs make their own
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global();
        }
    }
    let result = match cli.command {
        None => cmd::run::exec(cli.run),
        Some(Command::Run(a)) => cmd::run::exec(a),
        Some(Command::Check(a)) => cmd::check::exec(a),
        Some(Command::Models(a)) => cmd::models::exec(a),
        Some(Command::Validate(a)) => cmd::validate::exec(a),
        Some(Command::Convert(a)) => cmd::convert::exec(a),
        Some(Command::Forecast(a)) => cmd::forecast::exec(a),
        Some(Command::Score(a)) => cmd::score::exec(a),
        Some(Command::Backtest(a)) => cmd::backtest::exec(a),
        Some(Command::Fit(a)) => cmd::fit::exec(a),
        Some(Command::Sweep(a)) => cmd::sweep::exec(a),
        Some(Command::Report(a)) => cmd::report::exec(a),
        Some(Command::Paths(a)) => cmd::authoring::paths(a),
        Some(Command::Export(a)) => cmd::authoring::export(a),
        Some(Command::New(a)) => cmd::authoring::new(a),
        Some(Command::Serve(a)) => cmd::serve::exec(a),
        Some(Command::Compare(a)) => cmd::compare::exec(a),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "statecraft", &mut out);
            cmd::write_stdout(&String::from_utf8_lossy(&out))
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => cmd::write_stdout(&String::from_utf8_lossy(&out)),
                Err(e) => Err(cmd::Failure::other(format!(
                    "cannot render the manual page: {e}"
                ))),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

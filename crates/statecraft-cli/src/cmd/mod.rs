//! One module per subcommand. Each exposes `Args` (clap) and `exec(Args) -> Result<(), Failure>`.

pub mod authoring;
pub mod backtest;
pub mod check;
pub mod compare;
pub mod convert;
pub mod fit;
pub mod forecast;
pub mod mc_args;
pub mod models;
pub mod report;
pub mod run;
pub mod score;
pub mod serve;
pub mod study_view;
pub mod sweep;
pub mod trace_view;
pub mod validate;

use std::process::ExitCode;

/// Why a command failed. Bad input (a file that does not parse or validate, a bad flag value)
/// exits with code 2; anything else with 1.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong; the report says where and how to fix it.
    Input(miette::Report),
    /// Something else went wrong (I/O, a model error).
    Other(miette::Report),
}

impl Failure {
    pub fn input(msg: impl std::fmt::Display) -> Self {
        Failure::Input(miette::miette!("{msg}"))
    }
    pub fn other(msg: impl std::fmt::Display) -> Self {
        Failure::Other(miette::miette!("{msg}"))
    }
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Input(r) => {
                eprintln!("{:?}", Rendered(&r));
                ExitCode::from(2)
            }
            Failure::Other(r) => {
                eprintln!("{:?}", Rendered(&r));
                ExitCode::from(1)
            }
        }
    }
}

/// Renders a report with file:line:col headers and carets, without wrapping long lines (help
/// lines stay whole, greppable and copyable). Colours follow the terminal (and `NO_COLOR`).
/// The handler is chosen here rather than when the report was created, so every report of the
/// CLI looks the same.
struct Rendered<'a>(&'a miette::Report);

impl std::fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use miette::ReportHandler;
        let mut opts = miette::MietteHandlerOpts::new();
        // https://no-color.org: any non-empty NO_COLOR turns colour off.
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            opts = opts.color(false);
        }
        opts.wrap_lines(false)
            .context_lines(1)
            .build()
            .debug(self.0.as_ref(), f)
    }
}

/// Write `out` to stdout; a closed pipe (`statecraft … | head`) is not an error.
pub fn write_stdout(out: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("cannot write output: {e}"))),
    }
}

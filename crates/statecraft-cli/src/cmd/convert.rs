//! `statecraft convert`: KTAB CSV/XML scenarios → statecraft TOML.

use super::Failure;
use statecraft_core::formats::ktab;
use statecraft_core::scenario::ScenarioErrors;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// KTAB scenario file (`.csv` or `.xml`).
    pub input: PathBuf,
    /// Where to write the TOML (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let name = args.input.display().to_string();
    let text = std::fs::read_to_string(&args.input)
        .map_err(|e| Failure::input(format!("cannot read {name}: {e}")))?;
    let ext = args
        .input
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let parsed = match ext.as_deref() {
        Some("csv") => ktab::parse_csv(&text),
        Some("xml") => ktab::parse_xml(&text),
        _ => ktab::parse(&text),
    };
    let k = parsed.map_err(|e| Failure::Input(located(&name, &text, e)))?;
    let toml = k
        .to_toml()
        .map_err(|e| Failure::other(format!("cannot write TOML: {e}")))?;
    match &args.output {
        Some(out) => std::fs::write(out, toml)
            .map_err(|e| Failure::other(format!("cannot write {}: {e}", out.display())))?,
        None => print!("{toml}"),
    }
    Ok(())
}

/// Render every error with its location; all but the last are printed here, the last is
/// returned for the caller to print.
fn located(name: &str, text: &str, errs: ScenarioErrors) -> miette::Report {
    let n = errs.errors.len();
    let mut last = miette::miette!("{n} error(s) in {name}");
    for (i, e) in errs.errors.into_iter().enumerate() {
        let mut d = miette::MietteDiagnostic::new(e.message.clone());
        if let Some(span) = e.span {
            let span = span.start.min(text.len())..span.end.min(text.len());
            d = d.with_label(miette::LabeledSpan::at(span, "here"));
        }
        if let Some(h) = e.help {
            d = d.with_help(h);
        }
        let r = miette::Report::new(d)
            .with_source_code(miette::NamedSource::new(name, text.to_string()));
        if i + 1 < n {
            eprintln!("{r:?}");
        } else {
            last = r;
        }
    }
    last
}

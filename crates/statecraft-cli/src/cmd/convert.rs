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
    if let Some(out) = &args.output {
        crate::fsio::ensure_writable_file(out)?;
    }
    let text = crate::fsio::read_text(&args.input)?;
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
        Some(out) => crate::fsio::write_atomic(out, toml.as_bytes())?,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str) -> PathBuf {
        PathBuf::from(format!(
            "{}/../../../shared/reference/ktab/inputs/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
    }

    #[test]
    fn converts_csv_and_xml_to_toml_files() {
        for name in ["SOE-Pol-Comp.csv", "SOE-Pol-Comp_varA.xml"] {
            let out = std::env::temp_dir().join(format!(
                "statecraft-convert-{}-{name}.toml",
                std::process::id()
            ));
            let r = exec(Args {
                input: input(name),
                output: Some(out.clone()),
            });
            assert!(r.is_ok(), "{name}");
            let text = std::fs::read_to_string(&out).unwrap();
            let _ = std::fs::remove_file(&out);
            assert!(
                text.contains("[[actors]]") && text.contains("id = \"XJ\""),
                "{text}"
            );
            assert!(text.contains("[[stances]]"));
        }
    }

    #[test]
    fn malformed_input_is_an_input_failure() {
        let r = exec(Args {
            input: input("smpExample.xml"),
            output: None,
        });
        assert!(matches!(r, Err(Failure::Input(_))));
        let r = exec(Args {
            input: input("no-such-file.csv"),
            output: None,
        });
        assert!(matches!(r, Err(Failure::Input(_))));
    }
}

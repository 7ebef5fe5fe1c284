//! Reading a scenario named on the command line (a path or a built-in name) and rendering its
//! errors with miette: file, line, column, a caret under the offending text, and a help line.

use crate::cmd::Failure;
use miette::{Diagnostic, NamedSource, SourceSpan};
use statecraft_core::builtin;
use statecraft_core::scenario::load::{builtin_files, from_str_auto_with, suggest};
use statecraft_core::scenario::{Scenario, ScenarioErrors};
use std::sync::Arc;

/// A loaded, validated scenario.
pub struct Loaded {
    pub scenario: Scenario,
}

/// Load `arg`: an existing file, else a built-in scenario of that name.
pub fn scenario(arg: &str) -> Result<Loaded, Failure> {
    let path = std::path::Path::new(arg);
    let is_file = path.is_file();
    let (name, text, fmt_name) = if is_file {
        let text = crate::fsio::read_text(path)?;
        (arg.to_string(), text, arg.to_string())
    } else if let Some(text) = builtin::get(arg) {
        (
            format!("{arg} (built-in)"),
            text.to_string(),
            format!("{arg}.toml"),
        )
    } else {
        let names = builtin::names();
        let hint = match suggest(arg, names.iter().copied()) {
            Some(s) => format!("did you mean the built-in `{s}`?"),
            None => format!("built-in scenarios: {}", names.join(", ")),
        };
        let what = if path.exists() {
            "is not a regular file"
        } else {
            "is neither a file nor a built-in scenario"
        };
        return Err(Failure::Input(miette::miette!(
            help = hint,
            "`{arg}` {what}"
        )));
    };
    // A `use = "priors.toml"` names a file relative to the scenario file (none for a
    // built-in), then a built-in priors file of that name.
    let dir = path
        .is_file()
        .then(|| path.parent().map(|p| p.to_path_buf()).unwrap_or_default());
    let resolve = |name: &str| -> Option<Result<String, String>> {
        if let Some(dir) = &dir {
            let p = dir.join(name);
            if p.is_file() {
                return Some(crate::fsio::read_text(&p).map_err(|e| match e {
                    Failure::Input(r) | Failure::Other(r) => r.to_string(),
                }));
            }
        }
        builtin_files(name)
    };
    match from_str_auto_with(&fmt_name, &text, &resolve) {
        Ok(scenario) => Ok(Loaded { scenario }),
        Err(errs) => Err(render_errors(&name, &text, errs)),
    }
}

/// Most problems of one file rendered (the rest are counted in the summary): a file with
/// thousands of errors is a wrong file, and its first hundred say so (documented in
/// `docs/reliability.md`).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One located problem, as miette renders it.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
struct Located {
    message: String,
    /// Shared by every problem of the file: one copy of the text, not one per error.
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

/// All problems of one file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{summary}")]
struct Problems {
    summary: String,
    #[related]
    errors: Vec<Located>,
}

/// Turn the core's errors into one report listing every problem, up to
/// [`MAX_REPORTED_ERRORS`] (exit code 2).
pub fn render_errors(name: &str, text: &str, errs: ScenarioErrors) -> Failure {
    let n = errs.errors.len();
    let src: Arc<str> = Arc::from(text);
    let errors = errs
        .errors
        .into_iter()
        .take(MAX_REPORTED_ERRORS)
        .map(|e| {
            let span = e.span.clone().map(|r| {
                let start = r.start.min(text.len());
                let len = r.end.min(text.len()).saturating_sub(start);
                SourceSpan::new(start.into(), len)
            });
            let (message, label) = match (&span, e.line_col(text)) {
                (Some(_), Some(_)) => (e.message.clone(), "here".to_string()),
                _ => (format!("{name}: {}", e.message), String::new()),
            };
            Located {
                message,
                src: NamedSource::new(name, Arc::clone(&src)),
                span,
                label,
                help: e.help,
            }
        })
        .collect();
    let shown = if n > MAX_REPORTED_ERRORS {
        format!(" (the first {MAX_REPORTED_ERRORS} shown)")
    } else {
        String::new()
    };
    let summary = format!(
        "{name}: {n} error{} in scenario{shown}",
        if n == 1 { "" } else { "s" }
    );
    Failure::Input(miette::Report::new(Problems { summary, errors }))
}

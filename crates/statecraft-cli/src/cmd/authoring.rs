//! Scenario authoring: `statecraft paths` (every number `--set` accepts, with its value,
//! distribution, declared range and source), `statecraft export` (a built-in scenario's TOML)
//! and `statecraft new` (a commented template that passes `check`).

use super::Failure;
use statecraft_core::builtin;
use statecraft_core::catalog::{self, ParamInfo};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Output format of `paths`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct PathsArgs {
    /// Scenario file or built-in name.
    #[arg(default_value = builtin::DEFAULT)]
    pub scenario: String,
    /// Only paths containing this text (e.g. `ally.uk`).
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Only uncertain numbers (those with a distribution).
    #[arg(long)]
    pub uncertain: bool,
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn range_text(p: &ParamInfo) -> String {
    let lo = p.min.map_or("(-inf".to_string(), |x| {
        format!("[{}", catalog::num_text(x))
    });
    let hi = p
        .max
        .map_or("inf)".to_string(), |x| format!("{}]", catalog::num_text(x)));
    format!("{lo}, {hi}")
}

fn source_text(p: &ParamInfo) -> String {
    match (&p.source, &p.source_title) {
        (Some(id), Some(t)) if id != t => format!("{id}: {t}"),
        (Some(id), _) => id.clone(),
        (None, _) => String::new(),
    }
}

/// The table: one number per line, path first (what `--set` takes).
pub fn render_table(scenario: &str, params: &[ParamInfo]) -> String {
    let w = params
        .iter()
        .map(|p| p.path.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{} numbers of {scenario} that --set PATH=VALUE accepts ({} uncertain)\n\n",
        params.len(),
        params.iter().filter(|p| p.dist.is_some()).count()
    );
    let _ = writeln!(
        out,
        "{:w$}  {:>8}  {:<28}  {:<14}  {:>4}  source",
        "path", "value", "distribution", "range", "conf"
    );
    for p in params {
        let dist = p.dist.as_ref().map_or("-".to_string(), catalog::dist_text);
        let conf = p.confidence.map_or("-".to_string(), |c| format!("{c:.2}"));
        let _ = writeln!(
            out,
            "{:w$}  {:>8}  {:<28}  {:<14}  {:>4}  {}",
            p.path,
            catalog::num_text(p.value),
            dist,
            range_text(p),
            conf,
            source_text(p)
        );
    }
    out.push_str("\nChange one: statecraft run SCENARIO --set PATH=VALUE (repeatable); compare with the base run's numbers.\n");
    out
}

pub fn render_csv(params: &[ParamInfo]) -> String {
    let mut out = String::from("path,value,distribution,min,max,confidence,source,source_title\n");
    for p in params {
        let opt = |x: Option<f64>| x.map_or(String::new(), catalog::num_text);
        let row = [
            p.path.clone(),
            catalog::num_text(p.value),
            p.dist.as_ref().map_or(String::new(), catalog::dist_text),
            opt(p.min),
            opt(p.max),
            opt(p.confidence),
            p.source.clone().unwrap_or_default(),
            p.source_title.clone().unwrap_or_default(),
        ];
        out.push_str(&statecraft_core::csv::csv_line(&row));
    }
    out
}

pub fn paths(args: PathsArgs) -> Result<(), Failure> {
    let scn = crate::load::scenario(&args.scenario)?.scenario;
    let params: Vec<ParamInfo> = catalog::parameters(&scn)
        .into_iter()
        .filter(|p| args.filter.as_deref().is_none_or(|f| p.path.contains(f)))
        .filter(|p| !args.uncertain || p.dist.is_some())
        .collect();
    let out = match args.format {
        Format::Table => render_table(&scn.scenario.id, &params),
        Format::Csv => render_csv(&params),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&params).map_err(Failure::other)?;
            s.push('\n');
            s
        }
    };
    print!("{out}");
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Built-in scenario name.
    #[arg(default_value = builtin::DEFAULT)]
    pub name: String,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn emit(text: &str, out: Option<&PathBuf>) -> Result<(), Failure> {
    match out {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => {
            crate::fsio::ensure_writable_file(path)?;
            crate::fsio::write_atomic(path, text.as_bytes())?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
    }
}

pub fn export(args: ExportArgs) -> Result<(), Failure> {
    let Some(text) = builtin::get(&args.name) else {
        let names = builtin::names();
        let hint = match statecraft_core::suggest::suggest(&args.name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("built-in scenarios: {}", names.join(", ")),
        };
        return Err(Failure::input(format!(
            "`{}` is not a built-in scenario ({hint})",
            args.name
        )));
    };
    emit(text, args.out.as_ref())
}

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// Scenario id (ASCII letters, digits, `_` and `-`), also the default file name `<NAME>.toml`.
    pub name: String,
    /// Title line of the scenario.
    #[arg(long)]
    pub title: Option<String>,
    /// Information cut-off (YYYY-MM-DD).
    #[arg(long, default_value = "2026-01-11", value_name = "DATE")]
    pub as_of: String,
    /// Last simulated date (YYYY-MM-DD).
    #[arg(long, default_value = "2026-06-30", value_name = "DATE")]
    pub horizon: String,
    /// Output file (default `<NAME>.toml`; `-` = standard output). An existing file is kept
    /// unless `--force` is given.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// The template scenario (checked by a test to pass `check`).
pub const TEMPLATE: &str = include_str!("../../templates/new.toml");

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The template filled in for `args` (validated by the core's loader before it is written).
pub fn template(args: &NewArgs, file: &str) -> Result<String, Failure> {
    let id_ok = !args.name.is_empty()
        && args.name.len() <= 64
        && args
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !id_ok {
        return Err(Failure::input(format!(
            "scenario name `{}`: use 1-64 ASCII letters, digits, `_` or `-` (e.g. `taiwan-2027`)",
            args.name
        )));
    }
    for (flag, d) in [("--as-of", &args.as_of), ("--horizon", &args.horizon)] {
        if !is_date(d) {
            return Err(Failure::input(format!(
                "{flag} `{d}`: expected a date YYYY-MM-DD"
            )));
        }
    }
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{} (new scenario)", args.name))
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let text = TEMPLATE
        .replace("__ID__", &args.name)
        .replace("__TITLE__", &title)
        .replace("__AS_OF__", &args.as_of)
        .replace("__HORIZON__", &args.horizon)
        .replace("__FILE__", file);
    // Refuse to write a template that does not load (e.g. a horizon before as_of).
    if let Err(errs) = statecraft_core::scenario::load::from_toml_str(&text) {
        return Err(crate::load::render_errors(file, &text, errs));
    }
    Ok(text)
}

pub fn new(args: NewArgs) -> Result<(), Failure> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.toml", args.name)));
    let to_stdout = out.as_os_str() == "-";
    let file = if to_stdout {
        format!("{}.toml", args.name)
    } else {
        out.display().to_string()
    };
    let text = template(&args, &file)?;
    if to_stdout {
        return emit(&text, None);
    }
    if out.exists() && !args.force {
        return Err(Failure::input(format!(
            "`{}` exists; give --force to overwrite it or -o another file",
            out.display()
        )));
    }
    emit(&text, Some(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(name: &str) -> NewArgs {
        NewArgs {
            name: name.into(),
            title: None,
            as_of: "2026-01-11".into(),
            horizon: "2026-06-30".into(),
            out: None,
            force: false,
        }
    }

    #[test]
    fn template_loads_and_names_itself() {
        let t = template(&args("my-crisis"), "my-crisis.toml").ok().unwrap();
        let s = statecraft_core::scenario::load::from_toml_str(&t)
            .ok()
            .unwrap();
        assert_eq!(s.scenario.id, "my-crisis");
        assert!(!s.crisis.is_empty() && !s.outcomes.is_empty() && !s.questions.is_empty());
        assert!(!t.contains("__"), "every placeholder is filled");
    }

    #[test]
    fn bad_names_and_dates_are_refused() {
        assert!(template(&args("bad name"), "x.toml").is_err());
        let mut a = args("ok");
        a.as_of = "11/01/2026".into();
        assert!(template(&a, "x.toml").is_err());
        // A horizon before as_of is caught by the loader.
        let mut a = args("ok");
        a.horizon = "2025-01-01".into();
        assert!(template(&a, "x.toml").is_err());
    }
}

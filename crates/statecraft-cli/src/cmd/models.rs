//! `statecraft models`: list every bargaining model with a one-line description.

use super::Failure;
use statecraft_core::models;

#[derive(clap::Args, Debug, Default)]
pub struct Args {}

/// The listing, one model per line (`id  description`).
pub fn listing() -> String {
    let all = models::all();
    let width = all.iter().map(|m| m.id().len()).max().unwrap_or(0);
    let mut out = String::new();
    for m in &all {
        out.push_str(&format!("{:width$}  {}\n", m.id(), m.describe()));
    }
    out.push_str(&format!(
        "{:width$}  alias of eum-scholz (the default model)\n",
        "eum"
    ));
    out
}

pub fn exec(_args: Args) -> Result<(), Failure> {
    print!("{}", listing());
    Ok(())
}

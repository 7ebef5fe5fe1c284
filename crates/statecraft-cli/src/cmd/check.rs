//! `statecraft check FILE`: load and validate a scenario; print a summary or every error.

use super::Failure;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Scenario file (TOML, or a CSV table `Actor,Capability,Position,Salience`) or a built-in name.
    pub file: String,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let loaded = crate::load::scenario(&args.file)?;
    let s = &loaded.scenario;
    println!(
        "ok: {} actors, {} issues, {} stances",
        s.actors.len(),
        s.issues.len(),
        s.stances.len()
    );
    Ok(())
}

//! `statecraft validate`.

use super::Failure;

#[derive(clap::Args, Debug, Default)]
pub struct Args {}

pub fn exec(_args: Args) -> Result<(), Failure> {
    Err(Failure::other(
        "`statecraft validate` is not implemented yet",
    ))
}

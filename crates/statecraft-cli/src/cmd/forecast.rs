//! `statecraft forecast`.

use super::Failure;

#[derive(clap::Args, Debug, Default)]
pub struct Args {}

pub fn exec(_args: Args) -> Result<(), Failure> {
    Err(Failure::other(
        "`statecraft forecast` is not implemented yet",
    ))
}

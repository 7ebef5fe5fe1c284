//! The fast SMP engine (placeholder: delegates to the reference engine).

use super::params::SmpParams;
use super::{SmpInput, SmpRun};
use crate::models::ModelError;
use crate::rng::Rng;

/// Run SMP for at most `max_steps` steps.
pub fn run(
    inp: &SmpInput,
    p: &SmpParams,
    max_steps: usize,
    rng: &mut Rng,
) -> Result<SmpRun, ModelError> {
    super::reference::run(inp, p, max_steps, rng)
}

//! Crisis-layer scenario data: dated events, options, decision gates, the alliance influence
//! network and membership rules. (Data only; the simulation is in `crate::crisis`.)

use super::Num;
use serde::{Deserialize, Serialize};

/// Everything beyond plain bargaining. Empty for a bargaining-only scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisSpec {}

impl CrisisSpec {
    pub fn is_empty(&self) -> bool {
        *self == CrisisSpec::default()
    }
    /// Visit every number of the crisis layer with a stable dotted path.
    pub fn visit_nums_mut(&mut self, _f: &mut dyn FnMut(&str, &mut Num)) {}
}

//! Sensitivity: Sobol indices, one-at-a-time tornado, actor pivotality.

//! Monte Carlo: sample inputs, run in parallel with per-run RNG streams, aggregate outcome probabilities.

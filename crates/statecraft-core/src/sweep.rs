//! Sweeps: a manifest of parameter points, sharded runs, and a merge that never loses or double-counts.

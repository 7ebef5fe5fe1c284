//! statecraft-core: the scenario model, the bargaining and crisis models, and the Monte Carlo engine.
//!
//! The pipeline is the API (see `ARCHITECTURE.md`):
//! scenario → sampler → model (a pure function of inputs and RNG) → aggregator → renderers.
//!
//! Invariant: nothing in this crate touches the file system, the network, the clock or the
//! terminal. Callers hand in text (`&str`) and get data back.

pub mod backtest;
pub mod builtin;
pub mod catalog;
pub mod compare;
pub mod crisis;
pub mod csv;
pub mod engine;
pub mod ensemble;
pub mod evidence;
pub mod experiment;
pub mod expr;
pub mod fit;
pub mod forecast;
pub mod formats;
pub mod mc;
pub mod models;
pub mod plan;
pub mod rng;
pub mod sample;
pub mod scenario;
pub mod schema;
pub mod scoring;
pub mod sensitivity;
pub mod state;
pub mod study;
pub mod suggest;
pub mod sweep;
pub mod trace;
pub mod validate;

/// Engine version recorded in every output.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

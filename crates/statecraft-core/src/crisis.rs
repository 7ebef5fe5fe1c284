//! The crisis-layer simulation: dated rounds, events, options through decision gates, alliance cascade.

//! Cooperative cancellation of Monte Carlo jobs.
//!
//! A front end that may abandon a job (the web explorer cancels a stale one when the user moves a
//! slider again) hands the core a [`Cancel`] token and keeps a clone of it; calling
//! [`Cancel::cancel`] on its clone makes every Monte Carlo loop that carries the token stop at
//! its next check and return [`super::McError::Cancelled`]. Checks happen before every run and at
//! every batch boundary, so a cancelled job stops within one run per worker thread; nothing it
//! computed is returned. A token that is never cancelled changes nothing: results are identical
//! with and without one.
//!
//! The token travels inside [`super::McConfig`] (`McConfig::cancel`, not serialized), so every
//! analysis that derives its configuration from a study's (hypotheses, pivotality, evidence
//! discount, tornado) is cancelled with it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared cancellation flag. Clones share the flag. Two tokens always compare equal (a token
/// is control, not configuration), so configurations with and without one are equal.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    /// A fresh, live token.
    pub fn new() -> Cancel {
        Cancel(Some(Arc::new(AtomicBool::new(false))))
    }
    /// A token that can never be cancelled (the default).
    pub fn never() -> Cancel {
        Cancel(None)
    }
    /// Ask every job carrying this token (or a clone) to stop.
    pub fn cancel(&self) {
        if let Some(f) = &self.0 {
            f.store(true, Ordering::Relaxed);
        }
    }
    /// Whether [`Cancel::cancel`] was called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

impl PartialEq for Cancel {
    fn eq(&self, _: &Cancel) -> bool {
        true
    }
}

/// What a front end passes to `plan::execute_with` and `compare::compare_with`: today only the
/// cancellation token; more controls (e.g. a deadline measured by the front end) can be added
/// without changing those signatures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Control {
    pub cancel: Cancel,
}

impl Control {
    /// A control with a fresh, live cancellation token (keep a clone of `cancel`).
    pub fn cancellable() -> Control {
        Control {
            cancel: Cancel::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag_and_never_is_never() {
        let c = Cancel::new();
        let d = c.clone();
        assert!(!d.is_cancelled());
        c.cancel();
        assert!(d.is_cancelled());
        let n = Cancel::never();
        n.cancel();
        assert!(!n.is_cancelled());
        assert_eq!(Cancel::new(), Cancel::never());
    }
}

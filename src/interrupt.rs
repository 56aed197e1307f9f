//! Requests to stop long work early. The Python package gives each call a [`StopToken`]
//! and sets it on Ctrl-C (Python runs its signal handlers only when the interpreter gets
//! control, so the simulation must be asked to stop). Runs, sweeps and comparisons check
//! the token of the thread that started them between blocks of runs; a sweep stops at a
//! checkpoint and stays resumable. The binary sets none: its checks always pass.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A request to stop one piece of work (cheap to clone; clones share the request).
#[derive(Debug, Clone, Default)]
pub struct StopToken(Option<Arc<AtomicBool>>);

impl StopToken {
    /// A token that can be set.
    pub fn new() -> StopToken {
        StopToken(Some(Arc::new(AtomicBool::new(false))))
    }

    /// Asks the work holding this token to stop at its next block boundary.
    pub fn request(&self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::SeqCst))
    }

    /// `Err(error())` if a stop was requested.
    pub fn check(&self) -> std::io::Result<()> {
        match self.requested() {
            true => Err(error()),
            false => Ok(()),
        }
    }
}

thread_local! {
    static CURRENT: RefCell<StopToken> = RefCell::new(StopToken::default());
}

/// Runs `f` with `token` as this thread's stop token.
pub fn scoped<R>(token: &StopToken, f: impl FnOnce() -> R) -> R {
    let before = CURRENT.with(|c| c.replace(token.clone()));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = before);
    out
}

/// This thread's stop token (one that is never set outside [`scoped`]). Work that checks
/// from other threads takes it first and moves it there.
pub fn current() -> StopToken {
    CURRENT.with(|c| c.borrow().clone())
}

/// The error of work stopped on request.
pub fn error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_stops_only_the_work_it_was_given_to() {
        let mine = StopToken::new();
        let other = StopToken::new();
        mine.request();
        assert!(scoped(&mine, || current().check().is_err()));
        assert!(scoped(&other, || current().check().is_ok()));
        assert!(current().check().is_ok(), "outside scoped nothing is ever requested");
        StopToken::default().request();
        assert!(!StopToken::default().requested());
    }
}

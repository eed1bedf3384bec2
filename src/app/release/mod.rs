//! The decisions about release actions: the gates and plans (pure functions of the state),
//! and `update`'s handling of requests, confirmations, progress, outcomes, the journal's
//! records, the shared history and signals.

pub mod checklist;
pub mod decommission;
pub mod deploy;
pub mod lease;
pub mod lifecycle;
pub mod plan;
pub mod postmortem;
mod record;
mod request;
mod run;
pub mod stepper;
pub mod words;

pub use record::router_changed;
pub use request::{accept, answer, dismiss, request, retry_pending};
pub use run::{cancel_confirmed, cancel_newest, done, end, history, recorded, signal, step};

/// Exit codes of headless commands.
pub mod exit {
    /// Done.
    pub const OK: i32 = 0;
    /// An error, a failed action, or a refusal by permission or read-only mode.
    pub const ERROR: i32 = 1;
    /// A gate failed.
    pub const GATE: i32 = 2;
    /// The router changed under us; nothing was written.
    pub const CONFLICT: i32 = 3;
}

/// Seconds a headless request waits for the facts it needs.
pub const PENDING_SECS: i64 = 20;
#[cfg(test)]
mod tests;

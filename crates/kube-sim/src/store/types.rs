//! The store's public value types: changes (watch events) and errors.

use serde_json::Value;
use std::sync::Arc;

/// What kind of change a [`Change`] is (the watch event type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The object was created.
    Added,
    /// The object was updated.
    Modified,
    /// The object was removed (the object is its last state, with the deletion's version).
    Deleted,
}

impl ChangeKind {
    /// The watch event type string (`ADDED`, `MODIFIED`, `DELETED`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "ADDED",
            ChangeKind::Modified => "MODIFIED",
            ChangeKind::Deleted => "DELETED",
        }
    }
}

/// One write, as seen by watches and subscribers.
#[derive(Debug, Clone)]
pub struct Change {
    /// Added, modified or deleted.
    pub kind: ChangeKind,
    /// Resource plural (`pods`, `deployments`, ...).
    pub resource: String,
    /// Namespace (`""` for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// The global resourceVersion of this write.
    pub rv: u64,
    /// The object after the write (its last state, for deletions).
    pub object: Arc<Value>,
    /// The object before the write (None for creations); lets watches with a selector turn
    /// "stopped matching" into DELETED and "started matching" into ADDED.
    pub old: Option<Arc<Value>>,
}

/// Why a store operation was refused; the HTTP layer maps these to Status reasons.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No such object (404 NotFound).
    #[error("{resource} \"{name}\" not found")]
    NotFound {
        /// Resource plural.
        resource: String,
        /// Object name.
        name: String,
    },
    /// Create of an existing name (409 AlreadyExists).
    #[error("{resource} \"{name}\" already exists")]
    AlreadyExists {
        /// Resource plural.
        resource: String,
        /// Object name.
        name: String,
    },
    /// A resourceVersion precondition failed (409 Conflict).
    #[error("Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again")]
    Conflict {
        /// Resource plural.
        resource: String,
        /// Object name.
        name: String,
    },
    /// The object is malformed (422 Invalid).
    #[error("{0}")]
    Invalid(String),
}

/// A resume point older than the store still holds (watch gets an in-stream 410 Expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too old resource version: {requested} ({oldest})")]
pub struct Expired {
    /// The version the client asked for.
    pub requested: u64,
    /// The oldest version a watch may resume from now.
    pub oldest: u64,
}

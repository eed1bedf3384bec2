//! What this identity may do (SelfSubjectAccessReviews at start): each permission an
//! action needs, and which are missing. An action whose permission is missing is shown
//! disabled with the permission and never attempted.

/// A permission cutover's actions need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Patch the router object (switch, rollback).
    PatchRouter,
    /// Create Events (publishing outcomes).
    CreateEvents,
    /// Create Leases (the driver lease, presence).
    CreateLeases,
    /// Update Leases (claim, renew, release).
    UpdateLeases,
    /// Update the shared history ConfigMap.
    UpdateHistory,
}

impl Need {
    /// Every permission checked.
    pub const ALL: [Need; 5] = [
        Need::PatchRouter,
        Need::CreateEvents,
        Need::CreateLeases,
        Need::UpdateLeases,
        Need::UpdateHistory,
    ];
}

/// One answer: the permission, in words ("patch httproutes.gateway.networking.k8s.io
/// fittrack/fittrack"), and whether it is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Which permission.
    pub need: Need,
    /// The permission as the API names it.
    pub words: String,
    /// Allowed (an unanswered review counts as allowed: the API server still decides).
    pub allowed: bool,
}

/// The permissions as reviewed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Access {
    /// The reviews have answered (or failed).
    pub checked: bool,
    /// Every answer.
    pub answers: Vec<Answer>,
}

impl Access {
    /// The missing permission among `needs`, in words, if any.
    pub fn missing(&self, needs: &[Need]) -> Option<String> {
        self.answers
            .iter()
            .find(|a| !a.allowed && needs.contains(&a.need))
            .map(|a| format!("missing permission: {}", a.words))
    }

    /// No write at all is allowed (the identity only reads): nothing is written, not even
    /// a refusal.
    pub fn reads_only(&self) -> bool {
        self.checked && !self.answers.is_empty() && self.answers.iter().all(|a| !a.allowed)
    }
}

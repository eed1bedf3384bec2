//! What this cockpit knows about the other cockpits: which writes were its own (so the
//! rest is told as someone else's), and the driver lease as last read.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

/// Other operators, and this cockpit's own marks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Peers {
    /// Ids of the entries and switches this cockpit made (a router stamp or a history entry
    /// with one of these ids is ours; anything else came from someone else).
    pub own: BTreeSet<String>,
    /// This machine's name (the lease holder is `user@host`); set by the driver.
    pub host: String,
    /// The driver lease as last read or written (None: there is none, or not read yet).
    pub lease: Option<LeaseView>,
    /// A renewal or release is in flight.
    pub writing: bool,
    /// This face announces its presence (the cockpit; headless commands do not).
    pub announce: bool,
    /// The presence announcement was asked of the bus.
    pub announced: bool,
    /// Why this cockpit is not shown to others (its session could not be written).
    pub hidden: Option<String>,
    /// The cutover sessions as last read (every cockpit's own short-lived Lease).
    pub sessions: Vec<SessionView>,
    /// Expired sessions asked to be deleted (by name), so each is asked once.
    pub forgetting: BTreeSet<String>,
}

impl Peers {
    /// Remember an id this cockpit wrote.
    pub fn mark_own(&mut self, id: &str) {
        self.own.insert(id.to_string());
    }

    /// Who is here, each once, the driver marked: `["alice (driving)", "bob"]`. Only
    /// sessions renewed within their duration count.
    pub fn present(&self, now: DateTime<Utc>) -> Vec<String> {
        let driver = self
            .lease
            .as_ref()
            .filter(|l| l.fresh(now))
            .map(|l| l.holder.clone());
        let mut out: Vec<String> = Vec::new();
        for s in self.sessions.iter().filter(|s| s.fresh(now)) {
            let user = s.holder.split('@').next().unwrap_or_default();
            let word = if driver.as_deref() == Some(s.holder.as_str()) {
                format!("{user} (driving)")
            } else {
                user.to_string()
            };
            if !out.contains(&word) {
                out.push(word);
            }
        }
        out.sort_by_key(|w| !w.ends_with("(driving)"));
        out
    }

    /// Whether this cockpit wrote the entry or switch `id`.
    pub fn is_own(&self, id: &str) -> bool {
        self.own.contains(id)
    }
}

/// The driver lease's name (a `coordination.k8s.io/v1` Lease in the router's namespace).
pub const DRIVER_LEASE: &str = "cutover-driver";
/// Seconds a driver lease lasts without renewal.
pub const LEASE_SECS: i64 = 30;
/// Seconds between renewals by the driver (a third of the duration: two may fail).
pub const RENEW_SECS: i64 = 10;

/// The driver lease as last read.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseView {
    /// `user@host` of the holder (empty: released).
    pub holder: String,
    /// When the holder acquired it.
    pub acquired: Option<DateTime<Utc>>,
    /// When the holder last renewed it.
    pub renewed: Option<DateTime<Utc>>,
    /// Seconds it lasts after a renewal.
    pub duration_secs: i64,
    /// The object's resourceVersion (the precondition of the next write).
    pub resource_version: String,
}

impl LeaseView {
    /// Held by someone and renewed recently enough to count.
    pub fn fresh(&self, now: DateTime<Utc>) -> bool {
        !self.holder.is_empty()
            && self
                .renewed
                .or(self.acquired)
                .is_some_and(|t| now < t + chrono::Duration::seconds(self.duration_secs))
    }
}

/// One cockpit's session: a Lease labelled [`SESSION_LABEL`], renewed every few seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    /// The Lease's name.
    pub name: String,
    /// `user@host`.
    pub holder: String,
    /// When it was last renewed.
    pub renewed: Option<DateTime<Utc>>,
    /// Seconds it lasts after a renewal.
    pub duration_secs: i64,
    /// Its resourceVersion (the precondition of its deletion once expired).
    pub resource_version: String,
}

impl SessionView {
    /// Renewed within its duration.
    pub fn fresh(&self, now: DateTime<Utc>) -> bool {
        self.renewed
            .is_some_and(|t| now < t + chrono::Duration::seconds(self.duration_secs))
    }

    /// Expired long enough ago (three durations) that its cockpit is gone.
    pub fn abandoned(&self, now: DateTime<Utc>) -> bool {
        self.renewed
            .is_none_or(|t| now >= t + chrono::Duration::seconds(3 * self.duration_secs))
    }
}

/// The label every cutover session Lease carries.
pub const SESSION_LABEL: &str = "cutover.dev/session";

/// How this cockpit asks for the lease before a traffic action (the bus writes it with the
/// resourceVersion as precondition: two cockpits never both get it).
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseClaim {
    /// `user@host` of this cockpit.
    pub holder: String,
    /// The resourceVersion read (None: no lease exists yet; it is created).
    pub expected: Option<String>,
    /// The acquisition time to keep (a renewal); None: acquired now.
    pub acquired: Option<DateTime<Utc>>,
    /// Seconds it lasts.
    pub duration_secs: i64,
}

/// What the bus learned about the driver lease.
#[derive(Debug, Clone, PartialEq)]
pub enum LeaseEvent {
    /// The lease as the watch delivers it (None: there is none).
    Read(Option<LeaseView>),
    /// This cockpit's write (claim, renewal, release) landed, or why not.
    Wrote(Result<LeaseView, String>),
    /// The sessions as the watch delivers them.
    Sessions(Vec<SessionView>),
    /// This cockpit's own session could not be written: it is not shown to others.
    Hidden(String),
}

/// A write of the driver lease the bus makes for `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum LeaseWrite {
    /// Renew (or claim) with a resourceVersion precondition.
    Claim(LeaseClaim),
    /// Give it up (holder cleared) if it is still at this resourceVersion.
    Release {
        /// The resourceVersion this cockpit last wrote.
        expected: String,
    },
    /// Announce this cockpit: create its session Lease and renew it until the end.
    Announce {
        /// `user@host`.
        holder: String,
    },
    /// Delete an abandoned session, if it is still at this resourceVersion.
    Forget {
        /// The session Lease's name.
        name: String,
        /// Its resourceVersion as read.
        expected: String,
    },
}

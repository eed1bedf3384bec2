//! The journal's entries: every attempt and outcome of an action, as written to the local
//! JSON-lines journal and (outcomes) to the cluster's shared history. Plain serde values, so
//! the file, the ConfigMap and `cutover journal` read the same thing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::PhaseTime;

/// What kind of action an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A planned traffic switch.
    Switch,
    /// A rollback by a person.
    Rollback,
    /// A smoke test.
    Smoke,
    /// A version deployed to a color.
    Deploy,
    /// The old color taken down.
    Decommission,
    /// A decommissioned color scaled back up (before a rollback to it).
    ScaleUp,
    /// A manual checklist item ticked or unticked (its gate record says which).
    ChecklistTick,
    /// The checklist's commands run (their gate records say how each went).
    ChecklistRun,
    /// The router changed without cutover's switch annotations (kubectl, a pipeline).
    RouterChange,
}

impl EntryKind {
    /// The kind in words.
    pub fn word(self) -> &'static str {
        match self {
            EntryKind::Switch => "switch",
            EntryKind::Rollback => "rollback",
            EntryKind::Smoke => "smoke",
            EntryKind::Deploy => "deploy",
            EntryKind::Decommission => "decommission",
            EntryKind::ScaleUp => "scale-up",
            EntryKind::ChecklistTick => "checklist",
            EntryKind::ChecklistRun => "checks",
            EntryKind::RouterChange => "router",
        }
    }
}

/// An attempt (written before the action acts) or its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// About to act.
    Attempt,
    /// Finished (or refused before acting).
    Outcome,
}

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Result {
    /// It did what it set out to do (a smoke test that ran and passed).
    Succeeded,
    /// It ran and failed (a failed smoke test, an API error).
    Failed,
    /// A gate, read-only mode or the user refused it before it acted.
    Refused,
    /// The router changed under us; nothing was written.
    Conflict,
    /// Cancelled.
    Cancelled,
}

impl Result {
    /// The result in words.
    pub fn word(self) -> &'static str {
        match self {
            Result::Succeeded => "succeeded",
            Result::Failed => "failed",
            Result::Refused => "refused",
            Result::Conflict => "conflict",
            Result::Cancelled => "cancelled",
        }
    }
}

/// A gate as it stood when the action was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRecord {
    /// "smoke", "ready", "router".
    pub name: String,
    /// Passed?
    pub ok: bool,
    /// What it found.
    pub detail: String,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique id: the switch id for traffic actions (also on the router's annotation).
    pub id: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Who (the user the API server names, else the kubeconfig user).
    pub who: String,
    /// The kubeconfig context.
    #[serde(default)]
    pub context: String,
    /// The router object ("httproute fittrack/fittrack").
    #[serde(default)]
    pub router: String,
    /// What kind of action.
    pub kind: EntryKind,
    /// Attempt or outcome.
    pub stage: Stage,
    /// How it ended (outcomes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Result>,
    /// Where traffic was ("blue", "green", "split 90/10", "unknown").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The target color ("blue", "green"); the tested color for a smoke test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Each color's version ("blue" → "v1.9.3").
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
    /// Phase times in milliseconds from the start.
    #[serde(default)]
    pub phases: Vec<PhaseTime>,
    /// The gates as they stood.
    #[serde(default)]
    pub gates: Vec<GateRecord>,
    /// Why, when the operator said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// One line for people: "switched BLUE → GREEN, verified at the LB in 0.41 s".
    pub summary: String,
    /// What went wrong, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The version the action concerns (a smoke test's tested version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The last lines of an external command's output (checklist commands), sanitized.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
    /// Why publishing it to the cluster failed: set only on the local journal's second line
    /// for the same id, written after a failed publish (the later line supersedes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_error: Option<String>,
}

impl Entry {
    /// The Kubernetes Event reason that publishes this outcome.
    pub fn event_reason(&self) -> &'static str {
        let refused = matches!(self.result, Some(Result::Refused | Result::Conflict));
        let ok = self.result == Some(Result::Succeeded);
        match (self.kind, self.result) {
            (EntryKind::Deploy, _) if refused => "DeployRefused",
            (EntryKind::Deploy, _) if ok => "Deployed",
            (EntryKind::Deploy, _) => "DeployFailed",
            (EntryKind::Decommission, _) if refused => "DecommissionRefused",
            (EntryKind::Decommission, _) if ok => "Decommissioned",
            (EntryKind::Decommission, _) => "DecommissionFailed",
            (EntryKind::ScaleUp, _) if ok => "ScaledUp",
            (EntryKind::ScaleUp, _) => "ScaleUpFailed",
            (EntryKind::ChecklistTick, _) => "ChecklistTicked",
            (EntryKind::ChecklistRun, _) if ok => "ChecklistPassed",
            (EntryKind::ChecklistRun, _) => "ChecklistFailed",
            (EntryKind::RouterChange, _) => "RouterChangedOutsideCutover",
            (EntryKind::Smoke, Some(Result::Succeeded)) => "SmokePassed",
            (EntryKind::Smoke, _) => "SmokeFailed",
            (_, Some(Result::Refused | Result::Conflict)) => "SwitchRefused",
            (EntryKind::Rollback, _) => "RolledBack",
            (EntryKind::Switch, Some(Result::Succeeded)) => "TrafficSwitched",
            (EntryKind::Switch, _) => "SwitchFailed",
        }
    }

    /// A Warning Event rather than Normal.
    pub fn is_warning(&self) -> bool {
        !matches!(self.result, Some(Result::Succeeded) | None)
            || matches!(self.kind, EntryKind::Rollback | EntryKind::RouterChange)
    }
}

/// How a journal write went, as the bus reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The entry written.
    pub id: String,
    /// Its stage.
    pub stage: Stage,
    /// The local journal: Err says why it could not be written (shown, never skipped silently).
    pub local: std::result::Result<(), String>,
    /// The Event and shared history (outcomes only): Err says which write failed and why.
    pub cluster: std::result::Result<(), String>,
}

/// What a post-mortem is written from: the journal's entries of a time window, the
/// Warning Events of both colors in it, and the router as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Postmortem {
    /// "Release timeline — httproute fittrack/fittrack".
    pub title: String,
    /// Start of the window (None: everything kept).
    pub since: Option<DateTime<Utc>>,
    /// When it was written.
    pub until: DateTime<Utc>,
    /// The entries in the window, oldest first.
    pub entries: Vec<Entry>,
    /// Warning Events of the colors' namespaces in the window, oldest first.
    pub warnings: Vec<crate::model::KubeEvent>,
    /// The namespaces those Events were read from.
    pub namespaces: Vec<String>,
    /// Where the router points now, in words ("GREEN (fittrack-blue:0,fittrack-green:100)").
    pub router_now: Option<String>,
}

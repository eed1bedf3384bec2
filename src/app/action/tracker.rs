//! What the core keeps about actions: those running, the smoke result of each color, the
//! shared history, and the bookkeeping for headless exits and graceful shutdown.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::journal::{Entry, EntryKind, Result as EntryResult, Stage};
use super::{
    ActionClass, ActionId, Op, PhaseTime, Request, RequestOptions, SwitchKind, Verification,
};
use crate::model::Color;

/// Most output lines kept per running action.
pub const OUTPUT_MAX: usize = 500;

/// An action in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningAction {
    /// Its id.
    pub id: ActionId,
    /// "switch to GREEN", "smoke GREEN v2.0.0".
    pub name: String,
    /// Traffic or check.
    pub class: ActionClass,
    /// What the bus runs.
    pub op: Op,
    /// When it started.
    pub started: DateTime<Utc>,
    /// Phases completed so far.
    pub phases: Vec<PhaseTime>,
    /// What it waits for now.
    pub waiting: Option<String>,
    /// Output lines (bounded), oldest first.
    pub output: Vec<String>,
    /// A cancel was asked for.
    pub cancelling: bool,
    /// The attempt entry written when it started (who, from/to, versions, gates, reason).
    pub attempt: Entry,
    /// The outcome arrived and is being recorded.
    pub finished: bool,
}

impl RunningAction {
    /// Whether Ctrl-C (or a rollback, or shutdown) may cut it now: a smoke test always; a
    /// switch only once the router write is accepted (its verification), never between
    /// write and record.
    pub fn cancellable(&self) -> bool {
        let reached = |phase| self.phases.iter().any(|p| p.phase == phase);
        !self.finished
            && match &self.op {
                Op::Smoke(_) | Op::ScaleUp(_) | Op::Checklist(_) => true,
                Op::Switch(_) => reached(super::Phase::PatchAccepted),
                // An external command is only cut after asking (`runs_command`); following
                // the rollout afterwards may stop at any time.
                Op::Deploy(p) => !p.runs_command() || reached(super::Phase::Command),
                Op::Decommission(_) => false,
            }
    }

    /// An external command (helm upgrade, helm uninstall) runs now: cutting it needs
    /// asking first — an interrupted `helm upgrade` leaves the release stuck.
    pub fn runs_command(&self) -> bool {
        let commanded = match &self.op {
            Op::Deploy(p) => p.runs_command(),
            Op::Decommission(p) => {
                matches!(p.how, super::lifecycle::DecommissionHow::Command(_))
            }
            _ => false,
        };
        commanded && !self.finished && !self.phases.iter().any(|p| p.phase == super::Phase::Command)
    }

    /// A switch or rollback whose router write is not yet accepted.
    pub fn writing_router(&self) -> bool {
        matches!(self.op, Op::Switch(_)) && !self.cancellable() && !self.finished
    }

    /// Keep an output line, dropping the oldest past [`OUTPUT_MAX`].
    pub fn push_output(&mut self, line: String) {
        if self.output.len() >= OUTPUT_MAX {
            self.output.remove(0);
        }
        self.output.push(line);
    }
}

/// The last smoke result of a color, from this cockpit or the shared history.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeResult {
    /// The version tested.
    pub version: Option<String>,
    /// Passed?
    pub passed: bool,
    /// When.
    pub at: DateTime<Utc>,
    /// Who ran it.
    pub by: String,
    /// "6/6 checks, suite exit 0, 3.2 s".
    pub summary: String,
}

/// The last switch this cockpit made, for the header's headline.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchSummary {
    /// Switch or rollback.
    pub kind: SwitchKind,
    /// The target.
    pub to: Color,
    /// Phase times.
    pub phases: Vec<PhaseTime>,
    /// How verification ended.
    pub verification: Verification,
    /// When it finished.
    pub at: DateTime<Utc>,
}

/// A headless request waiting for the facts it depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The request.
    pub request: Request,
    /// Its options.
    pub options: RequestOptions,
    /// When it arrived (it gives up after a while).
    pub since: DateTime<Utc>,
}

/// Everything the core knows about actions.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    /// Running actions by id.
    pub running: BTreeMap<ActionId, RunningAction>,
    next_id: ActionId,
    /// Each color's last smoke result, blue first.
    pub smoke: [Option<SmokeResult>; 2],
    /// The shared history as last read, oldest first, plus this cockpit's own outcomes.
    pub history: Vec<Entry>,
    /// The shared history has been read at least once.
    pub history_loaded: bool,
    /// Why the last journal write failed, while it keeps failing (shown, never skipped).
    pub journal_problem: Option<String>,
    /// Why the last cluster publication (Event, shared history) failed.
    pub publish_problem: Option<String>,
    /// A headless request waiting for facts.
    pub pending: Option<Pending>,
    /// A signal asked to end: the exit code to end with once running actions are recorded.
    pub quitting: Option<i32>,
    /// Outcome entries whose recording ends a headless command, with its exit code.
    pub exits: BTreeMap<String, i32>,
    /// The last switch this cockpit made.
    pub last_switch: Option<SwitchSummary>,
    /// Entries made so far (keeps entry ids unique within the run).
    pub entries_made: u64,
}

impl Actions {
    /// A fresh id.
    pub fn next_id(&mut self) -> ActionId {
        self.next_id += 1;
        self.next_id
    }

    /// A running action of the traffic class, if any.
    pub fn traffic(&self) -> Option<&RunningAction> {
        self.running
            .values()
            .find(|a| a.class == ActionClass::Traffic && !a.finished)
    }

    /// Running actions not yet finished.
    pub fn active(&self) -> impl Iterator<Item = &RunningAction> {
        self.running.values().filter(|a| !a.finished)
    }

    /// Take an outcome entry into the history (own entries appear at once; the shared copy
    /// replaces it by id when read back).
    pub fn remember(&mut self, entry: Entry) {
        if entry.stage != Stage::Outcome {
            return;
        }
        self.history.retain(|e| e.id != entry.id);
        self.history.push(entry);
        self.history.sort_by_key(|e| e.at);
        self.refresh_smoke();
    }

    /// Replace the shared history with what the cluster holds, keeping own outcomes that have
    /// not reached it yet.
    pub fn take_history(&mut self, shared: Vec<Entry>) {
        let own: Vec<Entry> = self
            .history
            .drain(..)
            .filter(|e| !shared.iter().any(|s| s.id == e.id))
            .collect();
        self.history = shared;
        self.history.extend(own);
        self.history.sort_by_key(|e| e.at);
        self.history_loaded = true;
        self.refresh_smoke();
    }

    /// The history's entries since a color's workload last changed by a deploy (succeeded
    /// or failed), oldest first: smoke and checklist results before it no longer count.
    pub fn since_deploy(&self, color: Color) -> &[Entry] {
        let start = self
            .history
            .iter()
            .rposition(|e| {
                e.kind == EntryKind::Deploy
                    && e.to.as_deref() == Some(color.name())
                    && matches!(
                        e.result,
                        Some(EntryResult::Succeeded) | Some(EntryResult::Failed)
                    )
            })
            .map_or(0, |i| i + 1);
        &self.history[start..]
    }

    /// Each color's newest smoke outcome from the history, since its last deploy.
    fn refresh_smoke(&mut self) {
        for color in Color::BOTH {
            let newest = self.since_deploy(color).iter().rev().find(|e| {
                e.kind == EntryKind::Smoke
                    && e.to.as_deref() == Some(color.name())
                    && matches!(
                        e.result,
                        Some(EntryResult::Succeeded) | Some(EntryResult::Failed)
                    )
            });
            self.smoke[color as usize] = newest.map(|e| SmokeResult {
                version: e.version.clone(),
                passed: e.result == Some(EntryResult::Succeeded),
                at: e.at,
                by: e.who.clone(),
                summary: details(&e.summary).to_string(),
            });
        }
    }
}

/// The details of an outcome's summary: "18/18 checks, 0.06 s" of "smoke GREEN v2.0.0
/// passed (18/18 checks, 0.06 s)" (the whole text when it has none), so a gate that names
/// the color and version itself does not say them twice.
fn details(summary: &str) -> &str {
    match (summary.find(" ("), summary.strip_suffix(')')) {
        (Some(i), Some(inner)) if i + 2 <= inner.len() => &inner[i + 2..],
        _ => summary,
    }
}

#[cfg(test)]
mod tests {
    use super::details;

    #[test]
    fn a_summary_gives_its_details_once() {
        assert_eq!(
            details("smoke GREEN v2.0.0 passed (18/18 checks, 0.06 s)"),
            "18/18 checks, 0.06 s"
        );
        assert_eq!(
            details("smoke GREEN failed (2/3 checks: GET / → 500 (expected 200))"),
            "2/3 checks: GET / → 500 (expected 200)"
        );
        assert_eq!(details("6/6 checks"), "6/6 checks");
        assert_eq!(details("odd (unclosed"), "odd (unclosed");
    }
}

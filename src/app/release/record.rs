//! Journal entries of requests and actions: refusals (recorded and published), and fresh
//! entries as the state stands.

use std::collections::BTreeMap;

use super::plan;
use crate::app::action::journal::{Entry, EntryKind, GateRecord, Result as R, Stage};
use crate::app::action::{Gate, RequestOptions, SwitchKind};
use crate::app::msg::{Cmd, Face};
use crate::app::state::State;
use crate::model::{Color, RouterReading, RouterTarget};

/// The journal's kind of a switch.
pub(super) fn entry_kind(kind: SwitchKind) -> EntryKind {
    match kind {
        SwitchKind::Switch => EntryKind::Switch,
        SwitchKind::Rollback => EntryKind::Rollback,
    }
}

/// Record a refusal (published: `SwitchRefused`), tell the user, and end a headless command.
pub(super) fn refuse(
    state: &mut State,
    kind: EntryKind,
    to: Option<Color>,
    gates: &[Gate],
    options: &RequestOptions,
    why: &str,
    code: i32,
) -> Vec<Cmd> {
    let words = match to {
        Some(c) => format!("{} {}", kind.word(), c.word()),
        None => kind.word().to_string(),
    };
    let mut entry = new_entry(state, kind, to, gates, options, Stage::Outcome);
    entry.result = Some(R::Refused);
    entry.summary = format!("{words} refused: {why}");
    entry.error = Some(why.to_string());
    state.flash(entry.summary.clone());
    let mut cmds = Vec::new();
    if options.headless {
        state.actions.exits.insert(entry.id.clone(), code);
        cmds.push(Cmd::Face(Face::Warn(entry.summary.clone())));
    }
    state.actions.remember(entry.clone());
    state.timeline.entry(entry.clone(), state.now);
    // A read-only session writes nothing to the cluster, not even its refusals.
    cmds.push(journal(state, entry));
    cmds
}

/// The command that journals `entry`: locally and, for outcomes, to the cluster — unless
/// the session writes nothing to the cluster (read-only, or an identity that only reads),
/// then locally only.
pub(super) fn journal(state: &State, entry: Entry) -> Cmd {
    if state.writes_nothing() {
        Cmd::RecordLocal(entry)
    } else {
        Cmd::Record(entry)
    }
}

/// Decline without recording (nothing was attempted: a missing configuration, a bad
/// version typed): tell the user; end a headless command with an error.
pub(super) fn decline(state: &mut State, options: &RequestOptions, why: &str) -> Vec<Cmd> {
    state.flash(why.to_string());
    if options.headless {
        return vec![
            Cmd::Face(Face::Warn(why.to_string())),
            Cmd::Face(Face::Exit(super::exit::ERROR)),
        ];
    }
    Vec::new()
}

/// The router changed from `prev` to what the state now holds. A change that carries a new
/// switch stamp was a cutover switch (its switcher journals it); any other change was made
/// outside cutover (kubectl, a pipeline) and is journaled here, published so the
/// post-mortem has it (every cockpit that saw it writes the same id: the shared history
/// keeps it once).
pub fn router_changed(state: &mut State, prev: &RouterReading) -> Vec<Cmd> {
    let Some(now) = state.router.clone() else {
        return Vec::new();
    };
    let stamped = now.stamp.is_some() && now.stamp != prev.stamp;
    let ours = now
        .stamp
        .as_ref()
        .is_some_and(|s| state.actions.running.values().any(|a| a.attempt.id == s.id));
    if stamped || ours {
        return Vec::new();
    }
    let options = RequestOptions::default();
    let to = match &now.target {
        RouterTarget::Color(c) => Some(*c),
        _ => None,
    };
    let mut entry = new_entry(
        state,
        EntryKind::RouterChange,
        to,
        &[],
        &options,
        Stage::Outcome,
    );
    let id: String = format!("router-{}-{}", state.router_label, now.resource_version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    entry.id = id;
    entry.from = Some(from_words(&prev.target));
    if to.is_none() {
        entry.to = Some(from_words(&now.target));
    }
    entry.result = Some(R::Succeeded);
    entry.summary = format!(
        "router changed outside cutover: {} → {} ({}; seen by {})",
        plan::target_words(&prev.target),
        plan::target_words(&now.target),
        now.raw,
        entry.who
    );
    state.actions.remember(entry.clone());
    state.timeline.entry(entry.clone(), state.now);
    vec![journal(state, entry)]
}

/// A fresh journal entry for an action on `to`, as the state stands.
pub(super) fn new_entry(
    state: &mut State,
    kind: EntryKind,
    to: Option<Color>,
    gates: &[Gate],
    options: &RequestOptions,
    stage: Stage,
) -> Entry {
    state.actions.entries_made += 1;
    let id = plan::switch_id(state.now, &state.who(), state.actions.entries_made);
    state.peers.mark_own(&id);
    let versions: BTreeMap<String, String> = Color::BOTH
        .into_iter()
        .filter_map(|c| Some((c.name().to_string(), state.color(c).version()?)))
        .collect();
    Entry {
        id,
        at: state.now,
        who: state.who(),
        context: state.session.context_name.clone(),
        router: state.router_label.clone(),
        kind,
        stage,
        result: None,
        from: state.router.as_ref().map(|r| from_words(&r.target)),
        to: to.map(|c| c.name().to_string()),
        version: to.and_then(|c| state.color(c).version()),
        versions,
        phases: Vec::new(),
        gates: gates
            .iter()
            .map(|g| GateRecord {
                name: g.name.to_string(),
                ok: g.passed(),
                detail: g.detail.clone(),
            })
            .collect(),
        reason: options.reason.clone(),
        summary: String::new(),
        error: None,
        output: Vec::new(),
        publish_error: None,
    }
}

/// Where traffic was, as the journal says it: "blue", "split 90/10", "unknown", "missing".
pub(super) fn from_words(target: &RouterTarget) -> String {
    match target {
        RouterTarget::Color(c) => c.name().to_string(),
        RouterTarget::Split { blue, green } => format!("split {blue}/{green}"),
        RouterTarget::Unknown(_) => "unknown".into(),
        RouterTarget::Missing => "missing".into(),
    }
}

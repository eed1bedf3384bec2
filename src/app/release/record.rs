//! Journal entries of requests and actions: refusals (recorded and published), and fresh
//! entries as the state stands.

use std::collections::BTreeMap;

use super::plan;
use crate::app::action::journal::{Entry, EntryKind, GateRecord, Result as R, Stage};
use crate::app::action::{Gate, RequestOptions, SwitchKind};
use crate::app::msg::{Cmd, Face};
use crate::app::state::State;
use crate::model::{Color, RouterTarget};

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
    cmds.push(if state.writes_nothing() {
        Cmd::RecordLocal(entry)
    } else {
        Cmd::Record(entry)
    });
    cmds
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
        publish_error: None,
    }
}

/// Where traffic was, as the journal says it: "blue", "split 90/10", "unknown", "missing".
fn from_words(target: &RouterTarget) -> String {
    match target {
        RouterTarget::Color(c) => c.name().to_string(),
        RouterTarget::Split { blue, green } => format!("split {blue}/{green}"),
        RouterTarget::Unknown(_) => "unknown".into(),
        RouterTarget::Missing => "missing".into(),
    }
}

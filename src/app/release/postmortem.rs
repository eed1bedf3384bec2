//! The post-mortem's material, gathered from the state: the shared history's entries in
//! the window, the Warning Events of both colors' namespaces in it, and the router now.

use chrono::{DateTime, Utc};

use super::plan;
use crate::app::action::journal::Postmortem;
use crate::app::msg::Cmd;
use crate::app::state::State;
use crate::app::timeline::TimelineItem;
use crate::model::{Color, EventKind};

/// The post-mortem of the window since `since` (None: everything kept).
pub fn gather(state: &State, since: Option<DateTime<Utc>>) -> Postmortem {
    let within = |t: DateTime<Utc>| since.is_none_or(|s| t >= s);
    let namespaces: Vec<String> = Color::BOTH
        .map(|c| state.color(c).namespace.clone())
        .into_iter()
        .fold(Vec::new(), |mut acc, ns| {
            if !acc.contains(&ns) {
                acc.push(ns);
            }
            acc
        });
    let warnings = state
        .timeline
        .items()
        .iter()
        .filter_map(|i| match i {
            TimelineItem::Event(e)
                if e.kind == EventKind::Warning
                    && within(e.time)
                    && namespaces.contains(&e.namespace) =>
            {
                Some(e.clone())
            }
            _ => None,
        })
        .collect();
    Postmortem {
        title: format!("Release timeline — {}", state.router_label),
        since,
        until: state.now,
        entries: state
            .actions
            .history
            .iter()
            .filter(|e| within(e.at))
            .cloned()
            .collect(),
        warnings,
        namespaces,
        router_now: state
            .router
            .as_ref()
            .map(|r| format!("{} ({})", plan::target_words(&r.target), r.raw)),
    }
}

/// The cockpit's post-mortem key: the whole history kept, written to a file by the bus.
pub fn export(state: &mut State) -> Vec<Cmd> {
    state.flash("writing the post-mortem…");
    vec![Cmd::Postmortem(Box::new(gather(state, None)))]
}

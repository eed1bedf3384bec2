//! The live feed of others' actions: a router change this cockpit did not make, and a
//! shared-history entry another cockpit wrote, are told at once (footer and timeline).

use chrono::DateTime;

use super::action::journal::Entry;
use super::release::plan::target_words;
use super::state::State;
use crate::model::{RouterReading, RouterTarget};

/// Who changed the router's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changer {
    /// This cockpit (its switch id is on the router).
    Own,
    /// Another cutover: a fresh switch stamp not ours, naming who.
    Cutover {
        /// Who switched.
        by: String,
        /// When, as stamped (RFC 3339), if readable.
        at: Option<DateTime<chrono::Utc>>,
    },
    /// Not cutover: the switch annotations are missing, unchanged or name nobody.
    Outside,
}

/// Who made the change from `prev` to `now` (the target differs).
pub fn changer(state: &State, prev: &RouterReading, now: &RouterReading) -> Changer {
    let Some(stamp) = &now.stamp else {
        return Changer::Outside;
    };
    if state.peers.is_own(&stamp.id) {
        return Changer::Own;
    }
    // The same stamp as before: the target was written without cutover's annotations.
    let fresh = prev.stamp.as_ref().is_none_or(|p| p.id != stamp.id);
    if !fresh || stamp.by.is_empty() {
        return Changer::Outside;
    }
    Changer::Cutover {
        by: stamp.by.clone(),
        at: DateTime::parse_from_rfc3339(&stamp.at)
            .ok()
            .map(|t| t.to_utc()),
    }
}

/// Tell a router change: the timeline notice, and — when someone else made it — a flash.
pub fn router_changed(state: &mut State, prev: &RouterReading, now: &RouterReading) {
    let from = target_words(&prev.target);
    let to = target_words(&now.target);
    let (text, flash) = match changer(state, prev, now) {
        Changer::Own => (
            format!(
                "router {} changed: {from} → {to} ({})",
                state.router_label, now.raw
            ),
            None,
        ),
        Changer::Cutover { by, at } => {
            let text = match &now.target {
                RouterTarget::Color(_) => format!("traffic switched to {to} by {by}"),
                _ => format!("traffic set to {to} by {by}"),
            };
            let ago = at
                .map(|t| (state.now - t).num_seconds())
                .filter(|s| *s >= 1)
                .map(|s| format!(" {} ago", crate::model::age_text(s)))
                .unwrap_or_default();
            (format!("{text} (was {from})"), Some(format!("{text}{ago}")))
        }
        Changer::Outside => {
            // The timeline has it from its journal entry (`RouterChange`, written by
            // `release::router_changed`): flashed only.
            let text = format!(
                "router changed outside cutover: {from} → {to} ({})",
                now.raw
            );
            state.flash(text);
            return;
        }
    };
    state.timeline.notice(state.now, text, true);
    if let Some(f) = flash {
        state.flash(f);
    }
}

/// Shared-history entries arrived: flash the newest one another cockpit wrote since the
/// last reading (the entries themselves go to the timeline with the rest of the history).
pub fn history_arrived(state: &mut State, entries: &[Entry]) {
    if !state.actions.history_loaded {
        return;
    }
    let news = entries.iter().filter(|e| {
        !state.peers.is_own(&e.id) && !state.actions.history.iter().any(|h| h.id == e.id)
    });
    if let Some(e) = news.max_by_key(|e| e.at) {
        let text = format!("{} — by {}", e.summary, e.who);
        state.flash(text);
    }
}

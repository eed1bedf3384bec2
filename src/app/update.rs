//! `update(&mut State, Msg) -> Vec<Cmd>`: the one place decisions are made. Pure: no
//! I/O, no clock; everything it needs is in the state and the message.

use chrono::{DateTime, Duration, Utc};

use super::action::Action;
use super::keymap::KeyMode;
use super::keys::handle_key;
use super::model::{Colour, Feed, FeedStatus, LogLine, RouterTarget, RouterView};
use super::msg::{Cmd, Msg};
use super::state::{FeedState, Focus, Modal, State};

/// How long a footer message stays.
pub const FLASH_SECS: i64 = 4;

/// Apply one message to the state; returns the commands for the bus.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(ev) => return handle_key(state, ev),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.mark_dirty();
        }
        Msg::Tick(now) => tick(state, now),
        Msg::Pods { colour, pods } => {
            let cs = state.colour_mut(colour);
            let selected = cs.pods.get(cs.selected).map(|p| p.name.clone());
            cs.pods = pods;
            cs.selected = selected
                .and_then(|name| cs.pods.iter().position(|p| p.name == name))
                .unwrap_or(cs.selected)
                .min(cs.pods.len().saturating_sub(1));
            data_arrived(state, Feed::Pods(colour));
        }
        Msg::Deployment { colour, deployment } => {
            state.colour_mut(colour).deployment = deployment;
            data_arrived(state, Feed::Deployment(colour));
        }
        Msg::Endpoints {
            colour,
            ready,
            total,
        } => {
            state.colour_mut(colour).endpoints = Some((ready, total));
            data_arrived(state, Feed::Endpoints(colour));
        }
        Msg::Router(view) => {
            apply_router(state, view);
            data_arrived(state, Feed::Router);
        }
        Msg::Events(events) => {
            for ev in events {
                let feed = Feed::Events(ev.namespace.clone());
                state.timeline.upsert_event(ev);
                touch(state, feed);
            }
            state.mark_dirty();
        }
        Msg::LogLines(lines) => ingest_logs(state, lines),
        Msg::LogStreams {
            colour,
            following,
            total,
        } => {
            state.colour_mut(colour).streams = Some((following, total));
            state.mark_dirty();
        }
        Msg::Probe(result) => {
            state.colour_mut(result.colour).probes.record(result);
            state.mark_dirty();
        }
        Msg::Lb(obs) => {
            state.lb = Some(obs);
            state.mark_dirty();
        }
        Msg::Feed(feed, status) => {
            let now = state.now;
            let name = feed_name(&feed);
            let entry = state.feeds.entry(feed).or_insert(FeedState {
                status: FeedStatus::Connecting,
                updated: None,
            });
            // Losing a feed and getting it back are told once each, in the timeline.
            let told = match (&entry.status, &status) {
                (FeedStatus::Reconnecting { .. }, FeedStatus::Reconnecting { .. }) => None,
                (_, FeedStatus::Reconnecting { error, .. }) => {
                    Some((format!("lost {name}: {error}; retrying"), true))
                }
                (FeedStatus::Reconnecting { since, .. }, FeedStatus::Live) => Some((
                    format!(
                        "{name} back after {} s",
                        (now - *since).num_seconds().max(0)
                    ),
                    false,
                )),
                _ => None,
            };
            // Keep the first failure time while a feed keeps failing.
            entry.status = match (&entry.status, status) {
                (
                    FeedStatus::Reconnecting { since, .. },
                    FeedStatus::Reconnecting { error, .. },
                ) => FeedStatus::Reconnecting {
                    since: *since,
                    error,
                },
                (_, s) => s,
            };
            if let Some((text, warning)) = told {
                state.timeline.notice(now, text, warning);
            }
            state.mark_dirty();
        }
        Msg::Notice { at, text, warning } => {
            state.timeline.notice(at, text, warning);
            state.mark_dirty();
        }
        Msg::Resumed => {
            state.mark_dirty();
            return vec![Cmd::ClearScreen];
        }
    }
    Vec::new()
}

/// Advance time. Redraw only when a shown value can change: ages and staleness are
/// shown in whole seconds, and a flash message may expire.
fn tick(state: &mut State, now: DateTime<Utc>) {
    let second_changed = now.timestamp() != state.now.timestamp();
    state.now = now;
    if let Some((_, until)) = &state.flash {
        if *until <= now {
            state.flash = None;
            state.mark_dirty();
        }
    }
    if second_changed {
        state.mark_dirty();
    }
}

/// A feed delivered data: record when, and redraw.
/// Take a router reading: an older one (a heartbeat GET that raced a newer watch event) is
/// ignored; a changed target restarts "since" and is told in the timeline; the first
/// reading's start is unknown, so it only records when cutover first saw it.
fn apply_router(state: &mut State, mut view: RouterView) {
    let rv = |v: &RouterView| v.resource_version.parse::<u64>().ok();
    let prev = state.router.take();
    match prev {
        Some(prev) if matches!((rv(&prev), rv(&view)), (Some(old), Some(new)) if new < old) => {
            state.router = Some(prev);
            return;
        }
        Some(prev) if prev.target == view.target => view.since = prev.since,
        Some(prev) => {
            view.since = Some(state.now);
            state.router_first_seen = None;
            let text = format!(
                "router {} changed: {} → {} ({})",
                state.router_label,
                target_words(&prev.target),
                target_words(&view.target),
                view.raw
            );
            state.timeline.notice(state.now, text, true);
        }
        None => {
            view.since = None;
            state.router_first_seen = Some(state.now);
        }
    }
    state.router = Some(view);
}

/// A feed in words, for notices ("pods of BLUE", "events in fittrack").
fn feed_name(feed: &Feed) -> String {
    match feed {
        Feed::Pods(c) => format!("pods of {}", c.word()),
        Feed::Deployment(c) => format!("deployment of {}", c.word()),
        Feed::Endpoints(c) => format!("endpoints of {}", c.word()),
        Feed::Logs(c) => format!("logs of {}", c.word()),
        Feed::Router => "the router".to_string(),
        Feed::Events(ns) => format!("events in {ns}"),
    }
}

/// A router target in words, for notices.
fn target_words(target: &RouterTarget) -> String {
    match target {
        RouterTarget::Colour(c) => c.word().to_string(),
        RouterTarget::Split { blue, green } => format!("SPLIT blue {blue} % / green {green} %"),
        RouterTarget::Unknown(v) => format!("UNKNOWN ({v})"),
        RouterTarget::Missing => "MISSING".to_string(),
    }
}

fn data_arrived(state: &mut State, feed: Feed) {
    touch(state, feed);
    state.mark_dirty();
}

fn touch(state: &mut State, feed: Feed) {
    let now = state.now;
    state
        .feeds
        .entry(feed)
        .or_insert(FeedState {
            status: FeedStatus::Live,
            updated: None,
        })
        .updated = Some(now);
}

/// Append already sanitized and de-duplicated lines to their colours' buffers.
pub fn ingest_logs(state: &mut State, lines: Vec<LogLine>) {
    let mut touched = [false; 2];
    for line in lines {
        touched[line.colour as usize] = true;
        state
            .colour_mut(line.colour)
            .logs
            .push(line.pod, line.container, line.ts, line.text);
    }
    for c in Colour::BOTH {
        if touched[c as usize] {
            touch(state, Feed::Logs(c));
            state.mark_dirty();
        }
    }
}

/// Show a short message in the footer.
pub fn flash(state: &mut State, text: impl Into<String>) {
    state.flash = Some((text.into(), state.now + Duration::seconds(FLASH_SECS)));
    state.mark_dirty();
}

/// Open the quit confirmation.
pub(crate) fn ask_quit(state: &mut State) {
    state.modal = Some(Modal::ConfirmQuit);
    state.mark_dirty();
}

/// The focused colour, if a colour pane has the focus.
pub(crate) fn focused_colour(state: &State) -> Option<Colour> {
    match state.focus {
        Focus::Colour(c) => Some(c),
        Focus::Timeline => None,
    }
}

/// Rows a page scroll moves (about a log pane's height).
pub(crate) fn page_rows(state: &State) -> usize {
    (state.size.1 as usize / 3).max(3)
}

/// The mode the key arrives in.
pub(crate) fn mode_of(state: &State) -> KeyMode {
    state.key_mode()
}

/// Actions that exist but cannot run yet say why.
pub(crate) fn unavailable(state: &mut State, action: Action) -> bool {
    match action.unavailable() {
        Some(why) => {
            let what = if action == Action::RollbackChord {
                "rollback"
            } else {
                action.name()
            };
            flash(state, format!("{what}: {why}"));
            true
        }
        None => false,
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;

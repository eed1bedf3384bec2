//! `update(&mut State, Msg) -> Vec<Cmd>`: the one place decisions are made. Pure: no
//! I/O, no clock; everything it needs is in the state and the message.

use chrono::{DateTime, Utc};

use super::analysis;
use super::keys::handle_key;
use super::msg::{Cmd, Face, Msg};
use super::peers::LeaseEvent;
use super::release as flow;
use super::state::{FeedState, Screen, State};
use crate::model::{Color, Feed, FeedStatus, LogLine, RouterReading};

/// Apply one message to the state; returns the commands for the bus. Where the release
/// stands (stepper, checklist, monitoring window) is derived afresh afterwards.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    // Log lines and drawn sizes change nothing the release's standing depends on.
    let standing = !matches!(msg, Msg::LogLines(_) | Msg::Viewport(_));
    let cmds = apply(state, msg);
    // Whatever changed the filter, the search or the selected pod, the buffers follow.
    super::logkeys::sync(state);
    if standing {
        flow::stepper::refresh(state);
    }
    cmds
}

fn apply(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match msg {
        Msg::Key(ev) => return handle_key(state, ev),
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.mark_dirty();
        }
        // Not dirty: the frame that reported it already shows it.
        Msg::Viewport(v) => state.viewport = v,
        Msg::Tick(now) => {
            tick(state, now);
            let mut cmds = analysis::tick(state);
            cmds.extend(flow::lease::tick(state));
            cmds.extend(super::sessions::tick(state));
            if state.actions.pending.is_some() {
                cmds.extend(flow::retry_pending(state));
            }
            return cmds;
        }
        Msg::Pods { color, mut pods } => {
            super::facts::sort_for_attention(&mut pods);
            let cs = state.color_mut(color);
            let selected = cs.pods.get(cs.selected).map(|p| p.name.clone());
            cs.pods = pods;
            cs.selected = selected
                .and_then(|name| cs.pods.iter().position(|p| p.name == name))
                .unwrap_or(cs.selected)
                .min(cs.pods.len().saturating_sub(1));
            state.remember_pods(color);
            data_arrived(state, Feed::Pods(color));
        }
        Msg::Deployment { color, deployment } => {
            state.color_mut(color).deployment = deployment;
            data_arrived(state, Feed::Deployment(color));
        }
        Msg::Endpoints {
            color,
            ready,
            total,
        } => {
            state.color_mut(color).endpoints = Some((ready, total));
            data_arrived(state, Feed::Endpoints(color));
        }
        Msg::Router(view) => {
            let before = state.live_color();
            if let Some(prev) = apply_router(state, view) {
                cmds = flow::router_changed(state, &prev);
            }
            data_arrived(state, Feed::Router);
            analysis::router_read(state, before);
        }
        Msg::Events(events) => {
            for ev in events {
                let feed = Feed::Events(ev.namespace.clone());
                state.timeline.upsert_event(ev, state.now);
                touch(state, feed);
            }
            state.mark_dirty();
        }
        Msg::LogLines(lines) => ingest_logs(state, lines),
        Msg::LogStreams {
            color,
            following,
            total,
        } => {
            state.color_mut(color).streams = Some((following, total));
            state.mark_dirty();
        }
        Msg::Probe(result) => {
            state.color_mut(result.color).probes.record(result);
            state.mark_dirty();
        }
        Msg::Lb(mut obs) => {
            // Which color the LB's answer means is decided here, from the colors' versions.
            obs.color = state.color_of_version(obs.version.as_deref());
            state.lb = Some(obs);
            state.mark_dirty();
        }
        Msg::Feed(feed, status) => {
            let now = state.now;
            let name = feed_name(&feed);
            let api = match state.session.cluster_url.as_str() {
                "" => String::new(),
                url => format!(" (API server {url})"),
            };
            let entry = state.feeds.entry(feed).or_insert(FeedState {
                status: FeedStatus::Connecting,
                updated: None,
            });
            // Losing a feed and getting it back are told once each, in the timeline.
            let told = match (&entry.status, &status) {
                (FeedStatus::Reconnecting { .. }, FeedStatus::Reconnecting { .. }) => None,
                (_, FeedStatus::Reconnecting { error, .. }) => {
                    Some((format!("lost {name}{api}: {error}; retrying"), true))
                }
                (FeedStatus::Reconnecting { since, .. }, FeedStatus::Live) => Some((
                    format!(
                        "{name} back after {}",
                        crate::model::age_text((now - *since).num_seconds())
                    ),
                    false,
                )),
                _ => None,
            };
            // A live feed's data was current up to the moment it failed (a watch that sees
            // no change is still current); one coming back is current again.
            let current_until = match (&entry.status, &status) {
                (FeedStatus::Live, FeedStatus::Reconnecting { since, .. }) => Some(*since),
                (_, FeedStatus::Live) => Some(now),
                _ => None,
            };
            entry.updated = entry.updated.max(current_until);
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
        Msg::Namespace { color, exists } => {
            state.color_mut(color).namespace_missing = !exists;
            state.mark_dirty();
        }
        Msg::Notice { at, text, warning } => {
            state.timeline.notice(at, text, warning);
            state.mark_dirty();
        }
        Msg::Reconnected(result) => super::reconnect::done(state, result),
        Msg::Resumed => {
            state.mark_dirty();
            return vec![Cmd::Face(Face::ClearScreen)];
        }
        Msg::Signal(sig) => return flow::signal(state, sig),
        Msg::Request(request, options) => return flow::request(state, request, options),
        Msg::Answer(text) => return flow::answer(state, text),
        Msg::ActionStep { id, step } => return flow::step(state, id, step),
        Msg::ActionDone { id, outcome } => {
            let mut cmds = flow::done(state, id, outcome);
            cmds.extend(analysis::decide(state));
            return cmds;
        }
        Msg::Recorded(rec) => {
            let mut cmds = flow::recorded(state, rec.clone());
            cmds.extend(analysis::recorded(state, &rec));
            return cmds;
        }
        Msg::History(entries) => {
            touch(state, Feed::History);
            super::live::history_arrived(state, &entries);
            return flow::history(state, entries);
        }
        Msg::PostmortemWritten(written) => {
            let (text, warning) = match written {
                Ok(path) => (format!("post-mortem written to {path}"), false),
                Err(e) => (format!("post-mortem NOT written: {e}"), true),
            };
            state.timeline.notice(state.now, text.clone(), warning);
            state.flash(text);
        }
        Msg::Access(answers) => {
            state.access = super::access::Access {
                checked: true,
                answers,
            };
            state.mark_dirty();
        }
        Msg::Lease(event) => {
            touch(state, Feed::Lease);
            return match event {
                LeaseEvent::Sessions(list) => super::sessions::read(state, list),
                LeaseEvent::Hidden(why) => super::sessions::hidden(state, why),
                other => flow::lease::event(state, other),
            };
        }
        Msg::Signals { color, sample } => return analysis::sample(state, color, *sample),
        Msg::SignalHistory { color, samples } => analysis::backfill(state, color, samples),
        Msg::Watch {
            until,
            auto_rollback,
        } => return analysis::watch(state, until, auto_rollback),
        Msg::LogsSaved {
            color,
            lines,
            result,
        } => super::logkeys::saved(state, color, lines, result),
    }
    // A headless request waits for the facts it needs; any data may be the last of them.
    if state.actions.pending.is_some() {
        cmds.extend(flow::retry_pending(state));
    }
    cmds
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
/// ignored; a changed target restarts "since" and is told in the timeline (a change made
/// outside cutover by its journal entry); the first reading's start is unknown, so it only
/// records when cutover first saw it. Returns the previous reading when the target changed.
fn apply_router(state: &mut State, mut view: RouterReading) -> Option<RouterReading> {
    let rv = |v: &RouterReading| v.resource_version.parse::<u64>().ok();
    let prev = state.router.take();
    let changed = match prev {
        Some(prev) if matches!((rv(&prev), rv(&view)), (Some(old), Some(new)) if new < old) => {
            state.router = Some(prev);
            return None;
        }
        Some(prev) if prev.target == view.target => {
            view.since = prev.since;
            None
        }
        Some(prev) => {
            view.since = Some(state.now);
            state.router_first_seen = None;
            super::live::router_changed(state, &prev, &view);
            Some(prev)
        }
        None => {
            view.since = None;
            state.router_first_seen = Some(state.now);
            None
        }
    };
    state.router = Some(view);
    changed
}

/// A feed in words, for notices ("pods of BLUE", "events in fittrack").
fn feed_name(feed: &Feed) -> String {
    match feed {
        Feed::Pods(c) => format!("pods of {}", c.word()),
        Feed::Deployment(c) => format!("deployment of {}", c.word()),
        Feed::Endpoints(c) => format!("endpoints of {}", c.word()),
        Feed::Logs(c) => format!("logs of {}", c.word()),
        Feed::Router => "the router".to_string(),
        Feed::History => "the shared history".to_string(),
        Feed::Lease => "the driver lease".to_string(),
        Feed::Sessions => "the other cockpits' sessions".to_string(),
        Feed::Events(ns) => format!("events in {ns}"),
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

/// Append already sanitized and de-duplicated lines to their colors' buffers. New lines
/// are a log-only change, and none at all for a pane that is hidden or scrolled away (its
/// "new below" count catches up with the next frame).
pub fn ingest_logs(state: &mut State, lines: Vec<LogLine>) {
    let mut touched = [false; 2];
    for line in lines {
        touched[line.color as usize] = true;
        state
            .color_mut(line.color)
            .logs
            .push(line.pod, line.container, line.ts, line.text);
    }
    for c in Color::BOTH {
        if touched[c as usize] {
            touch(state, Feed::Logs(c));
            if state.screen == Screen::Cockpit && state.color(c).logs.following() {
                state.mark_logs_dirty();
            }
        }
    }
}

#[cfg(test)]
mod tests;

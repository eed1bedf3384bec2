//! The header: where we are connected, and which color gets traffic.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fmt::{compact, duration};
use super::theme::Palette;
use crate::app::state::State;
use crate::model::{Color, Feed, FeedStatus, RouterTarget};

/// Draw the header lines: where we are, where traffic goes, where the release stands.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let lines = vec![
        context_line(state, p),
        traffic_line(state, p),
        super::release::stepper_line(state, p, area.width),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn context_line<'a>(state: &'a State, p: &Palette) -> Line<'a> {
    let mut spans = vec![
        Span::styled(" cutover", p.bold),
        Span::raw(" · "),
        Span::raw(state.session.context_name.as_str()),
        Span::raw(" · "),
        Span::raw(state.router_label.as_str()),
        Span::raw(" · "),
    ];
    spans.extend(connection(state, p));
    if state.session.read_only {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled("READ-ONLY", p.warn));
    }
    if let Some(user) = &state.session.user {
        spans.push(Span::raw(format!(" · {user}")));
    }
    spans.extend(super::action::header(state, p));
    spans.push(Span::styled("  ? help", p.dim));
    Line::from(spans)
}

/// "● live", "connecting…", or "⚠ RECONNECTING pods/blue · updated 12 s ago".
fn connection(state: &State, p: &Palette) -> Vec<Span<'static>> {
    let stale: Vec<_> = state.stale_feeds().collect();
    if state.feeds.is_empty() {
        return vec![Span::styled("connecting…", p.warn)];
    }
    let down: Vec<_> = stale
        .iter()
        .filter(|(_, f)| matches!(f.status, FeedStatus::Reconnecting { .. }))
        .collect();
    if down.is_empty() {
        return if stale.is_empty() {
            vec![Span::styled("● live", p.ok)]
        } else {
            vec![Span::styled("connecting…", p.warn)]
        };
    }
    let oldest = down.iter().filter_map(|(_, f)| f.updated).min();
    let since = down
        .iter()
        .filter_map(|(_, f)| match f.status {
            FeedStatus::Reconnecting { since, .. } => Some(since),
            _ => None,
        })
        .min();
    let age = match (oldest, since) {
        (Some(t), _) => format!("updated {} ago", duration(state.now, t)),
        (None, Some(t)) => format!("down for {}", duration(state.now, t)),
        _ => String::new(),
    };
    vec![
        Span::styled(format!("⚠ RECONNECTING ({} feeds)", down.len()), p.error),
        Span::styled(format!(" · {age}"), p.warn),
    ]
}

fn traffic_line<'a>(state: &'a State, p: &Palette) -> Line<'a> {
    let mut spans = vec![Span::raw(" traffic → ")];
    let Some(router) = &state.router else {
        spans.push(Span::styled("waiting for the router…", p.warn));
        return Line::from(spans);
    };
    match &router.target {
        RouterTarget::Color(c) => {
            spans.push(Span::styled(format!(" {} LIVE ", c.word()), p.live(*c)));
            spans.extend(since(state, p));
            spans.extend(lb(state, p));
            let warm = super::release::warm_note(state, p);
            if warm.is_empty() {
                spans.push(Span::raw(" · "));
                spans.push(Span::styled(c.other().word(), p.color(c.other())));
                spans.push(Span::styled(" standby", p.dim));
            }
            spans.extend(warm);
            return Line::from(spans);
        }
        RouterTarget::Split { blue, green } => {
            spans.push(Span::styled(" SPLIT ", p.alarm));
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!("BLUE {blue} %"), p.color(Color::Blue)));
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(
                format!("GREEN {green} %"),
                p.color(Color::Green),
            ));
            spans.extend(since(state, p));
        }
        RouterTarget::Unknown(value) => {
            spans.push(Span::styled(" UNKNOWN ", p.alarm));
            spans.push(Span::styled(
                format!(" router value {value:?} matches neither color"),
                p.error,
            ));
        }
        RouterTarget::Missing => {
            spans.push(Span::styled(" MISSING ", p.alarm));
            spans.push(Span::styled(" the router object does not exist", p.error));
        }
    }
    spans.extend(lb(state, p));
    Line::from(spans)
}

/// Since when the router says so, and a warning when the router is not being read.
fn since(state: &State, p: &Palette) -> Vec<Span<'static>> {
    let router = state.router.as_ref();
    let at = |label: &str, t| {
        format!(
            " {label} {} {} ({})",
            state.zone.hms(t),
            state.zone.label,
            compact(state.now, t)
        )
    };
    let mut spans = match (router.and_then(|r| r.since), state.router_first_seen) {
        (Some(t), _) => vec![Span::styled(at("since", t), p.dim)],
        (None, Some(t)) => vec![Span::styled(at("seen since", t), p.dim)],
        (None, None) => Vec::new(),
    };
    if let Some(note) = super::pane::feed_note(state, &Feed::Router) {
        spans.push(Span::styled(format!(" · router {note}"), p.error));
    }
    spans
}

/// What the load balancer actually serves, compared with the router.
fn lb(state: &State, p: &Palette) -> Vec<Span<'static>> {
    if !state.lb_configured {
        return Vec::new();
    }
    let mut spans = vec![Span::raw(" · LB ")];
    let Some(obs) = &state.lb else {
        spans.push(Span::styled("not probed yet", p.dim));
        return spans;
    };
    if let Some(err) = &obs.error {
        spans.push(Span::styled(format!("✖ {err}"), p.error));
        return spans;
    }
    let version = obs.version.as_deref().unwrap_or("?");
    spans.push(Span::raw(format!("serves {version}")));
    match obs.color {
        Some(c) if state.lb_disagrees() => {
            spans.push(Span::styled(format!(" = {} ≠ router", c.word()), p.error));
        }
        Some(c) => spans.push(Span::styled(format!(" = {}", c.word()), p.color(c))),
        None => spans.push(Span::styled(" (matches neither color)", p.warn)),
    }
    if state.lb_stale() {
        spans.push(Span::styled(
            format!(" ({} ago)", duration(state.now, obs.at)),
            p.warn,
        ));
    }
    spans
}

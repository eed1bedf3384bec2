//! The header: where we are connected, and which color gets traffic.

use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fmt::{age, Parts};
use super::theme::Palette;
use crate::app::facts::LbMatch;
use crate::app::state::State;
use crate::model::{Color, Feed, FeedStatus, RouterTarget};

/// Draw the header lines: where we are, where traffic goes, where the release stands. When
/// space is short, the least important parts go first; the traffic verdict goes last, and
/// what is cut ends in "…".
pub fn draw(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let width = usize::from(area.width);
    let lines = vec![
        context_line(state, p).fit(width),
        traffic_line(state, p).fit(width),
        super::release::stepper_line(state, p, area.width),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The traffic line alone, fitted to `width` (for a terminal too small for the cockpit).
pub fn verdict<'a>(state: &'a State, p: &Palette, width: usize) -> ratatui::text::Line<'a> {
    traffic_line(state, p).fit(width)
}

fn context_line<'a>(state: &'a State, p: &Palette) -> Parts<'a> {
    let mut parts = Parts::default();
    parts.push(5, [Span::styled(" cutover", p.bold)]);
    // An automatic rollback (or its alarm) must be impossible to miss.
    parts.push(Parts::KEEP, super::signals::banner(state, p));
    parts.push(
        6,
        [
            Span::raw(" · "),
            Span::raw(state.session.context_name.as_str()),
        ],
    );
    parts.push(
        3,
        [Span::raw(" · "), Span::raw(state.router_label.as_str())],
    );
    let mut conn = vec![Span::raw(" · ")];
    conn.extend(connection(state, p));
    parts.push(8, conn);
    parts.push(7, super::signals::armed(state, p));
    if state.session.read_only {
        parts.push(9, [Span::raw(" · "), Span::styled("READ-ONLY", p.warn)]);
    }
    // Who is here (the driver first), else who we are.
    let present = state.present();
    if !present.is_empty() {
        parts.push(2, [Span::raw(format!(" · {}", present.join(" · ")))]);
    } else if let Some(user) = &state.session.user {
        parts.push(2, [Span::raw(format!(" · {user}"))]);
    }
    // A running action says so, with its elapsed time.
    parts.push(Parts::KEEP - 1, super::action::header(state, p));
    parts.push(1, [Span::styled("  ? help", p.dim)]);
    parts
}

/// The line that must never lose its meaning: the verdict is kept, the rest goes in
/// this order as space runs out: the standby color, since when, the "traffic →" label,
/// an LB that agrees, the router's staleness, an LB that disagrees.
fn traffic_line<'a>(state: &'a State, p: &Palette) -> Parts<'a> {
    let mut parts = Parts::default();
    parts.push(3, [Span::raw(" traffic → ")]);
    let Some(router) = &state.router else {
        parts.push(
            Parts::KEEP,
            [Span::styled("waiting for the router…", p.warn)],
        );
        return parts;
    };
    match &router.target {
        RouterTarget::Color(c) => {
            parts.push(
                Parts::KEEP,
                [Span::styled(format!(" {} LIVE ", c.word()), p.live(*c))],
            );
            since(state, p, &mut parts);
            lb(state, p, &mut parts);
            // After a switch, the old color's monitoring window replaces "standby".
            let warm = super::release::warm_note(state, p);
            if warm.is_empty() {
                parts.push(
                    0,
                    [
                        Span::raw(" · "),
                        Span::styled(c.other().word(), p.color(c.other())),
                        Span::styled(" standby", p.dim),
                    ],
                );
            }
            parts.push(1, warm);
            return parts;
        }
        RouterTarget::Split { blue, green } => {
            parts.push(Parts::KEEP, [Span::styled(" SPLIT ", p.alarm)]);
            parts.push(
                Parts::KEEP - 1,
                [
                    Span::raw(" "),
                    Span::styled(format!("BLUE {blue} %"), p.color(Color::Blue)),
                    Span::raw(" · "),
                    Span::styled(format!("GREEN {green} %"), p.color(Color::Green)),
                ],
            );
            since(state, p, &mut parts);
        }
        RouterTarget::Unknown(value) => {
            parts.push(Parts::KEEP, [Span::styled(" UNKNOWN ", p.alarm)]);
            parts.push(
                Parts::KEEP - 1,
                [Span::styled(
                    format!(" router value {value:?} matches neither color"),
                    p.error,
                )],
            );
        }
        RouterTarget::Missing => {
            parts.push(Parts::KEEP, [Span::styled(" MISSING ", p.alarm)]);
            parts.push(
                Parts::KEEP - 1,
                [Span::styled(" the router object does not exist", p.error)],
            );
        }
    }
    lb(state, p, &mut parts);
    parts
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
        (Some(t), _) => format!("updated {} ago", age(state.now, t)),
        (None, Some(t)) => format!("down for {}", age(state.now, t)),
        _ => String::new(),
    };
    // What fails, and where: the first lost feed's reason (they share the API server).
    let why = down.iter().find_map(|(_, f)| match &f.status {
        FeedStatus::Reconnecting { error, .. } => Some(error.as_str()),
        _ => None,
    });
    let feeds = match down.len() {
        1 => "1 feed".to_string(),
        n => format!("{n} feeds"),
    };
    let mut spans = vec![
        Span::styled(format!("⚠ RECONNECTING ({feeds})"), p.error),
        Span::styled(format!(" · {age}"), p.warn),
    ];
    if let Some(why) = why {
        let text = match state.session.cluster_url.as_str() {
            "" => format!(" · {why}"),
            url => format!(" · {url}: {why}"),
        };
        spans.push(Span::styled(text, p.warn));
    }
    spans
}

/// Since when the router says so, and a warning when the router is not being read.
fn since(state: &State, p: &Palette, parts: &mut Parts<'_>) {
    let router = state.router.as_ref();
    let at = |label: &str, t| {
        format!(
            " {label} {} {} ({})",
            state.zone.stamp(t, state.now),
            state.zone.label,
            age(state.now, t)
        )
    };
    match (router.and_then(|r| r.since), state.router_first_seen) {
        (Some(t), _) => parts.push(1, [Span::styled(at("since", t), p.dim)]),
        (None, Some(t)) => parts.push(1, [Span::styled(at("seen since", t), p.dim)]),
        (None, None) => {}
    }
    if let Some(note) = super::pane::feed_note(state, &Feed::Router) {
        parts.push(6, [Span::styled(format!(" · router {note}"), p.error)]);
    }
}

/// What the load balancer actually serves, compared with the router: kept longer when it
/// contradicts the router or cannot tell.
fn lb(state: &State, p: &Palette, parts: &mut Parts<'_>) {
    if !state.lb_configured {
        return;
    }
    let mut spans = vec![Span::raw(" · LB ")];
    let Some(obs) = &state.lb else {
        spans.push(Span::styled("not probed yet", p.dim));
        parts.push(2, spans);
        return;
    };
    if let Some(err) = &obs.error {
        spans.push(Span::styled(format!("✖ {err}"), p.error));
        parts.push(7, spans);
        return;
    }
    let version = obs.version.as_deref().unwrap_or("?");
    spans.push(Span::raw(format!("serves {version}")));
    match state.lb_match() {
        Some(LbMatch::Color(c)) if state.lb_disagrees() => {
            spans.push(Span::styled(format!(" = {} ≠ router", c.word()), p.error));
        }
        Some(LbMatch::Color(c)) => spans.push(Span::styled(format!(" = {}", c.word()), p.color(c))),
        Some(LbMatch::Both) => spans.push(Span::styled(
            " (both colors run it: cannot tell which serves)",
            p.warn,
        )),
        Some(LbMatch::Neither) | None => {
            spans.push(Span::styled(" (matches neither color)", p.warn))
        }
    }
    if state.lb_stale() {
        spans.push(Span::styled(
            format!(" ({} ago)", age(state.now, obs.at)),
            p.warn,
        ));
    }
    let agrees = matches!(state.lb_match(), Some(LbMatch::Color(_))) && !state.lb_disagrees();
    parts.push(if agrees { 4 } else { 7 }, spans);
}

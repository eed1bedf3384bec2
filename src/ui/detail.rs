//! Modals: a pod's detail (conditions, containers with the kubelet's messages, labels,
//! annotations, its recent Events) and "quit?".

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::fmt::age;
use super::theme::Palette;
use crate::app::state::State;
use crate::model::{Color, EventKind, PodSummary};

/// Most Events listed in a pod's detail.
const DETAIL_EVENTS: usize = 10;

/// A rectangle of `w`×`h` (clamped) centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    rect
}

/// Draw the detail of pod `name` of `color`.
/// Draw one pod's detail over the cockpit; returns how many lines (before wrapping) it has.
pub fn draw_pod(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    color: Color,
    name: &str,
    scroll: usize,
    p: &Palette,
) -> usize {
    let rect = centered(
        area,
        area.width.saturating_sub(8).max(40),
        area.height.saturating_sub(4).max(10),
    );
    let cs = state.color(color);
    let block = Block::bordered()
        .border_style(p.color(color))
        .title(super::fmt::fit_line(
            Line::from(format!(
                " pod {name} · {} · {} · Esc closes ",
                color.word(),
                cs.namespace
            )),
            usize::from(rect.width.saturating_sub(2)),
        ));
    let lines = match cs.pods.iter().find(|pod| pod.name == name) {
        Some(pod) => pod_lines(state, pod, p),
        None => vec![Line::from(Span::styled(
            "this pod no longer exists",
            p.warn,
        ))],
    };
    let count = lines.len();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        rect,
    );
    count
}

fn pod_lines(state: &State, pod: &PodSummary, p: &Palette) -> Vec<Line<'static>> {
    let ready = pod.is_ready();
    let mut out = vec![Line::from(vec![
        Span::styled("status ", p.dim),
        Span::styled(pod.status.clone(), p.status(&pod.status, ready)),
        Span::raw(format!(
            " · ready {}/{} · restarts {} · age {} · node {} · ip {}",
            pod.ready,
            pod.containers_total,
            pod.restarts,
            pod.created
                .map(|t| age(state.now, t))
                .unwrap_or_else(|| "?".into()),
            pod.node.as_deref().unwrap_or("–"),
            pod.ip.as_deref().unwrap_or("–"),
        )),
    ])];
    if let Some(code) = pod.last_exit_code {
        out.push(Line::from(Span::styled(
            format!("last exit code {code}"),
            p.warn,
        )));
    }
    out.push(Line::from(Span::styled("conditions", p.bold)));
    for (kind, status, reason) in &pod.conditions {
        let style = if status == "True" { p.ok } else { p.warn };
        out.push(Line::from(vec![
            Span::raw(format!("  {kind:<16} ")),
            Span::styled(format!("{status:<6}"), style),
            Span::raw(format!(" {reason}")),
        ]));
    }
    out.push(Line::from(Span::styled("containers", p.bold)));
    for c in &pod.containers {
        out.push(Line::from(vec![
            Span::raw(format!("  {} ", c.name)),
            Span::styled(
                if c.ready { "ready" } else { "not ready" },
                if c.ready { p.ok } else { p.warn },
            ),
            Span::raw(format!(
                " · {} · restarts {} · {}",
                c.image, c.restarts, c.state
            )),
        ]));
        if let Some(message) = &c.message {
            out.push(Line::from(Span::styled(format!("    {message}"), p.warn)));
        }
        if let Some(last) = &c.last_termination {
            out.push(Line::from(Span::styled(
                format!("    last termination: {last}"),
                p.warn,
            )));
        }
    }
    out.push(Line::from(Span::styled("recent events", p.bold)));
    let object = format!("Pod/{}", pod.name);
    let events: Vec<_> = state
        .timeline
        .events_for(&pod.namespace, &object)
        .take(DETAIL_EVENTS)
        .collect();
    if events.is_empty() {
        out.push(Line::from(Span::styled("  none seen", p.dim)));
    }
    for e in events {
        let style = if e.kind == EventKind::Warning {
            p.warn
        } else {
            Default::default()
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {} ", state.zone.stamp(e.time, state.now)), p.dim),
            Span::styled(e.reason.clone(), style),
            Span::raw(format!(": {}", e.message)),
        ]));
    }
    for (title, pairs, sep) in [
        ("labels", &pod.labels, "="),
        ("annotations", &pod.annotations, ": "),
    ] {
        if pairs.is_empty() {
            continue;
        }
        out.push(Line::from(Span::styled(title, p.bold)));
        for (k, v) in pairs {
            out.push(Line::from(vec![
                Span::styled(format!("  {k}{sep}"), p.dim),
                Span::raw(v.clone()),
            ]));
        }
    }
    out
}

/// Draw the "quit?" confirmation.
pub fn draw_confirm_quit(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let rect = centered(area, 50, 6);
    let mut lines = vec![Line::from(Span::styled("Quit cutover?", p.bold))];
    if let Some(a) = state.actions.active().next() {
        lines.push(Line::from(Span::styled(
            format!(
                "{} is still running: quitting waits until it is recorded.",
                a.name
            ),
            p.warn,
        )));
    }
    lines.push(Line::from("y / Enter quit · n / Esc stay"));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" quit ")),
        rect,
    );
}

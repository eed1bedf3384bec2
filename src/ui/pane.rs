//! One color's column: title, pods table, probes, kubelet/endpoints, error rate, logs.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Row, Table, TableState};
use ratatui::Frame;

use super::fmt::{age, duration, fit, fit_end};
use super::theme::Palette;
use crate::app::state::{ColorState, Focus, State};
use crate::model::{Color, Feed, FeedStatus, ProbeResult, RouterTarget};

/// Draw the column of `color` into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, color: Color, p: &Palette) -> u16 {
    let cs = state.color(color);
    let focused = state.focus == Focus::Color(color);
    let mut block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(p.color(color))
        .title(title(state, cs, p));
    // Stale pods are kept on screen, and say how stale they are.
    if let Some(note) = feed_note(state, &Feed::Pods(color)) {
        block = block.title_bottom(Span::styled(format!(" pods {note} "), p.warn));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let failure = cs.probes.last_failure.is_some();
    let info_rows = if failure { 4 } else { 3 };
    let avail = inner.height.saturating_sub(info_rows + 2);
    let pod_rows = (cs.pods.len().max(1) as u16).min((avail / 2).max(2));
    let [pods, info, below] = Layout::vertical([
        Constraint::Length(pod_rows + 1),
        Constraint::Length(info_rows),
        Constraint::Min(2),
    ])
    .areas(inner);
    draw_pods(frame, pods, state, cs, focused, p);
    frame.render_widget(Paragraph::new(info_lines(state, cs, p)), info);
    // An action running on this color shows its output above the logs.
    let below = super::action::draw(frame, below, state, color, p);
    let [logs_title, logs] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(below);
    frame.render_widget(Paragraph::new(super::logs::title(state, cs, p)), logs_title);
    super::logs::draw(frame, logs, state, cs, p);
    logs.height
}

/// " BLUE  LIVE  · v1.9.3 · 3/3 ready · fittrack-blue ": the route state first, so it
/// survives narrow terminals.
fn title<'a>(state: &'a State, cs: &'a ColorState, p: &Palette) -> Line<'a> {
    let c = cs.color;
    let mut spans = vec![Span::styled(
        format!(" {} ", c.word()),
        p.color(c).add_modifier(Modifier::BOLD),
    )];
    spans.push(match state.router.as_ref().map(|r| &r.target) {
        Some(RouterTarget::Color(live)) if *live == c => Span::styled(" LIVE ", p.live(c)),
        Some(RouterTarget::Color(_)) => Span::styled("standby", p.dim),
        Some(RouterTarget::Split { blue, green }) => {
            let pct = if c == Color::Blue { blue } else { green };
            Span::styled(format!(" SPLIT {pct} % "), p.alarm)
        }
        Some(RouterTarget::Unknown(_) | RouterTarget::Missing) => {
            Span::styled(" ROUTE ? ", p.alarm)
        }
        None => Span::styled("route ?", p.dim),
    });
    let version = cs.version().unwrap_or_else(|| "version ?".into());
    spans.push(Span::raw(format!(" · {version} · ")));
    match &cs.deployment {
        Some(d) => spans.push(Span::raw(format!("{}/{} ready", d.ready, d.desired))),
        None => {
            let ready = cs.pods.iter().filter(|p| p.is_ready());
            spans.push(Span::raw(format!(
                "{}/{} pods ready",
                ready.count(),
                cs.pods.len()
            )));
        }
    }
    spans.push(Span::raw(format!(" · {} ", cs.namespace)));
    Line::from(spans)
}

fn draw_pods(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    cs: &ColorState,
    focused: bool,
    p: &Palette,
) {
    if cs.pods.is_empty() {
        let text = match feed_note(state, &Feed::Pods(cs.color)) {
            Some(s) => s,
            None if state.feeds.contains_key(&Feed::Pods(cs.color)) => {
                "no pods match the selector".into()
            }
            None => "waiting for pods…".into(),
        };
        frame.render_widget(Paragraph::new(Span::styled(text, p.warn)), area);
        return;
    }
    let statuses: Vec<String> = cs
        .pods
        .iter()
        .map(|pod| match pod.last_exit_code {
            Some(code) if pod.status != "Running" || pod.restarts > 0 => {
                format!("{} exit {code}", pod.status)
            }
            _ => pod.status.clone(),
        })
        .collect();
    let status_w = statuses
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 26) as u16;
    // Names need room too: the status column takes at most half a narrow pane, and a
    // cut status says so ("…") rather than showing a clipped exit code.
    let status_w = status_w.min((area.width / 2).max(6));
    // name | ready | status | restarts | age, one space between.
    let name_w = area.width.saturating_sub(5 + status_w + 3 + 4 + 4).max(5);
    let rows = cs.pods.iter().zip(&statuses).map(|(pod, status)| {
        let ready = pod.is_ready();
        Row::new(vec![
            Span::raw(fit_end(&pod.name, name_w as usize)),
            Span::styled(
                format!("{}/{}", pod.ready, pod.containers_total),
                if ready { p.ok } else { p.warn },
            ),
            Span::styled(fit(status, status_w as usize), p.status(&pod.status, ready)),
            Span::styled(
                pod.restarts.to_string(),
                if pod.restarts > 0 { p.warn } else { p.dim },
            ),
            Span::raw(
                pod.created
                    .map(|t| age(state.now, t))
                    .unwrap_or_else(|| "?".into()),
            ),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(name_w),
            Constraint::Length(5),
            Constraint::Length(status_w),
            Constraint::Length(3),
            Constraint::Length(4),
        ],
    )
    .header(Row::new(["pod", "ready", "status", "rst", "age"]).style(p.dim))
    .row_highlight_style(if focused { p.selected } else { p.bold });
    let mut ts = TableState::default().with_selected(Some(cs.selected));
    frame.render_stateful_widget(table, area, &mut ts);
}

/// "reconnecting · updated 12 s ago" when a feed is not live.
pub fn feed_note(state: &State, feed: &Feed) -> Option<String> {
    let f = state.feeds.get(feed)?;
    match &f.status {
        FeedStatus::Live => None,
        FeedStatus::Connecting => Some("connecting…".into()),
        FeedStatus::Reconnecting { since, .. } => Some(match f.updated {
            Some(t) => format!("reconnecting · updated {} ago", duration(state.now, t)),
            None => format!("reconnecting for {}", duration(state.now, *since)),
        }),
    }
}

fn info_lines<'a>(state: &State, cs: &ColorState, p: &Palette) -> Vec<Line<'a>> {
    let mut probes = vec![Span::styled("probes ", p.dim)];
    probes.extend(probe_spans("live", cs.probes.live.as_ref(), p));
    probes.push(Span::raw("  "));
    probes.extend(probe_spans("ready", cs.probes.ready.as_ref(), p));

    let ready = cs.pods.iter().filter(|p| p.is_ready()).count();
    let mut kubelet = vec![
        Span::styled("kubelet ", p.dim),
        Span::styled(
            format!("{ready}/{} ready", cs.pods.len()),
            if ready == cs.pods.len() && ready > 0 {
                p.ok
            } else {
                p.warn
            },
        ),
        Span::styled(" · endpoints ", p.dim),
    ];
    kubelet.push(match cs.endpoints {
        Some((r, t)) => Span::styled(
            format!("{r}/{t}"),
            if r == t && r > 0 { p.ok } else { p.warn },
        ),
        None => Span::styled("–", p.dim),
    });

    let mut lines = vec![Line::from(probes), Line::from(kubelet)];
    if let Some(f) = &cs.probes.last_failure {
        let kind = match f.kind {
            crate::model::ProbeKind::Live => "live",
            crate::model::ProbeKind::Ready => "ready",
        };
        lines.push(Line::from(vec![
            Span::styled("last failure ", p.dim),
            Span::styled(
                format!(
                    "{kind} {} {}: {}",
                    state.zone.hms(f.at),
                    state.zone.label,
                    f.detail
                ),
                p.warn,
            ),
        ]));
    }
    // Never a flat "healthy" line without data: say there is no source.
    lines.push(Line::from(vec![
        Span::styled("5xx ", p.dim),
        Span::styled("no metrics source", p.warn),
    ]));
    lines
}

fn probe_spans(label: &str, r: Option<&ProbeResult>, p: &Palette) -> Vec<Span<'static>> {
    let mut v = vec![Span::raw(format!("{label} "))];
    match r {
        None => v.push(Span::styled("…", p.dim)),
        Some(r) if r.ok => v.push(Span::styled(format!("✔ {} ms", r.latency_ms), p.ok)),
        Some(r) => v.push(Span::styled(
            format!("✖ {} ({} ms)", r.detail, r.latency_ms),
            p.error,
        )),
    }
    v
}

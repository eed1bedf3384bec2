//! One color's column: title, pods table, probes, kubelet/endpoints, error rate, logs.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Row, Table, TableState};
use ratatui::Frame;

use super::fmt::{age, fit, fit_end, fit_line};
use super::theme::Palette;
use crate::app::state::{ColorState, Focus, State};
use crate::model::{Color, Feed, FeedStatus, ProbeResult, RouterTarget};

/// Draw the column of `color` into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, color: Color, p: &Palette) -> u16 {
    let cs = state.color(color);
    let focused = state.focus == Focus::Color(color);
    // The heavy frame means LIVE and nothing else; focus is the ▶ in the title.
    let live = matches!(
        state.router.as_ref().map(|r| &r.target),
        Some(RouterTarget::Color(c)) if *c == color
    );
    let mut block = Block::bordered()
        .border_type(if live {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(p.color(color))
        .title(fit_line(
            title(state, cs, focused, p),
            usize::from(area.width.saturating_sub(2)),
        ));
    // Stale pods are kept on screen, and say how stale they are.
    if let Some(note) = feed_note(state, &Feed::Pods(color)) {
        let note = Line::from(Span::styled(format!(" pods {note} "), p.warn));
        block = block.title_bottom(fit_line(note, usize::from(area.width.saturating_sub(2))));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let failure = cs.probes.last_failure.is_some();
    let info_rows = 2 + u16::from(failure) + super::signals::height(state, color);
    // Summary, table header and the logs title take a row each.
    let avail = inner.height.saturating_sub(info_rows + 3);
    let pod_rows = (cs.pods.len().max(1) as u16).min((avail / 2).max(2));
    let [pods, info, below] = Layout::vertical([
        Constraint::Length(pod_rows + 2),
        Constraint::Length(info_rows),
        Constraint::Min(2),
    ])
    .areas(inner);
    draw_pods(frame, pods, state, cs, focused, p);
    let fit = |l| fit_line(l, usize::from(inner.width));
    let info_text: Vec<Line> = info_lines(state, cs, info.width, p)
        .into_iter()
        .map(fit)
        .collect();
    frame.render_widget(Paragraph::new(info_text), info);
    // An action running on this color shows its output above the logs.
    let below = super::action::draw(frame, below, state, color, p);
    let [logs_title, logs] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(below);
    let logs_head = fit(super::logs::title(state, cs, p));
    frame.render_widget(Paragraph::new(logs_head), logs_title);
    super::logs::draw(frame, logs, state, cs, p);
    logs.height
}

/// "▶ BLUE  LIVE  · v1.9.3 · 3/3 ready · fittrack-blue ": focus, then the route state, so
/// they survive narrow terminals.
fn title<'a>(state: &'a State, cs: &'a ColorState, focused: bool, p: &Palette) -> Line<'a> {
    let c = cs.color;
    let mut spans = vec![
        super::focus_mark(focused, p),
        Span::styled(
            format!("{} ", c.word()),
            p.color(c).add_modifier(Modifier::BOLD),
        ),
    ];
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
        Some(d) => {
            spans.push(Span::raw(format!("{}/{} ready", d.ready, d.desired)));
            spans.extend(stale_mark(state, Feed::Deployment(c), p));
        }
        None => {
            let ready = cs.pods.iter().filter(|p| p.is_ready());
            spans.push(Span::raw(format!(
                "{}/{} pods ready",
                ready.count(),
                cs.pods.len()
            )));
            spans.extend(stale_mark(state, Feed::Pods(c), p));
            // Its watch is live and saw no such object: say so, by name.
            let feed = state.feeds.get(&Feed::Deployment(c));
            if let (Some(name), Some(f)) = (&cs.deployment_name, feed) {
                if f.status == FeedStatus::Live && !cs.namespace_missing {
                    spans.push(Span::styled(
                        format!(" · deployment {name} not found"),
                        p.warn,
                    ));
                }
            }
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
            _ if cs.namespace_missing => format!("namespace {} not found", cs.namespace),
            Some(s) => s,
            None if state.feeds.contains_key(&Feed::Pods(cs.color)) => {
                "no pods match the selector".into()
            }
            None => "waiting for pods…".into(),
        };
        let line = Line::from(Span::styled(text, p.warn));
        frame.render_widget(Paragraph::new(fit_line(line, area.width.into())), area);
        return;
    }
    let [summary, area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let head = fit_line(status_summary(cs, p), summary.width.into());
    frame.render_widget(Paragraph::new(head), summary);
    // Rows for pods below the table header; when they do not all fit, the last row says
    // how many are not shown, and the window follows the selection.
    let rows_avail = usize::from(area.height.saturating_sub(1)).max(1);
    let (shown, hidden) = if cs.pods.len() > rows_avail {
        let fit = rows_avail.saturating_sub(1).max(1);
        let first = (cs.selected + 1).saturating_sub(fit);
        (first..(first + fit).min(cs.pods.len()), cs.pods.len() - fit)
    } else {
        (0..cs.pods.len(), 0)
    };
    let statuses: Vec<String> = cs.pods[shown.clone()]
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
    let ages: Vec<String> = cs.pods[shown.clone()]
        .iter()
        .map(|pod| {
            pod.created
                .map_or_else(|| "?".into(), |t| age(state.now, t))
        })
        .collect();
    // Columns as wide as what they hold, so nothing runs into the border.
    let widest = |texts: &mut dyn Iterator<Item = usize>| texts.max().unwrap_or(0).max(3) as u16;
    let age_w = widest(&mut ages.iter().map(|a| a.chars().count()));
    let rst_w = widest(
        &mut cs.pods[shown.clone()]
            .iter()
            .map(|p| p.restarts.to_string().len()),
    );
    // name | ready | status | restarts | age, one space between and one at the end.
    let name_w = area
        .width
        .saturating_sub(5 + status_w + rst_w + age_w + 5)
        .max(5);
    let rows =
        cs.pods[shown.clone()]
            .iter()
            .zip(&statuses)
            .zip(ages)
            .map(|((pod, status), age)| {
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
                    Span::raw(age),
                ])
            });
    let table = Table::new(
        rows,
        [
            Constraint::Length(name_w),
            Constraint::Length(5),
            Constraint::Length(status_w),
            Constraint::Length(rst_w),
            Constraint::Length(age_w),
        ],
    )
    .header(Row::new(["pod", "ready", "status", "rst", "age"]).style(p.dim))
    .row_highlight_style(if focused { p.selected } else { p.bold });
    let mut ts = TableState::default().with_selected(Some(cs.selected - shown.start));
    let (table_area, more) = if hidden > 0 {
        let [t, m] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
        (t, Some(m))
    } else {
        (area, None)
    };
    frame.render_stateful_widget(table, table_area, &mut ts);
    if let Some(m) = more {
        let text = format!("+ {hidden} more (j/k scroll)");
        let line = Line::from(Span::styled(text, p.warn));
        frame.render_widget(Paragraph::new(fit_line(line, m.width.into())), m);
    }
}

/// "197 Running · 2 Pending · 1 CrashLoopBackOff", each status in its style.
fn status_summary<'a>(cs: &ColorState, p: &Palette) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (status, n)) in cs.status_counts().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", p.dim));
        }
        let style = p.status(&status, status == "Running");
        spans.push(Span::styled(format!("{n} {status}"), style));
    }
    Line::from(spans)
}

/// "reconnecting · updated 12 s ago" when a feed is not live.
pub fn feed_note(state: &State, feed: &Feed) -> Option<String> {
    let f = state.feeds.get(feed)?;
    match &f.status {
        FeedStatus::Live => None,
        FeedStatus::Connecting => Some("connecting…".into()),
        FeedStatus::Reconnecting { since, .. } => Some(match f.updated {
            Some(t) => format!("reconnecting · updated {} ago", age(state.now, t)),
            None => format!("reconnecting for {}", age(state.now, *since)),
        }),
    }
}

fn info_lines<'a>(state: &State, cs: &ColorState, width: u16, p: &Palette) -> Vec<Line<'a>> {
    let mut probes = vec![Span::styled("probes ", p.dim)];
    probes.extend(probe_spans(state, "live", cs.probes.live.as_ref(), p));
    probes.push(Span::raw("  "));
    probes.extend(probe_spans(state, "ready", cs.probes.ready.as_ref(), p));

    // A fact whose feed is down keeps its value, dimmed and marked, never in "good" green.
    let judged = |feed: Feed, good: bool| match (state.is_stale(&feed), good) {
        (true, _) => p.dim,
        (false, true) => p.ok,
        (false, false) => p.warn,
    };
    let ready = cs.pods.iter().filter(|p| p.is_ready()).count();
    let pods_feed = Feed::Pods(cs.color);
    let mut kubelet = vec![
        Span::styled("kubelet ", p.dim),
        Span::styled(
            format!("{ready}/{} ready", cs.pods.len()),
            judged(pods_feed.clone(), ready == cs.pods.len() && ready > 0),
        ),
    ];
    kubelet.extend(stale_mark(state, pods_feed, p));
    kubelet.push(Span::styled(" · endpoints ", p.dim));
    let endpoints_feed = Feed::Endpoints(cs.color);
    match cs.endpoints {
        Some((r, t)) => {
            let style = judged(endpoints_feed.clone(), r == t && r > 0);
            kubelet.push(Span::styled(format!("{r}/{t}"), style));
            kubelet.extend(stale_mark(state, endpoints_feed, p));
        }
        None => kubelet.push(Span::styled("–", p.dim)),
    }

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
                    state.zone.stamp(f.at, state.now),
                    state.zone.label,
                    f.detail
                ),
                p.warn,
            ),
        ]));
    }
    lines.extend(super::signals::rows(state, cs.color, width, p));
    lines
}

/// " (stale)" after a fact whose feed is not delivering.
fn stale_mark(state: &State, feed: Feed, p: &Palette) -> Option<Span<'static>> {
    state
        .is_stale(&feed)
        .then(|| Span::styled(" (stale)", p.warn))
}

/// "live ✔ 12 ms", "ready ✖ 503 Service Unavailable (8 ms)", or — when the way to the app
/// failed and nothing is known about it — "live ? via API proxy: timed out after 2 s".
fn probe_spans(
    state: &State,
    label: &str,
    r: Option<&ProbeResult>,
    p: &Palette,
) -> Vec<Span<'static>> {
    let mut v = vec![Span::raw(format!("{label} "))];
    let Some(r) = r else {
        v.push(Span::styled("…", p.dim));
        return v;
    };
    v.push(match &r.path_error {
        Some(why) => Span::styled(format!("? {why}"), p.warn),
        None if r.ok => Span::styled(format!("✔ {} ms", r.latency_ms), p.ok),
        None => Span::styled(format!("✖ {} ({} ms)", r.detail, r.latency_ms), p.error),
    });
    if state.result_age(r.at).is_some() {
        v.push(Span::styled(
            format!(" ({} ago)", age(state.now, r.at)),
            p.warn,
        ));
    }
    v
}

//! A color's log pane: status line and the visible lines (wrapped or clipped), and the
//! same zoomed to fill the screen.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::fmt::pod_short;
use super::logline::{self, LineStyles};
use super::pane::feed_note;
use super::theme::Palette;
use crate::app::logbuf::LogEntry;
use crate::app::logview::LevelFilter;
use crate::app::state::{ColorState, State};
use crate::model::{Color, Feed};

/// "logs · PAUSED, 12 new (G) · filter /err/ · errors only · 812 hidden · search /db/:
/// match 3 of 17 · following 3 of 3 pods · wrap": what changes what is seen comes first,
/// so it survives a narrow pane.
pub fn title<'a>(state: &State, cs: &ColorState, p: &Palette) -> Line<'a> {
    let mut spans = vec![Span::styled("logs", p.bold)];
    if !cs.logs.following() {
        let below = cs.logs.below_view();
        spans.push(Span::styled(format!(" · PAUSED, {below} new (G)"), p.warn));
    }
    spans.extend(filter_spans(state, cs, p));
    match cs.streams {
        Some((following, total)) => spans.push(Span::raw(format!(
            " · following {following} of {total} pods"
        ))),
        None => spans.push(Span::styled(" · no streams yet", p.dim)),
    }
    if state.wrap {
        spans.push(Span::styled(" · wrap", p.dim));
    }
    if state.logview.raw {
        spans.push(Span::styled(" · raw", p.dim));
    }
    if state.timestamps {
        spans.push(Span::styled(
            format!(" · times {}", state.zone.label),
            p.dim,
        ));
    }
    if let Some(note) = feed_note(state, &Feed::Logs(cs.color)) {
        spans.push(Span::styled(format!(" · {note}"), p.warn));
    }
    Line::from(spans)
}

/// What hides lines (regex, level, one pod) and how many it hides, then the search.
fn filter_spans<'a>(state: &State, cs: &ColorState, p: &Palette) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let filter = cs.logs.filter();
    if let Some(re) = &filter.regex {
        spans.push(Span::styled(format!(" · filter /{}/", re.as_str()), p.warn));
    }
    if state.logview.level != LevelFilter::All {
        spans.push(Span::styled(
            format!(" · {}", state.logview.level.words()),
            p.warn,
        ));
    }
    if let Some(pod) = &filter.pod {
        spans.push(Span::styled(
            format!(" · pod {} only", pod_short(pod)),
            p.warn,
        ));
    }
    if cs.logs.hidden() > 0 {
        spans.push(Span::styled(
            format!(" · {} hidden", cs.logs.hidden()),
            p.warn,
        ));
    }
    if let Some(re) = cs.logs.search() {
        let found = match (cs.logs.match_position(), cs.logs.matches()) {
            (_, 0) => "no match".to_string(),
            (Some((k, n)), _) => format!("match {k} of {n}"),
            (None, n) => format!("{n} matches (n/N)"),
        };
        spans.push(Span::styled(
            format!(" · search /{}/: {found}", re.as_str()),
            p.bold,
        ));
    }
    spans
}

/// Draw the lines ending at the view's bottom line.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, cs: &ColorState, p: &Palette) {
    let rows = area.height as usize;
    let width = area.width as usize;
    if rows == 0 || width == 0 {
        return;
    }
    let styles = LineStyles::of(state.effective_theme(), p);
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    for entry in cs.logs.iter_visible() {
        if lines.len() >= rows {
            break;
        }
        let line = render_entry(state, cs, entry, p, &styles);
        if state.wrap {
            let mut parts = wrap_line(line, width);
            // Newest first while collecting: push this entry's rows bottom-up.
            parts.reverse();
            lines.extend(parts);
        } else {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        let text = if cs.logs.is_empty() {
            "no log lines yet"
        } else {
            "no line passes the filter"
        };
        frame.render_widget(Paragraph::new(Span::styled(text, p.dim)), area);
        return;
    }
    lines.truncate(rows);
    lines.reverse();
    frame.render_widget(Paragraph::new(lines), area);
}

/// One color's logs over the whole `area` (the header and footer stay); returns the rows
/// of log lines drawn.
pub fn draw_zoomed(frame: &mut Frame, area: Rect, state: &State, color: Color, p: &Palette) -> u16 {
    let cs = state.color(color);
    let block = Block::bordered()
        .border_style(p.color(color))
        .title(Span::styled(
            format!(" {} logs · zoomed · z or Esc leaves ", color.word()),
            p.color(color).add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head, logs] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(title(state, cs, p)), head);
    draw(frame, logs, state, cs, p);
    logs.height
}

fn render_entry<'a>(
    state: &State,
    cs: &ColorState,
    e: &'a LogEntry,
    p: &Palette,
    styles: &LineStyles,
) -> Line<'a> {
    let mut spans = Vec::with_capacity(8);
    let shows_time = state.timestamps && e.ts.is_some();
    if shows_time {
        if let Some(ts) = e.ts {
            spans.push(Span::styled(format!("{} ", state.zone.hms(ts)), p.dim));
        }
    }
    let current = e.hit() && cs.logs.current_match() == Some(e.seq);
    let pod_style = if current {
        styles.current
    } else {
        p.pod(e.slot)
    };
    spans.push(Span::styled(pod_short(&e.pod), pod_style));
    spans.push(Span::raw(" "));
    let body = logline::body(e, state.logview.raw, shows_time, styles);
    match cs.logs.search().filter(|_| e.hit()) {
        Some(re) => {
            let style = if current {
                styles.current
            } else {
                styles.search
            };
            spans.extend(logline::highlight(body, re, style));
        }
        None => spans.extend(body),
    }
    Line::from(spans)
}

/// Split a line into rows of at most `width` columns (character wrap, styles kept).
fn wrap_line(line: Line<'_>, width: usize) -> Vec<Line<'_>> {
    use unicode_width::UnicodeWidthChar;
    let mut rows = vec![Line::default()];
    let mut col = 0;
    for span in line.spans {
        let mut chunk = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if col + w > width && col > 0 {
                if !chunk.is_empty() {
                    rows.last_mut()
                        .expect("a row")
                        .spans
                        .push(Span::styled(std::mem::take(&mut chunk), span.style));
                }
                rows.push(Line::default());
                col = 0;
            }
            chunk.push(c);
            col += w;
        }
        if !chunk.is_empty() {
            rows.last_mut()
                .expect("a row")
                .spans
                .push(Span::styled(chunk, span.style));
        }
    }
    rows
}

#[cfg(test)]
mod tests;

//! A color's log pane: status line and the visible lines (wrapped or clipped).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fmt::pod_short;
use super::pane::feed_note;
use super::theme::Palette;
use crate::app::logbuf::LogEntry;
use crate::app::state::{ColorState, State};
use crate::model::Feed;

/// "logs · following 3 of 3 pods · filter /err/ · wrap" or "logs · PAUSED · 12 new below".
pub fn title<'a>(state: &State, cs: &ColorState, p: &Palette) -> Line<'a> {
    let mut spans = vec![Span::styled("logs", p.bold)];
    match cs.streams {
        Some((following, total)) => spans.push(Span::raw(format!(
            " · following {following} of {total} pods"
        ))),
        None => spans.push(Span::styled(" · no streams yet", p.dim)),
    }
    if !cs.logs.following() {
        let below = cs.logs.below_view(state.filter.as_ref());
        spans.push(Span::styled(
            format!(" · PAUSED, {below} new below (G resumes)"),
            p.warn,
        ));
    }
    if let Some(re) = &state.filter {
        spans.push(Span::styled(format!(" · filter /{}/", re.as_str()), p.warn));
    }
    if state.wrap {
        spans.push(Span::styled(" · wrap", p.dim));
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

/// Draw the lines ending at the view's bottom line.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, cs: &ColorState, p: &Palette) {
    let rows = area.height as usize;
    let width = area.width as usize;
    if rows == 0 || width == 0 {
        return;
    }
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    for entry in cs.logs.iter_visible(state.filter.as_ref()) {
        if lines.len() >= rows {
            break;
        }
        let line = render_entry(state, entry, p);
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
            "no line matches the filter"
        };
        frame.render_widget(Paragraph::new(Span::styled(text, p.dim)), area);
        return;
    }
    lines.truncate(rows);
    lines.reverse();
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_entry<'a>(state: &State, e: &'a LogEntry, p: &Palette) -> Line<'a> {
    let mut spans = Vec::with_capacity(4);
    if state.timestamps {
        if let Some(ts) = e.ts {
            spans.push(Span::styled(format!("{} ", state.zone.hms(ts)), p.dim));
        }
    }
    spans.push(Span::styled(pod_short(&e.pod), p.pod(e.slot)));
    spans.push(Span::raw(" "));
    spans.push(Span::raw(e.text.as_str()));
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
mod tests {
    use super::*;

    #[test]
    fn wraps_by_columns_keeping_text() {
        let line = Line::from(vec![Span::raw("abc "), Span::raw("defghij")]);
        let rows = wrap_line(line, 4);
        let text: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["abc ", "defg", "hij"]);
    }
}

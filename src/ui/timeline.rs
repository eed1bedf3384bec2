//! The timeline pane: Events and cutover's notices, newest first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::fmt::fit_line;
use super::theme::Palette;
use crate::app::state::{Focus, State};
use crate::app::timeline::TimelineItem;
use crate::model::{EventKind, KubeEvent};

/// Draw the timeline into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let focused = state.focus == Focus::Timeline;
    let mut title = format!("timeline ({}) ", state.zone.label);
    let rows = area.height.saturating_sub(2) as usize;
    // Scrolled further than the view last allowed (it shrank): keep the bottom full.
    let scroll = state
        .timeline_scroll
        .min(state.timeline.items().len().saturating_sub(rows));
    if scroll > 0 {
        title.push_str(&format!("· {scroll} newer above "));
    }
    let block = Block::bordered().title(Line::from(vec![
        super::focus_mark(focused, p),
        Span::raw(title),
    ]));
    let items = state.timeline.items();
    let lines: Vec<Line> = items
        .iter()
        .rev()
        .skip(scroll)
        .take(rows)
        .map(|i| {
            fit_line(
                item_line(state, i, p),
                usize::from(area.width.saturating_sub(2)),
            )
        })
        .collect();
    let para = if lines.is_empty() {
        Paragraph::new(Span::styled("no events yet", p.dim))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(para.block(block), area);
}

fn item_line<'a>(state: &State, item: &'a TimelineItem, p: &Palette) -> Line<'a> {
    let when = state.zone.stamp(item.time(), state.now);
    let time = Span::styled(format!("{when} "), p.dim);
    match item {
        TimelineItem::Notice { text, warning, .. } => Line::from(vec![
            time,
            Span::styled("cutover ", p.bold),
            Span::styled(
                text.as_str(),
                if *warning { p.warn } else { Default::default() },
            ),
        ]),
        TimelineItem::Entry(e) => {
            let ok = e.result == Some(crate::app::action::journal::Result::Succeeded);
            let style = if ok { p.ok } else { p.warn };
            Line::from(vec![
                time,
                Span::styled(if ok { "✔ " } else { "✖ " }, style),
                Span::styled(format!("{} ", e.who), p.bold),
                Span::styled(e.summary.as_str(), style),
            ])
        }
        TimelineItem::Event(e) => {
            let mut spans = vec![time];
            spans.push(match e.kind {
                EventKind::Warning => Span::styled("⚠ ", p.warn),
                EventKind::Normal => Span::raw("  "),
            });
            spans.push(owner(state, e, p));
            spans.push(Span::raw(format!(" {} ", e.object)));
            let reason_style = if e.kind == EventKind::Warning {
                p.warn
            } else {
                p.bold
            };
            spans.push(Span::styled(e.reason.as_str(), reason_style));
            spans.push(Span::raw(": "));
            spans.push(Span::raw(e.message.as_str()));
            if e.count > 1 {
                spans.push(Span::styled(format!(" ×{}", e.count), p.dim));
            }
            Line::from(spans)
        }
    }
}

/// The color word when the Event is about one color, else its namespace.
fn owner(state: &State, e: &KubeEvent, p: &Palette) -> Span<'static> {
    match state.event_color(e) {
        Some(c) => Span::styled(c.word(), p.color(c)),
        None => Span::raw(e.namespace.clone()),
    }
}

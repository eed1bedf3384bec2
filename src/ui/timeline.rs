//! The timeline pane: Events and cutover's notices, newest first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use ratatui::Frame;

use super::theme::Palette;
use crate::app::state::{Focus, State};
use crate::app::timeline::TimelineItem;
use crate::model::{Color, EventKind};

/// Draw the timeline into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let focused = state.focus == Focus::Timeline;
    let mut title = format!(" timeline ({}) ", state.zone.label);
    if state.timeline_scroll > 0 {
        title.push_str(&format!("· {} newer above ", state.timeline_scroll));
    }
    let block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .title(title);
    let rows = block.inner(area).height as usize;
    let items = state.timeline.items();
    let lines: Vec<Line> = items
        .iter()
        .rev()
        .skip(state.timeline_scroll)
        .take(rows)
        .map(|i| item_line(state, i, p))
        .collect();
    let para = if lines.is_empty() {
        Paragraph::new(Span::styled("no events yet", p.dim))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(para.block(block), area);
}

fn item_line<'a>(state: &State, item: &'a TimelineItem, p: &Palette) -> Line<'a> {
    let time = Span::styled(format!("{} ", state.zone.hms(item.time())), p.dim);
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
            spans.push(owner(state, &e.namespace, p));
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

/// The color word when the namespace belongs to exactly one color, else the namespace.
fn owner(state: &State, namespace: &str, p: &Palette) -> Span<'static> {
    let owners: Vec<Color> = Color::BOTH
        .into_iter()
        .filter(|c| state.color(*c).namespace == namespace)
        .collect();
    match owners.as_slice() {
        [c] => Span::styled(c.word(), p.color(*c)),
        _ => Span::raw(namespace.to_string()),
    }
}

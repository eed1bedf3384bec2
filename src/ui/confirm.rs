//! The confirmation of an action (it shows exactly what will be done, the gates, and what
//! to type) and the color choice of a rollback when the router says neither color.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::detail::centered;
use super::theme::Palette;
use crate::app::action::confirm::{Confirm, Field};
use crate::app::state::State;

/// Draw an open confirmation over the cockpit.
pub fn draw(frame: &mut Frame, area: Rect, c: &Confirm, p: &Palette) {
    let body = c.lines();
    let mut lines: Vec<Line> = body
        .iter()
        .map(|l| {
            let style = if l.starts_with('✖') || l.starts_with('!') {
                p.warn
            } else if l.starts_with('✔') {
                p.ok
            } else {
                Default::default()
            };
            Line::from(Span::styled(l.clone(), style))
        })
        .collect();
    let cursor = |on: bool| if on { "▏" } else { "" };
    if c.expect.is_some() {
        lines.push(Line::from(vec![
            Span::styled("confirm: ", p.bold),
            Span::raw(c.input.clone()),
            Span::raw(cursor(c.field == Field::Answer)),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("reason (optional, Tab): ", p.dim),
        Span::raw(c.reason.clone()),
        Span::raw(cursor(c.field == Field::Reason)),
    ]));
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, area.width.saturating_sub(6).clamp(20, 96), height);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(p.alarm)
        .title(Span::styled(format!(" {} ", c.title()), p.alarm));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// Draw the rollback's color choice.
pub fn draw_choose(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let says = state
        .router
        .as_ref()
        .map(|r| crate::app::release::plan::target_words(&r.target))
        .unwrap_or_else(|| "nothing yet".into());
    let lines = vec![
        Line::from(format!("The router says {says}.")),
        Line::from("Roll back all traffic to which color?"),
        Line::from(vec![
            Span::styled("b", p.bold),
            Span::raw(" BLUE · "),
            Span::styled("g", p.bold),
            Span::raw(" GREEN · Esc cancels"),
        ]),
    ];
    let rect = centered(area, 56, 5);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().border_style(p.alarm).title(" ROLLBACK ")),
        rect,
    );
}

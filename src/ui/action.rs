//! A running action on screen: its live output (check results, suite lines) in the upper
//! part of its target color's log room, and its name with elapsed time in the header.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::fmt::{age, fit};
use super::theme::Palette;
use crate::app::action::tracker::RunningAction;
use crate::app::state::State;
use crate::keymap::{Intent, KeyMode};
use crate::model::Color;

/// Below this many rows the output replaces the logs instead of sharing their room.
const SHARE_MIN_ROWS: u16 = 10;

/// The newest running action aimed at `color` (a smoke test's color, a switch's target).
fn aimed_at(state: &State, color: Color) -> Option<&RunningAction> {
    let aimed = |a: &&RunningAction| a.op.color() == color;
    state.actions.active().filter(aimed).last()
}

/// Draws the output of an action running on `color` in the upper part of `area` (all of
/// it when small) and returns what is left for the logs (all of `area` when none runs).
pub fn draw(frame: &mut Frame, area: Rect, state: &State, color: Color, p: &Palette) -> Rect {
    let Some(a) = aimed_at(state, color) else {
        return area;
    };
    // As many rows as it has lines (plus its title), up to three fifths of the room.
    let wanted = a.output.len() + usize::from(a.waiting.is_some()) + 1;
    let rows = if area.height < SHARE_MIN_ROWS {
        area.height
    } else {
        (wanted.max(3) as u16).min(area.height * 3 / 5)
    };
    let [mine, rest] = Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    let block = Block::new()
        .borders(Borders::TOP)
        .border_style(p.color(color))
        .title(title(state, a, p));
    let inner = block.inner(mine);
    frame.render_widget(block, mine);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = a
        .output
        .iter()
        .map(|text| {
            let style = match text.chars().next() {
                Some('✔') => p.ok,
                Some('✖') => p.error,
                _ => ratatui::style::Style::default(),
            };
            Line::styled(fit(text, width), style)
        })
        .collect();
    if let Some(w) = &a.waiting {
        lines.push(Line::styled(fit(&format!("… {w}"), width), p.dim));
    }
    // The newest lines, like a terminal.
    let skip = lines.len().saturating_sub(inner.height as usize);
    frame.render_widget(Paragraph::new(lines.split_off(skip)), inner);
    rest
}

/// " smoke GREEN v2.0.0 · 12s · ctrl-c cancels ".
fn title<'a>(state: &State, a: &RunningAction, p: &Palette) -> Line<'a> {
    let how = if a.cancelling {
        "cancelling…".to_string()
    } else {
        let key = state.keymap.keys_for(KeyMode::Normal, Intent::Interrupt);
        format!("{} cancels", key.split(' ').next().unwrap_or_default())
    };
    Line::from(vec![
        Span::styled(format!(" {} ", a.name), p.bold),
        Span::raw(format!("· {} ", age(state.now, a.started))),
        Span::styled(format!("· {how} "), p.dim),
    ])
}

/// The header's note of each running action: " · ▶ smoke GREEN v2.0.0 12s".
pub fn header(state: &State, p: &Palette) -> Vec<Span<'static>> {
    state
        .actions
        .active()
        .flat_map(|a| {
            [
                Span::raw(" · "),
                Span::styled(
                    format!("▶ {} {}", a.name, age(state.now, a.started)),
                    p.warn,
                ),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests;

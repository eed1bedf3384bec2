//! The help screen: every key of every mode, what it does, and why unavailable ones are.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::theme::Palette;
use crate::app::state::State;
use crate::keymap::{Intent, KeyMode, Keymap};

/// Help text lines for a keymap (also used by tests and the README).
pub fn lines(keymap: &Keymap, p: &Palette) -> Vec<Line<'static>> {
    lines_with(keymap, p, &|_| None)
}

/// Help text lines, each unavailable action with why (`why`, from the state).
pub fn lines_with(
    keymap: &Keymap,
    p: &Palette,
    why: &dyn Fn(Intent) -> Option<String>,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for &mode in KeyMode::ALL {
        out.push(Line::from(Span::styled(
            format!("{} mode", mode.title()),
            p.bold,
        )));
        for action in keymap.actions(mode) {
            let keys = keymap.keys_for(mode, action);
            let mut spans = vec![
                Span::styled(format!("  {keys:<18}"), p.bold),
                Span::raw(action.description().to_string()),
            ];
            if let Some(why) = why(action) {
                spans.push(Span::styled(format!(" — {why}"), p.warn));
            }
            out.push(Line::from(spans));
        }
        if mode == KeyMode::FilterInput {
            out.push(Line::from(Span::styled(
                "  other keys         type into the filter (a regex)",
                p.dim,
            )));
        }
        out.push(Line::default());
    }
    out
}

/// Draw help over the whole area, scrolled by `scroll` rows; returns how many lines it has.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, scroll: usize, p: &Palette) -> usize {
    let block = Block::bordered().title(" help · j/k scroll · Esc closes ");
    let all = lines_with(&state.keymap, p, &|a| state.unavailable(a));
    let count = all.len();
    let scroll = scroll.min(count.saturating_sub(1));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(all).block(block).scroll((scroll as u16, 0)),
        area,
    );
    count
}

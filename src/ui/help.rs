//! The help screen: every key of every mode, what it does, and why unavailable ones are.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::theme::Palette;
use crate::app::state::State;
use crate::keymap::{KeyMode, Keymap};

/// Help text lines for a keymap (also used by tests and the README).
pub fn lines(keymap: &Keymap, p: &Palette) -> Vec<Line<'static>> {
    lines_with(keymap, p, |a| a.unavailable().map(str::to_string))
}

/// Help text lines, each unavailable action with `why` it is (the session's reasons:
/// read-only, a missing permission).
fn lines_with(
    keymap: &Keymap,
    p: &Palette,
    why: impl Fn(crate::keymap::Intent) -> Option<String>,
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
                Span::raw(action.description_in(mode).to_string()),
            ];
            if let Some(why) = why(action) {
                spans.push(Span::styled(format!(" — {why}"), p.warn));
            }
            out.push(Line::from(spans));
        }
        let typed = match mode {
            KeyMode::FilterInput => Some("  other keys         type into the filter (a regex)"),
            KeyMode::SearchInput => Some("  other keys         type into the search (a regex)"),
            _ => None,
        };
        if let Some(text) = typed {
            out.push(Line::from(Span::styled(text, p.dim)));
        }
        out.push(Line::default());
    }
    out
}

/// Draw help over the whole area, scrolled by `scroll` rows; returns how many lines it has.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, scroll: usize, p: &Palette) -> usize {
    let block = Block::bordered().title(" help · j/k scroll · Esc closes ");
    let inner = usize::from(area.width.saturating_sub(2));
    let all: Vec<Line> = lines_with(&state.keymap, p, |a| state.unavailable(a))
        .into_iter()
        .map(|l| super::fmt::fit_line(l, inner))
        .collect();
    let count = all.len();
    let scroll = scroll.min(count.saturating_sub(1));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(all).block(block).scroll((scroll as u16, 0)),
        area,
    );
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::schema::Theme;

    /// Each mode's keys say what they do in that mode: in help, PgDn scrolls help, not logs.
    #[test]
    fn keys_say_what_they_do_in_their_mode() {
        let all: Vec<String> = lines(&Keymap::default(), &Palette::of(Theme::Dark))
            .iter()
            .map(|l| l.to_string())
            .collect();
        let mut mode = String::new();
        let mut checked = 0;
        for line in &all {
            if line.ends_with(" mode") {
                mode = line.clone();
                continue;
            }
            if mode != "cockpit mode" && line.trim_start().starts_with("PgDn") {
                assert!(line.ends_with("scroll a page down"), "{mode}: {line}");
                checked += 1;
            }
            if mode != "cockpit mode" {
                assert!(!line.contains("log"), "{mode}: {line}");
            }
        }
        assert_eq!(
            checked, 3,
            "pod detail, help and a verdict's explanation scroll"
        );
    }
}

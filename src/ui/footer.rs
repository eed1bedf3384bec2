//! The footer: keys (rollback most visible), the filter input, or a flash message.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::Palette;
use crate::app::action::Action;
use crate::app::keymap::KeyMode;
use crate::app::state::State;

/// Draw the footer line.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let line = match &state.filter_input {
        Some(input) => filter_line(state, input, p),
        None => keys_line(state, p, area.width >= 120),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn filter_line<'a>(state: &'a State, input: &'a str, p: &Palette) -> Line<'a> {
    let mut spans = vec![
        Span::styled(" filter /", p.bold),
        Span::raw(input),
        Span::styled("▏", p.bold),
    ];
    match &state.filter_error {
        Some(err) => spans.push(Span::styled(format!("  {err}"), p.error)),
        None => spans.push(Span::styled(
            "  Enter apply · Esc cancel · empty clears",
            p.dim,
        )),
    }
    Line::from(spans)
}

/// All keys when `wide`; at 80 columns the most important ones (help lists all).
fn keys_line<'a>(state: &'a State, p: &Palette, wide: bool) -> Line<'a> {
    let km = &state.keymap;
    let key = |a| km.keys_for(KeyMode::Normal, a);
    let mut spans = vec![Span::styled(
        format!(
            " {} ROLLBACK ",
            km.keys_for(KeyMode::Normal, Action::RollbackChord)
        ),
        p.rollback,
    )];
    if let Some((text, _)) = &state.flash {
        spans.push(Span::styled(format!(" {text} "), p.warn));
    }
    // Release actions: shown, dimmed, until they exist.
    for (a, label) in [
        (Action::Rollback, "rollback"),
        (Action::Smoke, "smoke"),
        (Action::Switch, "switch"),
        (Action::Deploy, "deploy"),
        (Action::Decommission, "decom"),
        (Action::Checklist, "checklist"),
    ]
    .into_iter()
    .take(if wide { 6 } else { 3 })
    {
        let style = if a.unavailable().is_some() {
            p.dim
        } else {
            Default::default()
        };
        spans.push(Span::styled(format!(" {} {label}", key(a)), style));
    }
    for (a, label) in [
        (Action::Filter, "filter"),
        (Action::Open, "detail"),
        (Action::AppLog, "log"),
        (Action::Help, "help"),
        (Action::Quit, "quit"),
    ]
    .into_iter()
    .filter(|(a, _)| wide || matches!(a, Action::Filter | Action::Help | Action::Quit))
    {
        let keys = key(a);
        let first = keys.split(' ').next().unwrap_or_default().to_string();
        spans.push(Span::styled(format!("  {first}"), p.bold));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}

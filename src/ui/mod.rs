//! Drawing: `view(&State)` renders the cockpit. It never computes business facts and
//! never reads a clock (time is `state.now`), so frames are stable for snapshots.

pub mod action;
pub mod applog;
pub mod confirm;
pub mod detail;
pub mod explain;
pub mod fmt;
pub mod footer;
pub mod header;
pub mod help;
pub mod logline;
pub mod logs;
pub mod pane;
pub mod release;
pub mod signals;
pub mod theme;
pub mod timeline;

use ratatui::layout::{Constraint, Layout};
use ratatui::Frame;

use crate::app::state::{Modal, Screen, State, Viewport};
use crate::model::Color;
use theme::Palette;

/// The smallest terminal the cockpit is drawn in (columns, rows); below it the screen
/// says where traffic goes and how large it needs to be.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// Draw the whole screen for `state`; returns the sizes it drew, for `update` to scroll by.
pub fn view(frame: &mut Frame, state: &State) -> Viewport {
    let p = Palette::of(state.effective_theme());
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame, state, &p);
        return Viewport::default();
    }
    // A fifth of the screen: the timeline grows with the terminal.
    let timeline_rows = (area.height / 5).max(4);
    let [header, main, timeline, footer] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(8),
        Constraint::Length(timeline_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    let [blue, green] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main);
    header::draw(frame, header, state, &p);
    let log_rows = match state.logview.zoom {
        Some(c) => logs::draw_zoomed(frame, main.union(timeline), state, c, &p),
        None => {
            let log_rows = pane::draw(frame, blue, state, Color::Blue, &p);
            pane::draw(frame, green, state, Color::Green, &p);
            timeline::draw(frame, timeline, state, &p);
            log_rows
        }
    };
    footer::draw(frame, footer, state, &p);
    let mut drawn = Viewport {
        log_rows: log_rows.into(),
        timeline_rows: timeline.height.saturating_sub(2).into(),
        ..Viewport::default()
    };
    match state.screen {
        Screen::Cockpit => {}
        Screen::Help(scroll) => drawn.help_lines = help::draw(frame, area, state, scroll, &p),
        Screen::AppLog => applog::draw(frame, area, &p),
    }
    match &state.modal {
        None => {}
        Some(Modal::PodDetail { color, pod, scroll }) => {
            drawn.detail_lines = detail::draw_pod(frame, area, state, *color, pod, *scroll, &p);
        }
        Some(Modal::Explain { color, scroll }) => {
            drawn.detail_lines = explain::draw(frame, area, state, *color, *scroll, &p);
        }
        Some(Modal::ConfirmQuit) => detail::draw_confirm_quit(frame, area, state, &p),
        Some(Modal::Confirm(c)) => confirm::draw(frame, area, c, &p),
        Some(Modal::ChooseRollback { .. }) => confirm::draw_choose(frame, area, state, &p),
        Some(Modal::VersionPrompt(prompt)) => release::draw_prompt(frame, area, state, prompt, &p),
        Some(Modal::Checklist { selected }) => {
            release::draw_checklist(frame, area, state, *selected, &p)
        }
        Some(Modal::ConfirmCancel { lines, .. }) => {
            release::draw_confirm_cancel(frame, area, lines, &p)
        }
    }
    drawn
}

/// A terminal too small for the cockpit: the traffic verdict first (it is the last thing
/// to lose space), then how large the terminal needs to be. A quit dialog still shows.
fn too_small(frame: &mut Frame, state: &State, p: &Palette) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Paragraph, Wrap};
    let area = frame.area();
    let (w, h) = MIN_SIZE;
    let mut lines: Vec<Line> = vec![header::verdict(state, p, usize::from(area.width))];
    lines.push(Line::from(Span::styled(
        format!(
            "cutover needs at least {w}×{h}; this terminal is {}×{}",
            area.width, area.height
        ),
        p.warn,
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    if state.modal == Some(Modal::ConfirmQuit) {
        detail::draw_confirm_quit(frame, area, state, p);
    }
}

/// The start of a pane's title: "▶ " (bold) on the focused pane, else a space. Focus is
/// never a border style: the heavy border belongs to LIVE.
fn focus_mark(focused: bool, p: &Palette) -> ratatui::text::Span<'static> {
    if focused {
        ratatui::text::Span::styled("▶ ", p.bold)
    } else {
        ratatui::text::Span::raw(" ")
    }
}

#[cfg(test)]
mod tests;

//! Drawing: `view(&State)` renders the cockpit. It never computes business facts and
//! never reads a clock (time is `state.now`), so frames are stable for snapshots.

pub mod action;
pub mod confirm;
pub mod detail;
pub mod fmt;
pub mod footer;
pub mod header;
pub mod help;
pub mod logs;
pub mod pane;
pub mod release;
pub mod theme;
pub mod timeline;

use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::{Block, Clear};
use ratatui::Frame;

use crate::app::state::{Modal, Screen, State, Viewport};
use crate::model::Color;
use theme::Palette;

/// Draw the whole screen for `state`; returns the sizes it drew, for `update` to scroll by.
pub fn view(frame: &mut Frame, state: &State) -> Viewport {
    let p = Palette::of(state.effective_theme());
    let area = frame.area();
    let timeline_rows = match area.height {
        0..=29 => 4,
        30..=39 => 6,
        _ => 8,
    };
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
    let log_rows = pane::draw(frame, blue, state, Color::Blue, &p);
    pane::draw(frame, green, state, Color::Green, &p);
    timeline::draw(frame, timeline, state, &p);
    footer::draw(frame, footer, state, &p);
    let mut drawn = Viewport {
        log_rows: log_rows.into(),
        timeline_rows: timeline.height.saturating_sub(2).into(),
        ..Viewport::default()
    };
    match state.screen {
        Screen::Cockpit => {}
        Screen::Help(scroll) => drawn.help_lines = help::draw(frame, area, state, scroll, &p),
        Screen::AppLog => draw_app_log(frame, area),
    }
    match &state.modal {
        None => {}
        Some(Modal::PodDetail { color, pod, scroll }) => {
            drawn.detail_lines = detail::draw_pod(frame, area, state, *color, pod, *scroll, &p);
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

/// cutover's own log (tui-logger; the caller installs the logger).
fn draw_app_log(frame: &mut Frame, area: ratatui::layout::Rect) {
    frame.render_widget(Clear, area);
    let widget = tui_logger::TuiLoggerWidget::default()
        .output_file(false)
        .output_line(false)
        .output_separator(' ')
        .output_timestamp(Some("%H:%M:%S".into()))
        .block(Block::bordered().title(" cutover log · Esc closes "));
    frame.render_widget(widget, area);
}

#[cfg(test)]
mod tests;

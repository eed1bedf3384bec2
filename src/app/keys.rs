//! Key handling for `update`: look the key up in the current mode, then act.

use super::msg::Cmd;
use super::state::{Focus, Modal, Screen, State};
use crate::keymap::Intent;
use crate::keymap::KeyMode;
use crate::model::Color;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Handle one key press.
pub fn handle_key(state: &mut State, ev: KeyEvent) -> Vec<Cmd> {
    if ev.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let mode = state.key_mode();
    let Some(intent) = state.keymap.lookup(mode, &ev) else {
        if matches!(mode, KeyMode::FilterInput | KeyMode::SearchInput) {
            type_char(state, &ev);
        }
        return Vec::new();
    };
    if unavailable(state, intent) {
        return Vec::new();
    }
    state.mark_dirty();
    if let Some(cmds) = super::logkeys::intercept(state, intent) {
        return cmds;
    }
    match intent {
        Intent::Quit => return quit(state),
        Intent::Interrupt => return interrupt(state, mode),
        Intent::Suspend => return vec![Cmd::Suspend],
        Intent::ConfirmQuit => return vec![Cmd::Quit],
        Intent::CancelQuit | Intent::Close => close(state),
        Intent::Help => state.screen = Screen::Help(0),
        Intent::AppLog => state.screen = Screen::AppLog,
        Intent::FocusNext => state.focus = cycle(state.focus, true),
        Intent::FocusPrev => state.focus = cycle(state.focus, false),
        Intent::Down => move_rows(state, 1),
        Intent::Up => move_rows(state, -1),
        Intent::PageDown => page(state, 1),
        Intent::PageUp => page(state, -1),
        Intent::Follow => match state.focused_color() {
            Some(c) => state.color_mut(c).logs.follow(),
            None => state.timeline_scroll = 0,
        },
        Intent::Oldest => oldest(state),
        Intent::Open => open_detail(state),
        Intent::Filter => {
            state.filter_input = Some(
                state
                    .filter
                    .as_ref()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            );
            state.filter_error = None;
        }
        Intent::ClearFilter => state.filter = None,
        Intent::ToggleWrap => state.wrap = !state.wrap,
        Intent::ToggleTimestamps => state.timestamps = !state.timestamps,
        Intent::FilterApply => apply_filter(state),
        Intent::FilterCancel => {
            state.filter_input = None;
            state.filter_error = None;
        }
        Intent::FilterBackspace => {
            if let Some(input) = &mut state.filter_input {
                input.pop();
            }
            state.filter_error = None;
        }
        // Release actions and the rollback chord were answered by `unavailable`.
        Intent::RollbackChord
        | Intent::Smoke
        | Intent::Switch
        | Intent::Rollback
        | Intent::Deploy
        | Intent::Decommission
        | Intent::Checklist => {}
        // The log panes' own intents were answered by `logkeys::intercept`.
        Intent::LevelFilter
        | Intent::Search
        | Intent::SearchApply
        | Intent::SearchCancel
        | Intent::SearchBackspace
        | Intent::NextMatch
        | Intent::PrevMatch
        | Intent::ToggleRaw
        | Intent::PodOnly
        | Intent::Zoom
        | Intent::SaveLogs => {}
    }
    Vec::new()
}

/// Intents that exist but cannot run yet say why.
fn unavailable(state: &mut State, intent: Intent) -> bool {
    match intent.unavailable() {
        Some(why) => {
            let what = if intent == Intent::RollbackChord {
                "rollback"
            } else {
                intent.name()
            };
            state.flash(format!("{what}: {why}"));
            true
        }
        None => false,
    }
}

/// Open the quit confirmation.
fn ask_quit(state: &mut State) {
    state.modal = Some(Modal::ConfirmQuit);
    state.mark_dirty();
}

/// `q`: quit at once, unless an action runs (then ask).
fn quit(state: &mut State) -> Vec<Cmd> {
    if state.action.is_some() {
        ask_quit(state);
        Vec::new()
    } else {
        vec![Cmd::Quit]
    }
}

/// Ctrl-C: cancel a cancellable action; else ask to quit; in the quit dialog, quit.
fn interrupt(state: &mut State, mode: KeyMode) -> Vec<Cmd> {
    if let Some(action) = state.action.as_ref().filter(|a| a.cancellable) {
        let text = format!("cancelling {}", action.name);
        state.flash(text);
        return vec![Cmd::CancelAction];
    }
    if mode == KeyMode::ConfirmQuit {
        return vec![Cmd::Quit];
    }
    state.filter_input = None;
    ask_quit(state);
    Vec::new()
}

fn close(state: &mut State) {
    if state.modal.take().is_none() {
        state.screen = Screen::Cockpit;
    }
}

fn cycle(focus: Focus, forward: bool) -> Focus {
    const ORDER: [Focus; 3] = [
        Focus::Color(Color::Blue),
        Focus::Color(Color::Green),
        Focus::Timeline,
    ];
    let i = ORDER.iter().position(|f| *f == focus).unwrap_or(0);
    ORDER[if forward { (i + 1) % 3 } else { (i + 2) % 3 }]
}

/// j/k: the pod selection, the timeline, or a modal's scroll.
/// Modal scrolls stop at their last line as the view last drew it, so a `k` after
/// over-scrolling moves at once.
fn move_rows(state: &mut State, delta: isize) {
    if let Some(Modal::PodDetail { scroll, .. }) = &mut state.modal {
        let max = state.viewport.detail_lines.saturating_sub(1);
        *scroll = scroll.saturating_add_signed(delta).min(max);
        return;
    }
    let max = state.viewport.help_lines.saturating_sub(1);
    if let Screen::Help(scroll) = &mut state.screen {
        *scroll = scroll.saturating_add_signed(delta).min(max);
        return;
    }
    match state.focus {
        Focus::Color(c) => {
            let cs = state.color_mut(c);
            let last = cs.pods.len().saturating_sub(1);
            cs.selected = cs.selected.saturating_add_signed(delta).min(last);
        }
        // The timeline scrolls up (older) with k.
        Focus::Timeline => {
            let max = state.timeline.items().len().saturating_sub(1);
            state.timeline_scroll = state.timeline_scroll.saturating_add_signed(-delta).min(max);
        }
    }
}

/// PgUp/PgDn: the focused color's logs, the timeline, or a modal's scroll.
fn page(state: &mut State, dir: isize) {
    let rows = state.page_rows();
    if state.modal.is_some() || state.screen != Screen::Cockpit {
        return move_rows(state, dir * rows as isize);
    }
    match state.focused_color() {
        Some(c) => {
            let logs = &mut state.color_mut(c).logs;
            if dir < 0 {
                logs.scroll_up(rows);
            } else {
                logs.scroll_down(rows);
            }
        }
        None => move_rows(state, dir * rows as isize),
    }
}

fn oldest(state: &mut State) {
    let rows = state.page_rows();
    match state.focused_color() {
        Some(c) => state.color_mut(c).logs.oldest(rows),
        None => state.timeline_scroll = state.timeline.items().len().saturating_sub(1),
    }
}

fn open_detail(state: &mut State) {
    let Some(c) = state.focused_color() else {
        return;
    };
    let cs = state.color(c);
    if let Some(pod) = cs.pods.get(cs.selected) {
        state.modal = Some(Modal::PodDetail {
            color: c,
            pod: pod.name.clone(),
            scroll: 0,
        });
    }
}

/// Enter in filter input: compile; a bad regex keeps the input open with the error.
fn apply_filter(state: &mut State) {
    let input = state.filter_input.clone().unwrap_or_default();
    if input.is_empty() {
        state.filter = None;
        state.filter_input = None;
        return;
    }
    match super::logview::compile(&input) {
        Ok(re) => {
            state.filter = Some(re);
            state.filter_input = None;
            state.filter_error = None;
        }
        Err(why) => state.filter_error = Some(why),
    }
}

/// Plain characters typed into the filter input.
fn type_char(state: &mut State, ev: &KeyEvent) {
    let KeyCode::Char(c) = ev.code else { return };
    if ev
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return;
    }
    if let Some(input) = &mut state.filter_input {
        input.push(c);
        state.filter_error = None;
        state.mark_dirty();
    } else if super::logkeys::type_char(state, c) {
        state.mark_dirty();
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::Terminal;

    use super::*;
    use crate::app::msg::Msg;
    use crate::app::sample;
    use crate::app::update::update;
    use crate::config::schema::Theme;
    use crate::ui::theme::Palette;

    fn press(s: &mut State, c: char, times: usize) {
        for _ in 0..times {
            update(
                s,
                Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
        }
    }

    /// Draw, and report the drawn sizes back as the event loop does.
    fn screen(s: &mut State) -> Buffer {
        let mut t = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
        let mut drawn = Default::default();
        t.draw(|f| drawn = crate::ui::view(f, s)).expect("draw");
        update(s, Msg::Viewport(drawn));
        t.backend().buffer().clone()
    }

    /// After over-scrolling with `j`, one `k` scrolls the view back at once.
    fn k_moves_after_500_j(s: &mut State) {
        screen(s);
        press(s, 'j', 500);
        let bottom = screen(s);
        press(s, 'k', 1);
        assert_ne!(screen(s), bottom, "k did not move the view");
    }

    #[test]
    fn help_scroll_stops_at_its_last_line() {
        let mut s = sample::state(3, 20);
        press(&mut s, '?', 1);
        assert_eq!(s.key_mode(), KeyMode::Help);
        k_moves_after_500_j(&mut s);
        let all = crate::ui::help::lines(&s.keymap, &Palette::of(Theme::default()));
        assert_eq!(s.viewport.help_lines, all.len());
        assert_eq!(s.screen, Screen::Help(all.len() - 2));
    }

    #[test]
    fn pod_detail_scroll_stops_at_its_last_line() {
        let mut s = sample::state(3, 20);
        update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        assert_eq!(s.key_mode(), KeyMode::PodDetail);
        k_moves_after_500_j(&mut s);
        let Some(Modal::PodDetail { scroll, .. }) = s.modal.clone() else {
            panic!("no detail");
        };
        assert_eq!(scroll, s.viewport.detail_lines - 2);
        assert!(scroll >= 3, "{scroll}");
    }
}

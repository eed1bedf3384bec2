//! Key handling for `update`: look the key up in the current mode, then act.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use regex::Regex;

use super::action::Action;
use super::keymap::KeyMode;
use super::model::Colour;
use super::msg::Cmd;
use super::state::{Focus, Modal, Screen, State};
use super::update::{ask_quit, focused_colour, mode_of, page_rows, unavailable};

/// Handle one key press.
pub fn handle_key(state: &mut State, ev: KeyEvent) -> Vec<Cmd> {
    if ev.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let mode = mode_of(state);
    let Some(action) = state.keymap.lookup(mode, &ev) else {
        if mode == KeyMode::FilterInput {
            type_char(state, &ev);
        }
        return Vec::new();
    };
    if unavailable(state, action) {
        return Vec::new();
    }
    state.mark_dirty();
    match action {
        Action::Quit => return quit(state),
        Action::Interrupt => return interrupt(state, mode),
        Action::Suspend => return vec![Cmd::Suspend],
        Action::ConfirmQuit => return vec![Cmd::Quit],
        Action::CancelQuit | Action::Close => close(state),
        Action::Help => state.screen = Screen::Help(0),
        Action::AppLog => state.screen = Screen::AppLog,
        Action::FocusNext => state.focus = cycle(state.focus, true),
        Action::FocusPrev => state.focus = cycle(state.focus, false),
        Action::Down => move_rows(state, 1),
        Action::Up => move_rows(state, -1),
        Action::PageDown => page(state, 1),
        Action::PageUp => page(state, -1),
        Action::Follow => match focused_colour(state) {
            Some(c) => state.colour_mut(c).logs.follow(),
            None => state.timeline_scroll = 0,
        },
        Action::Oldest => oldest(state),
        Action::Open => open_detail(state),
        Action::Filter => {
            state.filter_input = Some(
                state
                    .filter
                    .as_ref()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            );
            state.filter_error = None;
        }
        Action::ClearFilter => state.filter = None,
        Action::ToggleWrap => state.wrap = !state.wrap,
        Action::ToggleTimestamps => state.timestamps = !state.timestamps,
        Action::FilterApply => apply_filter(state),
        Action::FilterCancel => {
            state.filter_input = None;
            state.filter_error = None;
        }
        Action::FilterBackspace => {
            if let Some(input) = &mut state.filter_input {
                input.pop();
            }
            state.filter_error = None;
        }
        // Release actions and the rollback chord were answered by `unavailable`.
        Action::RollbackChord
        | Action::Smoke
        | Action::Switch
        | Action::Rollback
        | Action::Deploy
        | Action::Decommission
        | Action::Checklist => {}
    }
    Vec::new()
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
        super::update::flash(state, text);
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
        Focus::Colour(Colour::Blue),
        Focus::Colour(Colour::Green),
        Focus::Timeline,
    ];
    let i = ORDER.iter().position(|f| *f == focus).unwrap_or(0);
    ORDER[if forward { (i + 1) % 3 } else { (i + 2) % 3 }]
}

/// j/k: the pod selection, the timeline, or a modal's scroll.
/// Modal scrolls stop at their last line, so a `k` after over-scrolling moves at once.
fn move_rows(state: &mut State, delta: isize) {
    if let Some(Modal::PodDetail { colour, pod, .. }) = &state.modal {
        let max = detail_lines(state, *colour, pod).saturating_sub(1);
        if let Some(Modal::PodDetail { scroll, .. }) = &mut state.modal {
            *scroll = scroll.saturating_add_signed(delta).min(max);
        }
        return;
    }
    let max = help_lines(state).saturating_sub(1);
    if let Screen::Help(scroll) = &mut state.screen {
        *scroll = scroll.saturating_add_signed(delta).min(max);
        return;
    }
    match state.focus {
        Focus::Colour(c) => {
            let cs = state.colour_mut(c);
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

/// Lines of the help screen (as `ui::help::lines` lays them out): per mode a title, one
/// line per action, the filter input's typing note, and a blank line. Its view stops
/// scrolling at the last of them.
fn help_lines(state: &State) -> usize {
    KeyMode::ALL
        .iter()
        .map(|&mode| {
            2 + state.keymap.actions(mode).len() + usize::from(mode == KeyMode::FilterInput)
        })
        .sum()
}

/// Most Events a pod's detail lists (as `ui::detail`).
const DETAIL_EVENTS: usize = 10;

/// Lines (before wrapping) of a pod's detail, as `ui::detail` lays it out: status, the
/// last exit code, conditions, containers with their last termination, recent Events.
fn detail_lines(state: &State, colour: Colour, name: &str) -> usize {
    let Some(pod) = state.colour(colour).pods.iter().find(|p| p.name == name) else {
        return 1;
    };
    let object = format!("Pod/{}", pod.name);
    let events = state
        .timeline
        .events_for(&pod.namespace, &object)
        .take(DETAIL_EVENTS)
        .count();
    let containers: usize = pod
        .containers
        .iter()
        .map(|c| 1 + usize::from(c.last_termination.is_some()))
        .sum();
    1 + usize::from(pod.last_exit_code.is_some())
        + 1
        + pod.conditions.len()
        + 1
        + containers
        + 1
        + events.max(1)
}

/// PgUp/PgDn: the focused colour's logs, the timeline, or a modal's scroll.
fn page(state: &mut State, dir: isize) {
    let rows = page_rows(state);
    if state.modal.is_some() || state.screen != Screen::Cockpit {
        return move_rows(state, dir * rows as isize);
    }
    match focused_colour(state) {
        Some(c) => {
            let filter = state.filter.clone();
            let logs = &mut state.colour_mut(c).logs;
            if dir < 0 {
                logs.scroll_up(rows, filter.as_ref());
            } else {
                logs.scroll_down(rows, filter.as_ref());
            }
        }
        None => move_rows(state, dir * rows as isize),
    }
}

fn oldest(state: &mut State) {
    let rows = page_rows(state);
    match focused_colour(state) {
        Some(c) => {
            let filter = state.filter.clone();
            state.colour_mut(c).logs.oldest(rows, filter.as_ref());
        }
        None => state.timeline_scroll = state.timeline.items().len().saturating_sub(1),
    }
}

fn open_detail(state: &mut State) {
    let Some(c) = focused_colour(state) else {
        return;
    };
    let cs = state.colour(c);
    if let Some(pod) = cs.pods.get(cs.selected) {
        state.modal = Some(Modal::PodDetail {
            colour: c,
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
    match Regex::new(&input) {
        Ok(re) => {
            state.filter = Some(re);
            state.filter_input = None;
            state.filter_error = None;
        }
        Err(e) => {
            // regex errors are multi-line with a caret diagram; keep the last line.
            let msg = e.to_string();
            let last = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid");
            state.filter_error = Some(format!("bad regex: {}", last.trim_start_matches("error: ")));
        }
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

    fn screen(s: &State) -> Buffer {
        let mut t = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
        t.draw(|f| crate::ui::view(f, s)).expect("draw");
        t.backend().buffer().clone()
    }

    /// After over-scrolling with `j`, one `k` scrolls the view back at once.
    fn k_moves_after_500_j(s: &mut State) {
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
        assert_eq!(help_lines(&s), all.len());
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
        let Some(Modal::PodDetail {
            colour,
            pod,
            scroll,
        }) = s.modal.clone()
        else {
            panic!("no detail");
        };
        assert_eq!(scroll, detail_lines(&s, colour, &pod) - 2);
        assert!(scroll >= 3, "{scroll}");
    }
}

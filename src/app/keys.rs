//! Key handling for `update`: look the key up in the current mode, then act.

use super::action::confirm::Field;
use super::action::{Request, RequestOptions};
use super::msg::{Cmd, Face};
use super::release as flow;
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
        return match mode {
            KeyMode::FilterInput | KeyMode::SearchInput => {
                type_char(state, &ev);
                Vec::new()
            }
            KeyMode::Confirm => type_confirm(state, &ev),
            KeyMode::VersionInput => {
                type_version(state, &ev);
                Vec::new()
            }
            _ => Vec::new(),
        };
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
        Intent::Suspend => return vec![Cmd::Face(Face::Suspend)],
        Intent::Redraw => return vec![Cmd::Face(Face::ClearScreen)],
        Intent::Reconnect => return super::reconnect::key(state),
        Intent::ConfirmQuit => return flow::end(state, 0),
        Intent::CancelQuit | Intent::Close => close(state),
        Intent::Help => state.screen = Screen::Help(0),
        Intent::AppLog => state.screen = Screen::AppLog,
        Intent::FocusNext => {
            state.focus = cycle(state.focus, true);
            state.focus_moved = true;
        }
        Intent::FocusPrev => {
            state.focus = cycle(state.focus, false);
            state.focus_moved = true;
        }
        Intent::Down | Intent::Up if mode == KeyMode::VersionInput => {
            if let Some(Modal::VersionPrompt(p)) = &mut state.modal {
                flow::deploy::walk(p, intent == Intent::Up);
            }
        }
        Intent::Down => move_rows(state, 1),
        Intent::Up => move_rows(state, -1),
        Intent::PageDown => page(state, 1),
        Intent::PageUp => page(state, -1),
        // The timeline reads newest first: End/G go to its bottom (oldest), Home/g to its top.
        Intent::Follow => match state.focused_color() {
            Some(c) => state.color_mut(c).logs.follow(),
            None => state.timeline_scroll = timeline_max_scroll(state),
        },
        Intent::Oldest => oldest(state),
        Intent::Open => open_detail(state),
        Intent::Explain => {
            let color = state
                .focused_color()
                .or(state.live_color())
                .unwrap_or(Color::Blue);
            state.modal = Some(Modal::Explain { color, scroll: 0 });
        }
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
        Intent::FilterClearInput => {
            if let Some(input) = &mut state.filter_input {
                input.clear();
            }
            state.filter_error = None;
        }
        Intent::Smoke => return key_request(state, Request::Smoke { color: None }),
        Intent::Switch => return switch_key(state),
        Intent::Rollback | Intent::RollbackChord => {
            // The chord works from every mode: whatever was open gives way to it.
            state.filter_input = None;
            if !matches!(state.modal, Some(Modal::Confirm(_))) || intent == Intent::RollbackChord {
                state.modal = None;
            }
            state.screen = Screen::Cockpit;
            return key_request(state, Request::Rollback { to: None });
        }
        Intent::Accept => {
            return match mode {
                KeyMode::VersionInput => flow::deploy::submit(state),
                KeyMode::ConfirmCancel => flow::cancel_confirmed(state),
                _ => flow::accept(state),
            }
        }
        Intent::Dismiss if mode == KeyMode::VersionInput || mode == KeyMode::ConfirmCancel => {
            state.modal = None;
        }
        Intent::Dismiss => return flow::dismiss(state),
        Intent::NextField => {
            if let Some(Modal::Confirm(c)) = &mut state.modal {
                c.field = match c.field {
                    Field::Answer => Field::Reason,
                    Field::Reason => Field::Answer,
                };
            }
        }
        Intent::Erase => match &mut state.modal {
            Some(Modal::Confirm(c)) => {
                match c.field {
                    Field::Answer => c.input.pop(),
                    Field::Reason => c.reason.pop(),
                };
            }
            Some(Modal::VersionPrompt(p)) => {
                p.input.pop();
                p.at = None;
            }
            _ => {}
        },
        Intent::ChooseBlue | Intent::ChooseGreen => {
            let to = if intent == Intent::ChooseBlue {
                Color::Blue
            } else {
                Color::Green
            };
            if let Some(Modal::ChooseRollback { options }) = state.modal.take() {
                return flow::request(state, Request::Rollback { to: Some(to) }, options);
            }
        }
        Intent::Deploy => return flow::deploy::open_prompt(state),
        Intent::Decommission => {
            return key_request(state, Request::Decommission { color: None });
        }
        Intent::Checklist => state.modal = Some(Modal::Checklist { selected: 0 }),
        Intent::Tick => {
            if let Some(Modal::Checklist { selected }) = state.modal {
                return flow::checklist::tick(state, selected);
            }
        }
        Intent::RunChecks => return key_request(state, Request::Checklist),
        Intent::Postmortem => return flow::postmortem::export(state),
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

/// Intents that cannot do anything in this session say why (the release actions' own
/// refusals — gates, read-only for switch and rollback — are recorded by `release`).
fn unavailable(state: &mut State, intent: Intent) -> bool {
    // The release actions' refusals (read-only, gates) are decided and recorded there.
    if matches!(
        intent,
        Intent::Switch
            | Intent::Rollback
            | Intent::RollbackChord
            | Intent::Deploy
            | Intent::Decommission
    ) {
        return false;
    }
    match state.unavailable(intent) {
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

/// A release key: the same request a headless command makes, from this cockpit.
fn key_request(state: &mut State, request: Request) -> Vec<Cmd> {
    flow::request(state, request, RequestOptions::default())
}

/// `t`: switch to the standby color; the router must say one color for `t` to know which.
fn switch_key(state: &mut State) -> Vec<Cmd> {
    match state.standby_color() {
        Some(to) => key_request(state, Request::Switch { to }),
        None => {
            let says = state
                .router
                .as_ref()
                .map(|r| crate::app::release::plan::target_words(&r.target))
                .unwrap_or_else(|| "nothing yet".into());
            state.flash(format!(
                "switch: the router says {says}, so there is no standby color to switch to (r rolls back to a color you choose)"
            ));
            Vec::new()
        }
    }
}

/// A character typed into a confirmation: `y`/`n` answer a key-style confirmation, other
/// text goes to the field being typed.
fn type_confirm(state: &mut State, ev: &KeyEvent) -> Vec<Cmd> {
    let KeyCode::Char(ch) = ev.code else {
        return Vec::new();
    };
    if ev
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return Vec::new();
    }
    let Some(Modal::Confirm(c)) = &state.modal else {
        return Vec::new();
    };
    let (field, typed) = (c.field, c.expect.is_some());
    state.mark_dirty();
    match (field, typed, ch) {
        (Field::Answer, false, 'y' | 'Y') => return flow::accept(state),
        (Field::Answer, false, 'n' | 'N') => return flow::dismiss(state),
        _ => {}
    }
    if let Some(Modal::Confirm(c)) = &mut state.modal {
        match (field, typed) {
            (Field::Answer, true) => c.input.push(ch),
            (Field::Reason, _) => c.reason.push(ch),
            (Field::Answer, false) => {}
        }
    }
    Vec::new()
}

/// `q`: quit at once, unless an action runs (then ask).
fn quit(state: &mut State) -> Vec<Cmd> {
    if state.actions.running.is_empty() {
        vec![Cmd::Face(Face::Exit(0))]
    } else {
        ask_quit(state);
        Vec::new()
    }
}

/// Ctrl-C: cancel a cancellable action; else ask to quit; in the quit dialog, quit.
fn interrupt(state: &mut State, mode: KeyMode) -> Vec<Cmd> {
    if let Some(cmds) = flow::cancel_newest(state) {
        return cmds;
    }
    if mode == KeyMode::ConfirmQuit {
        return flow::end(state, 0);
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
    let items = state
        .standing
        .checklist
        .as_ref()
        .map_or(0, |c| c.items.len());
    if let Some(Modal::Checklist { selected }) = &mut state.modal {
        *selected = selected
            .saturating_add_signed(delta)
            .min(items.saturating_sub(1));
        return;
    }
    if let Some(Modal::PodDetail { scroll, .. } | Modal::Explain { scroll, .. }) = &mut state.modal
    {
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
        // Newest on top: down (j) goes to older items, up (k) to newer ones.
        Focus::Timeline => {
            let max = timeline_max_scroll(state);
            state.timeline_scroll = state.timeline_scroll.saturating_add_signed(delta).min(max);
        }
    }
}

/// The timeline scrolled as far as its oldest item, with no blank rows below it.
fn timeline_max_scroll(state: &State) -> usize {
    let rows = state.viewport.timeline_rows.max(1);
    state.timeline.items().len().saturating_sub(rows)
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
        None => {
            let rows = state.viewport.timeline_rows.max(1);
            move_rows(state, dir * rows as isize)
        }
    }
}

fn oldest(state: &mut State) {
    let rows = state.page_rows();
    match state.focused_color() {
        Some(c) => state.color_mut(c).logs.oldest(rows),
        None => state.timeline_scroll = 0,
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

/// Plain characters typed into the version prompt.
fn type_version(state: &mut State, ev: &KeyEvent) {
    let KeyCode::Char(c) = ev.code else { return };
    if ev
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return;
    }
    if let Some(Modal::VersionPrompt(p)) = &mut state.modal {
        // The pre-filled (or recalled) version is replaced by typing, like a shell's history.
        if p.at.is_some() {
            p.input.clear();
            p.at = None;
        }
        if p.input.chars().count() < 128 {
            p.input.push(c);
        }
        state.mark_dirty();
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

    fn ctrl(s: &mut State, c: char) -> Vec<Cmd> {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        )
    }

    #[test]
    fn ctrl_l_redraws_from_scratch_in_every_mode() {
        let mut s = sample::state(3, 20);
        for open in ['/', '?', 'L'] {
            let mut s = s.clone();
            press(&mut s, open, 1);
            assert_ne!(s.key_mode(), KeyMode::Normal);
            assert_eq!(
                ctrl(&mut s, 'l'),
                vec![Cmd::Face(Face::ClearScreen)],
                "{open}"
            );
        }
        assert_eq!(ctrl(&mut s, 'l'), vec![Cmd::Face(Face::ClearScreen)]);
        // Typing a filter is not disturbed: no `l` typed, the text stays.
        press(&mut s, '/', 1);
        press(&mut s, 'x', 1);
        ctrl(&mut s, 'l');
        assert_eq!(s.filter_input.as_deref(), Some("x"));
    }

    #[test]
    fn ctrl_u_clears_the_filter_prompt() {
        let mut s = sample::state(3, 20);
        press(&mut s, '/', 1);
        for c in "err|warn".chars() {
            press(&mut s, c, 1);
        }
        ctrl(&mut s, 'u');
        assert_eq!(s.filter_input.as_deref(), Some(""), "prompt open and empty");
        press(&mut s, 'x', 1);
        assert_eq!(s.filter_input.as_deref(), Some("x"));
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

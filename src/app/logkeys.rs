//! The log panes' keys — level filter, search and its jumps, raw, one pod, zoom, save —
//! and keeping each color's buffer (which lines it shows, which match the search) in step
//! with the state after every message.

use super::logbuf::{Jump, LineFilter};
use super::logview::compile;
use super::msg::Cmd;
use super::state::State;
use crate::keymap::Intent;
use crate::model::Color;

/// Handle a log-pane intent, or one the log view changes the meaning of (Esc and Tab while
/// zoomed, Esc clearing the search); None leaves the intent to the cockpit's key handling.
pub fn intercept(state: &mut State, intent: Intent) -> Option<Vec<Cmd>> {
    let focused = state.focused_color();
    let view = &mut state.logview;
    match intent {
        Intent::LevelFilter => {
            view.level = view.level.next();
            let words = view.level.words();
            state.flash(format!("logs: {words}"));
        }
        Intent::Search => {
            view.search_input = Some(
                view.search
                    .as_ref()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            );
            view.search_error = None;
        }
        Intent::SearchApply => apply_search(state),
        Intent::SearchCancel => {
            view.search_input = None;
            view.search_error = None;
        }
        Intent::SearchBackspace => {
            if let Some(input) = &mut view.search_input {
                input.pop();
            }
            view.search_error = None;
        }
        Intent::NextMatch => jump(state, Jump::Newer),
        Intent::PrevMatch => jump(state, Jump::Older),
        Intent::ToggleRaw => view.raw = !view.raw,
        Intent::PodOnly => match focused {
            Some(c) => view.pod_only[c as usize] = !view.pod_only[c as usize],
            None => state.flash("focus BLUE or GREEN (Tab) to follow its selected pod"),
        },
        Intent::Zoom => match (view.zoom, focused) {
            (Some(_), _) => view.zoom = None,
            (None, Some(c)) => view.zoom = Some(c),
            (None, None) => state.flash("focus BLUE or GREEN (Tab) to zoom its logs"),
        },
        Intent::SaveLogs => return Some(save(state)),
        // Esc leaves the zoom first; out of it, it clears the search as well as the filter.
        Intent::ClearFilter if view.zoom.is_some() => view.zoom = None,
        Intent::ClearFilter => {
            view.search = None;
            return None;
        }
        // Tab while zoomed shows the other color's logs.
        Intent::FocusNext | Intent::FocusPrev if view.zoom.is_some() => {
            let other = view.zoom.map_or(Color::Blue, Color::other);
            view.zoom = Some(other);
            state.focus = super::state::Focus::Color(other);
        }
        Intent::Interrupt => {
            view.search_input = None;
            return None;
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// A character typed into the search; false when no search is being typed.
pub fn type_char(state: &mut State, c: char) -> bool {
    match &mut state.logview.search_input {
        Some(input) => {
            input.push(c);
            state.logview.search_error = None;
            true
        }
        None => false,
    }
}

/// Enter in search input: compile and jump to the nearest match at or above the view's
/// bottom in the focused color; empty ends the search; a bad regex keeps the input open.
fn apply_search(state: &mut State) {
    let input = state.logview.search_input.clone().unwrap_or_default();
    if input.is_empty() {
        state.logview.search = None;
        state.logview.search_input = None;
        return;
    }
    match compile(&input) {
        Ok(re) => {
            state.logview.search = Some(re);
            state.logview.search_input = None;
            state.logview.search_error = None;
            sync(state);
            jump(state, Jump::Older);
        }
        Err(why) => state.logview.search_error = Some(why),
    }
}

/// n / N: move the focused color's current match and say where it is.
fn jump(state: &mut State, dir: Jump) {
    let Some(re) = state
        .logview
        .search
        .as_ref()
        .map(|r| r.as_str().to_string())
    else {
        state.flash("no search: f starts one");
        return;
    };
    let Some(c) = state.focused_color() else {
        state.flash("focus BLUE or GREEN (Tab) to jump between its matches");
        return;
    };
    // Some lines below the match, so it is seen in context.
    let context = state.page_rows() / 3;
    let text = match state.color_mut(c).logs.jump(dir, context) {
        Some((k, n)) => format!("match {k} of {n}"),
        None => format!("no {} line matches /{re}/", c.word()),
    };
    state.flash(text);
}

/// W: every buffered line of the focused color, as `time pod text`, to a new file.
fn save(state: &mut State) -> Vec<Cmd> {
    let Some(c) = state.focused_color() else {
        state.flash("focus BLUE or GREEN (Tab) to save its logs");
        return Vec::new();
    };
    let logs = &state.color(c).logs;
    if logs.is_empty() {
        state.flash(format!("no {} log lines to save", c.word()));
        return Vec::new();
    }
    let lines: Vec<String> = logs
        .iter()
        .map(|e| match e.ts {
            Some(ts) => format!(
                "{} {} {}",
                ts.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                e.pod,
                e.text
            ),
            None => format!("{} {}", e.pod, e.text),
        })
        .collect();
    let file_name = format!(
        "{}-{}.log",
        c.word().to_lowercase(),
        state.now.format("%Y%m%dT%H%M%SZ")
    );
    state.flash(format!("saving {} {} lines…", lines.len(), c.word()));
    vec![Cmd::SaveLogs {
        color: c,
        file_name,
        lines,
    }]
}

/// The answer to [`Cmd::SaveLogs`]: said in the footer and kept in the timeline.
pub fn saved(state: &mut State, color: Color, lines: usize, result: Result<String, String>) {
    let (text, warning) = match result {
        Ok(path) => (
            format!("saved {lines} {} log lines to {path}", color.word()),
            false,
        ),
        Err(why) => (format!("could not save {} logs: {why}", color.word()), true),
    };
    let now = state.now;
    state.timeline.notice(now, text.clone(), warning);
    state.flash(text);
}

/// Bring each color's buffer filter (regex, level, selected pod) and search up to date
/// with the state; a buffer whose filter and search are unchanged is left alone.
pub fn sync(state: &mut State) {
    let min_level = state.logview.level.min_level();
    for cs in &mut state.colors {
        let pod = state.logview.pod_only[cs.color as usize]
            .then(|| cs.pods.get(cs.selected).map(|p| p.name.as_str()))
            .flatten();
        let regex = state.filter.as_ref();
        if !cs.logs.filter().same(regex, min_level, pod) {
            let filter = LineFilter {
                regex: regex.cloned(),
                min_level,
                pod: pod.map(str::to_string),
            };
            cs.logs.set_filter(filter);
        }
        let search = state.logview.search.as_ref();
        if cs.logs.search().map(|r| r.as_str()) != search.map(|r| r.as_str()) {
            cs.logs.set_search(search.cloned());
        }
    }
}

#[cfg(test)]
mod tests;

//! The log keys through `update`: key → state (level filter, search and n/N, one pod,
//! zoom, raw) and key → command (save), with the combined filters in the buffers.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::logfmt::Level;
use crate::app::logview::LevelFilter;
use crate::app::msg::{Cmd, Msg};
use crate::app::sample;
use crate::app::state::{Focus, State, Viewport};
use crate::app::timeline::TimelineItem;
use crate::app::update::update;
use crate::keymap::KeyMode;
use crate::model::Color;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(s: &mut State, keys: &str) -> Vec<Cmd> {
    keys.chars()
        .flat_map(|c| update(s, key(KeyCode::Char(c))))
        .collect()
}

fn ctrl_s() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
}

fn fresh() -> State {
    let mut s = sample::state(3, 100);
    let drawn = Viewport {
        log_rows: 12,
        ..Viewport::default()
    };
    update(&mut s, Msg::Viewport(drawn));
    s
}

fn flash(s: &State) -> String {
    s.flash.as_ref().map(|(t, _)| t.clone()).unwrap_or_default()
}

/// Texts of the lines the focused pane shows, newest first.
fn shown(s: &State, c: Color) -> Vec<String> {
    s.color(c)
        .logs
        .iter_visible()
        .map(|e| e.text.clone())
        .collect()
}

#[test]
fn l_cycles_the_level_filter_in_both_colors_and_combines_with_the_regex() {
    let mut s = fresh();
    press(&mut s, "l");
    assert_eq!(s.logview.level, LevelFilter::Warnings);
    assert!(flash(&s).contains("warnings and errors"));
    for c in Color::BOTH {
        let levels: Vec<_> = s
            .color(c)
            .logs
            .iter_visible()
            .map(|e| e.parsed.level)
            .collect();
        assert!(!levels.is_empty());
        assert!(
            levels.iter().all(|l| l.is_some_and(|l| l >= Level::Warn)),
            "{c:?}"
        );
        // Of every ten lines, one error, one warning and (blue) one 503 pass.
        let expected = if c == Color::Blue { 70 } else { 80 };
        assert_eq!(s.color(c).logs.hidden(), expected, "{c:?}");
    }
    press(&mut s, "l");
    assert_eq!(s.color(Color::Green).logs.hidden(), 90);
    // The `/` filter narrows further.
    press(&mut s, "/");
    for c in "pool".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    update(&mut s, key(KeyCode::Enter));
    let blue = shown(&s, Color::Blue);
    assert!(!blue.is_empty());
    assert!(
        blue.iter().all(|t| t.starts_with("ERROR db pool")),
        "{blue:?}"
    );
    press(&mut s, "l");
    assert_eq!(s.logview.level, LevelFilter::All);
    assert!(shown(&s, Color::Blue).iter().all(|t| t.contains("pool")));
    assert_eq!(s.color(Color::Blue).logs.hidden(), 90);
}

#[test]
fn f_searches_without_hiding_and_n_shift_n_jump_with_a_count() {
    let mut s = fresh();
    let lines_before = shown(&s, Color::Blue).len();
    press(&mut s, "f");
    assert_eq!(s.key_mode(), KeyMode::SearchInput);
    // Keys are text while typing a search.
    press(&mut s, "503");
    assert_eq!(s.logview.search_input.as_deref(), Some("503"));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.key_mode(), KeyMode::Normal);
    let blue = &s.color(Color::Blue).logs;
    assert_eq!(blue.matches(), 10);
    assert_eq!(
        shown(&s, Color::Blue).len(),
        lines_before,
        "search hides nothing"
    );
    // Applying jumps to the newest match at or above the view's bottom.
    assert_eq!(flash(&s), "match 10 of 10");
    let current = |s: &State| {
        let logs = &s.color(Color::Blue).logs;
        let seq = logs.current_match().unwrap();
        logs.iter().find(|e| e.seq == seq).unwrap().text.clone()
    };
    assert!(current(&s).contains(" 503 "));
    press(&mut s, "N");
    assert_eq!(flash(&s), "match 9 of 10");
    press(&mut s, "nn");
    assert_eq!(
        flash(&s),
        "match 1 of 10",
        "n wraps from the newest to the oldest"
    );
    press(&mut s, "N");
    assert_eq!(
        flash(&s),
        "match 10 of 10",
        "N wraps from the oldest to the newest"
    );
    // The match is on screen: within the rows below the view's bottom line.
    let bottom: Vec<_> = s
        .color(Color::Blue)
        .logs
        .iter_visible()
        .take(12)
        .map(|e| e.seq)
        .collect();
    assert!(bottom.contains(&s.color(Color::Blue).logs.current_match().unwrap()));
    // In the other color: green's JSON has no 503.
    update(&mut s, key(KeyCode::Tab));
    press(&mut s, "n");
    assert_eq!(flash(&s), "no GREEN line matches /503/");
    // Esc ends the search (and clears the filter).
    update(&mut s, key(KeyCode::Esc));
    assert!(s.logview.search.is_none() && s.color(Color::Blue).logs.search().is_none());
    press(&mut s, "n");
    assert!(flash(&s).starts_with("no search"));
}

#[test]
fn a_bad_search_keeps_the_input_open_and_empty_ends_it() {
    let mut s = fresh();
    press(&mut s, "f(oops");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.key_mode(), KeyMode::SearchInput);
    assert!(s
        .logview
        .search_error
        .as_deref()
        .unwrap()
        .starts_with("bad regex"));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.key_mode(), KeyMode::Normal);
    press(&mut s, "fpool");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.logview.search.is_some());
    press(&mut s, "f");
    assert_eq!(
        s.logview.search_input.as_deref(),
        Some("pool"),
        "starts from the search"
    );
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Backspace));
    }
    update(&mut s, key(KeyCode::Enter));
    assert!(s.logview.search.is_none());
}

#[test]
fn o_follows_only_the_selected_pod_and_moves_with_the_selection() {
    let mut s = fresh();
    let pod = |i| sample::pod(Color::Blue, i).name;
    press(&mut s, "o");
    assert!(s.logview.pod_only[Color::Blue as usize]);
    assert!(
        !s.logview.pod_only[Color::Green as usize],
        "only the focused color"
    );
    let only = |s: &State| s.color(Color::Blue).logs.filter().pod.clone();
    assert_eq!(only(&s), Some(pod(0)));
    let pods: Vec<_> = s
        .color(Color::Blue)
        .logs
        .iter_visible()
        .map(|e| e.pod.clone())
        .collect();
    assert!(!pods.is_empty() && pods.iter().all(|p| *p == pod(0)));
    press(&mut s, "j");
    assert_eq!(only(&s), Some(pod(1)));
    assert_eq!(s.color(Color::Blue).logs.hidden(), 67);
    press(&mut s, "o");
    assert_eq!((only(&s), s.color(Color::Blue).logs.hidden()), (None, 0));
    // The timeline has no pod to follow.
    s.focus = Focus::Timeline;
    press(&mut s, "o");
    assert!(flash(&s).contains("focus BLUE or GREEN"));
}

#[test]
fn z_zooms_the_focused_color_tab_switches_and_esc_leaves() {
    let mut s = fresh();
    update(&mut s, key(KeyCode::Tab));
    press(&mut s, "z");
    assert_eq!(s.logview.zoom, Some(Color::Green));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(
        (s.logview.zoom, s.focus),
        (Some(Color::Blue), Focus::Color(Color::Blue))
    );
    press(&mut s, "/");
    update(&mut s, key(KeyCode::Char('x')));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.logview.zoom, None, "Esc leaves the zoom first");
    assert!(s.filter.is_some(), "and keeps the filter");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.filter.is_none());
    press(&mut s, "zz");
    assert_eq!(s.logview.zoom, None, "z toggles");
}

#[test]
fn v_toggles_raw() {
    let mut s = fresh();
    press(&mut s, "v");
    assert!(s.logview.raw);
    press(&mut s, "v");
    assert!(!s.logview.raw);
}

#[test]
fn ctrl_s_saves_every_buffered_line_of_the_focused_color() {
    let mut s = fresh();
    update(&mut s, key(KeyCode::Tab));
    press(&mut s, "l");
    let cmds = update(&mut s, ctrl_s());
    let [Cmd::SaveLogs {
        color,
        file_name,
        lines,
    }] = &cmds[..]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(*color, Color::Green);
    assert_eq!(file_name, "green-20261126T104500Z.log");
    assert_eq!(
        lines.len(),
        100,
        "all buffered lines, the level filter aside"
    );
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("2026-11-26T10:44:59.000Z fittrack-5f2a1b-")
            && last.contains(r#""seq":99"#),
        "{last}"
    );
    assert!(flash(&s).contains("saving 100 GREEN lines"));

    let path = "/home/a/.local/state/cutover/logs/green-20261126T104500Z.log";
    update(
        &mut s,
        Msg::LogsSaved {
            color: Color::Green,
            lines: 100,
            result: Ok(path.into()),
        },
    );
    let told = format!("saved 100 GREEN log lines to {path}");
    assert_eq!(flash(&s), told);
    let notice =
        s.timeline.items().iter().any(
            |i| matches!(i, TimelineItem::Notice { text, warning: false, .. } if *text == told),
        );
    assert!(notice, "the timeline keeps where the file is");
    update(
        &mut s,
        Msg::LogsSaved {
            color: Color::Green,
            lines: 100,
            result: Err("cannot create /x: Permission denied".into()),
        },
    );
    assert!(flash(&s).starts_with("could not save GREEN logs: cannot create /x"));

    s.focus = Focus::Timeline;
    assert!(update(&mut s, ctrl_s()).is_empty());
}

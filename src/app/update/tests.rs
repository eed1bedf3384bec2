//! `update()` tests: keys → commands in every mode, focus, scrolling, filter,
//! follow/pause, Ctrl-C semantics, the rollback chord, and feed bookkeeping; more by
//! subject in `tests/`.

mod access;
mod feeds;
mod live;
mod sessions;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::update;
use crate::app::msg::Face;
use crate::app::msg::{Cmd, Msg};
use crate::app::sample;
use crate::app::state::{Focus, Modal, Screen, State, Viewport};
use crate::keymap::KeyMode;
use crate::model::{Color, Feed, FeedStatus, RouterTarget};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn press(s: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Cmd> {
    msgs.into_iter().flat_map(|m| update(s, m)).collect()
}

/// A sample state as if drawn once (the view reports its sizes; scrolling clamps to them).
fn fresh() -> State {
    let mut s = sample::state(3, 100);
    let drawn = Viewport {
        log_rows: 10,
        timeline_rows: 6,
        help_lines: 60,
        detail_lines: 30,
    };
    update(&mut s, Msg::Viewport(drawn));
    s
}

/// A state in `mode`, reached by keys only.
fn in_mode(mode: KeyMode) -> State {
    let mut s = fresh();
    let keys = match mode {
        KeyMode::Normal => vec![],
        KeyMode::FilterInput => vec![ch('/')],
        KeyMode::SearchInput => vec![ch('f')],
        KeyMode::PodDetail => vec![key(KeyCode::Enter)],
        KeyMode::Explain => vec![ch('e')],
        KeyMode::ConfirmQuit => vec![ctrl('c')],
        KeyMode::Help => vec![ch('?')],
        KeyMode::AppLog => vec![ch('L')],
        // The rollback's question, and its color choice when the router says neither.
        KeyMode::Confirm => vec![ch('r')],
        KeyMode::ChooseColor => {
            update(
                &mut s,
                sample::router(RouterTarget::Unknown("x".into()), "x"),
            );
            vec![ch('r')]
        }
        KeyMode::VersionInput => vec![ch('p')],
        KeyMode::Checklist => vec![ch('c')],
        KeyMode::ConfirmCancel => unreachable!("reached through a running command"),
    };
    assert!(press(&mut s, keys).is_empty());
    assert_eq!(s.key_mode(), mode);
    s
}

fn flash(s: &State) -> String {
    s.flash.as_ref().map(|(t, _)| t.clone()).unwrap_or_default()
}

#[test]
fn rollback_chord_asks_for_the_rollback_from_every_mode() {
    for &mode in KeyMode::ALL {
        if matches!(
            mode,
            KeyMode::Confirm | KeyMode::ChooseColor | KeyMode::ConfirmCancel
        ) {
            continue; // reached through actions; see the action tests
        }
        let mut s = in_mode(mode);
        assert!(press(&mut s, [ctrl('r')]).is_empty(), "{mode:?}");
        assert_eq!(s.key_mode(), KeyMode::Confirm, "from {mode:?}");
        let Some(Modal::Confirm(c)) = &s.modal else {
            panic!("no confirmation from {mode:?}");
        };
        assert_eq!(c.title(), "ROLL BACK traffic to GREEN?");
        assert_eq!(
            s.filter_input, None,
            "the filter prompt gave way ({mode:?})"
        );
    }
}

#[test]
fn normal_mode_keys() {
    let mut s = fresh();
    assert_eq!(press(&mut s, [ch('q')]), [Cmd::Face(Face::Exit(0))]);
    assert_eq!(press(&mut s, [ctrl('z')]), [Cmd::Face(Face::Suspend)]);
    // The release keys open their prompts (their decisions are tested in `release`).
    for (c, mode) in [
        ('p', KeyMode::VersionInput),
        ('c', KeyMode::Checklist),
        ('d', KeyMode::Confirm),
    ] {
        assert!(press(&mut s, [ch(c)]).is_empty());
        assert_eq!(s.key_mode(), mode, "{c}");
        press(&mut s, [key(KeyCode::Esc)]);
        assert_eq!(s.key_mode(), KeyMode::Normal, "{c} then Esc");
    }
    press(&mut s, [ch('w'), ch('T')]);
    assert!(s.wrap && s.timestamps);
    press(&mut s, [key(KeyCode::F(1))]);
    assert_eq!(s.screen, Screen::Help(0));
}

#[test]
fn filter_input_keys() {
    let mut s = in_mode(KeyMode::FilterInput);
    // q, j and / are text here, not bindings.
    assert!(press(&mut s, "qj/x".chars().map(ch)).is_empty());
    assert_eq!(s.filter_input.as_deref(), Some("qj/x"));
    press(&mut s, [key(KeyCode::Backspace)]);
    assert_eq!(s.filter_input.as_deref(), Some("qj/"));
    press(&mut s, [key(KeyCode::Esc)]);
    assert_eq!(s.key_mode(), KeyMode::Normal);
    assert!(s.filter.is_none(), "Esc keeps the previous (no) filter");
    assert_eq!(
        press(&mut in_mode(KeyMode::FilterInput), [ctrl('z')]),
        [Cmd::Face(Face::Suspend)]
    );
}

#[test]
fn filter_applies_rejects_bad_regex_and_clears() {
    let mut s = in_mode(KeyMode::FilterInput);
    press(&mut s, "error".chars().map(ch).chain([key(KeyCode::Enter)]));
    assert_eq!(s.filter.as_ref().map(|r| r.as_str()), Some("error"));
    let shown: Vec<_> = s.color(Color::Blue).logs.iter_visible().take(50).collect();
    assert!(!shown.is_empty() && shown.iter().all(|e| e.text.contains("error")));

    press(&mut s, [ch('/'), key(KeyCode::Backspace)]);
    press(
        &mut s,
        "[unclosed".chars().map(ch).chain([key(KeyCode::Enter)]),
    );
    assert_eq!(
        s.key_mode(),
        KeyMode::FilterInput,
        "a bad regex keeps the input open"
    );
    let err = s.filter_error.clone().expect("an error");
    assert!(
        err.starts_with("bad regex: ") && err.contains("unclosed"),
        "{err}"
    );
    assert_eq!(
        s.filter.as_ref().map(|r| r.as_str()),
        Some("error"),
        "old filter kept"
    );

    press(&mut s, [key(KeyCode::Esc), ch('/')]);
    assert_eq!(
        s.filter_input.as_deref(),
        Some("error"),
        "input starts from the current filter"
    );
    while s.filter_input.as_deref() != Some("") {
        press(&mut s, [key(KeyCode::Backspace)]);
    }
    press(&mut s, [key(KeyCode::Enter)]);
    assert!(
        s.filter.is_none() && s.key_mode() == KeyMode::Normal,
        "empty clears"
    );
}

#[test]
fn pod_detail_keys() {
    let mut s = fresh();
    press(&mut s, [ch('j'), key(KeyCode::Enter)]);
    let second = sample::pod(Color::Blue, 1).name;
    assert_eq!(
        s.modal,
        Some(Modal::PodDetail {
            color: Color::Blue,
            pod: second,
            scroll: 0
        })
    );
    press(&mut s, [ch('j'), ch('j'), ch('k')]);
    assert!(matches!(s.modal, Some(Modal::PodDetail { scroll: 1, .. })));
    assert!(
        press(&mut s, [ch('q')]).is_empty(),
        "q closes the modal, does not quit"
    );
    assert_eq!(s.key_mode(), KeyMode::Normal);
    press(&mut s, [key(KeyCode::Enter), key(KeyCode::Esc)]);
    assert_eq!(s.key_mode(), KeyMode::Normal);
    // No pod detail from the timeline.
    press(&mut s, [key(KeyCode::BackTab), key(KeyCode::Enter)]);
    assert_eq!(s.modal, None);
}

#[test]
fn confirm_quit_keys() {
    for (k, expect) in [
        (ch('y'), vec![Cmd::Face(Face::Exit(0))]),
        (key(KeyCode::Enter), vec![Cmd::Face(Face::Exit(0))]),
        (ctrl('c'), vec![Cmd::Face(Face::Exit(0))]),
    ] {
        assert_eq!(press(&mut in_mode(KeyMode::ConfirmQuit), [k]), expect);
    }
    for k in [ch('n'), key(KeyCode::Esc)] {
        let mut s = in_mode(KeyMode::ConfirmQuit);
        assert!(press(&mut s, [k]).is_empty());
        assert_eq!(s.key_mode(), KeyMode::Normal);
    }
}

#[test]
fn help_and_app_log_keys() {
    for k in [ch('?'), ch('q'), key(KeyCode::Esc)] {
        let mut s = in_mode(KeyMode::Help);
        assert!(press(&mut s, [k]).is_empty());
        assert_eq!(s.screen, Screen::Cockpit);
    }
    let mut s = in_mode(KeyMode::Help);
    press(&mut s, [ch('j'), ch('j')]);
    assert_eq!(s.screen, Screen::Help(2));
    for k in [ch('L'), ch('q'), key(KeyCode::Esc)] {
        let mut s = in_mode(KeyMode::AppLog);
        assert!(press(&mut s, [k]).is_empty());
        assert_eq!(s.screen, Screen::Cockpit);
    }
}

#[test]
fn ctrl_c_cancels_a_cancellable_action_else_asks() {
    let mut s = fresh();
    let started = press(&mut s, [ch('s')]);
    let Some(Cmd::Start { id, .. }) = started.iter().find(|c| matches!(c, Cmd::Start { .. }))
    else {
        panic!("s starts a smoke test: {started:?}");
    };
    assert_eq!(press(&mut s, [ctrl('c')]), [Cmd::Cancel(*id)]);
    assert_eq!(s.key_mode(), KeyMode::Normal);
    assert_eq!(flash(&s), "cancelling smoke GREEN v2.0.0");
    // Already cancelling: a second Ctrl-C asks to quit.
    assert!(press(&mut s, [ctrl('c')]).is_empty());
    assert_eq!(s.key_mode(), KeyMode::ConfirmQuit);

    let mut idle = in_mode(KeyMode::FilterInput);
    assert!(press(&mut idle, [ctrl('c')]).is_empty());
    assert_eq!(
        idle.key_mode(),
        KeyMode::ConfirmQuit,
        "asks even from text input"
    );
}

#[test]
fn q_asks_only_while_an_action_runs_and_then_waits_for_it() {
    let mut s = fresh();
    press(&mut s, [ch('s')]);
    assert!(press(&mut s, [ch('q')]).is_empty());
    assert_eq!(s.key_mode(), KeyMode::ConfirmQuit);
    // Yes: the smoke test is cancelled, and the program ends once it is recorded.
    let cmds = press(&mut s, [ch('y')]);
    assert!(matches!(cmds.as_slice(), [Cmd::Cancel(_)]), "{cmds:?}");
    assert_eq!(s.actions.quitting, Some(0));
}

#[test]
fn focus_cycles_with_tab() {
    let mut s = fresh();
    let mut seen = vec![s.focus];
    for _ in 0..3 {
        press(&mut s, [key(KeyCode::Tab)]);
        seen.push(s.focus);
    }
    assert_eq!(
        seen,
        [
            Focus::Color(Color::Blue),
            Focus::Color(Color::Green),
            Focus::Timeline,
            Focus::Color(Color::Blue)
        ]
    );
    press(&mut s, [key(KeyCode::BackTab)]);
    assert_eq!(s.focus, Focus::Timeline);
}

#[test]
fn selection_moves_and_clamps() {
    let mut s = fresh();
    press(&mut s, [ch('j'), key(KeyCode::Down), ch('j'), ch('j')]);
    assert_eq!(s.color(Color::Blue).selected, 2, "clamped to the last pod");
    press(&mut s, [ch('k'), key(KeyCode::Up), ch('k')]);
    assert_eq!(s.color(Color::Blue).selected, 0);
    press(&mut s, [key(KeyCode::Tab), ch('j')]);
    assert_eq!(s.color(Color::Green).selected, 1);
    assert_eq!(s.color(Color::Blue).selected, 0);
}

#[test]
fn selection_follows_the_pod_across_updates() {
    let mut s = fresh();
    press(&mut s, [ch('j'), ch('j')]);
    let mut pods: Vec<_> = (0..3).map(|i| sample::pod(Color::Blue, i)).collect();
    pods.remove(0);
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods,
        },
    );
    assert_eq!(s.color(Color::Blue).selected, 1, "same pod, new index");
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods: vec![],
        },
    );
    assert_eq!(s.color(Color::Blue).selected, 0);
}

#[test]
fn page_up_pauses_the_focused_color_and_g_resumes() {
    let mut s = fresh();
    press(&mut s, [key(KeyCode::PageUp)]);
    assert!(!s.color(Color::Blue).logs.following());
    assert!(
        s.color(Color::Green).logs.following(),
        "only the focused color"
    );
    let bottom = s.color(Color::Blue).logs.iter_visible().next().unwrap().seq;
    update(&mut s, Msg::LogLines(sample::log_lines(Color::Blue, 5)));
    let still = s.color(Color::Blue).logs.iter_visible().next().unwrap().seq;
    assert_eq!(bottom, still, "new lines do not move a paused view");
    press(&mut s, [ch('G')]);
    assert!(s.color(Color::Blue).logs.following());
    press(&mut s, [key(KeyCode::Home)]);
    assert!(!s.color(Color::Blue).logs.following());
    press(&mut s, [key(KeyCode::End)]);
    assert!(s.color(Color::Blue).logs.following());
}

/// The timeline reads newest first: j goes down to older items, k up to newer ones,
/// Home to the top (newest), End to the bottom (oldest) with the last row filled.
#[test]
fn timeline_scrolls_when_focused() {
    let mut s = fresh();
    for i in 0..20 {
        s.timeline.notice(sample::now(), format!("n{i}"), false);
    }
    let items = s.timeline.items().len();
    let rows = s.viewport.timeline_rows;
    press(&mut s, [key(KeyCode::BackTab), ch('j'), ch('j'), ch('j')]);
    assert_eq!(s.timeline_scroll, 3, "three older");
    press(&mut s, [ch('k')]);
    assert_eq!(s.timeline_scroll, 2, "one newer");
    press(&mut s, [key(KeyCode::End)]);
    assert_eq!(s.timeline_scroll, items - rows, "oldest at the bottom row");
    press(&mut s, [ch('j')]);
    assert_eq!(
        s.timeline_scroll,
        items - rows,
        "no blank rows below the oldest"
    );
    press(&mut s, [key(KeyCode::Home)]);
    assert_eq!(s.timeline_scroll, 0, "newest on top");
    press(&mut s, [key(KeyCode::PageDown)]);
    assert_eq!(s.timeline_scroll, rows, "a page is the timeline's height");
}

#[test]
fn key_release_is_ignored() {
    let mut s = fresh();
    let mut ev = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    ev.kind = KeyEventKind::Release;
    assert!(update(&mut s, Msg::Key(ev)).is_empty());
}

#[test]
fn dirty_only_when_something_visible_changed() {
    let mut s = fresh();
    assert!(!s.take_dirty());
    update(
        &mut s,
        Msg::Tick(sample::now() + Duration::milliseconds(300)),
    );
    assert!(!s.take_dirty(), "same second: nothing shown changes");
    update(&mut s, Msg::Tick(sample::now() + Duration::seconds(1)));
    assert!(s.take_dirty());
    update(&mut s, ch('j'));
    assert!(s.take_dirty());
    assert!(!s.take_dirty());
}

#[test]
fn flash_expires_on_tick() {
    let mut s = fresh();
    press(&mut s, [ch('s')]);
    update(&mut s, Msg::Tick(sample::now() + Duration::seconds(10)));
    assert!(s.flash.is_none());
}

#[test]
fn reconnecting_keeps_first_failure_time_and_data() {
    let mut s = fresh();
    let t0 = sample::now();
    let down = |at, e: &str| FeedStatus::Reconnecting {
        since: at,
        error: e.into(),
    };
    update(
        &mut s,
        Msg::Feed(Feed::Pods(Color::Blue), down(t0, "reset")),
    );
    update(
        &mut s,
        Msg::Feed(
            Feed::Pods(Color::Blue),
            down(t0 + Duration::seconds(5), "refused"),
        ),
    );
    let f = &s.feeds[&Feed::Pods(Color::Blue)];
    assert_eq!(f.status, down(t0, "refused"));
    assert_eq!(s.color(Color::Blue).pods.len(), 3, "last known pods kept");
}

#[test]
fn resumed_clears_the_screen() {
    assert_eq!(
        update(&mut fresh(), Msg::Resumed),
        [Cmd::Face(Face::ClearScreen)]
    );
}

#[test]
fn bad_key_overrides_fall_back_with_a_warning() {
    let mut config = sample::config();
    config.keys.insert("launch".into(), "x".into());
    let s = State::new(&config, Default::default(), sample::now());
    assert_eq!(s.keymap, crate::keymap::Keymap::default());
    let warned = s.timeline.items().iter().any(|i| {
        matches!(i, crate::app::timeline::TimelineItem::Notice { text, warning: true, .. } if text.contains("unknown action \"launch\""))
    });
    assert!(warned);
}

fn router_at(target: crate::model::RouterTarget, rv: &str) -> Msg {
    Msg::Router(crate::model::RouterReading {
        values: vec![],
        stamp: None,
        target,
        raw: String::new(),
        resource_version: rv.into(),
        since: None,
    })
}

#[test]
fn router_since_starts_when_the_target_changes_and_the_change_is_told() {
    use crate::model::RouterTarget::Color as To;
    let mut s = fresh();
    let t0 = s.now;
    press(&mut s, [router_at(To(Color::Blue), "42")]);
    assert_eq!(
        s.router.as_ref().unwrap().since,
        Some(t0 - Duration::seconds(192))
    );
    let t1 = t0 + Duration::seconds(30);
    press(&mut s, [Msg::Tick(t1), router_at(To(Color::Green), "50")]);
    let r = s.router.as_ref().unwrap();
    assert_eq!(r.target, To(Color::Green));
    assert_eq!(r.since, Some(t1), "a new target starts now");
    // Not stamped by a cutover switch: journaled as a change made outside cutover.
    let told = s.timeline.items().iter().any(|i| {
        matches!(i, crate::app::timeline::TimelineItem::Entry(e)
            if e.summary.contains("BLUE → GREEN") && e.summary.contains("outside cutover"))
    });
    assert!(told, "the switch is not in the timeline");
    // A heartbeat that read the router before the switch answers late: ignored.
    press(&mut s, [router_at(To(Color::Blue), "48")]);
    assert_eq!(s.router.as_ref().unwrap().target, To(Color::Green));
}

#[test]
fn the_first_router_reading_is_only_seen_since_not_since() {
    let mut s = State::new(
        &sample::config(),
        sample::state(0, 0).session.clone(),
        sample::now(),
    );
    press(
        &mut s,
        [router_at(
            crate::model::RouterTarget::Color(Color::Blue),
            "7",
        )],
    );
    assert_eq!(s.router.as_ref().unwrap().since, None);
    assert_eq!(s.router_first_seen, Some(sample::now()));
}

#[test]
fn losing_and_regaining_a_feed_is_told_once_each() {
    let mut s = fresh();
    let notices = |s: &State| {
        s.timeline
            .items()
            .iter()
            .filter_map(|i| match i {
                crate::app::timeline::TimelineItem::Notice { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let before = notices(&s).len();
    let down = |t| {
        Msg::Feed(
            Feed::Pods(Color::Green),
            FeedStatus::Reconnecting {
                since: t,
                error: "connection refused".into(),
            },
        )
    };
    let t0 = s.now;
    press(&mut s, [down(t0), down(t0 + Duration::seconds(2))]);
    let t1 = t0 + Duration::seconds(7);
    press(
        &mut s,
        [
            Msg::Tick(t1),
            Msg::Feed(Feed::Pods(Color::Green), FeedStatus::Live),
        ],
    );
    let told = notices(&s);
    assert_eq!(told.len(), before + 2, "{told:?}");
    assert!(told.iter().any(|t| t.contains(
        "lost pods of GREEN (API server https://10.0.0.1:6443): connection refused; retrying"
    )));
    assert!(told
        .iter()
        .any(|t| t.contains("pods of GREEN back after 7s")));
}

#[test]
fn the_lb_answer_names_a_color_only_when_exactly_one_runs_that_version() {
    let lb = |version: &str| {
        Msg::Lb(crate::model::LbObservation {
            version: Some(version.into()),
            color: None,
            error: None,
            at: sample::now(),
        })
    };
    let mut s = fresh();
    update(&mut s, lb("v2.0.0"));
    assert_eq!(s.lb.as_ref().and_then(|o| o.color), Some(Color::Green));
    update(&mut s, lb("v3"));
    assert_eq!(s.lb.as_ref().and_then(|o| o.color), None);
    // Both colors on one version: the answer cannot tell them apart.
    let mut d = s
        .color(Color::Blue)
        .deployment
        .clone()
        .expect("blue deployment");
    d.version = "v2.0.0".into();
    update(
        &mut s,
        Msg::Deployment {
            color: Color::Blue,
            deployment: Some(d),
        },
    );
    update(&mut s, lb("v2.0.0"));
    assert_eq!(s.lb.as_ref().and_then(|o| o.color), None);
}

#[test]
fn new_log_lines_are_a_log_only_change_and_cost_nothing_where_unseen() {
    use crate::app::state::Dirty;
    let mut s = fresh();
    s.take_changes();
    update(&mut s, Msg::LogLines(sample::log_lines(Color::Blue, 3)));
    assert_eq!(s.take_changes(), Dirty::LOGS);
    // Anything else is drawn at once, whatever logs came with it.
    update(&mut s, Msg::LogLines(sample::log_lines(Color::Blue, 3)));
    update(&mut s, ch('j'));
    let both = s.take_changes();
    assert!(both.contains(Dirty::LOGS) && both.contains(Dirty::OTHER));
    // A pane scrolled away: its lines wait for the next frame.
    press(&mut s, [key(KeyCode::PageUp)]);
    s.take_changes();
    update(&mut s, Msg::LogLines(sample::log_lines(Color::Blue, 3)));
    assert_eq!(s.take_changes(), Dirty::NONE);
    update(&mut s, Msg::LogLines(sample::log_lines(Color::Green, 3)));
    assert_eq!(s.take_changes(), Dirty::LOGS, "green still follows");
    // The help screen hides both panes.
    press(&mut s, [ch('?')]);
    assert_eq!(s.screen, Screen::Help(0));
    s.take_changes();
    update(&mut s, Msg::LogLines(sample::log_lines(Color::Green, 3)));
    assert_eq!(s.take_changes(), Dirty::NONE);
    assert_eq!(
        s.color(Color::Green).logs.len(),
        100 + 6,
        "kept all the same"
    );
}

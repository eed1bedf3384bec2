//! Whole-screen snapshots (TestBackend, fixed `now`) and buffer assertions; more by
//! subject in `tests/`.

mod facts;
mod narrow;
mod timeline;
mod width;

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color as Tint;
use ratatui::Terminal;

use super::theme::Palette;
use super::view;
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::state::{Modal, Screen, State};
use crate::app::update::update;
use crate::config::schema::Theme;
use crate::model::{Color, Feed, FeedStatus, RouterTarget};

pub(super) fn render(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| {
        view(f, state);
    })
    .expect("draw");
    t
}

pub(super) fn buffer(state: &State, w: u16, h: u16) -> Buffer {
    render(state, w, h).backend().buffer().clone()
}

pub(super) fn row(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

pub(super) fn screen_text(buf: &Buffer) -> String {
    (0..buf.area.height).map(|y| row(buf, y) + "\n").collect()
}

/// Positions (x, y) where `needle` starts, one cell per char (no wide chars).
pub(super) fn find(buf: &Buffer, needle: &str) -> Vec<(u16, u16)> {
    let mut hits = Vec::new();
    for y in 0..buf.area.height {
        let cells: Vec<String> = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        for x in 0..cells.len() {
            let s: String = cells[x..]
                .iter()
                .take(needle.chars().count())
                .map(String::as_str)
                .collect();
            if s == needle {
                hits.push((x as u16, y));
            }
        }
    }
    hits
}

fn with_router(target: RouterTarget, raw: &str) -> State {
    let mut s = sample::state(3, 40);
    update(&mut s, sample::router(target, raw));
    s
}

#[test]
fn snapshot_120x40() {
    insta::assert_snapshot!(render(&sample::state(3, 40), 120, 40).backend());
}

#[test]
fn snapshot_80x24() {
    insta::assert_snapshot!(render(&sample::state(3, 40), 80, 24).backend());
}

#[test]
fn snapshot_split_80x24() {
    let s = with_router(
        RouterTarget::Split {
            blue: 90,
            green: 10,
        },
        "fittrack-blue:90,fittrack-green:10",
    );
    insta::assert_snapshot!(render(&s, 80, 24).backend());
}

#[test]
fn snapshot_help_120x40() {
    let mut s = sample::state(3, 40);
    s.screen = Screen::Help(0);
    insta::assert_snapshot!(render(&s, 120, 40).backend());
}

#[test]
fn snapshot_pod_detail_80x24() {
    let mut s = sample::state(3, 40);
    let pod = sample::pod(Color::Green, 1).name;
    s.modal = Some(Modal::PodDetail {
        color: Color::Green,
        pod,
        scroll: 0,
    });
    insta::assert_snapshot!(render(&s, 80, 24).backend());
}

#[test]
fn blue_and_green_are_drawn_in_their_colors() {
    let buf = buffer(&sample::state(3, 40), 120, 40);
    let p = Palette::of(Theme::Dark);
    let blue = p.color(Color::Blue).fg.expect("blue has a color");
    let green = p.color(Color::Green).fg.expect("green has a color");
    assert_ne!(blue, green);
    assert!(matches!(blue, Tint::Blue | Tint::LightBlue));
    assert!(matches!(green, Tint::Green | Tint::LightGreen));
    // Pane corners (row 3, below the header) and the color words in the titles.
    assert_eq!(buf[(0, 3)].fg, blue, "left pane border");
    assert_eq!(buf[(60, 3)].fg, green, "right pane border");
    let in_titles = |word| {
        find(&buf, word)
            .into_iter()
            .filter(|(_, y)| *y == 3)
            .collect::<Vec<_>>()
    };
    let [(bx, by)] = in_titles("BLUE")[..] else {
        panic!("one BLUE title")
    };
    assert!(bx < 60 && buf[(bx, by)].fg == blue);
    let [(gx, gy)] = in_titles("GREEN")[..] else {
        panic!("one GREEN title")
    };
    assert!(gx >= 60 && buf[(gx, gy)].fg == green);
}

#[test]
fn live_marker_sits_on_the_live_color() {
    let p = Palette::of(Theme::Dark);
    for (target, raw, live_left) in [
        (Color::Blue, "fittrack-blue:100,fittrack-green:0", true),
        (Color::Green, "fittrack-blue:0,fittrack-green:100", false),
    ] {
        let buf = buffer(&with_router(RouterTarget::Color(target), raw), 120, 40);
        let live_bg = p.live(target).bg.expect("LIVE has a background");
        let hits = find(&buf, "LIVE");
        assert_eq!(hits.len(), 2, "header and one pane: {hits:?}");
        for (x, y) in &hits {
            assert_eq!(
                buf[(*x, *y)].bg,
                live_bg,
                "LIVE at {x},{y} drawn on {target:?}"
            );
        }
        // Header says which color in words, right before LIVE.
        assert!(row(&buf, 1).contains(&format!("{} LIVE", target.word())));
        let (px, py) = hits
            .iter()
            .find(|(_, y)| *y == 3)
            .copied()
            .expect("pane title LIVE");
        assert_eq!(px < 60, live_left, "LIVE in the {target:?} pane");
        assert_eq!(py, 3);
        // The other color is the standby, kept warm while the monitoring window runs (the
        // traffic line drops that note when short of room; the stepper line keeps it).
        let other = target.other().word();
        let header = format!("{}\n{}", row(&buf, 1), row(&buf, 2));
        assert!(
            header.contains(&format!("{other} standby"))
                || header.contains(&format!("{other} kept warm for rollback"))
                || header.contains(&format!("decommission {other} after")),
            "{header}"
        );
    }
}

#[test]
fn unknown_router_is_loud_and_never_live() {
    let s = with_router(
        RouterTarget::Unknown("fittrack-canary".into()),
        "fittrack-canary:100",
    );
    let buf = buffer(&s, 120, 40);
    let text = screen_text(&buf);
    assert!(
        find(&buf, "LIVE").is_empty(),
        "no color may claim LIVE:\n{text}"
    );
    let (x, y) = find(&buf, "UNKNOWN")[0];
    assert_eq!(buf[(x, y)].bg, Tint::Red);
    assert!(text.contains("\"fittrack-canary\" matches neither color"));
    assert_eq!(find(&buf, "ROUTE ?").len(), 2);
}

#[test]
fn split_shows_both_percentages() {
    let s = with_router(
        RouterTarget::Split {
            blue: 90,
            green: 10,
        },
        "x",
    );
    let buf = buffer(&s, 120, 40);
    let header = row(&buf, 1);
    assert!(
        header.contains("SPLIT") && header.contains("BLUE 90 %") && header.contains("GREEN 10 %"),
        "{header}"
    );
    assert!(find(&buf, "LIVE").is_empty());
    let (x, _) = find(&buf, "SPLIT 10 %")[0];
    assert!(x >= 60, "green's share in the green pane");
}

#[test]
fn missing_router_is_loud() {
    let buf = buffer(&with_router(RouterTarget::Missing, ""), 80, 24);
    assert!(row(&buf, 1).contains("MISSING"));
}

#[test]
fn no_color_draws_monochrome() {
    let mut s = sample::state(3, 40);
    s.set_no_color(true);
    let buf = buffer(&s, 120, 40);
    for cell in buf.content() {
        assert!(
            cell.fg == Tint::Reset && cell.bg == Tint::Reset,
            "colored cell {cell:?}"
        );
    }
    assert!(row(&buf, 1).contains("BLUE LIVE"), "meaning stays in words");
}

#[test]
fn stale_feed_says_how_stale() {
    let mut s = sample::state(3, 40);
    let err = FeedStatus::Reconnecting {
        since: sample::now(),
        error: "connection reset".into(),
    };
    update(&mut s, Msg::Feed(Feed::Pods(Color::Blue), err));
    update(&mut s, Msg::Tick(sample::now() + Duration::seconds(12)));
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(text.contains("RECONNECTING"), "{text}");
    assert!(text.contains("reconnecting · updated 12s ago"), "{text}");
    update(&mut s, Msg::Feed(Feed::Pods(Color::Blue), FeedStatus::Live));
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(
        !text.contains("RECONNECTING") && !text.contains("reconnecting"),
        "{text}"
    );
}

#[test]
fn signals_without_data_never_look_healthy_in_either_column() {
    let buf = buffer(&sample::state(3, 40), 120, 40);
    let hits = find(&buf, "waiting for the first sample");
    assert!(hits.iter().any(|(x, _)| *x < 60) && hits.iter().any(|(x, _)| *x >= 60));
    assert!(!screen_text(&buf).contains('▁'), "never a flat sparkline");
    let mut s = sample::state(3, 40);
    let mut config = sample::config();
    config.metrics.source = crate::config::metrics::Source::None;
    s.signals = crate::app::signals::Signals::new(&config, false);
    let buf = buffer(&s, 120, 40);
    assert_eq!(find(&buf, "no metrics source").len(), 2);
}

/// Green breaching: the sparkline against the threshold, the value in red by how much, the
/// sample size; blue without requests says no data; `e` explains.
#[test]
fn a_breach_is_red_says_by_how_much_and_is_explained() {
    use crate::app::update::update;
    use crate::metrics::{Health, Sample};
    use crate::model::Color;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut s = sample::state(3, 10);
    for (i, (n, e)) in [
        (250.0, 0.0),
        (250.0, 0.05),
        (250.0, 6.0),
        (40.0, 1.0),
        (250.0, 6.0),
    ]
    .into_iter()
    .enumerate()
    {
        let at = sample::now() - chrono::Duration::seconds(25 - 5 * i as i64);
        let sample = |requests: f64, errors: f64| Sample {
            at,
            secs: 5.0,
            requests: Some(requests),
            errors: Some(errors),
            error_rate: (requests > 0.0).then(|| errors / requests),
            p99_ms: Some(180.0),
            rps: Some(requests / 5.0),
            custom: vec![],
            health: Health {
                ok: 3,
                asked: 3,
                ..Health::default()
            },
        };
        update(
            &mut s,
            Msg::Signals {
                color: Color::Green,
                sample: Box::new(sample(n, e)),
            },
        );
        update(
            &mut s,
            Msg::Signals {
                color: Color::Blue,
                sample: Box::new(sample(0.0, 0.0)),
            },
        );
    }
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(text.contains("5xx ▁▁███ 2.40 % ✖ > 0.10 % ×24"), "{text}");
    assert!(
        text.contains("p99 180 ms · 50.0 rps · 6 5xx of 250 requests in 5 s"),
        "{text}"
    );
    assert!(text.contains("no data: no requests"), "{text}");
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::NONE)),
    );
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(text.contains("GREEN signals explained"), "{text}");
    assert!(
        text.contains("increase(http_requests_total{code=~\"5..\"})"),
        "{text}"
    );
    assert!(
        text.contains("BREACH 5xx 2.40 % > 0.10 % (×24.0)"),
        "{text}"
    );
    assert!(text.contains("not counted: 40 < 200 requests"), "{text}");
    assert!(text.contains("3/3 pods answered"), "{text}");
}

#[test]
fn paused_logs_and_filter_errors_are_shown() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let mut s = sample::state(3, 40);
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::Char('/')));
    for c in "(oops".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    update(&mut s, key(KeyCode::Enter));
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(text.contains("PAUSED"), "{text}");
    assert!(
        text.contains("filter /(oops") && text.contains("bad regex"),
        "{text}"
    );
}

#[test]
fn tiny_and_huge_screens_do_not_panic() {
    let mut s = sample::state(200, 500);
    let pod = sample::pod(Color::Blue, 0).name;
    let overlays = [
        (Screen::Cockpit, None),
        (Screen::Help(500), None),
        (Screen::AppLog, None),
        (
            Screen::Cockpit,
            Some(Modal::PodDetail {
                color: Color::Blue,
                pod,
                scroll: 500,
            }),
        ),
        (Screen::Cockpit, Some(Modal::ConfirmQuit)),
    ];
    for (screen, modal) in overlays {
        s.screen = screen;
        s.modal = modal;
        for (w, h) in [(1, 1), (10, 3), (40, 10), (80, 24), (300, 100)] {
            buffer(&s, w, h);
        }
    }
}

#[test]
fn timestamps_and_wrap_toggle_in_the_log_pane() {
    let mut s = sample::state(3, 40);
    s.timestamps = true;
    s.wrap = true;
    let text = screen_text(&buffer(&s, 80, 24));
    // The newest line (pod …00000), stamped 1 s before now, in UTC.
    assert!(text.contains("10:44:59 00000"), "{text}");
    let wide = screen_text(&buffer(&s, 120, 40));
    assert!(wide.contains("· wrap · times UTC"), "{wide}");
    // Wrapped: the end of green's newest line is visible too.
    assert!(text.contains("seq=39"), "{text}");
}

#[test]
fn lb_disagreeing_with_the_router_is_flagged() {
    let mut s = sample::state(3, 40);
    update(&mut s, sample::lb("v2.0.0", Some(Color::Green)));
    let header = row(&buffer(&s, 120, 40), 1);
    assert!(
        header.contains("LB serves v2.0.0 = GREEN ≠ router"),
        "{header}"
    );
}

#[test]
fn crashing_pod_shows_reason_and_exit_code_in_red() {
    let mut s = sample::state(3, 40);
    let mut pods: Vec<_> = (0..3).map(|i| sample::pod(Color::Blue, i)).collect();
    pods[0].status = "CrashLoopBackOff".into();
    pods[0].ready = 0;
    pods[0].last_exit_code = Some(1);
    pods[0].restarts = 4;
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods,
        },
    );
    let buf = buffer(&s, 120, 40);
    let (x, y) = find(&buf, "CrashLoopBackOff exit 1")[0];
    assert!(x < 60);
    assert_eq!(buf[(x, y)].fg, Tint::Red);
    assert!(row(&buf, y).contains("0/1"));
    assert!(screen_text(&buf).contains("kubelet 2/3 ready"));
}

#[test]
fn footer_keeps_rollback_help_and_quit_whole_at_every_width() {
    let state = sample::state(3, 10);
    for w in 80..=220 {
        let buf = buffer(&state, w, 24);
        let footer = row(&buf, 23);
        assert!(footer.contains("ROLLBACK"), "width {w}: {footer}");
        assert!(footer.contains("? help"), "width {w}: {footer}");
        assert!(footer.trim_end().ends_with("q quit"), "width {w}: {footer}");
    }
}

#[test]
fn the_header_says_who_is_here_and_who_drives() {
    use crate::app::peers::{LeaseEvent, LeaseView, SessionView};
    let mut s = sample::state(3, 0);
    let now = sample::now();
    let session = |name: &str, holder: &str| SessionView {
        name: name.into(),
        holder: holder.into(),
        renewed: Some(now),
        duration_secs: 30,
        resource_version: "1".into(),
    };
    update(
        &mut s,
        Msg::Lease(LeaseEvent::Sessions(vec![
            session("a", "alice@laptop"),
            session("b", "bob@desk"),
        ])),
    );
    update(
        &mut s,
        Msg::Lease(LeaseEvent::Read(Some(LeaseView {
            holder: "alice@laptop".into(),
            acquired: Some(now),
            renewed: Some(now),
            duration_secs: 30,
            resource_version: "2".into(),
        }))),
    );
    let buf = buffer(&s, 160, 40);
    assert!(
        row(&buf, 0).contains(" · alice (driving) · bob"),
        "{}",
        row(&buf, 0)
    );
}

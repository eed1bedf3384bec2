//! Log pane tests: structured lines as badges (dark and mono snapshots), timestamps, raw,
//! escapes in JSON, plain-line marks, search highlights, titles and the zoom.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color as Tint, Modifier};
use ratatui::text::{Line, Span};

use super::wrap_line;
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::state::State;
use crate::app::update::update;
use crate::model::{Color, LogLine};
use crate::sanitize::is_forbidden;
use crate::ui::tests::{buffer, find, render, row, screen_text};

fn press(s: &mut State, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

fn green_line(text: &str) -> Msg {
    Msg::LogLines(vec![LogLine {
        color: Color::Green,
        pod: sample::pod(Color::Green, 0).name,
        container: "api".into(),
        ts: Some(sample::now()),
        text: text.into(),
    }])
}

fn mono(mut s: State) -> State {
    s.set_no_color(true);
    s
}

/// The sample with timestamps on, searching for "pool".
fn searching() -> State {
    let mut s = sample::state(3, 40);
    press(&mut s, "Tfpool\n");
    s
}

#[test]
fn snapshot_structured_logs_dark_120x40() {
    insta::assert_snapshot!(render(&searching(), 120, 40).backend());
}

#[test]
fn snapshot_structured_logs_mono_120x40() {
    insta::assert_snapshot!(render(&mono(searching()), 120, 40).backend());
}

#[test]
fn snapshot_structured_logs_dark_80x24() {
    insta::assert_snapshot!(render(&searching(), 80, 24).backend());
}

#[test]
fn snapshot_structured_logs_mono_80x24() {
    insta::assert_snapshot!(render(&mono(searching()), 80, 24).backend());
}

#[test]
fn snapshot_zoomed_green_80x24() {
    let mut s = sample::state(3, 40);
    press(&mut s, "\tz");
    insta::assert_snapshot!(render(&s, 80, 24).backend());
}

#[test]
fn json_lines_show_a_colored_badge_the_message_and_dim_fields() {
    let buf = buffer(&sample::state(3, 40), 120, 40);
    let text = screen_text(&buf);
    assert!(!text.contains(r#"{"time""#), "no raw JSON:\n{text}");
    let (x, y) = *find(&buf, "ERR db pool exhausted")
        .iter()
        .find(|(x, _)| *x >= 60)
        .expect("green's error line");
    assert_eq!((buf[(x, y)].fg, buf[(x, y)].bg), (Tint::White, Tint::Red));
    let (wx, wy) = find(&buf, "WRN slow query")[0];
    assert_eq!(buf[(wx, wy)].bg, Tint::Yellow);
    // Fields follow the message, dimmed; the line's own time is shown while T is off.
    let (fx, fy) = find(&buf, "logger=fittrack.api")[0];
    assert!(buf[(fx, fy)].modifier.contains(Modifier::DIM));
}

#[test]
fn mono_badges_are_words() {
    let buf = buffer(&mono(sample::state(3, 40)), 120, 40);
    let text = screen_text(&buf);
    let green = find(&buf, "ERROR db pool exhausted logger=");
    assert!(
        !green.is_empty() && green.iter().all(|(x, _)| *x >= 60),
        "{text}"
    );
    assert!(text.contains("INFO  workout synced"), "{text}");
    assert!(!text.contains("ERR db"), "{text}");
}

#[test]
fn t_drops_the_lines_own_timestamp_and_v_shows_raw() {
    let mut s = sample::state(3, 40);
    press(&mut s, "T");
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(
        text.contains("10:44:59 00000 INF workout synced logger=fittrack.api"),
        "{text}"
    );
    assert!(!text.contains("time="), "{text}");
    press(&mut s, "v");
    let text = screen_text(&buffer(&s, 120, 40));
    assert!(
        text.contains(r#"10:44:59 00000 {"time":"2026-11-26T10:44:59.000Z","#),
        "{text}"
    );
    assert!(text.contains("· raw"), "{text}");
}

#[test]
fn escapes_inside_json_strings_never_reach_the_screen() {
    let mut s = sample::state(3, 4);
    // As the bus delivers it: sanitized text, the escapes still JSON-escaped.
    update(
        &mut s,
        green_line(
            r#"{"level":"error","msg":"\u001b[2J\u001b]0;owned\u0007boom\u009b1m","k\u001b":"\u202ex\r\ny"}"#,
        ),
    );
    let buf = buffer(&s, 120, 40);
    for cell in buf.content() {
        assert!(!cell.symbol().chars().any(is_forbidden), "{cell:?}");
    }
    let text = screen_text(&buf);
    assert!(text.contains(r#"ERR boom k="x ⏎ y""#), "{text}");
}

#[test]
fn plain_lines_mark_level_words_and_5xx() {
    let buf = buffer(&sample::state(3, 40), 120, 40);
    let (x, y) = find(&buf, "ERROR db pool")[0];
    assert!(x < 60);
    assert_eq!(buf[(x, y)].fg, Tint::Red);
    assert_eq!(buf[(x + 5, y)].fg, Tint::Reset, "only the word");
    let (wx, wy) = find(&buf, "WARN slow")[0];
    assert_eq!(buf[(wx, wy)].fg, Tint::Yellow);
    let (sx, sy) = find(&buf, " 503 ")[0];
    assert!(buf[(sx + 1, sy)].modifier.contains(Modifier::REVERSED));
    assert_eq!(buf[(sx + 1, sy)].fg, Tint::Red);
    let (ox, oy) = find(&buf, " 200 ")[0];
    assert_eq!(buf[(ox + 1, oy)].fg, Tint::Reset, "2xx unmarked");
}

#[test]
fn search_highlights_every_visible_match_and_the_title_counts() {
    let mut s = searching();
    let buf = buffer(&s, 120, 40);
    // In the log lines, not in the titles.
    let hits: Vec<_> = find(&buf, "pool")
        .into_iter()
        .filter(|&(_, y)| !row(&buf, y).contains("search /pool/"))
        .collect();
    // (The header's stepper line leaves the panes a row fewer than the buffer has matches.)
    assert!(
        hits.len() >= 3 && hits.iter().any(|(x, _)| *x >= 60),
        "{hits:?}"
    );
    let current: Vec<_> = hits
        .iter()
        .filter(|&&(x, y)| buf[(x, y)].bg == Tint::LightMagenta)
        .collect();
    assert_eq!(
        current.len(),
        1,
        "one current match, in the focused (blue) pane"
    );
    assert!(current[0].0 < 60);
    for &(x, y) in &hits {
        assert!(
            matches!(buf[(x, y)].bg, Tint::LightCyan | Tint::LightMagenta),
            "{x},{y}: {:?}\n{}",
            buf[(x, y)],
            screen_text(&buf)
        );
    }
    let text = screen_text(&buf);
    assert!(text.contains("search /pool/: match 4 of 4"), "{text}");
    assert!(text.contains("search /pool/: 4 matches (n/N)"), "{text}");
    press(&mut s, "N");
    assert!(screen_text(&buffer(&s, 120, 40)).contains("match 3 of 4"));
}

#[test]
fn the_title_says_what_is_filtered_and_how_much_is_hidden() {
    let mut s = sample::state(3, 40);
    press(&mut s, "ll/pool\n");
    let text = screen_text(&buffer(&s, 200, 40));
    assert!(
        text.contains("filter /pool/ · errors only · 36 hidden"),
        "{text}"
    );
    let mut s = sample::state(3, 40);
    press(&mut s, "o");
    let text = screen_text(&buffer(&s, 200, 40));
    assert!(text.contains("· pod 00000 only · 26 hidden"), "{text}");
    // A filter that hides everything says so instead of a blank pane.
    press(&mut s, "/nothing-matches\n");
    assert!(screen_text(&buffer(&s, 120, 40)).contains("no line passes the filter"));
}

#[test]
fn zoom_fills_the_screen_with_one_color_and_reports_its_rows() {
    let mut s = sample::state(3, 40);
    press(&mut s, "z");
    let buf = buffer(&s, 120, 40);
    let text = screen_text(&buf);
    assert!(
        text.contains("BLUE logs · zoomed · z or Esc leaves"),
        "{text}"
    );
    assert!(!text.contains("GREEN logs"), "{text}");
    assert!(row(&buf, 1).contains("BLUE"), "the header stays:\n{text}");
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let mut drawn = Default::default();
    t.draw(|f| drawn = crate::ui::view(f, &s)).unwrap();
    let drawn: crate::app::state::Viewport = drawn;
    assert!(drawn.log_rows >= 30, "{drawn:?}");
}

#[test]
fn new_lines_arrive_into_the_search_count() {
    let mut s = searching();
    update(&mut s, Msg::Tick(sample::now() + Duration::seconds(1)));
    update(
        &mut s,
        green_line(r#"{"level":"error","msg":"pool again"}"#),
    );
    assert!(screen_text(&buffer(&s, 120, 40)).contains("search /pool/: 5 matches"));
}

#[test]
fn wraps_by_columns_keeping_text() {
    let line = Line::from(vec![Span::raw("abc "), Span::raw("defghij")]);
    let rows = wrap_line(line, 4);
    let text: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
    assert_eq!(text, ["abc ", "defg", "hij"]);
}

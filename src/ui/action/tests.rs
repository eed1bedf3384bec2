//! The cockpit while a smoke test runs: its output above GREEN's logs, its elapsed time in
//! the header (built through `update`, fixed `now`).

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::app::action::{Request, RequestOptions, Step};
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::state::State;
use crate::app::update::update;
use crate::model::Color;

fn smoking(lines: &[&str], waiting: Option<&str>) -> State {
    let mut s = sample::state(3, 40);
    let request = Request::Smoke {
        color: Some(Color::Green),
    };
    update(&mut s, Msg::Request(request, RequestOptions::default()));
    let id = *s
        .actions
        .running
        .keys()
        .next()
        .expect("the smoke test started");
    for line in lines {
        let step = Step::Output(line.to_string());
        update(&mut s, Msg::ActionStep { id, step });
    }
    if let Some(w) = waiting {
        let step = Step::Waiting(w.to_string());
        update(&mut s, Msg::ActionStep { id, step });
    }
    update(&mut s, Msg::Tick(sample::now() + Duration::seconds(12)));
    s
}

fn screen(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| {
        super::super::view(f, state);
    })
    .expect("draw");
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let row: String = (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            row + "\n"
        })
        .collect()
}

const OUTPUT: [&str; 4] = [
    "✔ GET /health/ready → fittrack-5f2a1b-0 200 in 12 ms",
    "✖ GET /api/workouts → fittrack-5f2a1b-1 500 (expected 200) in 8 ms",
    "suite: pytest tests/e2e/ -v (BASE_URL=http://127.0.0.1:40123)",
    "tests/e2e/test_api.py::test_workouts PASSED",
];

#[test]
fn snapshot_smoke_running_120x40() {
    let s = smoking(&OUTPUT, Some("suite `pytest tests/e2e/ -v` running"));
    insta::assert_snapshot!(screen(&s, 120, 40).backend());
}

#[test]
fn output_sits_in_the_target_pane_and_time_in_the_header() {
    let s = smoking(&OUTPUT, None);
    let t = text(&screen(&s, 120, 40));
    let lines: Vec<&str> = t.lines().collect();
    assert!(
        lines[0].contains("▶ smoke GREEN v2.0.0 12s"),
        "{}",
        lines[0]
    );
    let row = lines
        .iter()
        .find(|l| l.contains("✖ GET /api/workouts"))
        .expect("the failed check is shown");
    // Right half: GREEN's pane, not BLUE's.
    assert!(row.find('✖').unwrap() > 60, "{row}");
    assert!(
        t.contains("smoke GREEN v2.0.0 · 12s · ctrl-c cancels"),
        "{t}"
    );
    assert!(
        t.contains("logs"),
        "the logs keep their title below the output"
    );
}

#[test]
fn small_panes_show_the_newest_output_instead_of_logs() {
    let many: Vec<String> = (0..30).map(|i| format!("line {i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let t = text(&screen(&smoking(&refs, None), 80, 24));
    assert!(t.contains("line 29"), "{t}");
    assert!(!t.contains("line 0 "), "{t}");
}

#[test]
fn nothing_changes_once_no_action_runs() {
    let calm = text(&screen(&sample::state(3, 40), 120, 40));
    assert!(!calm.contains("smoke GREEN"), "{calm}");
    assert!(!calm.contains("cancels"), "{calm}");
}

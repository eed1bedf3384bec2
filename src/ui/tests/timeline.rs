//! The timeline: dates when not today, no entry pinned by a future stamp, grows with the
//! terminal, Events in a shared namespace told by color.

use chrono::{Duration, TimeZone, Utc};

use super::{buffer, screen_text};
use crate::app::msg::Msg;
use crate::app::sample;
use crate::app::state::State;
use crate::app::update::update;
use crate::model::{Color, EventKind, KubeEvent};

fn event(uid: &str, time: chrono::DateTime<Utc>, namespace: &str, object: &str) -> KubeEvent {
    KubeEvent {
        uid: uid.into(),
        time,
        namespace: namespace.into(),
        object: object.into(),
        reason: format!("R-{uid}"),
        message: "m".into(),
        kind: EventKind::Normal,
        count: 1,
    }
}

/// The timeline's rows, top to bottom.
fn timeline(s: &State, w: u16, h: u16) -> Vec<String> {
    let text = screen_text(&buffer(s, w, h));
    text.lines()
        .skip_while(|l| !l.contains(" timeline ("))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .map(str::to_string)
        .collect()
}

#[test]
fn other_days_show_their_date_and_the_future_does_not_stay_on_top() {
    let mut s = sample::state(3, 0);
    let far = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
    let yesterday = sample::now() - Duration::days(1);
    update(
        &mut s,
        Msg::Events(vec![
            event("far", far, "fittrack-blue", "Pod/a"),
            event("old", yesterday, "fittrack-blue", "Pod/b"),
        ]),
    );
    let later = sample::now() + Duration::seconds(5);
    update(&mut s, Msg::Tick(later));
    update(
        &mut s,
        Msg::Notice {
            at: later,
            text: "after the 2099 one".into(),
            warning: false,
        },
    );
    let rows = timeline(&s, 120, 40);
    assert!(rows[0].contains("after the 2099 one"), "{rows:#?}");
    let far_row = rows.iter().position(|r| r.contains("R-far")).unwrap();
    assert!(rows[far_row].contains("2099-01-01 00:00:00"), "{rows:#?}");
    let old_row = rows.iter().position(|r| r.contains("R-old")).unwrap();
    assert!(rows[old_row].contains("Nov 25 10:45:00"), "{rows:#?}");
    assert!(old_row > far_row, "yesterday's below: {rows:#?}");
    assert!(rows[0].contains("10:45:05 "), "today: time only {rows:#?}");
}

#[test]
fn the_timeline_grows_with_the_terminal() {
    let mut s = sample::state(3, 0);
    for i in 0..30 {
        s.timeline
            .notice(sample::now(), format!("notice {i}"), false);
    }
    // Inside the border: a fifth of the screen, less two.
    assert_eq!(timeline(&s, 200, 60).len(), 10);
    assert_eq!(timeline(&s, 200, 100).len(), 18);
    assert_eq!(timeline(&s, 120, 40).len(), 6);
}

#[test]
fn pod_events_in_a_shared_namespace_are_told_by_color() {
    let mut config = sample::config();
    for c in [&mut config.colors.blue, &mut config.colors.green] {
        c.namespace = "fittrack".into();
    }
    let mut s = State::new(&config, Default::default(), sample::now());
    for c in Color::BOTH {
        let mut pod = sample::pod(c, 0);
        pod.namespace = "fittrack".into();
        update(
            &mut s,
            Msg::Pods {
                color: c,
                pods: vec![pod],
            },
        );
    }
    let on = |c: Color| format!("Pod/{}", sample::pod(c, 0).name);
    update(
        &mut s,
        Msg::Events(vec![
            event("g", sample::now(), "fittrack", &on(Color::Green)),
            event("b", sample::now(), "fittrack", &on(Color::Blue)),
            event("r", sample::now(), "fittrack", "HTTPRoute/fittrack"),
        ]),
    );
    let rows = timeline(&s, 160, 40);
    let row = |reason: &str| rows.iter().find(|r| r.contains(reason)).unwrap().clone();
    assert!(
        row("R-g").contains(&format!("GREEN {}", on(Color::Green))),
        "{rows:#?}"
    );
    assert!(
        row("R-b").contains(&format!("BLUE {}", on(Color::Blue))),
        "{rows:#?}"
    );
    assert!(
        row("R-r").contains("fittrack HTTPRoute/fittrack"),
        "{rows:#?}"
    );
}

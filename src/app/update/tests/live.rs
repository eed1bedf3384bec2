//! The live feed: router changes and shared-history entries by others are told at once.

use chrono::Duration;

use crate::app::action::journal::{Entry, EntryKind, Result as R, Stage};
use crate::app::action::{Op, Request, RequestOptions};
use crate::app::msg::{Cmd, Msg};
use crate::app::sample;
use crate::app::state::State;
use crate::app::timeline::TimelineItem;
use crate::app::update::update;
use crate::model::{Color, RouterReading, RouterTarget, SwitchStamp};

fn reading(to: Color, rv: &str, stamp: Option<(&str, &str)>) -> Msg {
    Msg::Router(RouterReading {
        target: RouterTarget::Color(to),
        raw: format!("deployment={}", to.name()),
        resource_version: rv.into(),
        since: None,
        values: vec![],
        stamp: stamp.map(|(id, by)| SwitchStamp {
            id: id.into(),
            by: by.into(),
            at: (sample::now() - Duration::seconds(3)).to_rfc3339(),
        }),
    })
}

fn flash(s: &State) -> String {
    s.flash.as_ref().map(|(t, _)| t.clone()).unwrap_or_default()
}

fn notices(s: &State) -> Vec<String> {
    s.timeline
        .items()
        .iter()
        .filter_map(|i| match i {
            TimelineItem::Notice { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn entry(id: &str, who: &str, summary: &str) -> Entry {
    Entry {
        id: id.into(),
        at: sample::now(),
        who: who.into(),
        context: "sim-bob".into(),
        router: "httproute fittrack/fittrack".into(),
        kind: EntryKind::Rollback,
        stage: Stage::Outcome,
        result: Some(R::Succeeded),
        from: Some("green".into()),
        to: Some("blue".into()),
        versions: Default::default(),
        phases: vec![],
        gates: vec![],
        reason: None,
        summary: summary.into(),
        error: None,
        publish_error: None,
        version: None,
        output: Vec::new(),
    }
}

#[test]
fn a_switch_by_another_cockpit_is_told_with_its_author() {
    let mut s = sample::state(3, 0);
    update(
        &mut s,
        reading(Color::Blue, "50", Some(("sw-old", "alice"))),
    );
    assert_eq!(flash(&s), "", "the first reading is not news");
    update(
        &mut s,
        reading(Color::Green, "51", Some(("sw-bob-1", "bob"))),
    );
    assert_eq!(flash(&s), "traffic switched to GREEN by bob 3s ago");
    assert!(
        notices(&s)
            .iter()
            .any(|n| n == "traffic switched to GREEN by bob (was BLUE)"),
        "{:?}",
        notices(&s)
    );
}

#[test]
fn a_router_write_without_a_fresh_stamp_is_outside_cutover() {
    let mut s = sample::state(3, 0);
    // Each is journaled (a `RouterChange` entry, which the timeline shows) and flashed.
    let journaled = |cmds: &[Cmd]| {
        cmds.iter()
            .filter(|c| matches!(c, Cmd::Record(e) if e.kind == EntryKind::RouterChange))
            .count()
    };
    update(
        &mut s,
        reading(Color::Blue, "50", Some(("sw-old", "alice"))),
    );
    // kubectl patched the target and left the last switch's annotations as they were.
    let cmds = update(
        &mut s,
        reading(Color::Green, "51", Some(("sw-old", "alice"))),
    );
    assert!(
        flash(&s).starts_with("router changed outside cutover: BLUE → GREEN"),
        "{}",
        flash(&s)
    );
    assert_eq!(journaled(&cmds), 1, "{cmds:?}");
    // And with no annotations at all.
    let cmds = update(&mut s, reading(Color::Blue, "52", None));
    assert!(flash(&s).starts_with("router changed outside cutover: GREEN → BLUE"));
    assert_eq!(journaled(&cmds), 1, "{cmds:?}");
}

#[test]
fn our_own_switch_is_not_told_as_someone_elses() {
    let mut s = sample::state(3, 0);
    update(&mut s, reading(Color::Blue, "50", None));
    let cmds = update(
        &mut s,
        Msg::Request(
            Request::Rollback {
                to: Some(Color::Green),
            },
            RequestOptions {
                yes: true,
                ..RequestOptions::default()
            },
        ),
    );
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Start {
                op: Op::Switch(p), ..
            } => Some(p.switch_id.clone()),
            _ => None,
        })
        .expect("the rollback starts");
    s.flash = None;
    update(&mut s, reading(Color::Green, "51", Some((&id, "alice"))));
    assert_eq!(flash(&s), "");
    assert!(notices(&s)
        .iter()
        .any(|n| n.starts_with("router httproute fittrack/fittrack changed: BLUE → GREEN")));
}

#[test]
fn another_cockpits_history_entry_is_flashed_once_and_ours_is_not() {
    let session = sample::state(0, 0).session.clone();
    let mut s = State::new(&sample::config(), session, sample::now());
    let old = entry("e-old", "bob", "switch to GREEN succeeded");
    update(&mut s, Msg::History(vec![old.clone()]));
    assert_eq!(flash(&s), "", "the history as first read is not news");
    let new = entry("e-new", "bob", "rollback to BLUE succeeded");
    update(&mut s, Msg::History(vec![old.clone(), new.clone()]));
    assert_eq!(flash(&s), "rollback to BLUE succeeded — by bob");
    assert!(s
        .timeline
        .items()
        .iter()
        .any(|i| matches!(i, TimelineItem::Entry(e) if e.id == "e-new")));
    // The same history read again is not news again.
    s.flash = None;
    update(&mut s, Msg::History(vec![old.clone(), new.clone()]));
    assert_eq!(flash(&s), "");
    // Our own entry coming back from the cluster is not news either.
    s.peers.mark_own("e-ours");
    let ours = entry("e-ours", "alice", "smoke GREEN passed");
    update(&mut s, Msg::History(vec![old, new, ours]));
    assert_eq!(flash(&s), "");
}

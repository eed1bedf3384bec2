//! `update()` tests of the judgement after a switch and the automatic rollback: the `r`
//! path with the reason journaled, at most once per switch, never while another traffic
//! action runs, never onto a color that is not ready, never read-only, never for someone
//! else's switch; and `cutover watch`'s exit codes.

use chrono::{DateTime, Duration, Utc};

use super::EXIT_BREACHED;
use crate::app::action::journal::{Recorded, Stage};
use crate::app::action::{
    Op, Outcome, Phase, PhaseTime, Request, RequestOptions, SwitchKind, Verification,
};
use crate::app::msg::{Cmd, Face, Msg};
use crate::app::sample;
use crate::app::signals::{Opened, Signals};
use crate::app::state::{Modal, State};
use crate::app::update::update;
use crate::metrics::{Health, Sample};
use crate::model::{Color, RouterReading, RouterTarget, SwitchStamp};

/// Blue live, green standby, automatic rollback armed, no smoke gate.
fn armed(read_only: bool) -> State {
    let mut s = sample::state(3, 0);
    let mut config = sample::config();
    config.analysis.auto_rollback = true;
    s.session.read_only = read_only;
    s.signals = Signals::new(&config, read_only);
    s.release.require_smoke = false;
    s
}

fn router(target: Color, rv: &str, stamp: Option<&str>) -> Msg {
    Msg::Router(RouterReading {
        target: RouterTarget::Color(target),
        raw: format!("{}:100", target.name()),
        resource_version: rv.into(),
        since: None,
        values: vec![],
        stamp: stamp.map(|id| SwitchStamp {
            id: id.into(),
            by: "someone".into(),
            at: "now".into(),
        }),
    })
}

fn starts(cmds: &[Cmd]) -> Vec<(u64, crate::app::action::SwitchPlan)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Start {
                id,
                op: Op::Switch(p),
            } => Some((*id, p.clone())),
            _ => None,
        })
        .collect()
}

/// This cockpit switches to green; the router's new value arrives during verification.
/// Returns the switch's action id.
fn switch_to_green(s: &mut State, finish: bool) -> u64 {
    let options = RequestOptions {
        yes: true,
        ..RequestOptions::default()
    };
    let cmds = update(
        s,
        Msg::Request(Request::Switch { to: Color::Green }, options),
    );
    let [(id, ref plan)] = starts(&cmds)[..] else {
        panic!("no switch started: {cmds:?} {:?}", s.flash);
    };
    let phase = PhaseTime {
        phase: Phase::PatchAccepted,
        ms: 100,
    };
    update(
        s,
        Msg::ActionStep {
            id,
            step: crate::app::action::Step::Phase(phase),
        },
    );
    update(s, router(Color::Green, "100", Some(&plan.switch_id)));
    if finish {
        finish_switch(s, id, &plan.switch_id);
    }
    id
}

fn finish_switch(s: &mut State, id: u64, switch_id: &str) -> Vec<Cmd> {
    let mut cmds = update(
        s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Switched {
                phases: vec![],
                verification: Verification::Verified,
                attempts: 1,
            },
        },
    );
    cmds.extend(update(
        s,
        Msg::Recorded(Recorded {
            id: switch_id.into(),
            stage: Stage::Outcome,
            local: Ok(()),
            cluster: Ok(()),
        }),
    ));
    cmds
}

fn sample_at(at: DateTime<Utc>, requests: f64, errors: f64) -> Sample {
    Sample {
        at,
        secs: 5.0,
        requests: Some(requests),
        errors: Some(errors),
        error_rate: Some(errors / requests),
        p99_ms: Some(20.0),
        rps: Some(requests / 5.0),
        custom: vec![],
        health: Health {
            ok: 3,
            asked: 3,
            ..Health::default()
        },
    }
}

/// `n` samples of green 5 s apart, advancing the clock; every command they caused.
fn feed(s: &mut State, n: usize, requests: f64, errors: f64) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    for _ in 0..n {
        let now = s.now + Duration::seconds(5);
        cmds.extend(update(s, Msg::Tick(now)));
        let sample = Box::new(sample_at(now, requests, errors));
        cmds.extend(update(
            s,
            Msg::Signals {
                color: Color::Green,
                sample,
            },
        ));
    }
    cmds
}

#[test]
fn an_exhausted_budget_rolls_back_through_the_r_path_with_the_reason_journaled() {
    let mut s = armed(false);
    switch_to_green(&mut s, true);
    let w = s.signals.window.clone().expect("a window opened");
    assert_eq!(
        (w.color, w.opened_by, w.armed),
        (Color::Green, Opened::OwnSwitch, true)
    );
    assert!(
        starts(&feed(&mut s, 2, 250.0, 6.0)).is_empty(),
        "two breaches are allowed"
    );
    let cmds = feed(&mut s, 1, 250.0, 6.0);
    let [(_, plan)] = &starts(&cmds)[..] else {
        panic!("no rollback: {cmds:?}");
    };
    assert_eq!((plan.kind, plan.to), (SwitchKind::Rollback, Color::Blue));
    let attempt = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Record(e) if e.id == plan.switch_id => Some(e.clone()),
            _ => None,
        })
        .expect("the attempt is journaled");
    assert_eq!(
        attempt.reason.as_deref(),
        Some("auto: 5xx 2.40 % > 0.10 % in 3 consecutive samples of ≥ 200 requests")
    );
    assert_eq!(
        s.signals.window.as_ref().unwrap().rollback.as_deref(),
        Some(plan.switch_id.as_str())
    );
    let banner = s.signals.banner.clone().unwrap_or_default();
    assert!(
        banner.contains("AUTO-ROLLBACK GREEN → BLUE: 5xx 2.40 %"),
        "{banner}"
    );
    assert!(s
        .timeline
        .items()
        .iter()
        .any(|i| format!("{i:?}").contains("AUTO-ROLLBACK")));
    // At most once per switch: more breaches start nothing.
    assert!(starts(&feed(&mut s, 5, 250.0, 9.0)).is_empty());
}

#[test]
fn the_same_sample_through_the_r_key_makes_the_same_plan() {
    // The automatic rollback is the r key's request, confirmed: same op, same gates.
    let mut by_key = armed(false);
    switch_to_green(&mut by_key, true);
    by_key.release.rollback_confirm = false;
    let cmds = update(
        &mut by_key,
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('r'),
            crossterm::event::KeyModifiers::NONE,
        )),
    );
    let [(_, key_plan)] = &starts(&cmds)[..] else {
        panic!("r did not roll back: {cmds:?}");
    };
    let mut auto = armed(false);
    switch_to_green(&mut auto, true);
    let cmds = feed(&mut auto, 3, 250.0, 6.0);
    let [(_, auto_plan)] = &starts(&cmds)[..] else {
        panic!("no automatic rollback");
    };
    assert_eq!(
        (
            auto_plan.kind,
            auto_plan.to,
            &auto_plan.from,
            auto_plan.lb_requests
        ),
        (
            key_plan.kind,
            key_plan.to,
            &key_plan.from,
            key_plan.lb_requests
        )
    );
}

#[test]
fn small_samples_and_no_data_never_exhaust_the_budget() {
    let mut s = armed(false);
    switch_to_green(&mut s, true);
    // 1 error in 50 requests is 2 %: too few requests to count.
    assert!(starts(&feed(&mut s, 10, 50.0, 1.0)).is_empty());
    for _ in 0..5 {
        let now = s.now + Duration::seconds(5);
        update(&mut s, Msg::Tick(now));
        let sample = Sample {
            at: now,
            health: Health {
                asked: 3,
                errors: vec!["timeout".into()],
                ..Health::default()
            },
            ..Sample::default()
        };
        let cmds = update(
            &mut s,
            Msg::Signals {
                color: Color::Green,
                sample: Box::new(sample),
            },
        );
        assert!(starts(&cmds).is_empty());
    }
    let w = s.signals.window.as_ref().unwrap();
    assert_eq!(
        (w.counted, w.not_counted, w.exhausted.clone()),
        (0, 15, None)
    );
}

#[test]
fn never_while_another_traffic_action_is_in_flight() {
    let mut s = armed(false);
    // The switch is still verifying when the budget runs out.
    let id = switch_to_green(&mut s, false);
    let switch_id = match s.actions.running.get(&id).map(|a| &a.op) {
        Some(Op::Switch(p)) => p.switch_id.clone(),
        other => panic!("{other:?}"),
    };
    assert!(starts(&feed(&mut s, 4, 250.0, 6.0)).is_empty());
    assert!(s.signals.window.as_ref().unwrap().exhausted.is_some());
    // Its outcome frees the router: the rollback goes at once.
    let cmds = finish_switch(&mut s, id, &switch_id);
    let [(_, plan)] = &starts(&cmds)[..] else {
        panic!("no rollback after the switch finished: {cmds:?}");
    };
    assert_eq!(plan.kind, SwitchKind::Rollback);
}

#[test]
fn never_onto_a_color_that_is_not_ready_alarm_instead() {
    let mut s = armed(false);
    switch_to_green(&mut s, true);
    let mut pods: Vec<_> = (0..3).map(|i| sample::pod(Color::Blue, i)).collect();
    for p in &mut pods {
        p.ready = 0;
    }
    update(
        &mut s,
        Msg::Pods {
            color: Color::Blue,
            pods,
        },
    );
    assert!(starts(&feed(&mut s, 3, 250.0, 6.0)).is_empty());
    let alarm = s
        .signals
        .window
        .as_ref()
        .unwrap()
        .alarm
        .clone()
        .unwrap_or_default();
    assert!(
        alarm.contains("NOT rolled back") && alarm.contains("outage"),
        "{alarm}"
    );
    let banner = s.signals.banner.clone().unwrap_or_default();
    assert!(banner.contains("GREEN BREACHED: 5xx 2.40 %"), "{banner}");
    assert!(s.actions.running.is_empty());
}

#[test]
fn a_read_only_session_never_rolls_back_and_says_so() {
    let mut s = armed(true);
    assert!(!s.signals.armed);
    // Someone else switched (a read-only session cannot).
    update(&mut s, router(Color::Green, "100", Some("other-switch")));
    let w = s.signals.window.clone().expect("judged anyway");
    assert_eq!((w.opened_by, w.armed), (Opened::Other, false));
    assert!(starts(&feed(&mut s, 3, 250.0, 6.0)).is_empty());
    let alarm = s
        .signals
        .window
        .as_ref()
        .unwrap()
        .alarm
        .clone()
        .unwrap_or_default();
    assert!(alarm.contains("read-only"), "{alarm}");
}

#[test]
fn someone_elses_switch_is_judged_and_alarmed_not_rolled_back() {
    let mut s = armed(false);
    update(&mut s, router(Color::Green, "100", Some("alice-switch")));
    assert!(starts(&feed(&mut s, 3, 250.0, 6.0)).is_empty());
    let alarm = s
        .signals
        .window
        .as_ref()
        .unwrap()
        .alarm
        .clone()
        .unwrap_or_default();
    assert!(alarm.contains("not this cockpit's switch"), "{alarm}");
}

#[test]
fn the_window_closes_after_its_minutes() {
    let mut s = armed(false);
    switch_to_green(&mut s, true);
    let later = s.now + Duration::minutes(16);
    update(&mut s, Msg::Tick(later));
    assert!(starts(&feed(&mut s, 5, 250.0, 6.0)).is_empty());
    assert_eq!(s.signals.window.as_ref().unwrap().counted, 0);
}

#[test]
fn the_switch_confirmation_shows_the_detection_delay() {
    let mut s = armed(false);
    update(
        &mut s,
        Msg::Request(
            Request::Switch { to: Color::Green },
            RequestOptions::default(),
        ),
    );
    let Some(Modal::Confirm(c)) = &s.modal else {
        panic!("no confirmation");
    };
    let text = c.situation.join("\n");
    assert!(text.contains("detection delay 15 s"), "{text}");
    assert!(text.contains("→ auto-rollback"), "{text}");
}

fn exits(cmds: &[Cmd]) -> Vec<i32> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Face(Face::Exit(code)) => Some(*code),
            _ => None,
        })
        .collect()
}

#[test]
fn watch_exits_4_on_a_breach_and_0_when_healthy_to_the_end() {
    let mut s = armed(false);
    update(
        &mut s,
        sample::router(RouterTarget::Color(Color::Green), "g"),
    );
    let until = s.now + Duration::seconds(60);
    update(
        &mut s,
        Msg::Watch {
            until,
            auto_rollback: false,
        },
    );
    assert_eq!(exits(&feed(&mut s, 2, 250.0, 6.0)), Vec::<i32>::new());
    assert_eq!(exits(&feed(&mut s, 1, 250.0, 6.0)), vec![EXIT_BREACHED]);

    let mut s = armed(false);
    update(
        &mut s,
        sample::router(RouterTarget::Color(Color::Green), "g"),
    );
    let until = s.now + Duration::seconds(30);
    update(
        &mut s,
        Msg::Watch {
            until,
            auto_rollback: false,
        },
    );
    let cmds = feed(&mut s, 7, 250.0, 0.0);
    assert_eq!(exits(&cmds), vec![0]);
}

#[test]
fn watch_with_auto_rollback_exits_4_after_the_rollback_is_recorded() {
    let mut s = armed(false);
    s.signals.armed = false; // the cockpit's setting does not matter: the flag arms
    update(
        &mut s,
        sample::router(RouterTarget::Color(Color::Green), "g"),
    );
    let until = s.now + Duration::seconds(600);
    update(
        &mut s,
        Msg::Watch {
            until,
            auto_rollback: true,
        },
    );
    let cmds = feed(&mut s, 3, 250.0, 6.0);
    let [(id, plan)] = &starts(&cmds)[..] else {
        panic!("no rollback: {cmds:?}");
    };
    assert!(exits(&cmds).is_empty(), "not before it is recorded");
    update(
        &mut s,
        Msg::ActionDone {
            id: *id,
            outcome: Outcome::Switched {
                phases: vec![],
                verification: Verification::Verified,
                attempts: 1,
            },
        },
    );
    let cmds = update(
        &mut s,
        Msg::Recorded(Recorded {
            id: plan.switch_id.clone(),
            stage: Stage::Outcome,
            local: Ok(()),
            cluster: Ok(()),
        }),
    );
    assert_eq!(exits(&cmds), vec![EXIT_BREACHED]);
}

#[test]
fn watch_without_enough_traffic_cannot_say_healthy() {
    let mut s = armed(false);
    update(
        &mut s,
        sample::router(RouterTarget::Color(Color::Green), "g"),
    );
    let until = s.now + Duration::seconds(20);
    update(
        &mut s,
        Msg::Watch {
            until,
            auto_rollback: false,
        },
    );
    assert_eq!(exits(&feed(&mut s, 5, 10.0, 0.0)), vec![1]);
}

//! `update()` tests of the release actions: every gate passing and failing, key and typed
//! confirmations, rollback pre-empting a smoke test, rollback to a color with no ready pod,
//! UNKNOWN/SPLIT routers, our own write after a lost response, an action refused while
//! another runs, read-only refusals, headless requests and graceful shutdown.

mod lease;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use crate::app::action::journal::{Entry, EntryKind, Recorded, Result as R, Stage};
use crate::app::action::{
    Op, Outcome, Phase, PhaseTime, Request, RequestOptions, SmokeReport, Step, SwitchKind,
    Verification,
};
use crate::app::msg::{Cmd, Face, Msg, Signal};
use crate::app::sample;
use crate::app::state::{Modal, State};
use crate::app::update::update;
use crate::config::schema::ConfirmStyle;
use crate::keymap::KeyMode;
use crate::model::{Color, RouterReading, RouterTarget, RouterValue};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn press(s: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Cmd> {
    msgs.into_iter().flat_map(|m| update(s, m)).collect()
}

fn flash(s: &State) -> String {
    s.flash.as_ref().map(|(t, _)| t.clone()).unwrap_or_default()
}

/// The router saying blue, with the values a switch tests.
fn router_blue() -> Msg {
    Msg::Router(RouterReading {
        target: RouterTarget::Color(Color::Blue),
        raw: "fittrack-blue:100,fittrack-green:0".into(),
        resource_version: "43".into(),
        since: None,
        values: vec![
            RouterValue {
                pointer: "/spec/rules/0/backendRefs/0/weight".into(),
                value: json!(100),
            },
            RouterValue {
                pointer: "/spec/rules/0/backendRefs/1/weight".into(),
                value: json!(0),
            },
        ],
        stamp: None,
    })
}

/// A smoke outcome in the shared history (as a pipeline's `cutover smoke` leaves it).
fn smoke_entry(color: Color, version: &str, passed: bool) -> Entry {
    Entry {
        id: format!("smoke-{}-{version}", color.name()),
        at: sample::now() - Duration::minutes(5),
        who: "ci".into(),
        context: "oke-prod".into(),
        router: "httproute fittrack/fittrack".into(),
        kind: EntryKind::Smoke,
        stage: Stage::Outcome,
        result: Some(if passed { R::Succeeded } else { R::Failed }),
        from: Some("blue".into()),
        to: Some(color.name().into()),
        versions: Default::default(),
        phases: vec![],
        gates: vec![],
        reason: None,
        summary: "6/6 checks".into(),
        error: None,
        output: Vec::new(),
        publish_error: None,
        version: Some(version.into()),
    }
}

/// Blue live (3/3, v1.9.3), green standby (3/3, v2.0.0), no smoke result yet.
fn fresh() -> State {
    let mut s = sample::state(3, 0);
    update(&mut s, router_blue());
    s
}

/// Like [`fresh`], with green v2.0.0 smoke-tested and passed.
fn smoked() -> State {
    let mut s = fresh();
    update(
        &mut s,
        Msg::History(vec![smoke_entry(Color::Green, "v2.0.0", true)]),
    );
    s
}

/// A newer router reading saying `target` (the sample's own readings are older).
fn router(target: RouterTarget) -> Msg {
    Msg::Router(RouterReading {
        target,
        raw: "x".into(),
        resource_version: "50".into(),
        since: None,
        values: vec![],
        stamp: None,
    })
}

fn starts(cmds: &[Cmd]) -> Vec<(u64, Op)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Start { id, op } => Some((*id, op.clone())),
            _ => None,
        })
        .collect()
}

fn records(cmds: &[Cmd]) -> Vec<Entry> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Record(e) | Cmd::RecordLocal(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn confirm(s: &State) -> &crate::app::action::confirm::Confirm {
    match &s.modal {
        Some(Modal::Confirm(c)) => c,
        other => panic!("no confirmation open: {other:?}"),
    }
}

#[test]
fn a_switch_with_every_gate_passing_asks_then_starts_the_exact_action_confirmed() {
    let mut s = smoked();
    assert!(press(&mut s, [ch('t')]).is_empty(), "asks first");
    let c = confirm(&s);
    assert_eq!(c.title(), "SWITCH traffic to GREEN?");
    let text = c.lines().join("\n");
    assert!(text.contains("BLUE → GREEN"), "{text}");
    assert!(
        text.contains("✔ ready: GREEN 3/3 ready (BLUE serves with 3)"),
        "{text}"
    );
    assert!(text.contains("✔ smoke: v2.0.0 passed"), "{text}");
    let cmds = press(&mut s, [ch('y')]);
    let started = starts(&cmds);
    let [(_, Op::Switch(plan))] = started.as_slice() else {
        panic!("one switch started: {cmds:?}");
    };
    assert_eq!((plan.kind, plan.to), (SwitchKind::Switch, Color::Green));
    assert_eq!(plan.from, RouterTarget::Color(Color::Blue));
    assert_eq!(plan.expected.len(), 2, "tests the values the user saw");
    assert_eq!(plan.expected[0].value, json!(100));
    assert_eq!(plan.target_version.as_deref(), Some("v2.0.0"));
    assert_eq!(plan.lb_requests, 5, "the sample has an lb_url");
    let attempt = &records(&cmds)[0];
    assert_eq!(attempt.stage, Stage::Attempt);
    assert_eq!(
        attempt.id, plan.switch_id,
        "one id: router annotation, journal, Event"
    );
    assert!(attempt.gates.iter().all(|g| g.ok));
    assert_eq!(s.modal, None);
    assert_eq!(s.key_mode(), KeyMode::Normal);
}

#[test]
fn each_failing_gate_refuses_the_switch_and_says_what_to_do() {
    // No smoke result.
    let mut s = fresh();
    let cmds = press(&mut s, [ch('t')]);
    assert!(starts(&cmds).is_empty());
    let refusal = &records(&cmds)[0];
    assert_eq!(refusal.result, Some(R::Refused));
    assert_eq!(refusal.event_reason(), "SwitchRefused");
    assert!(
        flash(&s).contains("GREEN v2.0.0 not smoke-tested"),
        "{}",
        flash(&s)
    );
    assert!(
        flash(&s).contains("press s to smoke-test GREEN v2.0.0"),
        "{}",
        flash(&s)
    );

    // A smoke result of another version does not count.
    let mut s = fresh();
    update(
        &mut s,
        Msg::History(vec![smoke_entry(Color::Green, "v1.9.9", true)]),
    );
    press(&mut s, [ch('t')]);
    assert!(
        flash(&s).contains("last smoke test was of v1.9.9"),
        "{}",
        flash(&s)
    );

    // A failed one neither.
    let mut s = fresh();
    update(
        &mut s,
        Msg::History(vec![smoke_entry(Color::Green, "v2.0.0", false)]),
    );
    press(&mut s, [ch('t')]);
    assert!(
        flash(&s).contains("smoke of v2.0.0 failed"),
        "{}",
        flash(&s)
    );

    // Not enough ready pods: a 1/3 green cannot take blue's 3/3.
    let mut s = smoked();
    let mut pods: Vec<_> = (0..3).map(|i| sample::pod(Color::Green, i)).collect();
    for p in &mut pods[1..] {
        p.ready = 0;
    }
    update(
        &mut s,
        Msg::Pods {
            color: Color::Green,
            pods,
        },
    );
    let cmds = press(&mut s, [ch('t')]);
    assert!(starts(&cmds).is_empty());
    assert!(
        flash(&s).contains("ready: GREEN 1/3 ready (BLUE serves with 3)"),
        "{}",
        flash(&s)
    );

    // min_ready_ratio lowers the bar.
    s.release.min_ready_ratio = 0.3;
    press(&mut s, [ch('t')]);
    assert_eq!(s.key_mode(), KeyMode::Confirm);

    // require_smoke = false drops the smoke gate.
    let mut s = fresh();
    s.release.require_smoke = false;
    press(&mut s, [ch('t')]);
    assert_eq!(s.key_mode(), KeyMode::Confirm);
    assert!(!confirm(&s).lines().join("\n").contains("smoke"));
}

#[test]
fn the_router_gate_refuses_split_unknown_missing_and_the_live_target() {
    for (target, says) in [
        (
            RouterTarget::Split {
                blue: 90,
                green: 10,
            },
            "SPLIT blue 90 % / green 10 %",
        ),
        (RouterTarget::Unknown("canary".into()), "UNKNOWN (canary)"),
        (RouterTarget::Missing, "MISSING"),
    ] {
        let mut s = smoked();
        update(&mut s, router(target));
        // `t` has no standby to switch to.
        assert!(press(&mut s, [ch('t')]).is_empty());
        assert!(flash(&s).contains(says), "{}", flash(&s));
        // A headless switch is refused by the router gate, exit 2.
        let cmds = update(
            &mut s,
            Msg::Request(Request::Switch { to: Color::Green }, headless(true)),
        );
        let refusal = &records(&cmds)[0];
        assert_eq!(refusal.result, Some(R::Refused));
        assert!(refusal.summary.contains(says), "{}", refusal.summary);
        assert_eq!(exit_after_record(&mut s, &cmds), Some(2));
    }
    let mut s = smoked();
    let cmds = update(
        &mut s,
        Msg::Request(Request::Switch { to: Color::Blue }, headless(true)),
    );
    assert!(records(&cmds)[0].summary.contains("BLUE is already live"));
}

fn headless(yes: bool) -> RequestOptions {
    RequestOptions {
        yes,
        reason: Some("release 2.0".into()),
        headless: true,
    }
}

/// Record every entry as written, and return the exit code a headless face would get.
fn exit_after_record(s: &mut State, cmds: &[Cmd]) -> Option<i32> {
    let mut code = None;
    for e in records(cmds) {
        for c in update(
            s,
            Msg::Recorded(Recorded {
                id: e.id.clone(),
                stage: e.stage,
                local: Ok(()),
                cluster: Ok(()),
            }),
        ) {
            if let Cmd::Face(Face::Exit(c)) = c {
                code = Some(c);
            }
        }
    }
    code
}

#[test]
fn a_typed_confirmation_needs_the_target_color_name() {
    let mut s = smoked();
    s.release.confirm = ConfirmStyle::Typed;
    press(&mut s, [ch('t')]);
    assert_eq!(confirm(&s).expect.as_deref(), Some("green"));
    // `y` is typed, not an answer; Enter with the wrong word keeps the question open.
    assert!(starts(&press(&mut s, [ch('y'), key(KeyCode::Enter)])).is_empty());
    assert_eq!(s.key_mode(), KeyMode::Confirm);
    assert!(flash(&s).contains("type green to confirm"));
    press(&mut s, [key(KeyCode::Backspace)]);
    let typed: Vec<Msg> = "green".chars().map(ch).collect();
    press(&mut s, typed);
    // A reason, after Tab.
    let reason: Vec<Msg> = "hotfix".chars().map(ch).collect();
    press(&mut s, [key(KeyCode::Tab)]);
    press(&mut s, reason);
    let cmds = press(&mut s, [key(KeyCode::Enter)]);
    assert_eq!(starts(&cmds).len(), 1);
    assert_eq!(records(&cmds)[0].reason.as_deref(), Some("hotfix"));
}

#[test]
fn esc_dismisses_without_recording_anything() {
    let mut s = smoked();
    press(&mut s, [ch('t')]);
    assert!(press(&mut s, [key(KeyCode::Esc)]).is_empty());
    assert_eq!(s.modal, None);
    assert!(flash(&s).contains("switch to GREEN cancelled"));
}

/// Start a smoke test of green with `s`; returns its id.
fn start_smoke(s: &mut State) -> u64 {
    let cmds = press(s, [ch('s')]);
    let started = starts(&cmds);
    let [(id, Op::Smoke(plan))] = started.as_slice() else {
        panic!("s starts a smoke test: {cmds:?}");
    };
    assert_eq!(plan.color, Color::Green, "the standby color");
    *id
}

#[test]
fn rollback_pre_empts_a_smoke_test() {
    let mut s = fresh();
    let smoke = start_smoke(&mut s);
    press(&mut s, [ch('r')]);
    assert_eq!(confirm(&s).title(), "ROLL BACK traffic to GREEN?");
    let cmds = press(&mut s, [ch('y')]);
    assert!(cmds.contains(&Cmd::Cancel(smoke)), "{cmds:?}");
    let started = starts(&cmds);
    let [(_, Op::Switch(plan))] = started.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(plan.kind, SwitchKind::Rollback);
    // No smoke gate for a rollback.
    assert!(records(&cmds)[0].gates.iter().all(|g| g.name != "smoke"));
}

#[test]
fn rollback_without_confirmation_when_configured_and_with_the_chord_from_the_filter() {
    let mut s = fresh();
    s.release.rollback_confirm = false;
    press(&mut s, [ch('/'), ch('x')]);
    let chord = Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let cmds = press(&mut s, [chord]);
    assert_eq!(
        starts(&cmds).len(),
        1,
        "the chord alone rolls back: {cmds:?}"
    );
    assert_eq!(s.filter_input, None);
}

#[test]
fn rollback_to_a_color_with_no_ready_pod_says_outage_and_needs_typing() {
    let mut s = fresh();
    update(
        &mut s,
        Msg::Pods {
            color: Color::Green,
            pods: Vec::new(),
        },
    );
    press(&mut s, [ch('r')]);
    let c = confirm(&s);
    let text = c.lines().join("\n");
    assert!(
        text.contains("rollback to GREEN = outage: 0/3 ready"),
        "{text}"
    );
    assert_eq!(c.expect.as_deref(), Some("green"), "typed override");
    assert!(starts(&press(&mut s, [ch('y'), key(KeyCode::Enter)])).is_empty());
    // Headless: refused (exit 2) even with --yes.
    let mut s2 = fresh();
    update(
        &mut s2,
        Msg::Pods {
            color: Color::Green,
            pods: Vec::new(),
        },
    );
    let cmds = update(
        &mut s2,
        Msg::Request(Request::Rollback { to: None }, headless(true)),
    );
    assert!(starts(&cmds).is_empty());
    assert_eq!(exit_after_record(&mut s2, &cmds), Some(2));
}

#[test]
fn rollback_asks_which_color_when_the_router_says_neither() {
    let mut s = fresh();
    update(
        &mut s,
        router(RouterTarget::Split {
            blue: 50,
            green: 50,
        }),
    );
    press(&mut s, [ch('r')]);
    assert_eq!(s.key_mode(), KeyMode::ChooseColor);
    press(&mut s, [ch('b')]);
    assert_eq!(confirm(&s).title(), "ROLL BACK traffic to BLUE?");
    let cmds = press(&mut s, [ch('y')]);
    let started = starts(&cmds);
    let [(_, Op::Switch(plan))] = started.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        plan.from,
        RouterTarget::Split {
            blue: 50,
            green: 50
        }
    );
}

/// Start a switch to green (smoked state) and return its id and switch id.
fn start_switch(s: &mut State) -> (u64, String) {
    press(s, [ch('t')]);
    let cmds = press(s, [ch('y')]);
    match starts(&cmds).as_slice() {
        [(id, Op::Switch(p))] => (*id, p.switch_id.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_action_is_refused_while_a_traffic_action_writes_the_router() {
    let mut s = smoked();
    let (id, _) = start_switch(&mut s);
    // While the patch is in flight, neither a switch nor a rollback may start.
    for k in ['t', 'r'] {
        let cmds = press(&mut s, [ch(k)]);
        assert!(starts(&cmds).is_empty(), "{k}: {cmds:?}");
    }
    assert!(flash(&s).contains("is writing the router"), "{}", flash(&s));
    // Ctrl-C cannot cut the write either.
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(!press(&mut s, [ctrl_c]).contains(&Cmd::Cancel(id)));
    // Once the patch is accepted, a rollback pre-empts the verification.
    update(
        &mut s,
        Msg::ActionStep {
            id,
            step: Step::Phase(PhaseTime {
                phase: Phase::PatchAccepted,
                ms: 20,
            }),
        },
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    press(&mut s, [ch('r')]);
    let cmds = press(&mut s, [ch('y')]);
    assert!(cmds.contains(&Cmd::Cancel(id)), "{cmds:?}");
    assert_eq!(starts(&cmds).len(), 1);
}

#[test]
fn our_own_write_after_a_lost_response_is_a_switch_and_a_conflict_says_who() {
    let mut s = smoked();
    let (id, switch_id) = start_switch(&mut s);
    update(
        &mut s,
        Msg::ActionStep {
            id,
            step: Step::Waiting("API slow: retrying the router patch (attempt 2)".into()),
        },
    );
    let phases = vec![
        PhaseTime {
            phase: Phase::PatchAccepted,
            ms: 2_100,
        },
        PhaseTime {
            phase: Phase::EndpointsReady,
            ms: 2_200,
        },
        PhaseTime {
            phase: Phase::LbVerified,
            ms: 2_410,
        },
    ];
    let cmds = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Switched {
                phases,
                verification: Verification::Verified,
                attempts: 2,
            },
        },
    );
    let outcome = &records(&cmds)[0];
    assert_eq!(
        (outcome.id.as_str(), outcome.result),
        (switch_id.as_str(), Some(R::Succeeded))
    );
    assert_eq!(
        outcome.summary,
        "GREEN live — traffic verified at the LB in 2.41 s (patch 2.10 s, 2 attempts)"
    );
    assert_eq!(outcome.event_reason(), "TrafficSwitched");

    // A conflict names what the router says now and who set it.
    let mut s = smoked();
    let (id, _) = start_switch(&mut s);
    let mut now = match router_blue() {
        Msg::Router(r) => r,
        _ => unreachable!(),
    };
    now.stamp = Some(crate::model::SwitchStamp {
        id: "other".into(),
        by: "bob".into(),
        at: "2026-11-26T10:44:00Z".into(),
    });
    let cmds = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Conflict { now: Some(now) },
        },
    );
    let outcome = &records(&cmds)[0];
    assert_eq!(outcome.result, Some(R::Conflict));
    assert!(
        outcome
            .summary
            .contains("it now says BLUE (set by bob at 2026-11-26T10:44:00Z); nothing was written"),
        "{}",
        outcome.summary
    );
}

#[test]
fn an_unverified_switch_is_loud() {
    let mut s = smoked();
    let (id, _) = start_switch(&mut s);
    let cmds = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Switched {
                phases: vec![PhaseTime {
                    phase: Phase::PatchAccepted,
                    ms: 15,
                }],
                verification: Verification::TimedOut("LB still serves v1.9.3 after 30 s".into()),
                attempts: 1,
            },
        },
    );
    let summary = &records(&cmds)[0].summary;
    assert!(
        summary.contains("NOT VERIFIED: LB still serves v1.9.3 after 30 s"),
        "{summary}"
    );
}

#[test]
fn read_only_refuses_switch_and_rollback_but_runs_built_in_smoke_checks() {
    let mut s = smoked();
    s.session.read_only = true;
    s.smoke_config.command = vec!["pytest".into()];
    for k in ['t', 'r'] {
        let cmds = press(&mut s, [ch(k)]);
        assert!(starts(&cmds).is_empty(), "{k}");
        assert!(flash(&s).contains("read-only"), "{k}: {}", flash(&s));
        // Journaled here, never written to the cluster.
        assert!(
            matches!(cmds.as_slice(), [Cmd::RecordLocal(_)]),
            "{k}: {cmds:?}"
        );
    }
    let cmds = press(&mut s, [ch('s')]);
    let started = starts(&cmds);
    let [(_, Op::Smoke(plan))] = started.as_slice() else {
        panic!("{cmds:?}");
    };
    assert!(!plan.suite, "the suite is an external command");
    assert!(!plan.checks.is_empty() || s.smoke_config.checks.is_empty());
}

#[test]
fn a_smoke_result_gates_the_next_switch_and_a_new_version_invalidates_it() {
    let mut s = fresh();
    let id = start_smoke(&mut s);
    let report = SmokeReport {
        passed: true,
        checks: vec![],
        suite_exit: Some(0),
        suite_error: None,
        ms: 3_200,
    };
    update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Smoke(report),
        },
    );
    let green = s.actions.smoke[Color::Green as usize]
        .clone()
        .expect("result");
    assert!(green.passed);
    assert_eq!(green.version.as_deref(), Some("v2.0.0"));
    press(&mut s, [ch('t')]);
    assert_eq!(s.key_mode(), KeyMode::Confirm);
    press(&mut s, [key(KeyCode::Esc)]);
    // Green rolls to v2.0.1: the result no longer counts.
    let mut d = s
        .color(Color::Green)
        .deployment
        .clone()
        .expect("deployment");
    d.version = "v2.0.1".into();
    update(
        &mut s,
        Msg::Deployment {
            color: Color::Green,
            deployment: Some(d),
        },
    );
    press(&mut s, [ch('t')]);
    assert!(
        flash(&s).contains("last smoke test was of v2.0.0 (now v2.0.1)"),
        "{}",
        flash(&s)
    );
}

#[test]
fn headless_requests_ask_unless_yes_and_end_with_the_exit_code() {
    // --yes: starts at once.
    let mut s = smoked();
    let cmds = update(
        &mut s,
        Msg::Request(Request::Switch { to: Color::Green }, headless(true)),
    );
    let started = starts(&cmds);
    assert_eq!(started.len(), 1);
    assert_eq!(records(&cmds)[0].reason.as_deref(), Some("release 2.0"));
    let (id, _) = started[0].clone();
    let done = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Switched {
                phases: vec![],
                verification: Verification::Verified,
                attempts: 1,
            },
        },
    );
    assert_eq!(exit_after_record(&mut s, &done), Some(0));

    // Without --yes: a question; "n" refuses (exit 1), "y" starts.
    let mut s = smoked();
    let cmds = update(
        &mut s,
        Msg::Request(Request::Switch { to: Color::Green }, headless(false)),
    );
    assert!(matches!(cmds.as_slice(), [Cmd::Face(Face::Ask { expect, .. })] if expect == "y"));
    let no = update(&mut s, Msg::Answer("n\n".into()));
    assert_eq!(exit_after_record(&mut s, &no), Some(1));
    let mut s = smoked();
    update(
        &mut s,
        Msg::Request(Request::Switch { to: Color::Green }, headless(false)),
    );
    assert_eq!(starts(&update(&mut s, Msg::Answer("y\n".into()))).len(), 1);
}

#[test]
fn a_headless_request_waits_for_the_facts_it_needs() {
    let config = sample::config();
    let mut s = State::new(&config, sample::state(0, 0).session.clone(), sample::now());
    let cmds = update(
        &mut s,
        Msg::Request(Request::Smoke { color: None }, headless(true)),
    );
    assert!(cmds.is_empty());
    assert!(s.actions.pending.is_some());
    // Facts arrive: the request goes on by itself.
    let mut cmds = Vec::new();
    for m in [router_blue(), Msg::History(vec![]), Msg::Access(vec![])]
        .into_iter()
        .chain(sample::color_msgs(Color::Blue, 3))
        .chain(sample::color_msgs(Color::Green, 3))
    {
        cmds.extend(update(&mut s, m));
    }
    assert_eq!(starts(&cmds).len(), 1, "{cmds:?}");
    // One that never gets them gives up with exit 1 and says what was missing.
    let mut s = State::new(&config, sample::state(0, 0).session.clone(), sample::now());
    update(
        &mut s,
        Msg::Request(Request::Smoke { color: None }, headless(true)),
    );
    let cmds = update(&mut s, Msg::Tick(sample::now() + Duration::seconds(30)));
    assert!(cmds.contains(&Cmd::Face(Face::Exit(1))), "{cmds:?}");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Face(Face::Warn(w)) if w.contains("the router"))),
        "{cmds:?}"
    );
}

#[test]
fn a_signal_during_a_switch_ends_after_the_outcome_is_recorded() {
    let mut s = smoked();
    let (id, _) = start_switch(&mut s);
    let cmds = update(&mut s, Msg::Signal(Signal::Terminate));
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::Face(Face::Exit(_)))),
        "{cmds:?}"
    );
    assert!(
        !cmds.contains(&Cmd::Cancel(id)),
        "the router write is never cut"
    );
    let done = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Switched {
                phases: vec![],
                verification: Verification::Cancelled,
                attempts: 1,
            },
        },
    );
    assert_eq!(exit_after_record(&mut s, &done), Some(143));
    // With nothing running a signal ends at once, with 128 + the signal.
    let mut idle = fresh();
    assert_eq!(
        update(&mut idle, Msg::Signal(Signal::Hangup)),
        [Cmd::Face(Face::Exit(129))]
    );
}

#[test]
fn a_journal_that_cannot_be_written_is_shown_and_fails_a_headless_command() {
    let mut s = smoked();
    let cmds = update(
        &mut s,
        Msg::Request(Request::Switch { to: Color::Green }, headless(true)),
    );
    let (id, _) = starts(&cmds)[0].clone();
    let done = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Switched {
                phases: vec![],
                verification: Verification::Verified,
                attempts: 1,
            },
        },
    );
    let outcome = records(&done).remove(0);
    let out = update(
        &mut s,
        Msg::Recorded(Recorded {
            id: outcome.id,
            stage: Stage::Outcome,
            local: Err("/x/journal.jsonl: Permission denied".into()),
            cluster: Ok(()),
        }),
    );
    assert!(out.contains(&Cmd::Face(Face::Exit(1))), "{out:?}");
    assert!(s.actions.journal_problem.is_some());
}

mod lifecycle;
mod read_only;
mod stepper;

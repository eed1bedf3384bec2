//! `update()` tests of the release's other steps: deploy (prompt, confirmation, LIVE
//! refused unless typed, a new version resets smoke).

use crossterm::event::KeyCode;

use super::{ch, confirm, exit_after_record, flash, headless, key, press, records, smoked, starts};
use crate::app::action::journal::{EntryKind, Result as R, Stage};
use crate::app::action::lifecycle::{DeployHow, WorkReport};
use crate::app::action::{Op, Outcome, Request};
use crate::app::msg::{Cmd, Face, Msg};
use crate::app::state::State;
use crate::app::update::update;
use crate::keymap::KeyMode;
use crate::model::Color;

fn typed(s: &mut State, text: &str) -> Vec<Cmd> {
    press(s, text.chars().map(ch).collect::<Vec<_>>())
}

/// `p`, the version typed, Enter: the deploy's confirmation is open.
pub(super) fn ask_deploy(s: &mut State, version: &str) {
    assert!(press(s, [ch('p')]).is_empty());
    assert_eq!(s.key_mode(), KeyMode::VersionInput);
    typed(s, version);
    assert!(press(s, [key(KeyCode::Enter)]).is_empty());
    assert_eq!(s.key_mode(), KeyMode::Confirm);
}

/// The deploy's outcome arrives; returns the commands.
pub(super) fn deployed(s: &mut State, id: u64, ok: bool) -> Vec<Cmd> {
    let summary = if ok {
        "GREEN rolled out v2.0.1 (3/3 ready)".to_string()
    } else {
        "deploy of v2.0.1 to GREEN FAILED: ProgressDeadlineExceeded".to_string()
    };
    update(
        s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Work(WorkReport {
                ok,
                summary,
                phases: vec![],
            }),
        },
    )
}

#[test]
fn deploy_asks_a_version_says_what_it_will_do_then_patches_the_standby() {
    let mut s = smoked();
    ask_deploy(&mut s, "v2.0.1");
    let c = confirm(&s);
    assert_eq!(c.expect, None, "the standby: a key answers");
    let text = c.lines().join("\n");
    assert!(text.contains("deploy v2.0.1 to GREEN"), "{text}");
    assert!(text.contains("patch Deployment fittrack"), "{text}");
    assert!(
        text.contains("smoke result and checklist start over"),
        "{text}"
    );
    let cmds = press(&mut s, [ch('y')]);
    let started = starts(&cmds);
    let [(id, Op::Deploy(plan))] = started.as_slice() else {
        panic!("one deploy: {cmds:?}");
    };
    let id = *id;
    assert_eq!(
        (plan.color, plan.version.as_str()),
        (Color::Green, "v2.0.1")
    );
    assert_eq!(plan.namespace, "fittrack-green");
    assert!(matches!(plan.how, DeployHow::Image { .. }));
    let attempt = &records(&cmds)[0];
    assert_eq!(
        (attempt.kind, attempt.stage),
        (EntryKind::Deploy, Stage::Attempt)
    );

    // Done: journaled as Deployed; the prompt then offers the version typed.
    let done = deployed(&mut s, id, true);
    let outcome = &records(&done)[0];
    assert_eq!(outcome.result, Some(R::Succeeded));
    assert_eq!(outcome.event_reason(), "Deployed");
    press(&mut s, [ch('p')]);
    let Some(crate::app::state::Modal::VersionPrompt(p)) = &s.modal else {
        panic!("no prompt");
    };
    assert_eq!(p.input, "v2.0.1", "pre-filled with the last version");
}

#[test]
fn a_failed_deploy_is_journaled_as_deploy_failed_with_the_reason() {
    let mut s = smoked();
    ask_deploy(&mut s, "v2.0.1-pullfail");
    let cmds = press(&mut s, [ch('y')]);
    let (id, _) = starts(&cmds)[0].clone();
    let done = deployed(&mut s, id, false);
    let outcome = &records(&done)[0];
    assert_eq!(outcome.result, Some(R::Failed));
    assert_eq!(outcome.event_reason(), "DeployFailed");
    assert!(outcome
        .error
        .as_deref()
        .unwrap_or("")
        .contains("ProgressDeadlineExceeded"));
    assert!(flash(&s).contains("FAILED"), "{}", flash(&s));
    assert!(
        !starts(&done)
            .iter()
            .any(|(_, op)| matches!(op, Op::Switch(_))),
        "nothing switched"
    );
}

#[test]
fn a_new_standby_version_resets_its_smoke_result() {
    let mut s = smoked();
    assert!(s.actions.smoke[Color::Green as usize].is_some());
    ask_deploy(&mut s, "v2.0.1");
    let (id, _) = starts(&press(&mut s, [ch('y')]))[0].clone();
    let done = deployed(&mut s, id, true);
    exit_after_record(&mut s, &done);
    assert!(
        s.actions.smoke[Color::Green as usize].is_none(),
        "the smoke result was of the version before"
    );
}

#[test]
fn deploy_to_live_is_refused_unless_the_color_is_typed() {
    // Headless with --yes: still asks for typing.
    let mut s = smoked();
    let request = Request::Deploy {
        version: "v2.0.1".into(),
        color: Some(Color::Blue),
    };
    let cmds = update(&mut s, Msg::Request(request.clone(), headless(true)));
    assert!(
        matches!(cmds.as_slice(), [Cmd::Face(Face::Ask { expect, .. })] if expect == "blue"),
        "{cmds:?}"
    );
    let no = update(&mut s, Msg::Answer("y\n".into()));
    assert!(starts(&no).is_empty(), "y is not the color's name");
    assert_eq!(exit_after_record(&mut s, &no), Some(1));

    // In the cockpit: `y` does not answer; typing the color does.
    let mut s = smoked();
    update(
        &mut s,
        Msg::Request(request, crate::app::action::RequestOptions::default()),
    );
    let c = confirm(&s);
    assert_eq!(c.expect.as_deref(), Some("blue"));
    assert!(c.lines().join("\n").contains("BLUE is LIVE"));
    assert!(starts(&press(&mut s, [ch('y'), key(KeyCode::Enter)])).is_empty());
    assert_eq!(s.key_mode(), KeyMode::Confirm);
    press(&mut s, [key(KeyCode::Backspace)]);
    typed(&mut s, "blue");
    let cmds = press(&mut s, [key(KeyCode::Enter)]);
    assert!(matches!(starts(&cmds)[..], [(_, Op::Deploy(ref p))] if p.color == Color::Blue));
}

/// Past the monitoring window (the sample switched to blue 192 s before `now`; 15 minutes).
fn after_window(s: &mut State) {
    update(
        s,
        Msg::Tick(crate::app::sample::now() + chrono::Duration::minutes(15)),
    );
}

#[test]
fn decommission_before_the_window_has_passed_needs_typing() {
    let mut s = smoked();
    press(&mut s, [ch('d')]);
    let c = confirm(&s);
    assert_eq!(c.expect.as_deref(), Some("green"));
    let text = c.lines().join("\n");
    assert!(
        text.contains("left"),
        "says the window is still running: {text}"
    );
    assert!(text.contains("scale GREEN Deployment fittrack"), "{text}");
    assert!(starts(&press(&mut s, [ch('y'), key(KeyCode::Enter)])).is_empty());
    press(&mut s, [key(KeyCode::Backspace)]);
    typed(&mut s, "green");
    let cmds = press(&mut s, [key(KeyCode::Enter)]);
    let started = starts(&cmds);
    let [(_, Op::Decommission(plan))] = started.as_slice() else {
        panic!("one decommission: {cmds:?}");
    };
    assert_eq!((plan.color, plan.replicas_before), (Color::Green, 3));
    assert_eq!(records(&cmds)[0].kind, EntryKind::Decommission);
}

#[test]
fn decommission_after_the_window_asks_a_key_and_headless_yes_starts() {
    let mut s = smoked();
    after_window(&mut s);
    press(&mut s, [ch('d')]);
    assert_eq!(confirm(&s).expect, None);
    assert_eq!(starts(&press(&mut s, [ch('y')])).len(), 1);

    let mut s = smoked();
    after_window(&mut s);
    let cmds = update(
        &mut s,
        Msg::Request(Request::Decommission { color: None }, headless(true)),
    );
    assert!(matches!(starts(&cmds)[..], [(_, Op::Decommission(ref p))] if p.color == Color::Green));
    // Before the window, --yes is not enough: the color must be typed.
    let mut s = smoked();
    let cmds = update(
        &mut s,
        Msg::Request(Request::Decommission { color: None }, headless(true)),
    );
    assert!(
        matches!(cmds.as_slice(), [Cmd::Face(Face::Ask { expect, .. })] if expect == "green"),
        "{cmds:?}"
    );
}

#[test]
fn decommission_of_live_is_refused() {
    let mut s = smoked();
    after_window(&mut s);
    let request = Request::Decommission {
        color: Some(Color::Blue),
    };
    let cmds = update(&mut s, Msg::Request(request, headless(true)));
    assert!(starts(&cmds).is_empty());
    let refusal = &records(&cmds)[0];
    assert_eq!(refusal.kind, EntryKind::Decommission);
    assert_eq!(refusal.result, Some(R::Refused));
    assert!(
        refusal.summary.contains("BLUE is LIVE")
            || refusal.error.iter().any(|e| e.contains("BLUE is LIVE")),
        "{refusal:?}"
    );
    assert_eq!(
        exit_after_record(&mut s, &cmds),
        Some(super::super::exit::GATE)
    );
}

/// GREEN scaled to 0 (as a decommission leaves it).
pub(super) fn green_down(s: &mut State) {
    let mut d = s
        .color(Color::Green)
        .deployment
        .clone()
        .expect("green has a Deployment");
    d.desired = 0;
    d.ready = 0;
    d.available = 0;
    d.updated = 0;
    update(
        s,
        Msg::Deployment {
            color: Color::Green,
            deployment: Some(d),
        },
    );
    update(
        s,
        Msg::Pods {
            color: Color::Green,
            pods: vec![],
        },
    );
}

#[test]
fn rollback_to_a_decommissioned_color_offers_to_scale_it_up_then_rolls_back() {
    let mut s = smoked();
    green_down(&mut s);
    press(&mut s, [ch('r')]);
    let c = confirm(&s);
    let text = c.lines().join("\n");
    assert!(text.contains("outage"), "{text}");
    let cmds = press(&mut s, [ch('y')]);
    let started = starts(&cmds);
    let [(id, Op::ScaleUp(plan))] = started.as_slice() else {
        panic!("a scale-up first: {cmds:?}");
    };
    assert_eq!(
        (plan.color, plan.replicas),
        (Color::Green, 3),
        "as many as BLUE"
    );
    assert!(plan.then.is_some(), "then the rollback");
    let id = *id;
    // Scaled up and ready: the rollback starts by itself.
    let mut d = s.color(Color::Blue).deployment.clone().unwrap();
    d.name = "fittrack".into();
    update(
        &mut s,
        Msg::Deployment {
            color: Color::Green,
            deployment: Some(d),
        },
    );
    let pods = crate::app::sample::state(3, 0)
        .color(Color::Green)
        .pods
        .clone();
    update(
        &mut s,
        Msg::Pods {
            color: Color::Green,
            pods,
        },
    );
    let done = update(
        &mut s,
        Msg::ActionDone {
            id,
            outcome: Outcome::Work(WorkReport {
                ok: true,
                summary: "GREEN scaled to 3 (3/3 ready)".into(),
                phases: vec![],
            }),
        },
    );
    assert!(
        matches!(starts(&done)[..], [(_, Op::Switch(ref p))] if p.to == Color::Green),
        "{done:?}"
    );
    // Headless: refused with what to do.
    let mut s = smoked();
    green_down(&mut s);
    let cmds = update(
        &mut s,
        Msg::Request(Request::Rollback { to: None }, headless(true)),
    );
    assert!(starts(&cmds).is_empty());
    assert!(
        records(&cmds)[0].summary.contains("outage")
            || records(&cmds)[0].error.iter().any(|e| e.contains("outage"))
    );
}

/// [`smoked`] with a checklist: a required manual item, the two built-ins (required).
pub(super) fn with_checklist() -> State {
    use crate::config::schema::{ChecklistItem, ItemKind};
    let item = |name: Option<&str>, kind| ChecklistItem {
        name: name.map(str::to_string),
        kind,
        required: true,
        command: vec![],
        timeout_secs: None,
    };
    let mut s = smoked();
    s.lifecycle_config.checklist = vec![
        item(Some("DB backup taken"), ItemKind::Manual),
        item(None, ItemKind::StandbyReady),
        item(None, ItemKind::SmokePassed),
    ];
    let now = s.now;
    update(&mut s, Msg::Tick(now));
    s
}

fn item_state(s: &State, i: usize) -> crate::app::action::standing::ItemState {
    s.standing.checklist.as_ref().expect("a checklist").items[i].state
}

#[test]
fn required_checklist_items_gate_the_switch_until_ticked() {
    use crate::app::action::standing::ItemState;
    let mut s = with_checklist();
    assert_eq!(item_state(&s, 0), ItemState::Open);
    assert_eq!(item_state(&s, 1), ItemState::Pass, "GREEN 3/3 ready");
    assert_eq!(item_state(&s, 2), ItemState::Pass, "v2.0.0 passed smoke");
    let cmds = press(&mut s, [ch('t')]);
    assert!(starts(&cmds).is_empty());
    let refusal = &records(&cmds)[0];
    assert_eq!(refusal.result, Some(R::Refused));
    let gate = refusal
        .gates
        .iter()
        .find(|g| g.name == "checklist")
        .expect("gate");
    assert!(
        !gate.ok && gate.detail.contains("DB backup taken"),
        "{gate:?}"
    );

    // `c`, space on the first item: ticked, by whom and when, journaled and shared.
    press(&mut s, [ch('c')]);
    assert_eq!(s.key_mode(), KeyMode::Checklist);
    let cmds = press(&mut s, [ch(' ')]);
    let [Cmd::Record(tick)] = cmds.as_slice() else {
        panic!("one journal entry: {cmds:?}");
    };
    assert_eq!(tick.kind, EntryKind::ChecklistTick);
    assert_eq!(tick.version.as_deref(), Some("v2.0.0"));
    assert_eq!(item_state(&s, 0), ItemState::Pass);
    let detail = &s.standing.checklist.as_ref().unwrap().items[0].detail;
    assert!(
        detail.starts_with("ticked by ") && detail.contains("10:45:00"),
        "{detail}"
    );
    press(&mut s, [key(KeyCode::Esc)]);

    // The switch's confirmation lists the required items; it starts.
    press(&mut s, [ch('t')]);
    let text = confirm(&s).lines().join("\n");
    assert!(text.contains("required checklist items"), "{text}");
    assert!(text.contains("DB backup taken"), "{text}");
    assert_eq!(starts(&press(&mut s, [ch('y')])).len(), 1);
}

#[test]
fn a_tick_in_the_shared_history_counts_and_a_new_version_resets_the_checklist() {
    use crate::app::action::standing::ItemState;
    let mut s = with_checklist();
    press(&mut s, [ch('c')]);
    let cmds = press(&mut s, [ch(' ')]);
    let mut tick = records(&cmds)[0].clone();
    press(&mut s, [key(KeyCode::Esc)]);

    // Another cockpit sees the tick through the history.
    let mut other = with_checklist();
    tick.who = "alice".into();
    update(&mut other, Msg::History(vec![tick]));
    assert_eq!(item_state(&other, 0), ItemState::Pass);
    let detail = &other.standing.checklist.as_ref().unwrap().items[0].detail;
    assert!(detail.contains("alice"), "{detail}");

    // A deploy of a new version to GREEN: the ticks and smoke were of the version before.
    ask_deploy(&mut s, "v2.0.1");
    let (id, _) = starts(&press(&mut s, [ch('y')]))[0].clone();
    let done = deployed(&mut s, id, true);
    exit_after_record(&mut s, &done);
    assert_eq!(
        item_state(&s, 0),
        ItemState::Open,
        "the tick was for v2.0.0"
    );
}

#[test]
fn built_in_items_are_checked_by_cutover_not_ticked() {
    let mut s = with_checklist();
    press(&mut s, [ch('c'), ch('j')]);
    assert!(press(&mut s, [ch(' ')]).is_empty());
    assert!(flash(&s).contains("checked by cutover"), "{}", flash(&s));
}

#[test]
fn the_post_mortem_key_writes_the_history_and_says_where() {
    let mut s = smoked();
    let cmds = press(&mut s, [ch('M')]);
    let [Cmd::Postmortem(pm)] = cmds.as_slice() else {
        panic!("one post-mortem: {cmds:?}");
    };
    assert!(
        pm.entries.iter().any(|e| e.kind == EntryKind::Smoke),
        "the history's entries: {pm:?}"
    );
    update(
        &mut s,
        Msg::PostmortemWritten(Ok("/state/cutover/postmortem-x.md".into())),
    );
    assert_eq!(
        flash(&s),
        "post-mortem written to /state/cutover/postmortem-x.md"
    );
    update(&mut s, Msg::PostmortemWritten(Err("disk full".into())));
    assert!(flash(&s).contains("NOT written: disk full"));
}

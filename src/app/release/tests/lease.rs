//! `update()` tests of the driver lease: a switch while someone else drives is refused
//! naming them (headless) or taken over by typing; a rollback is never blocked and says
//! who drove; renewal while driving; a takeover told to the previous driver at once.

use chrono::Duration;
use crossterm::event::KeyCode;

use super::{ch, confirm, exit_after_record, flash, headless, key, press, records, smoked, starts};
use crate::app::action::{Op, Request};
use crate::app::msg::{Cmd, Msg};
use crate::app::peers::{LeaseEvent, LeaseView, LeaseWrite};
use crate::app::release::exit;
use crate::app::release::lease::{self, Standing};
use crate::app::sample;
use crate::app::state::State;
use crate::model::Color;

/// `smoked()` as bob on host `desk`.
fn bob() -> State {
    let mut s = smoked();
    s.session.user = Some("bob".into());
    s.peers.host = "desk".into();
    s
}

/// A lease held by `holder`, acquired 10 min ago, renewed `ago` seconds ago.
fn held(holder: &str, ago: i64, rv: &str) -> Msg {
    let now = sample::now();
    Msg::Lease(LeaseEvent::Read(Some(LeaseView {
        holder: holder.into(),
        acquired: Some(now - Duration::minutes(10)),
        renewed: Some(now - Duration::seconds(ago)),
        duration_secs: 30,
        resource_version: rv.into(),
    })))
}

fn driver_gate(e: &crate::app::action::journal::Entry) -> Option<String> {
    e.gates
        .iter()
        .find(|g| g.name == "driver")
        .map(|g| g.detail.clone())
}

#[test]
fn a_headless_switch_while_someone_else_drives_is_refused_naming_the_holder() {
    let mut s = bob();
    press(&mut s, [held("alice@laptop", 3, "7")]);
    assert!(matches!(lease::standing(&s), Standing::Held(_)));
    let cmds = press(
        &mut s,
        [Msg::Request(
            Request::Switch { to: Color::Green },
            headless(true),
        )],
    );
    assert!(starts(&cmds).is_empty(), "nothing starts: {cmds:?}");
    let since = &s.zone.hms(sample::now() - Duration::minutes(10))[..5];
    let refusal = &records(&cmds)[0];
    assert_eq!(
        refusal.error.as_deref().unwrap_or_default(),
        format!(
            "alice@laptop is driving since {since} (renewed 3s ago); take over from a cockpit (typed confirmation)"
        )
    );
    assert_eq!(exit_after_record(&mut s, &cmds), Some(exit::ERROR));
}

#[test]
fn a_cockpit_takes_over_by_typing_and_the_claim_tests_the_lease_it_saw() {
    let mut s = bob();
    press(&mut s, [held("alice@laptop", 3, "7")]);
    press(&mut s, [ch('t')]);
    let c = confirm(&s);
    assert_eq!(c.expect.as_deref(), Some("takeover"));
    assert!(c
        .lines()
        .join("\n")
        .contains("alice@laptop is driving since"));
    // `y` does not take over.
    assert!(starts(&press(&mut s, [ch('y'), key(KeyCode::Enter)])).is_empty());
    press(&mut s, [key(KeyCode::Backspace)]);
    press(&mut s, "takeover".chars().map(ch));
    let cmds = press(&mut s, [key(KeyCode::Enter)]);
    let started = starts(&cmds);
    let [(_, Op::Switch(plan))] = started.as_slice() else {
        panic!("the switch starts: {cmds:?}");
    };
    let claim = plan.lease.clone().expect("the lease is claimed first");
    assert_eq!(claim.holder, "bob@desk");
    assert_eq!(
        claim.expected.as_deref(),
        Some("7"),
        "precondition: alice's"
    );
    let attempt = &records(&cmds)[0];
    let gate = driver_gate(attempt).expect("the takeover is journaled");
    assert!(gate.contains("alice@laptop is driving"), "{gate}");
    assert!(gate.contains("taken over"), "{gate}");
}

#[test]
fn a_rollback_is_never_blocked_by_the_lease_and_says_who_drove() {
    let mut s = bob();
    press(&mut s, [held("alice@laptop", 3, "7")]);
    let cmds = press(
        &mut s,
        [Msg::Request(Request::Rollback { to: None }, headless(true))],
    );
    let started = starts(&cmds);
    let [(_, Op::Switch(plan))] = started.as_slice() else {
        panic!("the rollback starts: {cmds:?}");
    };
    assert_eq!(plan.to, Color::Green);
    assert_eq!(plan.lease, None, "a rollback does not take the lease");
    let gate = driver_gate(&records(&cmds)[0]).expect("journaled");
    assert!(gate.contains("alice@laptop is driving"), "{gate}");
}

#[test]
fn a_free_or_expired_lease_is_claimed_and_our_own_is_not_claimed_again() {
    let mut s = bob();
    // None read: created.
    assert_eq!(lease::claim(&s).unwrap().expected, None);
    // Expired (renewed 31 s ago, lasts 30 s): replaced at its resourceVersion.
    press(&mut s, [held("alice@laptop", 31, "8")]);
    assert_eq!(lease::standing(&s), Standing::Free);
    assert!(!s.is_driver());
    let cmds = press(
        &mut s,
        [Msg::Request(
            Request::Switch { to: Color::Green },
            headless(true),
        )],
    );
    let started = starts(&cmds);
    let [(_, Op::Switch(plan))] = started.as_slice() else {
        panic!("the switch starts: {cmds:?}");
    };
    assert_eq!(plan.lease.as_ref().unwrap().expected.as_deref(), Some("8"));
    assert_eq!(driver_gate(&records(&cmds)[0]), None);
    // Ours and fresh: nothing to claim.
    press(&mut s, [held("bob@desk", 2, "9")]);
    assert!(s.is_driver());
    assert_eq!(lease::claim(&s), None);
}

#[test]
fn the_driver_renews_every_few_seconds_with_the_version_it_holds() {
    let mut s = bob();
    press(&mut s, [held("bob@desk", 2, "9")]);
    assert!(press(&mut s, [Msg::Tick(sample::now() + Duration::seconds(1))]).is_empty());
    let cmds = press(&mut s, [Msg::Tick(sample::now() + Duration::seconds(8))]);
    let renewals: Vec<&LeaseWrite> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Lease(w) => Some(w),
            _ => None,
        })
        .collect();
    let [LeaseWrite::Claim(c)] = renewals.as_slice() else {
        panic!("one renewal: {cmds:?}");
    };
    assert_eq!(c.expected.as_deref(), Some("9"));
    assert_eq!(c.acquired, Some(sample::now() - Duration::minutes(10)));
    // One at a time.
    assert!(
        press(&mut s, [Msg::Tick(sample::now() + Duration::seconds(9))])
            .iter()
            .all(|c| !matches!(c, Cmd::Lease(_)))
    );
    // Quitting releases it.
    assert_eq!(
        lease::release(&s),
        Some(LeaseWrite::Release {
            expected: "9".into()
        })
    );
}

#[test]
fn the_driver_is_told_at_once_when_someone_takes_over() {
    let mut s = bob();
    press(&mut s, [held("bob@desk", 2, "9")]);
    press(&mut s, [held("alice@laptop", 0, "10")]);
    assert_eq!(flash(&s), "alice@laptop took over driving from you");
    assert!(!s.is_driver());
    assert_eq!(lease::release(&s), None, "not ours to release");
}

/// Deploying and decommissioning are driving too: while alice drives, a pipeline's
/// `cutover deploy` / `cutover decommission` is refused naming her, and nothing starts.
#[test]
fn headless_deploy_and_decommission_while_someone_else_drives_are_refused() {
    let mut s = bob();
    press(&mut s, [held("alice@laptop", 3, "7")]);
    for request in [
        Request::Deploy {
            version: "v2.0.1".into(),
            color: None,
        },
        Request::Decommission {
            color: Some(Color::Green),
        },
    ] {
        let cmds = press(&mut s, [Msg::Request(request.clone(), headless(true))]);
        assert!(starts(&cmds).is_empty(), "{request:?}: {cmds:?}");
        let refusal = &records(&cmds)[0];
        assert!(
            refusal.summary.contains("alice@laptop is driving"),
            "{request:?}: {}",
            refusal.summary
        );
        assert_eq!(exit_after_record(&mut s, &cmds), Some(exit::ERROR));
    }
}

/// In the cockpit a deploy while alice drives is a typed takeover; the plan takes the lease
/// at the version read, and the journal says who drove.
#[test]
fn a_deploy_while_someone_else_drives_is_a_typed_takeover_that_claims_the_lease() {
    let mut s = bob();
    press(&mut s, [held("alice@laptop", 3, "7")]);
    press(
        &mut s,
        [Msg::Request(
            Request::Deploy {
                version: "v2.0.1".into(),
                color: None,
            },
            crate::app::action::RequestOptions::default(),
        )],
    );
    assert_eq!(confirm(&s).expect.as_deref(), Some(lease::TAKEOVER));
    assert!(starts(&press(&mut s, [ch('y'), key(KeyCode::Enter)])).is_empty());
    press(&mut s, [key(KeyCode::Backspace)]);
    for c in lease::TAKEOVER.chars() {
        press(&mut s, [ch(c)]);
    }
    let cmds = press(&mut s, [key(KeyCode::Enter)]);
    let started = starts(&cmds);
    let [(_, Op::Deploy(plan))] = started.as_slice() else {
        panic!("the deploy starts after the takeover: {cmds:?}");
    };
    let claim = plan.lease.as_ref().expect("the deploy takes the lease");
    assert_eq!(claim.expected.as_deref(), Some("7"));
    assert!(driver_gate(&records(&cmds)[0]).is_some_and(|g| g.contains("alice@laptop")));
}

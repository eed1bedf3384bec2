//! Permissions: a traffic action whose permission is missing is disabled with the
//! permission, refused without being attempted, and an identity that only reads writes
//! nothing — not even its refusals, not even its presence.

use crate::app::access::{Answer, Need};
use crate::app::action::{Request, RequestOptions};
use crate::app::msg::{Cmd, Msg};
use crate::app::sample;
use crate::app::update::update;
use crate::keymap::Intent;
use crate::model::Color;

/// Every permission answered, allowed where `allowed` says.
fn answers(allowed: impl Fn(Need) -> bool) -> Msg {
    Msg::Access(
        Need::ALL
            .into_iter()
            .map(|need| Answer {
                need,
                words: format!("{need:?}"),
                allowed: allowed(need),
            })
            .collect(),
    )
}

#[test]
fn a_missing_permission_disables_traffic_actions_and_they_are_never_attempted() {
    let mut s = sample::state(3, 0);
    update(&mut s, answers(|need| need == Need::CreateEvents));
    let why = s.unavailable(Intent::Switch).expect("disabled");
    assert_eq!(why, "missing permission: PatchRouter");
    assert_eq!(s.unavailable(Intent::Rollback), Some(why.clone()));
    for request in [
        Request::Switch { to: Color::Green },
        Request::Rollback { to: None },
    ] {
        let options = RequestOptions {
            yes: true,
            headless: true,
            ..RequestOptions::default()
        };
        let cmds = update(&mut s, Msg::Request(request, options));
        assert!(
            !cmds
                .iter()
                .any(|c| matches!(c, Cmd::Start { .. } | Cmd::Lease(_))),
            "{cmds:?}"
        );
        // Some write is allowed (Events): the refusal is published.
        assert!(
            cmds.iter()
                .any(|c| matches!(c, Cmd::Record(e) if e.error.as_deref() == Some(why.as_str()))),
            "{cmds:?}"
        );
    }
}

#[test]
fn an_identity_that_only_reads_writes_nothing() {
    let mut s = sample::state(3, 0);
    s.peers.announce = true;
    update(&mut s, answers(|_| false));
    assert!(s.writes_nothing());
    let mut cmds = update(
        &mut s,
        Msg::Request(
            Request::Switch { to: Color::Green },
            RequestOptions::default(),
        ),
    );
    cmds.extend(update(&mut s, Msg::Tick(sample::now())));
    assert!(
        cmds.iter()
            .all(|c| matches!(c, Cmd::RecordLocal(_) | Cmd::Face(_))),
        "{cmds:?}"
    );
    assert_eq!(
        s.peers.hidden.as_deref(),
        Some("missing permission: CreateLeases")
    );
}

#[test]
fn every_permission_allowed_changes_nothing() {
    let mut s = sample::state(3, 0);
    update(&mut s, answers(|_| true));
    assert_eq!(s.unavailable(Intent::Switch), None);
    assert!(!s.writes_nothing());
}

/// A configuration that arms automatic rollback does not make a viewer's cockpit say it is
/// armed: without the router permission nothing would roll back.
#[test]
fn auto_rollback_is_not_armed_without_the_router_permission() {
    let mut s = sample::state(3, 0);
    s.signals.armed = true;
    update(&mut s, answers(|_| true));
    assert!(s.auto_rollback_armed());
    update(&mut s, answers(|need| need != Need::PatchRouter));
    assert!(!s.auto_rollback_armed());
}

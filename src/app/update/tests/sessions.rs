//! Presence: announced once by the cockpit, not in a read-only session; who is here, the
//! driver first; expired sessions drop out and abandoned ones are deleted once.

use chrono::Duration;

use crate::app::msg::{Cmd, Msg};
use crate::app::peers::{LeaseEvent, LeaseView, LeaseWrite, SessionView};
use crate::app::sample;
use crate::app::state::State;
use crate::app::update::update;

fn session(name: &str, holder: &str, ago: i64) -> SessionView {
    SessionView {
        name: name.into(),
        holder: holder.into(),
        renewed: Some(sample::now() - Duration::seconds(ago)),
        duration_secs: 30,
        resource_version: format!("{ago}"),
    }
}

fn alice() -> State {
    let mut s = sample::state(1, 0);
    s.session.user = Some("alice".into());
    s.peers.host = "laptop".into();
    s
}

fn ticks(s: &mut State, n: i64) -> Vec<Cmd> {
    (1..=n)
        .flat_map(|i| update(s, Msg::Tick(sample::now() + Duration::milliseconds(i))))
        .collect()
}

#[test]
fn the_cockpit_announces_itself_once_and_a_read_only_one_not_at_all() {
    let mut s = alice();
    assert!(
        ticks(&mut s, 2).is_empty(),
        "headless faces do not announce"
    );
    s.peers.announce = true;
    let cmds = ticks(&mut s, 3);
    assert_eq!(
        cmds,
        vec![Cmd::Lease(LeaseWrite::Announce {
            holder: "alice@laptop".into()
        })]
    );
    let mut ro = alice();
    ro.session.read_only = true;
    ro.peers.announce = true;
    assert!(ticks(&mut ro, 2).is_empty());
    assert!(ro.peers.hidden.is_some());
}

#[test]
fn who_is_here_lists_the_driver_first_and_drops_expired_sessions() {
    let mut s = alice();
    update(
        &mut s,
        Msg::Lease(LeaseEvent::Sessions(vec![
            session("a", "alice@laptop", 2),
            session("b", "bob@desk", 5),
            session("b2", "bob@desk", 1),
            session("c", "carol@old", 31),
        ])),
    );
    assert_eq!(s.present(), vec!["alice", "bob"]);
    update(
        &mut s,
        Msg::Lease(LeaseEvent::Read(Some(LeaseView {
            holder: "bob@desk".into(),
            acquired: Some(sample::now()),
            renewed: Some(sample::now()),
            duration_secs: 30,
            resource_version: "3".into(),
        }))),
    );
    assert_eq!(s.present(), vec!["bob (driving)", "alice"]);
}

#[test]
fn abandoned_sessions_are_deleted_once_at_the_version_read() {
    let mut s = alice();
    let list = vec![
        session("a", "alice@laptop", 2),
        session("gone", "dan@x", 91),
    ];
    let cmds = update(&mut s, Msg::Lease(LeaseEvent::Sessions(list.clone())));
    assert_eq!(
        cmds,
        vec![Cmd::Lease(LeaseWrite::Forget {
            name: "gone".into(),
            expected: "91".into()
        })]
    );
    assert!(update(&mut s, Msg::Lease(LeaseEvent::Sessions(list))).is_empty());
}

#[test]
fn a_cockpit_that_cannot_write_its_session_says_so_once() {
    let mut s = alice();
    update(
        &mut s,
        Msg::Lease(LeaseEvent::Hidden("403 Forbidden: leases".into())),
    );
    assert_eq!(s.peers.hidden.as_deref(), Some("403 Forbidden: leases"));
    assert!(s.timeline.items().iter().any(|i| matches!(i,
        crate::app::timeline::TimelineItem::Notice { text, .. }
            if text == "not shown to other cockpits: 403 Forbidden: leases")));
}

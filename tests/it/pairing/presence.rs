//! Presence: two announced cockpits see each other (the driver marked), a viewer who may
//! not write Leases is not listed and is told why, a quit cockpit's session is deleted.

use cutover::app::action::Request;
use cutover::model::Color;

use super::rig::{pair, Cockpit};

#[tokio::test]
async fn cockpits_see_who_is_here_and_who_drives() {
    let (sim, config, mut alice, mut bob) = pair().await;
    let mut viewer = Cockpit::start(&sim, &config, "viewer", "kiosk").await;
    for c in [&mut alice, &mut bob, &mut viewer] {
        c.state.peers.announce = true;
    }
    viewer
        .until("the viewer told it is not listed", |s| {
            s.peers.hidden.is_some()
        })
        .await;
    assert!(viewer.told("not shown to other cockpits"));
    bob.until("bob sees himself", |s| s.present().contains(&"bob".into()))
        .await;
    alice
        .until("alice sees both", |s| s.present() == ["alice", "bob"])
        .await;
    assert_eq!(alice.act(Request::Switch { to: Color::Green }).await, 0);
    bob.until("bob sees alice driving", |s| {
        s.present() == ["alice (driving)", "bob"]
    })
    .await;
    // bob quits: his session is deleted and alice stops listing him.
    bob.quit().await;
    alice
        .until("bob gone", |s| s.present() == ["alice (driving)"])
        .await;
}

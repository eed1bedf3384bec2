//! The driver lease between two cockpits: alice's switch takes it; bob sees her driving,
//! his switch is refused naming her, his typed takeover works and alice is told; alice's
//! rollback goes through while bob drives, journaled, and bob is told; quitting releases it.

use cutover::app::action::{Request, RequestOptions};
use cutover::app::msg::Msg;
use cutover::app::state::Modal;
use cutover::model::{Color, RouterTarget};

use super::rig::pair;

fn holder(s: &cutover::app::state::State) -> String {
    s.peers
        .lease
        .as_ref()
        .map(|l| l.holder.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn two_cockpits_share_one_driver_lease() {
    let (_sim, _config, mut alice, mut bob) = pair().await;

    // alice's switch takes the lease first.
    assert_eq!(alice.act(Request::Switch { to: Color::Green }).await, 0);
    assert!(alice.state.is_driver());
    bob.until("alice driving and her switch", |s| {
        holder(s) == "alice@laptop"
            && s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Color(Color::Green))
    })
    .await;
    assert!(!bob.state.is_driver());
    assert!(bob.told("alice@laptop is driving since"));

    // bob's headless switch is refused, naming her; nothing was written.
    assert_eq!(bob.act(Request::Switch { to: Color::Blue }).await, 1);
    let refused = bob.last_entry();
    let why = refused.error.unwrap_or_default();
    assert!(why.starts_with("alice@laptop is driving since"), "{why}");
    assert_eq!(
        bob.state.router.as_ref().map(|r| r.target.clone()),
        Some(RouterTarget::Color(Color::Green))
    );

    // bob takes over in his cockpit by typing.
    bob.dispatch(Msg::Tick(chrono::Utc::now()));
    bob.dispatch(Msg::Request(
        Request::Switch { to: Color::Blue },
        RequestOptions::default(),
    ));
    assert!(
        matches!(&bob.state.modal, Some(Modal::Confirm(c)) if c.expect.as_deref() == Some("takeover"))
    );
    bob.dispatch(Msg::Answer("takeover".into()));
    bob.until("bob's takeover switch done", |s| {
        s.is_driver()
            && s.actions.running.is_empty()
            && s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Color(Color::Blue))
    })
    .await;
    let taken = bob.last_entry();
    assert!(
        taken
            .gates
            .iter()
            .any(|g| g.name == "driver" && g.detail.contains("taken over")),
        "{taken:?}"
    );
    alice
        .until("alice told of the takeover and bob's switch", |s| {
            holder(s) == "bob@desk"
                && s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Color(Color::Blue))
        })
        .await;
    assert!(alice.told("traffic switched to BLUE by bob"));
    assert!(alice.told("bob@desk took over driving from you"));
    assert!(!alice.state.is_driver());

    // alice's rollback goes through while bob drives; journaled; bob is told.
    assert_eq!(alice.act(Request::Rollback { to: None }).await, 0);
    let rolled = alice.last_entry();
    assert!(
        rolled
            .gates
            .iter()
            .any(|g| g.name == "driver" && g.detail.contains("bob@desk is driving")),
        "{rolled:?}"
    );
    bob.until("bob told of alice's rollback", |s| {
        s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Color(Color::Green))
    })
    .await;
    assert!(bob.told("traffic switched to GREEN by alice"));
    assert_eq!(
        holder(&bob.state),
        "bob@desk",
        "a rollback leaves the lease"
    );

    // bob quits: the lease is released and alice sees nobody driving.
    bob.release_lease();
    alice
        .until("the lease released", |s| holder(s).is_empty())
        .await;
    assert!(alice.told("bob@desk stopped driving"));
}

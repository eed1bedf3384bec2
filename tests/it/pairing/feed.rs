//! The live feed: a router change made outside cutover, and another cockpit's switch, show
//! in the cockpit as soon as the watch delivers them, attributed.

use cutover::app::action::Request;
use cutover::model::{Color, RouterTarget};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use super::rig::{pair, Cockpit};
use crate::traffic::rig;

#[tokio::test]
async fn a_router_patch_made_outside_cutover_is_told_as_such() {
    let sim = rig::sim("fittrack-single-ns", false);
    let config = rig::config(&sim, "fittrack-single-ns");
    let mut alice = Cockpit::start(&sim, &config, "alice", "laptop").await;
    // Another client (as kubectl would) points the router's Service elsewhere.
    let client = sim.client("sim-bob").await;
    let r = &config.router;
    let api: Api<k8s_openapi::api::core::v1::Service> = Api::namespaced(client, &r.namespace);
    let patch = json!({"spec": {"selector": {"deployment": "canary"}}});
    api.patch(&r.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .expect("the outside patch");
    alice
        .until("the outside change", |s| {
            s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Unknown("canary".into()))
        })
        .await;
    assert!(
        alice
            .flash()
            .starts_with("router changed outside cutover: BLUE → UNKNOWN"),
        "{}",
        alice.flash()
    );
    assert!(alice.told("router changed outside cutover"));
}

#[tokio::test]
async fn each_cockpit_sees_the_others_switch_and_its_outcome() {
    let (_sim, _config, mut alice, mut bob) = pair().await;
    assert_eq!(bob.act(Request::Switch { to: Color::Green }).await, 0);
    alice
        .until("bob's switch in the timeline", |s| {
            s.router.as_ref().map(|r| &r.target) == Some(&RouterTarget::Color(Color::Green))
        })
        .await;
    assert!(
        alice.told("traffic switched to GREEN by bob (was BLUE)"),
        "{:?}",
        alice.state.timeline.items()
    );
    alice
        .until("bob's outcome from the shared history", |s| {
            s.flash
                .as_ref()
                .is_some_and(|(t, _)| t.ends_with("— by bob"))
        })
        .await;
    // bob's own switch is not news to bob.
    assert!(!bob.told("by bob"), "{:?}", bob.state.timeline.items());
}

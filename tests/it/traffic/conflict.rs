//! A router changed by someone else between the plan (what the user saw) and the patch:
//! the compare-and-swap refuses, nothing is written, the user learns what the router says
//! now and who set it, the headless command exits 3, and the refusal is journaled.

use cutover::app::action::{Outcome, Request};
use cutover::app::release::exit;
use cutover::cluster::switch_patch::switch_ops;
use cutover::model::{Color, RouterTarget, SwitchStamp};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

use super::rig::{self, Rig};

/// Patches the router as another client would (not through cutover's executor).
async fn meddle(rig: &Rig, ops: serde_json::Value) {
    let r = &rig.config.router;
    let ar = cutover::cluster::router::api_resource(r.kind);
    let api: Api<DynamicObject> = Api::namespaced_with(rig.client.clone(), &r.namespace, &ar);
    let patch: json_patch::Patch = serde_json::from_value(ops).unwrap();
    api.patch(&r.name, &PatchParams::default(), &Patch::Json::<()>(patch))
        .await
        .expect("the other client's patch");
}

/// Runs the held action and checks the conflict: exit 3, the router exactly as the other
/// client left it, the reading it holds now; returns the journaled outcome's summary.
async fn assert_conflict(
    rig: &mut Rig,
    held: Vec<cutover::app::msg::Cmd>,
) -> (RouterTarget, String) {
    let before = rig.router_object().await;
    rig.release(held);
    let run = rig.run_to_exit().await;
    assert_eq!(run.code, exit::CONFLICT, "{run:?}");
    let now = match run.outcome {
        Some(Outcome::Conflict { now: Some(now) }) => now,
        other => panic!("not a conflict: {other:?}"),
    };
    // Only what a switch writes is compared: the gateway controller may update the status.
    let after = rig.router_object().await;
    for part in ["/spec", "/metadata/annotations", "/metadata/generation"] {
        assert_eq!(
            after.pointer(part),
            before.pointer(part),
            "the router was written: {part}"
        );
    }
    let entry = rig.journal_lines().pop().expect("journal written");
    assert_eq!(entry["result"], "conflict", "{entry}");
    assert_eq!(entry["stage"], "outcome", "{entry}");
    let summary = entry["summary"].as_str().unwrap_or_default().to_string();
    assert!(summary.contains("nothing was written"), "{summary}");
    (now.target, summary)
}

#[tokio::test]
async fn httproute_switched_by_another_engineer_meanwhile() {
    let sim = rig::sim("fittrack", false);
    let config = rig::config(&sim, "fittrack");
    let mut rig = Rig::start(sim, config).await;
    let held = rig.request_held(Request::Switch { to: Color::Green });
    // alice's cutover switches first: same target, her switch id.
    let alice = SwitchStamp {
        id: "20250101T000000.000Z-alice-1".into(),
        by: "alice".into(),
        at: "2025-01-01T00:00:00.000Z".into(),
    };
    let seen = rig.router().await;
    let ops = switch_ops(&rig.config, Color::Green, &seen.values, &alice).unwrap();
    meddle(&rig, serde_json::Value::Array(ops)).await;
    let (now, summary) = assert_conflict(&mut rig, held).await;
    assert_eq!(now, RouterTarget::Color(Color::Green));
    assert!(summary.contains("set by alice"), "{summary}");
}

#[tokio::test]
async fn service_selector_changed_outside_cutover_meanwhile() {
    let sim = rig::sim("fittrack-single-ns", false);
    let config = rig::config(&sim, "fittrack-single-ns");
    let mut rig = Rig::start(sim, config).await;
    let held = rig.request_held(Request::Rollback { to: None });
    meddle(
        &rig,
        json!([{"op": "replace", "path": "/spec/selector/deployment", "value": "canary"}]),
    )
    .await;
    let (now, summary) = assert_conflict(&mut rig, held).await;
    assert_eq!(now, RouterTarget::Unknown("canary".into()));
    assert!(summary.contains("changed outside cutover"), "{summary}");
}

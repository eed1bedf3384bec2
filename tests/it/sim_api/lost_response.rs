//! The `fail_after_write` fault: the write is stored and watched, the client gets an error
//! (a lost response) — and what kube-rs's default retry of 504 makes of it.

use super::api_err;
use crate::support;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::Api;
use serde_json::json;
use std::time::Duration;

async fn configmaps(sim: &kube_sim::SimHandle, retry: bool) -> Api<ConfigMap> {
    let mut config = sim.config("sim").await.unwrap();
    config.default_retry = retry;
    let client = kube::Client::try_from(config).unwrap();
    Api::namespaced(client, "default")
}

fn cm(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"v": "1"}})).unwrap()
}

#[tokio::test]
async fn the_write_happens_the_answer_is_lost() {
    let sim = support::empty_sim();
    let api = configmaps(&sim, false).await;
    let made = api.create(&PostParams::default(), &cm("c")).await.unwrap();
    let rv = made.metadata.resource_version.unwrap();
    let mut events = api
        .watch(&WatchParams::default().timeout(10), &rv)
        .await
        .unwrap()
        .boxed();
    // A refused write does not use the fault up.
    support::fault(
        &sim,
        json!({"fail_after_write": {"count": 1, "status": 504}}),
    )
    .await;
    assert_eq!(
        api_err(api.create(&PostParams::default(), &cm("c")).await),
        (409, "AlreadyExists".into())
    );
    let patch = Patch::Merge(json!({"data": {"v": "2"}}));
    assert_eq!(
        api_err(api.patch("c", &PatchParams::default(), &patch).await),
        (504, "Timeout".into())
    );
    assert_eq!(
        api.get("c").await.unwrap().data.unwrap()["v"],
        "2",
        "the patch was stored"
    );
    let seen = tokio::time::timeout(Duration::from_secs(5), events.try_next())
        .await
        .expect("a watch event in time")
        .unwrap();
    match seen {
        Some(WatchEvent::Modified(o)) => assert_eq!(o.data.unwrap()["v"], "2"),
        other => panic!("expected MODIFIED, got {other:?}"),
    }
    // One failure only: the next write is answered normally.
    let again = Patch::Merge(json!({"data": {"v": "3"}}));
    api.patch("c", &PatchParams::default(), &again)
        .await
        .unwrap();
}

#[tokio::test]
async fn kube_rs_default_retry_repeats_a_lost_write() {
    let sim = support::empty_sim();
    let api = configmaps(&sim, true).await;
    api.create(&PostParams::default(), &cm("c")).await.unwrap();
    support::fault(
        &sim,
        json!({"fail_after_write": {"count": 1, "status": 504}}),
    )
    .await;
    // kube-rs retries 504 by default: the client sees success, the server saw two patches.
    let patch = Patch::Merge(json!({"data": {"v": "2"}}));
    api.patch("c", &PatchParams::default(), &patch)
        .await
        .unwrap();
    let log = support::requests(&sim).await;
    let patches: Vec<u64> = log
        .iter()
        .filter(|r| r["method"] == "PATCH")
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(patches, [504, 200]);
    // A compare-and-swap JSON patch is not idempotent: its retry fails its own `test`,
    // although the first attempt was applied.
    support::fault(
        &sim,
        json!({"fail_after_write": {"count": 1, "status": 504}}),
    )
    .await;
    let cas: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/data/v", "value": "2"},
        {"op": "replace", "path": "/data/v", "value": "3"}]))
    .unwrap();
    assert_eq!(
        api_err(
            api.patch("c", &PatchParams::default(), &Patch::Json::<()>(cas))
                .await
        ),
        (422, "Invalid".into())
    );
    assert_eq!(api.get("c").await.unwrap().data.unwrap()["v"], "3");
}

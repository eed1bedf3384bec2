//! Create/get/replace/patch/delete semantics, Leases, Events across groups, HTTPRoutes, scale.

use super::{api_err, namespace};
use crate::support;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Event as CoreEvent};
use k8s_openapi::api::events::v1::Event as V1Event;
use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
    PostParams,
};
use kube::Api;
use serde_json::json;

fn cm(name: &str, data: serde_json::Value) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": data})).unwrap()
}

#[tokio::test]
async fn create_get_conflict_already_exists_not_found() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "t");
    let made = api
        .create(&PostParams::default(), &cm("a", json!({"k": "1"})))
        .await
        .unwrap();
    let rv1 = made.metadata.resource_version.clone().unwrap();
    assert!(made.metadata.uid.is_some() && made.metadata.creation_timestamp.is_some());
    assert_eq!(
        api_err(
            api.create(&PostParams::default(), &cm("a", json!({})))
                .await
        ),
        (409, "AlreadyExists".into())
    );
    assert!(api.get_opt("missing").await.unwrap().is_none());
    assert_eq!(api_err(api.get("missing").await), (404, "NotFound".into()));

    let mut next = made.clone();
    next.data = Some([("k".to_string(), "2".to_string())].into());
    let replaced = api
        .replace("a", &PostParams::default(), &next)
        .await
        .unwrap();
    assert_ne!(
        replaced.metadata.resource_version.as_deref(),
        Some(rv1.as_str())
    );
    // `next` still carries rv1: a stale update.
    assert_eq!(
        api_err(api.replace("a", &PostParams::default(), &next).await),
        (409, "Conflict".into())
    );
    assert_eq!(api.get("a").await.unwrap().data.unwrap()["k"], "2");

    let list = api.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert!(!list
        .metadata
        .resource_version
        .unwrap_or_default()
        .is_empty());
    api.delete("a", &DeleteParams::default()).await.unwrap();
    assert!(api.get_opt("a").await.unwrap().is_none());
    assert_eq!(
        api_err(api.delete("a", &DeleteParams::default()).await),
        (404, "NotFound".into())
    );
    // Creating into a namespace that does not exist is NotFound, like the real API.
    let nowhere: Api<ConfigMap> = Api::namespaced(client, "nowhere");
    assert_eq!(
        api_err(
            nowhere
                .create(&PostParams::default(), &cm("a", json!({})))
                .await
        )
        .0,
        404
    );
}

#[tokio::test]
async fn merge_strategic_and_json_patches() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<Deployment> = Api::namespaced(client, "t");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                {"name": "app", "image": "web:1", "env": [{"name": "A", "value": "1"}]},
                {"name": "side", "image": "side:1"}]}}}}))
    .unwrap();
    api.create(&PostParams::default(), &d).await.unwrap();
    let pp = PatchParams::default();

    let merged = api
        .patch(
            "web",
            &pp,
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "fe"}}})),
        )
        .await
        .unwrap();
    let labels = merged.metadata.labels.unwrap();
    assert_eq!(
        (labels["app"].as_str(), labels["tier"].as_str()),
        ("web", "fe")
    );

    let strategic = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "web:2"}]}}}});
    let s = api
        .patch("web", &pp, &Patch::Strategic(strategic))
        .await
        .unwrap();
    let containers = s.spec.template.spec.unwrap().containers;
    assert_eq!(
        containers.len(),
        2,
        "strategic merge keeps the other container"
    );
    assert_eq!(containers[0].image.as_deref(), Some("web:2"));
    assert_eq!(containers[0].env.as_ref().unwrap().len(), 1);
    assert_eq!(containers[1].image.as_deref(), Some("side:1"));
    assert_eq!(
        s.metadata.generation,
        Some(2),
        "the label merge left the spec alone"
    );

    let ok: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/spec/template/spec/containers/0/image", "value": "web:2"},
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "web:3"}]))
    .unwrap();
    let j = api
        .patch("web", &pp, &Patch::Json::<()>(ok.clone()))
        .await
        .unwrap();
    assert_eq!(
        j.spec.template.spec.unwrap().containers[0].image.as_deref(),
        Some("web:3")
    );
    // The same compare-and-swap again: its test sees web:3 and fails with 422 Invalid.
    assert_eq!(
        api_err(api.patch("web", &pp, &Patch::Json::<()>(ok)).await),
        (422, "Invalid".into())
    );
    let after = api.get("web").await.unwrap();
    assert_eq!(
        after.spec.template.spec.unwrap().containers[0]
            .image
            .as_deref(),
        Some("web:3")
    );

    let applied = api.patch("web", &PatchParams::apply("test"), &Patch::Apply(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "annotations": {"a": "b"}}}))).await.unwrap();
    assert_eq!(applied.metadata.annotations.unwrap()["a"], "b");
}

#[tokio::test]
async fn scale_subresource_and_status_is_separate() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    namespace(&client, "t").await;
    let api: Api<Deployment> = Api::namespaced(client, "t");
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "web"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "web:1"}]}}},
        "status": {"replicas": 42}})).unwrap();
    let made = api.create(&PostParams::default(), &d).await.unwrap();
    assert_ne!(
        made.status.and_then(|s| s.replicas),
        Some(42),
        "status is not client-writable through the main resource"
    );
    let scale = api.get_scale("web").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(0));
    let scaled = api
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .unwrap();
    assert_eq!(scaled.spec.unwrap().replicas, Some(2));
    assert_eq!(api.get("web").await.unwrap().spec.replicas, Some(2));
    let bad = api
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": -1}})),
        )
        .await;
    assert_eq!(api_err(bad).1, "Invalid");
}

#[tokio::test]
async fn lease_create_renew_conflict() {
    let sim = support::empty_sim();
    let alice = Api::<Lease>::namespaced(sim.client("sim-alice").await, "default");
    let bob = Api::<Lease>::namespaced(sim.client("sim-bob").await, "default");
    let lease: Lease = serde_json::from_value(json!({"metadata": {"name": "cutover-driver"},
        "spec": {"holderIdentity": "alice", "leaseDurationSeconds": 15}}))
    .unwrap();
    let held = alice.create(&PostParams::default(), &lease).await.unwrap();
    assert_eq!(
        api_err(bob.create(&PostParams::default(), &lease).await).1,
        "AlreadyExists"
    );
    let mut renew = held.clone();
    renew.spec.as_mut().unwrap().renew_time = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(jiff::Timestamp::now()),
    );
    let renewed = alice
        .replace("cutover-driver", &PostParams::default(), &renew)
        .await
        .unwrap();
    // Bob read the lease before alice's renewal: his takeover is a stale update.
    let mut takeover = held.clone();
    takeover.spec.as_mut().unwrap().holder_identity = Some("bob".into());
    assert_eq!(
        api_err(
            bob.replace("cutover-driver", &PostParams::default(), &takeover)
                .await
        ),
        (409, "Conflict".into())
    );
    assert_eq!(
        alice
            .get("cutover-driver")
            .await
            .unwrap()
            .spec
            .unwrap()
            .holder_identity
            .as_deref(),
        Some("alice")
    );
    assert!(renewed.spec.unwrap().renew_time.is_some());
}

#[tokio::test]
async fn events_written_in_one_group_read_in_the_other() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    let v1: Api<V1Event> = Api::namespaced(client.clone(), "default");
    let core: Api<CoreEvent> = Api::namespaced(client, "default");
    let ev: V1Event = serde_json::from_value(json!({"metadata": {"name": "switch-1"},
        "eventTime": "2026-01-01T00:00:00.000000Z", "reason": "Switch", "note": "blue -> green",
        "action": "Switch", "reportingController": "cutover", "reportingInstance": "cutover-alice", "type": "Normal",
        "regarding": {"kind": "HTTPRoute", "name": "fittrack", "namespace": "default"}})).unwrap();
    v1.create(&PostParams::default(), &ev).await.unwrap();
    let seen = core.get("switch-1").await.unwrap();
    assert_eq!(seen.message.as_deref(), Some("blue -> green"));
    assert_eq!(seen.involved_object.name.as_deref(), Some("fittrack"));
    let c: CoreEvent = serde_json::from_value(json!({"metadata": {"name": "core-1"}, "reason": "Scaled",
        "message": "scaled to 3", "involvedObject": {"kind": "Deployment", "name": "web"}, "type": "Normal"})).unwrap();
    core.create(&PostParams::default(), &c).await.unwrap();
    let back = v1.get("core-1").await.unwrap();
    assert_eq!(back.note.as_deref(), Some("scaled to 3"));
    assert_eq!(
        v1.list(&ListParams::default()).await.unwrap().items.len(),
        2
    );
}

#[tokio::test]
async fn httproute_stored_and_patched() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "HTTPRoute");
    let ar = ApiResource::from_gvk(&gvk);
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &ar);
    let route: DynamicObject =
        serde_json::from_value(json!({"apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute", "metadata": {"name": "fittrack"}, "spec": {"rules": [{"backendRefs": [
            {"name": "fittrack-blue", "port": 8000, "weight": 100},
            {"name": "fittrack-green", "port": 8000, "weight": 0}]}]}}))
        .unwrap();
    api.create(&PostParams::default(), &route).await.unwrap();
    let switch: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/spec/rules/0/backendRefs/0/weight", "value": 100},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 0},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 100},
        {"op": "add", "path": "/metadata/annotations", "value": {"cutover.io/switch-id": "s1"}}]))
    .unwrap();
    let patched = api
        .patch(
            "fittrack",
            &PatchParams::default(),
            &Patch::Json::<()>(switch),
        )
        .await
        .unwrap();
    assert_eq!(
        patched.data["spec"]["rules"][0]["backendRefs"][1]["weight"],
        100
    );
    assert_eq!(
        patched.types.unwrap().api_version,
        "gateway.networking.k8s.io/v1"
    );
    let got = api.get("fittrack").await.unwrap();
    assert_eq!(got.data["spec"]["rules"][0]["backendRefs"][0]["weight"], 0);
    assert_eq!(
        got.metadata.annotations.unwrap()["cutover.io/switch-id"],
        "s1"
    );
}

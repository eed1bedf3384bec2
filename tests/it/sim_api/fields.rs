//! Field selectors: the labels a real server supports per kind work; any other label is
//! `400 BadRequest` "field label not supported: LABEL" (lists, watches, kubectl).

use super::api_err;
use crate::support;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Pod};
use k8s_openapi::api::events::v1::Event as EventV1;
use kube::api::{ListParams, PostParams};
use kube::Api;
use serde_json::json;
use std::time::Duration;

/// The Status message of a kube-rs API error.
fn message<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> String {
    match r {
        Err(kube::Error::Api(s)) => s.message,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn unsupported_field_labels_are_bad_requests() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let bad = ListParams::default().fields("spec.foo=bar");
    assert_eq!(api_err(cms.list(&bad).await), (400, "BadRequest".into()));
    assert_eq!(
        message(cms.list(&bad).await),
        "field label not supported: spec.foo"
    );
    // A pod label is not a ConfigMap label; an events.k8s.io label not a core one.
    let pod_label = ListParams::default().fields("status.phase=Running");
    assert_eq!(api_err(cms.list(&pod_label).await).0, 400);
    let core_events: Api<Event> = Api::namespaced(client.clone(), "default");
    let regarding = ListParams::default().fields("regarding.name=x");
    assert_eq!(api_err(core_events.list(&regarding).await).0, 400);
    // Watches are checked the same way, before the stream starts.
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=spec.foo%3Dbar",
        sim.api_url
    );
    let resp = support::http_client(&sim)
        .get(url)
        .bearer_auth(support::token(&sim, "admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let status: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(status["message"], "field label not supported: spec.foo");
    // Supported labels keep working.
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "a"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    let by_name = cms
        .list(&ListParams::default().fields("metadata.name=a,metadata.namespace=default"))
        .await
        .unwrap();
    assert_eq!(by_name.items.len(), 1);
}

#[tokio::test]
async fn per_kind_labels_select_pods_and_events() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p"},
        "spec": {"containers": [{"name": "app", "image": "fittrack/api:v1"}]}}))
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    let running = ListParams::default().fields("status.phase=Running,spec.nodeName=sim-node-1");
    support::eventually("the pod runs", Duration::from_secs(20), || async {
        (pods.list(&running).await.ok()?.items.len() == 1).then_some(())
    })
    .await;
    let pending = ListParams::default().fields("status.phase=Pending");
    assert!(pods.list(&pending).await.unwrap().items.is_empty());
    // The kubelet's events about the pod, found by the core and the events.k8s.io labels.
    let core: Api<Event> = Api::namespaced(client.clone(), "default");
    let about_p = ListParams::default().fields("involvedObject.name=p,involvedObject.kind=Pod");
    support::eventually("events about the pod", Duration::from_secs(20), || async {
        (!core.list(&about_p).await.ok()?.items.is_empty()).then_some(())
    })
    .await;
    let v1: Api<EventV1> = Api::namespaced(client, "default");
    let regarding = ListParams::default().fields("regarding.name=p");
    assert!(!v1.list(&regarding).await.unwrap().items.is_empty());
    let other = ListParams::default().fields("regarding.name=nobody");
    assert!(v1.list(&other).await.unwrap().items.is_empty());
}

#[test]
fn kubectl_reports_unsupported_field_labels() {
    if !support::have_kubectl("kubectl_reports_unsupported_field_labels") {
        return;
    }
    let sim = support::empty_sim();
    let out = support::kubectl(
        &sim,
        "sim",
        &["get", "pods", "--field-selector", "spec.foo=bar"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("field label not supported: spec.foo"),
        "{stderr}"
    );
    let ok = support::kubectl(
        &sim,
        "sim",
        &["get", "pods", "--field-selector", "status.phase=Running"],
    );
    support::ok_stdout(&ok);
}

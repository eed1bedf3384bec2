//! Unit tests for the conversions, on pods built from JSON like the API returns them.

use super::*;
use serde_json::json;

fn pod(status: serde_json::Value) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": "fittrack-7c9d-abcde", "namespace": "fittrack-blue",
                     "creationTimestamp": "2026-01-02T10:00:00Z"},
        "spec": {"containers": [{"name": "api", "image": "fittrack/api:v1.9.3"}]},
        "status": status,
    }))
    .expect("valid pod")
}

fn waiting(reason: &str, restarts: i32) -> serde_json::Value {
    json!({"phase": "Running", "containerStatuses": [{
        "name": "api", "image": "fittrack/api:v1.9.3", "imageID": "", "ready": false,
        "restartCount": restarts, "state": {"waiting": {"reason": reason}},
        "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                     "finishedAt": "2026-01-02T10:42:01Z"}}}]})
}

#[test]
fn running_pod_is_running_and_ready() {
    let p = pod(
        json!({"phase": "Running", "podIP": "10.0.0.7", "containerStatuses": [{
        "name": "api", "image": "fittrack/api:v1.9.3", "imageID": "", "ready": true,
        "restartCount": 0, "state": {"running": {"startedAt": "2026-01-02T10:00:01Z"}}}]}),
    );
    let v = pod_summary(&p);
    assert_eq!(v.status, "Running");
    assert_eq!((v.ready, v.containers_total, v.restarts), (1, 1, 0));
    assert_eq!(v.last_exit_code, None);
    assert_eq!(v.ip.as_deref(), Some("10.0.0.7"));
    assert_eq!(v.created.unwrap().to_rfc3339(), "2026-01-02T10:00:00+00:00");
    assert_eq!(v.containers[0].state, "running");
}

#[test]
fn waiting_reasons_show_like_kubectl() {
    for reason in ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"] {
        let v = pod_summary(&pod(waiting(reason, 4)));
        assert_eq!(v.status, reason);
        assert_eq!(v.restarts, 4);
        assert_eq!(v.last_exit_code, Some(137));
        assert_eq!(v.containers[0].state, format!("waiting: {reason}"));
        assert_eq!(
            v.containers[0].last_termination.as_deref(),
            Some("OOMKilled, exit 137 at 10:42:01 UTC")
        );
    }
}

#[test]
fn terminated_containers_show_reason_or_exit_code() {
    let term = |t: serde_json::Value| {
        pod(json!({"phase": "Running", "containerStatuses": [{
            "name": "api", "image": "x", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": t}}]}))
    };
    assert_eq!(
        pod_status(&term(json!({"exitCode": 137, "reason": "OOMKilled"}))),
        "OOMKilled"
    );
    assert_eq!(
        pod_status(&term(json!({"exitCode": 0, "reason": "Completed"}))),
        "Completed"
    );
    assert_eq!(pod_status(&term(json!({"exitCode": 3}))), "ExitCode:3");
    assert_eq!(
        pod_status(&term(json!({"exitCode": 1, "signal": 9}))),
        "Signal:9"
    );
    assert_eq!(
        pod_summary(&term(json!({"exitCode": 3}))).last_exit_code,
        Some(3)
    );
}

#[test]
fn init_containers_and_deletion() {
    let mut p = pod(json!({"phase": "Pending", "initContainerStatuses": [{
        "name": "migrate", "image": "x", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"running": {}}}]}));
    p.spec.as_mut().unwrap().init_containers = Some(vec![Default::default()]);
    assert_eq!(pod_status(&p), "Init:0/1");
    p.status
        .as_mut()
        .unwrap()
        .init_container_statuses
        .as_mut()
        .unwrap()[0]
        .state =
        Some(serde_json::from_value(json!({"waiting": {"reason": "CrashLoopBackOff"}})).unwrap());
    assert_eq!(pod_status(&p), "Init:CrashLoopBackOff");
    p.metadata.deletion_timestamp = p.metadata.creation_timestamp.clone();
    assert_eq!(pod_status(&p), "Terminating");
    assert!(pod_summary(&p).terminating);
}

#[test]
fn pending_pod_without_statuses() {
    let v = pod_summary(&pod(json!({"phase": "Pending"})));
    assert_eq!(v.status, "Pending");
    assert_eq!((v.ready, v.containers_total), (0, 1));
    assert_eq!(v.containers[0].state, "waiting");
}

#[test]
fn hostile_strings_are_cleaned() {
    let mut p = pod(json!({"phase": "Running", "reason": "Evil\u{1b}[2J\u{202e}"}));
    p.metadata.name = Some("x\u{7}y".into());
    let v = pod_summary(&p);
    assert_eq!(v.name, "xy");
    assert!(!v.status.contains('\u{1b}') && !v.status.contains('\u{202e}'));
}

#[test]
fn deployment_version_and_counts() {
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "fittrack"},
        "spec": {"replicas": 3, "selector": {}, "template": {"spec": {"containers": [
            {"name": "api", "image": "registry:5000/fittrack/api:v2.0.0"}]}}},
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2,
                   "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}]}
    }))
    .unwrap();
    let v = deployment_summary(&d);
    assert_eq!(v.version, "v2.0.0");
    assert_eq!((v.desired, v.ready, v.updated, v.available), (3, 2, 3, 2));
    assert_eq!(v.conditions[0].2, "MinimumReplicasUnavailable");
}

#[test]
fn image_tags() {
    assert_eq!(image_tag("fittrack/api:v1.9.3"), "v1.9.3");
    assert_eq!(image_tag("reg:5000/api"), "latest");
    assert_eq!(image_tag("api:v2@sha256:abc"), "v2");
}

#[test]
fn events_convert_with_best_time() {
    let e: Event = serde_json::from_value(json!({
        "metadata": {"name": "e1", "namespace": "fittrack-blue", "uid": "u1"},
        "involvedObject": {"kind": "Pod", "name": "fittrack-abc"},
        "reason": "BackOff", "message": "Back-off restarting failed container",
        "type": "Warning", "count": 5,
        "firstTimestamp": "2026-01-02T10:00:00Z", "lastTimestamp": "2026-01-02T10:05:00Z"
    }))
    .unwrap();
    let k = kube_event(&e);
    assert_eq!(k.object, "Pod/fittrack-abc");
    assert_eq!(k.kind, EventKind::Warning);
    assert_eq!(k.count, 5);
    assert_eq!(k.time.to_rfc3339(), "2026-01-02T10:05:00+00:00");
}

#[test]
fn endpoints_count_ready_and_total() {
    let s: EndpointSlice = serde_json::from_value(json!({
        "metadata": {"name": "s"}, "addressType": "IPv4", "endpoints": [
            {"addresses": ["10.0.0.1"], "conditions": {"ready": true}},
            {"addresses": ["10.0.0.2"], "conditions": {"ready": false}},
            {"addresses": ["10.0.0.3"]}]
    }))
    .unwrap();
    assert_eq!(endpoint_counts([&s, &s]), (4, 6));
}

/// The detail shows what the kubelet says, not only its one-word reason: waiting and
/// termination messages, condition messages, labels and annotations — all cleaned, long
/// annotation values cut.
#[test]
fn messages_labels_and_annotations_are_kept_clean() {
    let mut p = pod(json!({"phase": "Pending",
        "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                        "message": "0/3 nodes are available: 3 Insufficient memory."}],
        "containerStatuses": [{
            "name": "api", "image": "fittrack/api:v9", "imageID": "", "ready": false,
            "restartCount": 2,
            "state": {"waiting": {"reason": "ImagePullBackOff",
                                  "message": "Back-off pulling image \"fittrack/api:v9\"\u{1b}[2J"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                         "message": "panic: db unreachable"}}}]}));
    p.metadata.labels = Some([("app".to_string(), "fittrack\u{202e}".to_string())].into());
    p.metadata.annotations = Some(
        [(
            "kubectl.kubernetes.io/last-applied-configuration".to_string(),
            "x".repeat(100_000),
        )]
        .into(),
    );
    let v = pod_summary(&p);
    assert_eq!(
        v.conditions[0].2,
        "Unschedulable: 0/3 nodes are available: 3 Insufficient memory."
    );
    let c = &v.containers[0];
    assert_eq!(
        c.message.as_deref(),
        Some("Back-off pulling image \"fittrack/api:v9\"")
    );
    assert_eq!(
        c.last_termination.as_deref(),
        Some("Error, exit 1: panic: db unreachable")
    );
    assert_eq!(v.labels, [("app".to_string(), "fittrack".to_string())]);
    let (key, value) = &v.annotations[0];
    assert_eq!(key, "kubectl.kubernetes.io/last-applied-configuration");
    assert!(
        value.chars().count() <= 200 && value.ends_with('…'),
        "{}",
        value.len()
    );
}

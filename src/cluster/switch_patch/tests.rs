//! Unit tests for the switch patch: per router kind, escaping, a missing annotations map,
//! and what a refusal means. Patches are applied the way the API server applies them
//! (the simulator's JSON patch, which follows evanphx/json-patch).

use super::*;
use crate::cluster::router::read;
use crate::config::demo_config;
use kube_sim::patch::{apply, PatchKind};
use serde_json::json;

/// The `fittrack` demo router: HTTPRoute fittrack/fittrack, colors in their namespaces.
fn httproute() -> Config {
    demo_config("fittrack", None)
}

/// The `fittrack-single-ns` demo router (Service fittrack-lb) switching selector `key`.
fn selector(key: &str) -> Config {
    let mut c = demo_config("fittrack-single-ns", None);
    c.router.selector_key = Some(key.into());
    c
}

/// `fittrack-single-ns` routed by an Ingress to the colors' Services.
fn ingress() -> Config {
    let mut c = demo_config("fittrack-single-ns", None);
    c.router.kind = RouterKind::IngressBackend;
    c.router.name = "fittrack-ingress".into();
    c.colors.blue.route_value = "fittrack-blue".into();
    c.colors.green.route_value = "fittrack-green".into();
    c
}

fn stamp() -> SwitchStamp {
    SwitchStamp {
        id: "20250101T000000.000Z-alice-1".into(),
        by: "alice".into(),
        at: "2025-01-01T00:00:00.000Z".into(),
    }
}

fn route(annotations: Option<Value>) -> Value {
    let mut obj = json!({"metadata": {"name": "fittrack", "resourceVersion": "7"},
        "spec": {"rules": [{"backendRefs": [
            {"name": "fittrack-blue", "namespace": "fittrack-blue", "port": 8000, "weight": 100},
            {"name": "fittrack-green", "namespace": "fittrack-green", "port": 8000, "weight": 0}]}]}});
    if let Some(a) = annotations {
        obj["metadata"]["annotations"] = a;
    }
    obj
}

/// Read `obj` with `cfg`, patch it to `to`, and apply the patch like the API server.
fn switched(cfg: &Config, obj: &Value, to: Color) -> Result<Value, String> {
    let reading = read(cfg, Some(obj));
    let ops = switch_ops(cfg, to, &reading.values, &stamp()).map_err(|e| e.to_string())?;
    apply(PatchKind::Json, obj, &Value::Array(ops)).map_err(|e| e.to_string())
}

#[test]
fn httproute_without_annotations_tests_their_absence_and_adds_the_map() {
    let cfg = httproute();
    let obj = route(None);
    let ops = switch_ops(&cfg, Color::Green, &read(&cfg, Some(&obj)).values, &stamp()).unwrap();
    let refs = obj["spec"]["rules"][0]["backendRefs"].clone();
    assert_eq!(
        Value::Array(ops),
        json!([
            {"op": "test", "path": "/spec/rules/0/backendRefs", "value": refs},
            {"op": "test", "path": "/metadata/annotations", "value": null},
            {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 0},
            {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 100},
            {"op": "add", "path": "/metadata/annotations", "value": {
                "cutover.dev/switch-id": "20250101T000000.000Z-alice-1",
                "cutover.dev/switched-by": "alice",
                "cutover.dev/switched-at": "2025-01-01T00:00:00.000Z"}},
        ])
    );
    let out = switched(&cfg, &obj, Color::Green).unwrap();
    let now = read(&cfg, Some(&out));
    assert_eq!(now.target, crate::model::RouterTarget::Color(Color::Green));
    assert_eq!(now.stamp.unwrap().id, stamp().id);
}

#[test]
fn existing_annotations_get_escaped_keys_and_keep_the_others() {
    let cfg = httproute();
    let obj = route(Some(json!({"owner": "team-a"})));
    let ops = switch_ops(&cfg, Color::Green, &read(&cfg, Some(&obj)).values, &stamp()).unwrap();
    let paths: Vec<&str> = ops.iter().filter_map(|o| o["path"].as_str()).collect();
    assert!(paths.contains(&"/metadata/annotations/cutover.dev~1switch-id"));
    assert!(paths.contains(&"/metadata/annotations/cutover.dev~1switched-by"));
    assert!(paths.contains(&"/metadata/annotations/cutover.dev~1switched-at"));
    assert!(!paths.contains(&"/metadata/annotations"), "{paths:?}");
    let out = switched(&cfg, &obj, Color::Green).unwrap();
    assert_eq!(out["metadata"]["annotations"]["owner"], "team-a");
    assert_eq!(
        out["metadata"]["annotations"]["cutover.dev/switched-by"],
        "alice"
    );
}

#[test]
fn annotations_added_meanwhile_make_the_patch_fail_instead_of_replacing_them() {
    let cfg = httproute();
    let seen = route(None);
    let values = read(&cfg, Some(&seen)).values;
    let ops = switch_ops(&cfg, Color::Green, &values, &stamp()).unwrap();
    let now = route(Some(
        json!({"kubectl.kubernetes.io/last-applied-configuration": "{}"}),
    ));
    assert!(apply(PatchKind::Json, &now, &Value::Array(ops)).is_err());
}

#[test]
fn a_changed_router_makes_the_patch_fail() {
    let cfg = httproute();
    let values = read(&cfg, Some(&route(None))).values;
    let ops = Value::Array(switch_ops(&cfg, Color::Green, &values, &stamp()).unwrap());
    let mut half = route(None);
    half["spec"]["rules"][0]["backendRefs"][1]["weight"] = json!(10);
    assert!(apply(PatchKind::Json, &half, &ops).is_err());
    // A third backend added meanwhile would survive per-weight tests: the list is tested.
    let mut more = route(None);
    more["spec"]["rules"][0]["backendRefs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "canary", "port": 8000, "weight": 50}));
    assert!(apply(PatchKind::Json, &more, &ops).is_err());
}

#[test]
fn httproute_absent_weights_are_added_and_strays_get_zero() {
    let cfg = httproute();
    let obj = json!({"metadata": {"annotations": {}}, "spec": {"rules": [{"backendRefs": [
        {"name": "fittrack-blue", "namespace": "fittrack-blue"},
        {"name": "canary", "weight": 5},
        {"name": "fittrack-green", "namespace": "fittrack-green"}]}]}});
    let out = switched(&cfg, &obj, Color::Green).unwrap();
    let refs = &out["spec"]["rules"][0]["backendRefs"];
    assert_eq!(
        (&refs[0]["weight"], &refs[1]["weight"], &refs[2]["weight"]),
        (&json!(0), &json!(0), &json!(100))
    );
}

#[test]
fn httproute_without_a_ref_for_the_target_is_not_patched() {
    let cfg = httproute();
    let mut obj = route(None);
    obj["spec"]["rules"][0]["backendRefs"]
        .as_array_mut()
        .unwrap()
        .pop();
    let err = switched(&cfg, &obj, Color::Green).unwrap_err();
    assert!(err.contains("no backendRef for GREEN"), "{err}");
    assert!(err.contains("fittrack-green/fittrack-green"), "{err}");
}

#[test]
fn service_selector_tests_and_replaces_the_escaped_key() {
    let cfg = selector("color/x~y");
    let obj = json!({"metadata": {"annotations": {"a": "b"}},
                     "spec": {"selector": {"app": "fittrack", "color/x~y": "blue"}}});
    let ops = switch_ops(&cfg, Color::Green, &read(&cfg, Some(&obj)).values, &stamp()).unwrap();
    assert_eq!(
        ops[..2],
        [
            json!({"op": "test", "path": "/spec/selector/color~1x~0y", "value": "blue"}),
            json!({"op": "replace", "path": "/spec/selector/color~1x~0y", "value": "green"}),
        ]
    );
    let out = switched(&cfg, &obj, Color::Green).unwrap();
    assert_eq!(out["spec"]["selector"]["color/x~y"], "green");
    assert_eq!(out["spec"]["selector"]["app"], "fittrack");
}

#[test]
fn service_selector_without_the_key_adds_it() {
    let cfg = selector("deployment");
    let obj =
        json!({"metadata": {"name": "fittrack-lb"}, "spec": {"selector": {"app": "fittrack"}}});
    let out = switched(&cfg, &obj, Color::Blue).unwrap();
    assert_eq!(out["spec"]["selector"]["deployment"], "blue");
    assert_eq!(
        out["metadata"]["annotations"]["cutover.dev/switched-by"],
        "alice"
    );
}

#[test]
fn ingress_rewrites_every_paths_backend() {
    let cfg = ingress();
    let path = |p: &str, svc: &str| {
        json!({"path": p, "pathType": "Prefix",
               "backend": {"service": {"name": svc, "port": {"number": 8000}}}})
    };
    let obj = json!({"metadata": {"name": "fittrack-ingress"}, "spec": {"rules": [{"http": {"paths": [
        path("/", "fittrack-lb"), path("/api", "fittrack-blue")]}}]}});
    let ops = switch_ops(&cfg, Color::Green, &read(&cfg, Some(&obj)).values, &stamp()).unwrap();
    assert_eq!(ops[0]["op"], "test");
    assert_eq!(ops[0]["path"], "/spec/rules/0/http/paths");
    assert_eq!(
        ops[3],
        json!({"op": "replace", "path": "/spec/rules/0/http/paths/1/backend/service/name",
               "value": "fittrack-green"})
    );
    let out = switched(&cfg, &obj, Color::Green).unwrap();
    let paths = &out["spec"]["rules"][0]["http"]["paths"];
    assert_eq!(paths[0]["backend"]["service"]["name"], "fittrack-green");
    assert_eq!(paths[1]["backend"]["service"]["name"], "fittrack-green");
    assert_eq!(paths[1]["backend"]["service"]["port"]["number"], 8000);
}

#[test]
fn ingress_with_a_resource_backend_is_not_patched() {
    let cfg = ingress();
    let obj = json!({"spec": {"rules": [{"http": {"paths": [
        {"path": "/", "backend": {"resource": {"kind": "Bucket", "name": "b"}}}]}}]}});
    let err = switched(&cfg, &obj, Color::Green).unwrap_err();
    assert!(err.contains("no Service backend"), "{err}");
}

#[test]
fn nothing_read_means_no_patch() {
    let cfg = httproute();
    let err = switch_ops(&cfg, Color::Green, &[], &stamp()).unwrap_err();
    assert!(err.0.contains("httproute fittrack/fittrack"), "{err}");
    let missing = read(&cfg, None);
    assert!(switch_patch(&cfg, Color::Green, &missing.values, &stamp()).is_err());
    assert!(switch_patch(
        &cfg,
        Color::Green,
        &read(&cfg, Some(&route(None))).values,
        &stamp()
    )
    .is_ok());
}

#[test]
fn a_refusal_is_judged_by_the_router_read_again() {
    let cfg = httproute();
    let before = read(&cfg, Some(&route(None)));
    let ours = read(
        &cfg,
        Some(&switched(&cfg, &route(None), Color::Green).unwrap()),
    );
    assert_eq!(
        judge_refusal(&before.values, &ours, &stamp().id),
        Refusal::OurWrite
    );
    let mut by_bob = route(Some(
        json!({"cutover.dev/switch-id": "other", "cutover.dev/switched-by": "bob"}),
    ));
    by_bob["spec"]["rules"][0]["backendRefs"][0]["weight"] = json!(0);
    by_bob["spec"]["rules"][0]["backendRefs"][1]["weight"] = json!(100);
    let bob = read(&cfg, Some(&by_bob));
    assert_eq!(
        judge_refusal(&before.values, &bob, &stamp().id),
        Refusal::Conflict
    );
    assert_eq!(
        judge_refusal(&before.values, &before, &stamp().id),
        Refusal::Rejected
    );
    assert_eq!(
        judge_refusal(&before.values, &read(&cfg, None), &stamp().id),
        Refusal::Conflict
    );
}

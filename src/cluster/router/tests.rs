//! Unit tests for reading router objects.

use super::*;
use serde_json::json;

fn config(kind: &str, blue_ns: &str, green_ns: &str, blue: &str, green: &str) -> Config {
    toml::from_str(&format!(
        r#"
        [router]
        kind = "{kind}"
        namespace = "fittrack"
        name = "fittrack"
        selector_key = "deployment"
        [colors.blue]
        namespace = "{blue_ns}"
        selector = "app=fittrack,deployment=blue"
        route_value = "{blue}"
        [colors.green]
        namespace = "{green_ns}"
        selector = "app=fittrack,deployment=green"
        route_value = "{green}"
        "#
    ))
    .expect("test config")
}

fn httproute_config() -> Config {
    config(
        "httproute",
        "fittrack-blue",
        "fittrack-green",
        "fittrack-blue",
        "fittrack-green",
    )
}

fn route(blue: Value, green: Value) -> Value {
    json!({"metadata": {"name": "fittrack", "resourceVersion": "42"},
           "spec": {"rules": [{"backendRefs": [
               {"name": "fittrack-blue", "namespace": "fittrack-blue", "port": 8000, "weight": blue},
               {"name": "fittrack-green", "namespace": "fittrack-green", "port": 8000, "weight": green}]}]}})
}

#[test]
fn httproute_all_to_one_color() {
    let r = read(&httproute_config(), Some(&route(json!(100), json!(0))));
    assert_eq!(r.target, RouterTarget::Color(Color::Blue));
    assert_eq!(r.raw, "fittrack-blue:100,fittrack-green:0");
    assert_eq!(r.resource_version, "42");
    // The whole list is one tested value, then the absent annotations map.
    assert_eq!(r.values[0].pointer, "/spec/rules/0/backendRefs");
    assert_eq!(r.values[0].value[1]["weight"], json!(0));
    assert_eq!(r.values[1].pointer, "/metadata/annotations");
    assert_eq!(r.values[1].value, Value::Null);
    assert_eq!(r.values.len(), 2);
    let r = read(&httproute_config(), Some(&route(json!(0), json!(100))));
    assert_eq!(r.target, RouterTarget::Color(Color::Green));
}

#[test]
fn httproute_split_and_defaults() {
    let r = read(&httproute_config(), Some(&route(json!(90), json!(10))));
    assert_eq!(
        r.target,
        RouterTarget::Split {
            blue: 90,
            green: 10
        }
    );
    // Absent weights default to 1 each: an even split.
    let r = read(&httproute_config(), Some(&route(Value::Null, Value::Null)));
    assert_eq!(
        r.target,
        RouterTarget::Split {
            blue: 50,
            green: 50
        }
    );
    let r = read(&httproute_config(), Some(&route(json!(0), json!(0))));
    assert_eq!(r.target, RouterTarget::Unknown("all weights 0".into()));
}

#[test]
fn httproute_ref_without_namespace_is_the_routes_namespace_not_a_color() {
    // backendRef 0 loses its namespace: it now names fittrack/fittrack-blue, which is not
    // blue's Service (fittrack-blue/fittrack-blue), so the cockpit must not claim BLUE.
    let mut obj = route(json!(100), json!(0));
    obj["spec"]["rules"][0]["backendRefs"][0]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    let r = read(&httproute_config(), Some(&obj));
    assert_eq!(
        r.target,
        RouterTarget::Unknown("fittrack/fittrack-blue:100".into())
    );
}

#[test]
fn httproute_unknown_backend_is_unknown() {
    let mut obj = route(json!(0), json!(0));
    obj["spec"]["rules"][0]["backendRefs"][0]["name"] = json!("fittrack-canary");
    obj["spec"]["rules"][0]["backendRefs"][0]["weight"] = json!(100);
    let r = read(&httproute_config(), Some(&obj));
    assert_eq!(
        r.target,
        RouterTarget::Unknown("fittrack-blue/fittrack-canary:100".into())
    );
    let mut cfg = httproute_config();
    cfg.router.rule = 3;
    assert!(matches!(
        read(&cfg, Some(&obj)).target,
        RouterTarget::Unknown(_)
    ));
}

#[test]
fn service_selector_key() {
    let cfg = config("service-selector", "fittrack", "fittrack", "blue", "green");
    let svc = |v: Value| json!({"metadata": {"resourceVersion": "7"}, "spec": {"selector": {"app": "fittrack", "deployment": v}}});
    let r = read(&cfg, Some(&svc(json!("green"))));
    assert_eq!(r.target, RouterTarget::Color(Color::Green));
    assert_eq!(r.raw, "deployment=green");
    assert_eq!(r.values[0].pointer, "/spec/selector/deployment");
    assert_eq!(r.values[0].value, json!("green"));
    let r = read(&cfg, Some(&svc(json!("purple"))));
    assert_eq!(r.target, RouterTarget::Unknown("purple".into()));
    let r = read(&cfg, Some(&svc(Value::Null)));
    assert!(matches!(r.target, RouterTarget::Unknown(ref s) if s.contains("no key")));
}

#[test]
fn ingress_backend_service() {
    let cfg = config(
        "ingress-backend",
        "fittrack",
        "fittrack",
        "fittrack-blue",
        "fittrack-green",
    );
    let ing = |a: &str, b: &str| {
        json!({"spec": {"rules": [{"http": {"paths": [
        {"path": "/", "backend": {"service": {"name": a, "port": {"number": 8000}}}},
        {"path": "/api", "backend": {"service": {"name": b, "port": {"number": 8000}}}}]}}]}})
    };
    let r = read(&cfg, Some(&ing("fittrack-green", "fittrack-green")));
    assert_eq!(r.target, RouterTarget::Color(Color::Green));
    assert_eq!(r.values[0].pointer, "/spec/rules/0/http/paths");
    assert_eq!(r.values[0].value.as_array().map(Vec::len), Some(2));
    let r = read(&cfg, Some(&ing("fittrack-green", "fittrack-blue")));
    assert_eq!(
        r.target,
        RouterTarget::Unknown("fittrack-green,fittrack-blue".into())
    );
    let r = read(&cfg, Some(&json!({"spec": {}})));
    assert!(matches!(r.target, RouterTarget::Unknown(_)));
}

#[test]
fn missing_object() {
    let r = read(&httproute_config(), None);
    assert_eq!(r.target, RouterTarget::Missing);
}

#[test]
fn api_resources() {
    assert_eq!(
        api_resource(RouterKind::Httproute).api_version,
        "gateway.networking.k8s.io/v1"
    );
    assert_eq!(api_resource(RouterKind::ServiceSelector).api_version, "v1");
    assert_eq!(api_resource(RouterKind::IngressBackend).plural, "ingresses");
}

#[test]
fn annotations_present_are_not_a_tested_value() {
    let cfg = config("service-selector", "fittrack", "fittrack", "blue", "green");
    let svc = json!({"metadata": {"annotations": {"a": "b"}}, "spec": {"selector": {"deployment": "blue"}}});
    let r = read(&cfg, Some(&svc));
    assert_eq!(r.values.len(), 1);
    // Nothing to switch against: no marker either.
    let r = read(&httproute_config(), Some(&json!({"spec": {}})));
    assert!(r.values.is_empty());
}

#[test]
fn selector_keys_are_escaped() {
    let mut cfg = config("service-selector", "fittrack", "fittrack", "blue", "green");
    cfg.router.selector_key = Some("example.com/color~x".into());
    let svc = json!({"spec": {"selector": {"example.com/color~x": "green"}}});
    let r = read(&cfg, Some(&svc));
    assert_eq!(r.values[0].pointer, "/spec/selector/example.com~1color~0x");
    assert_eq!(r.target, RouterTarget::Color(Color::Green));
}

use super::*;
use serde_json::json;

#[test]
fn weighted_pick() {
    assert_eq!(pick_weighted(&[100, 0], 0.99), Some(0));
    assert_eq!(pick_weighted(&[0, 100], 0.0), Some(1));
    assert_eq!(pick_weighted(&[1, 3], 0.2), Some(0));
    assert_eq!(pick_weighted(&[1, 3], 0.3), Some(1));
    assert_eq!(pick_weighted(&[0, 0], 0.5), None);
    assert_eq!(pick_weighted(&[], 0.5), None);
    assert_eq!(pick_weighted(&[5], 1.0), Some(0));
    // Over many draws the split follows the weights.
    let hits = (0..1000)
        .filter(|i| pick_weighted(&[10, 90], *i as f64 / 1000.0) == Some(0))
        .count();
    assert_eq!(hits, 100);
}

#[test]
fn path_matches_by_element() {
    let p = PathMatch {
        exact: false,
        value: "/api".into(),
    };
    assert!(p.matches("/api") && p.matches("/api/x") && !p.matches("/apix"));
    assert!(PathMatch {
        exact: false,
        value: "/".into()
    }
    .matches("/anything"));
    assert!(!PathMatch {
        exact: true,
        value: "/a".into()
    }
    .matches("/a/b"));
}

fn grant(from_ns: &str, to_name: Option<&str>) -> Value {
    let mut to = json!({"group": "", "kind": "Service"});
    if let Some(n) = to_name {
        to["name"] = json!(n);
    }
    json!({"metadata": {"name": "g"}, "spec": {"from": [{"group": GATEWAY_GROUP, "kind": "HTTPRoute", "namespace": from_ns}], "to": [to]}})
}

#[test]
fn reference_grants() {
    assert!(grant_allows(&[grant("fittrack", None)], "fittrack", "svc"));
    assert!(grant_allows(
        &[grant("fittrack", Some("svc"))],
        "fittrack",
        "svc"
    ));
    assert!(!grant_allows(
        &[grant("fittrack", Some("other"))],
        "fittrack",
        "svc"
    ));
    assert!(!grant_allows(
        &[grant("elsewhere", None)],
        "fittrack",
        "svc"
    ));
    assert!(!grant_allows(&[], "fittrack", "svc"));
}

#[test]
fn slices_ready_endpoints() {
    let slice = json!({"endpoints": [
        {"conditions": {"ready": true}, "targetRef": {"kind": "Pod", "name": "a"}},
        {"conditions": {"ready": false}, "targetRef": {"kind": "Pod", "name": "b"}},
        {"targetRef": {"kind": "Pod", "name": "c"}},
        {"conditions": {"ready": true}}
    ]});
    assert_eq!(ready_in_slice(&slice), vec!["a", "c"]);
}

fn backend(weight: u32, valid: bool, pods: &[&str]) -> Backend {
    Backend {
        namespace: "ns".into(),
        service: "s".into(),
        weight,
        valid,
        pods: pods.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn choose_outcomes() {
    let table = |backends| LbTable {
        entry: Entry::None,
        rules: vec![Rule {
            matches: vec![PathMatch {
                exact: false,
                value: "/api".into(),
            }],
            backends,
        }],
    };
    let t = table(vec![
        backend(0, true, &["blue"]),
        backend(100, true, &["g1", "g2"]),
    ]);
    assert_eq!(
        t.choose("/api/x", 0.5, 0.0),
        Choice::Pod {
            namespace: "ns".into(),
            pod: "g1".into()
        }
    );
    assert_eq!(
        t.choose("/api/x?q", 0.5, 0.99),
        Choice::Pod {
            namespace: "ns".into(),
            pod: "g2".into()
        }
    );
    assert_eq!(t.choose("/other", 0.5, 0.5), Choice::Fail(404));
    assert_eq!(
        table(vec![backend(1, false, &["p"])]).choose("/api", 0.1, 0.1),
        Choice::Fail(500)
    );
    assert_eq!(
        table(vec![backend(1, true, &[])]).choose("/api", 0.1, 0.1),
        Choice::Fail(503)
    );
    assert_eq!(
        table(vec![backend(0, true, &["p"])]).choose("/api", 0.1, 0.1),
        Choice::Fail(500)
    );
    assert_eq!(LbTable::empty().choose("/", 0.1, 0.1), Choice::Fail(404));
}

#[test]
fn builds_from_store_with_grants_and_ingress_fallback() {
    let store = Store::new();
    let mk = |res: &str, ns: &str, v: Value| store.create(res, ns, v).unwrap();
    mk("services", "blue", json!({"metadata": {"name": "svc-b"}}));
    mk("services", "green", json!({"metadata": {"name": "svc-g"}}));
    mk(
        "endpointslices",
        "blue",
        json!({"metadata": {"name": "svc-b-1", "labels": {"kubernetes.io/service-name": "svc-b"}},
        "endpoints": [{"conditions": {"ready": true}, "targetRef": {"kind": "Pod", "name": "b1"}}]}),
    );
    mk(
        "ingresses",
        "front",
        json!({"metadata": {"name": "ing"}, "spec": {"defaultBackend": {"service": {"name": "nope"}}}}),
    );
    // No Gateway yet: the Ingress is the entry.
    let t = build_table(&store);
    assert_eq!(
        t.entry,
        Entry::Ingress {
            namespace: "front".into(),
            name: "ing".into()
        }
    );
    assert_eq!(t.choose("/", 0.0, 0.0), Choice::Fail(500));
    mk("gateways", "front", json!({"metadata": {"name": "gw"}}));
    mk(
        "httproutes",
        "front",
        json!({"metadata": {"name": "r"}, "spec": {
        "parentRefs": [{"name": "gw"}],
        "rules": [{"backendRefs": [
            {"name": "svc-b", "namespace": "blue", "port": 8000, "weight": 100},
            {"name": "svc-g", "namespace": "green", "port": 8000, "weight": 0}]}]}}),
    );
    let t = build_table(&store);
    assert_eq!(
        t.entry,
        Entry::HttpRoute {
            namespace: "front".into(),
            name: "r".into()
        }
    );
    // Without a ReferenceGrant the cross-namespace backend is refused.
    assert_eq!(t.choose("/", 0.0, 0.0), Choice::Fail(500));
    mk("referencegrants", "blue", grant("front", None));
    let t = build_table(&store);
    assert_eq!(
        t.choose("/", 0.0, 0.0),
        Choice::Pod {
            namespace: "blue".into(),
            pod: "b1".into()
        }
    );
    assert!(t.rules[0].backends[1].pods.is_empty() && !t.rules[0].backends[1].valid);
}

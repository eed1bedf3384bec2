//! Unit tests of the object store.

use super::*;
use serde_json::json;

fn pod(name: &str, app: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "labels": {"app": app}},
           "spec": {"containers": [{"name": "c", "image": "i:1"}]}})
}

fn rv_of(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn create_stamps_metadata_and_refuses_duplicates() {
    let s = Store::new();
    let a = s.create("pods", "ns", pod("a", "x")).unwrap();
    assert_eq!(a["metadata"]["namespace"], "ns");
    assert!(
        a["metadata"].get("generation").is_none(),
        "pods have none before 1.33"
    );
    assert!(a["metadata"]["uid"].as_str().unwrap().len() == 36);
    assert_eq!(rv_of(&a), s.resource_version());
    let err = s.create("pods", "ns", pod("a", "y")).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }));
    // Same name in another namespace is a different object.
    s.create("pods", "other", pod("a", "x")).unwrap();
    assert_eq!(
        s.get("pods", "ns", "a").unwrap()["metadata"]["labels"]["app"],
        "x"
    );
    let d = s
        .create(
            "deployments",
            "ns",
            json!({"metadata": {"name": "d", "generation": 7}}),
        )
        .unwrap();
    assert_eq!(d["metadata"]["generation"], 1);
}

#[test]
fn generate_name_and_missing_name() {
    let s = Store::new();
    let obj = json!({"metadata": {"generateName": "web-"}});
    let made = s.create("configmaps", "ns", obj).unwrap();
    let name = made["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("web-") && name.len() == 9);
    assert!(matches!(
        s.create("configmaps", "ns", json!({})),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.create("configmaps", "ns", json!([1])),
        Err(StoreError::Invalid(_))
    ));
}

#[test]
fn list_filters_by_namespace_and_labels() {
    let s = Store::new();
    s.create("pods", "a", pod("p1", "x")).unwrap();
    s.create("pods", "a", pod("p2", "y")).unwrap();
    s.create("pods", "b", pod("p3", "x")).unwrap();
    s.create("services", "a", json!({"metadata": {"name": "svc"}}))
        .unwrap();
    let (all, rv) = s.list("pods", None, None);
    assert_eq!(all.len(), 3);
    assert_eq!(rv, s.resource_version());
    assert_eq!(s.list("pods", Some("a"), None).0.len(), 2);
    let sel = LabelSelector::parse("app=x").unwrap();
    let names: Vec<_> = s
        .list("pods", None, Some(&sel))
        .0
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["p1", "p3"]);
    assert_eq!(s.list("pods", Some("c"), None).0.len(), 0);
}

#[test]
fn update_checks_resource_version_and_bumps_generation() {
    let s = Store::new();
    let a = s
        .create(
            "deployments",
            "ns",
            json!({"metadata": {"name": "d"}, "spec": {"replicas": 1}}),
        )
        .unwrap();
    let mut stale = a.clone();
    let mut next = a.clone();
    next["spec"]["replicas"] = json!(2);
    let b = s.update("deployments", "ns", "d", next).unwrap();
    assert_eq!(b["metadata"]["generation"], 2);
    assert_eq!(b["metadata"]["uid"], a["metadata"]["uid"]);
    assert!(rv_of(&b) > rv_of(&a));
    stale["spec"]["replicas"] = json!(5);
    assert!(matches!(
        s.update("deployments", "ns", "d", stale),
        Err(StoreError::Conflict { .. })
    ));
    // A status-only change keeps the generation.
    let c = s
        .modify("deployments", "ns", "d", |o| {
            o["status"] = json!({"replicas": 2})
        })
        .unwrap();
    assert_eq!(c["metadata"]["generation"], 2);
    // Renaming through update is invalid.
    let mut renamed = c.clone();
    renamed["metadata"]["name"] = json!("other");
    assert!(matches!(
        s.update("deployments", "ns", "d", renamed),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.update("deployments", "ns", "zz", c),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn noop_modify_writes_nothing() {
    let s = Store::new();
    s.create("pods", "ns", pod("a", "x")).unwrap();
    let before = s.resource_version();
    let mut rx = s.subscribe();
    s.modify("pods", "ns", "a", |_| {}).unwrap();
    assert_eq!(s.resource_version(), before);
    assert!(rx.try_recv().is_err());
    let refused = s.try_modify("pods", "ns", "a", |o| {
        o["spec"] = json!(null);
        Err(StoreError::Invalid("no".into()))
    });
    assert!(refused.is_err());
    assert!(s.get("pods", "ns", "a").unwrap()["spec"].is_object());
}

#[test]
fn changes_are_broadcast_and_resumable() {
    let s = Store::new();
    let start = s.resource_version();
    let mut rx = s.subscribe();
    s.create("pods", "ns", pod("a", "x")).unwrap();
    s.modify("pods", "ns", "a", |o| {
        o["metadata"]["labels"]["app"] = json!("z")
    })
    .unwrap();
    let deleted = s.delete("pods", "ns", "a").unwrap();
    let kinds: Vec<_> = (0..3).map(|_| rx.try_recv().unwrap().kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::Added, ChangeKind::Modified, ChangeKind::Deleted]
    );
    assert_eq!(rv_of(&deleted), s.resource_version());
    assert!(s.get("pods", "ns", "a").is_none());
    let (past, _) = s.watch_from(start + 1).unwrap();
    assert_eq!(past.len(), 2);
    assert_eq!(past[0].kind, ChangeKind::Modified);
    assert!(matches!(
        s.delete("pods", "ns", "a"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn compaction_expires_old_versions() {
    let s = Store::new();
    s.create("pods", "ns", pod("a", "x")).unwrap();
    let seen = s.resource_version();
    s.compact();
    let err = s.watch_from(seen).unwrap_err();
    assert_eq!(err.requested, seen);
    let (_, now) = s.list("pods", None, None);
    assert!(s.watch_from(now).unwrap().0.is_empty());
    s.create("pods", "ns", pod("b", "x")).unwrap();
    assert_eq!(s.watch_from(now).unwrap().0.len(), 1);
}

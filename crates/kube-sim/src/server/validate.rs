//! Admission checks every client write passes before it reaches the store, so that whatever
//! is stored still deserializes as its k8s-openapi type (typed lists and watches keep working).

use crate::eventsv1;
use crate::resources::ResourceDef;
use crate::store::StoreError;
use k8s_openapi::api::{apps, coordination, core, discovery, events, networking};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Checks an object as the store will keep it (after [`super::objects::ingest`]): metadata
/// (name, labels, annotations), the typed shape of the kind, and non-negative replicas.
pub fn validate(def: &ResourceDef, obj: &Value) -> Result<(), StoreError> {
    let invalid = |m: String| Err(StoreError::Invalid(format!("{} {m}", def.kind)));
    let Some(top) = obj.as_object() else {
        return invalid("is invalid: the body must be a JSON object".into());
    };
    let meta = match top.get("metadata") {
        None => &Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return invalid("is invalid: metadata: must be an object".into()),
    };
    if let Some(e) = check_meta(def, meta) {
        return invalid(format!("is invalid: {e}"));
    }
    if let Some(r) = obj.pointer("/spec/replicas").and_then(Value::as_i64) {
        if r < 0 {
            return invalid(format!(
                "is invalid: spec.replicas: Invalid value: {r}: must be greater than or equal to 0"
            ));
        }
    }
    if let Some(e) = typed_error(def, obj) {
        return invalid(format!("is invalid: {e}"));
    }
    Ok(())
}

fn check_meta(def: &ResourceDef, meta: &Map<String, Value>) -> Option<String> {
    match meta.get("name") {
        None | Some(Value::Null) => {}
        Some(Value::String(n)) if n.is_empty() => {}
        Some(Value::String(n)) => {
            if let Some(why) = name_error(def, n, false) {
                return Some(format!("metadata.name: Invalid value: {n:?}: {why}"));
            }
        }
        Some(v) => {
            return Some(format!(
                "metadata.name: Invalid value: {v}: must be a string"
            ))
        }
    }
    if let Some(Value::String(g)) = meta.get("generateName") {
        if !g.is_empty() {
            if let Some(why) = name_error(def, g, true) {
                return Some(format!(
                    "metadata.generateName: Invalid value: {g:?}: {why}"
                ));
            }
        }
    }
    for field in ["labels", "annotations"] {
        match meta.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                if let Some((k, v)) = m.iter().find(|(_, v)| !v.is_string()) {
                    return Some(format!(
                        "metadata.{field}.{k}: Invalid value: {v}: must be a string"
                    ));
                }
            }
            Some(v) => {
                return Some(format!(
                    "metadata.{field}: Invalid value: {v}: must be a map of strings"
                ))
            }
        }
    }
    from_value::<ObjectMeta>(&Value::Object(meta.clone()))
        .err()
        .map(|e| format!("metadata: {e}"))
}

/// Why `name` is not a valid object name for `def` (DNS-1123 subdomain; namespaces need a
/// DNS-1123 label, services a DNS-1035 label). A `generateName` prefix may end in '-'.
fn name_error(def: &ResourceDef, name: &str, prefix: bool) -> Option<&'static str> {
    let masked;
    let name = if prefix && name.ends_with('-') {
        masked = format!("{}a", &name[..name.len() - 1]);
        masked.as_str()
    } else {
        name
    };
    let label_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    match (def.group, def.kind) {
        ("", "Namespace") if !label_ok(name) => Some(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (at most 63 characters)",
        ),
        ("", "Service") if !label_ok(name) || !name.starts_with(|c: char| c.is_ascii_lowercase()) => Some(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (at most 63 characters)",
        ),
        _ if name.len() > 253 || !name.split('.').all(label_ok) => Some(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (at most 253 characters)",
        ),
        _ => None,
    }
}

fn from_value<T: DeserializeOwned>(v: &Value) -> Result<T, serde_json::Error> {
    serde_json::from_value::<T>(v.clone())
}

/// The serde error of deserializing `obj` as `T`, narrowed to the failing field's path.
fn typed<T: DeserializeOwned>(obj: &Value) -> Option<String> {
    let err = from_value::<T>(obj).err()?;
    let path = narrow::<T>(obj);
    Some(if path.is_empty() {
        err.to_string()
    } else {
        format!("{path}: {err}")
    })
}

/// The deepest path whose value alone (its siblings removed) still fails to deserialize.
fn narrow<T: DeserializeOwned>(obj: &Value) -> String {
    let mut doc = obj.clone();
    let mut path: Vec<String> = Vec::new();
    let mut shown: Vec<String> = Vec::new();
    'descend: for _ in 0..16 {
        let here = pointer(&path);
        let Some(node) = doc.pointer(&here).cloned() else {
            break;
        };
        let children: Vec<(String, Value)> = match &node {
            Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v.clone()))
                .collect(),
            _ => break,
        };
        for (key, child) in children {
            if path.is_empty() && (key == "apiVersion" || key == "kind") {
                continue;
            }
            let only = match &node {
                Value::Object(_) => Value::Object(Map::from_iter([(key.clone(), child)])),
                _ => Value::Array(vec![child]),
            };
            let mut trial = doc.clone();
            if let Some(slot) = trial.pointer_mut(&here) {
                *slot = only.clone();
            }
            if from_value::<T>(&trial).is_err() {
                doc = trial;
                // Arrays were reduced to one element: its index is now 0.
                path.push(if node.is_array() {
                    "0".into()
                } else {
                    key.clone()
                });
                shown.push(key);
                continue 'descend;
            }
        }
        break;
    }
    shown.join(".")
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The typed deserialization error of a stored object, for kinds k8s-openapi knows.
fn typed_error(def: &ResourceDef, obj: &Value) -> Option<String> {
    match (def.group, def.kind) {
        ("", "Namespace") => typed::<core::v1::Namespace>(obj),
        ("", "Pod") => typed::<core::v1::Pod>(obj),
        ("", "Service") => typed::<core::v1::Service>(obj),
        ("", "ConfigMap") => typed::<core::v1::ConfigMap>(obj),
        // Events are stored once and served in both groups: both forms must deserialize.
        ("" | "events.k8s.io", "Event") => typed::<core::v1::Event>(obj)
            .or_else(|| typed::<events::v1::Event>(&eventsv1::to_events_v1(obj))),
        ("apps", "Deployment") => typed::<apps::v1::Deployment>(obj),
        ("apps", "ReplicaSet") => typed::<apps::v1::ReplicaSet>(obj),
        ("discovery.k8s.io", "EndpointSlice") => typed::<discovery::v1::EndpointSlice>(obj),
        ("networking.k8s.io", "Ingress") => typed::<networking::v1::Ingress>(obj),
        ("coordination.k8s.io", "Lease") => typed::<coordination::v1::Lease>(obj),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;
    use serde_json::json;

    fn check(group: &str, version: &str, plural: &str, obj: Value) -> Result<(), String> {
        let def = find(group, version, plural).unwrap();
        let mut obj = obj;
        obj["apiVersion"] = json!(if group == "events.k8s.io" {
            "v1".into()
        } else {
            def.api_version()
        });
        obj["kind"] = json!(def.kind);
        validate(def, &obj).map_err(|e| e.to_string())
    }

    #[test]
    fn names_follow_dns_rules() {
        let cm = |n: &str| check("", "v1", "configmaps", json!({"metadata": {"name": n}}));
        assert!(cm("web-1.cfg").is_ok());
        for bad in ["Bad_Name!", "UPPER", "-x", "x-", "a..b", &"a".repeat(254)] {
            let e = cm(bad).unwrap_err();
            assert!(e.contains("metadata.name"), "{bad}: {e}");
        }
        let ns = |n: &str| check("", "v1", "namespaces", json!({"metadata": {"name": n}}));
        assert!(ns("fittrack-green").is_ok());
        assert!(ns("a.b").is_err());
        let svc = |n: &str| check("", "v1", "services", json!({"metadata": {"name": n}}));
        assert!(svc("web").is_ok());
        assert!(svc("1web").is_err());
        let gen = check(
            "",
            "v1",
            "pods",
            json!({"metadata": {"generateName": "web-"}}),
        );
        assert!(gen.is_ok(), "{gen:?}");
        assert!(check(
            "",
            "v1",
            "pods",
            json!({"metadata": {"generateName": "W_"}})
        )
        .is_err());
    }

    #[test]
    fn metadata_maps_are_strings() {
        let e = check(
            "",
            "v1",
            "pods",
            json!({"metadata": {"name": "p", "labels": {"deployment": 5}}}),
        )
        .unwrap_err();
        assert!(e.contains("metadata.labels.deployment"), "{e}");
        let e = check(
            "gateway.networking.k8s.io",
            "v1",
            "httproutes",
            json!({"metadata": {"name": "r", "annotations": ["x"]}}),
        )
        .unwrap_err();
        assert!(e.contains("metadata.annotations"), "{e}");
        let e = check(
            "gateway.networking.k8s.io",
            "v1",
            "httproutes",
            json!({"metadata": {"name": "r", "ownerReferences": "x"}}),
        )
        .unwrap_err();
        assert!(e.contains("metadata"), "{e}");
    }

    #[test]
    fn typed_shapes_name_the_field() {
        let e = check(
            "apps",
            "v1",
            "deployments",
            json!({"metadata": {"name": "d"}, "spec": {"replicas": "many"}}),
        )
        .unwrap_err();
        assert!(e.contains("spec.replicas"), "{e}");
        let e = check(
            "apps",
            "v1",
            "deployments",
            json!({"metadata": {"name": "d"}, "spec": {"replicas": -1}}),
        )
        .unwrap_err();
        assert!(e.contains("spec.replicas"), "{e}");
        let e = check(
            "",
            "v1",
            "configmaps",
            json!({"metadata": {"name": "c"}, "data": {"a": 1}}),
        )
        .unwrap_err();
        assert!(e.contains("data.a"), "{e}");
        let e = check(
            "",
            "v1",
            "pods",
            json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b", "ports": [{"containerPort": "x"}]}]}}),
        )
        .unwrap_err();
        assert!(e.contains("spec.containers.1.ports.0.containerPort"), "{e}");
        let e = check(
            "",
            "v1",
            "pods",
            json!({"metadata": {"name": "p"}, "status": {"containerStatuses": "x"}}),
        )
        .unwrap_err();
        assert!(e.contains("status.containerStatuses"), "{e}");
        let e = check(
            "events.k8s.io",
            "v1",
            "events",
            json!({"metadata": {"name": "e"}, "involvedObject": {"name": 3}}),
        )
        .unwrap_err();
        assert!(e.contains("involvedObject.name"), "{e}");
        let ok = check(
            "",
            "v1",
            "events",
            json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"},
                "message": "m", "eventTime": "2026-01-01T00:00:00.000000Z", "count": 2}),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            "[a-zA-Z0-9_.:-]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("name".to_string()),
                        Just("labels".to_string()),
                        Just("replicas".to_string()),
                        Just("containers".to_string()),
                        Just("ports".to_string()),
                        Just("data".to_string()),
                        Just("involvedObject".to_string()),
                        Just("note".to_string()),
                        Just("selector".to_string()),
                        "[a-z]{1,4}"
                    ],
                    inner,
                    0..4
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Every admitted object deserializes as its k8s-openapi type, whatever was merged in.
    fn admitted_is_typed(plural: &str, group: &str, patch: &Value) -> Result<(), String> {
        let def = crate::resources::RESOURCES
            .iter()
            .find(|d| d.plural == plural && d.group == group)
            .unwrap();
        let mut doc = json!({"metadata": {"name": "x", "labels": {"app": "x"}},
            "spec": {"replicas": 1, "containers": [{"name": "a"}]}});
        for top in ["metadata", "spec", "status", "data"] {
            let mut wrapped = json!({});
            wrapped[top] = patch.clone();
            json_patch::merge(&mut doc, &wrapped);
        }
        json_patch::merge(&mut doc, patch);
        let Ok(stored) = crate::server::objects::ingest(def, doc) else {
            return Ok(());
        };
        let served = crate::server::objects::present(def, &stored);
        let r = match (def.group, def.kind) {
            ("", "Pod") => from_value::<core::v1::Pod>(&served).map(drop),
            ("", "ConfigMap") => from_value::<core::v1::ConfigMap>(&served).map(drop),
            ("", "Event") => from_value::<core::v1::Event>(&served).map(drop),
            ("events.k8s.io", "Event") => from_value::<events::v1::Event>(&served).map(drop),
            ("apps", "Deployment") => from_value::<apps::v1::Deployment>(&served).map(drop),
            _ => from_value::<ObjectMeta>(&served["metadata"]).map(drop),
        };
        r.map_err(|e| format!("{plural}: admitted {served} but: {e}"))
    }

    proptest::proptest! {
        #[test]
        fn admitted_objects_deserialize(patch in json_value()) {
            for (plural, group) in [("pods", ""), ("configmaps", ""), ("events", ""),
                ("events", "events.k8s.io"), ("deployments", "apps"),
                ("httproutes", "gateway.networking.k8s.io")] {
                let r = admitted_is_typed(plural, group, &patch);
                proptest::prop_assert!(r.is_ok(), "{}", r.unwrap_err());
            }
        }
    }
}

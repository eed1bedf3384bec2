//! Converting between what clients send/receive and what the store holds.

use super::validate::validate;
use crate::eventsv1;
use crate::resources::ResourceDef;
use crate::store::StoreError;
use serde_json::{json, Value};
use std::borrow::Cow;

/// A stored object as the client sees it through `def` (apiVersion/kind exactly right).
pub fn present(def: &ResourceDef, stored: &Value) -> Value {
    let mut v = if def.group == "events.k8s.io" {
        eventsv1::to_events_v1(stored)
    } else {
        stored.clone()
    };
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), json!(def.api_version()));
        m.insert("kind".into(), json!(def.kind));
    }
    v
}

/// Like [`present`], borrowing the stored object when it is already exactly right.
pub fn present_cow<'a>(def: &ResourceDef, stored: &'a Value) -> Cow<'a, Value> {
    let exact = def.group != "events.k8s.io"
        && stored.get("kind").and_then(Value::as_str) == Some(def.kind)
        && stored.get("apiVersion").and_then(Value::as_str) == Some(def.api_version().as_str());
    if exact {
        Cow::Borrowed(stored)
    } else {
        Cow::Owned(present(def, stored))
    }
}

/// The `meta.k8s.io/v1` PartialObjectMetadata view of an object (metadata-only clients).
pub fn partial(obj: &Value) -> Value {
    json!({
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadata",
        "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// Whether an Accept header asks for PartialObjectMetadata(List).
pub fn wants_partial(accept: &str) -> bool {
    accept.contains("as=PartialObjectMetadata")
}

/// A client's object as the store keeps it (events in core form), admitted by
/// [`validate`]: every client write (create, update, patch, status, apply) passes here.
pub fn ingest(def: &ResourceDef, sent: Value) -> Result<Value, StoreError> {
    let mut v = if def.group == "events.k8s.io" {
        eventsv1::to_core(&sent)
    } else {
        sent
    };
    if let Some(m) = v.as_object_mut() {
        let av = if def.group == "events.k8s.io" {
            "v1".to_string()
        } else {
            def.api_version()
        };
        m.insert("apiVersion".into(), json!(av));
        m.insert("kind".into(), json!(def.kind));
    }
    validate(def, &v)?;
    Ok(v)
}

/// Checks a sent object's apiVersion/kind (when present) against the URL's resource.
pub fn check_type(def: &ResourceDef, sent: &Value) -> Result<(), StoreError> {
    if !sent.is_object() {
        return Err(StoreError::Invalid("the body must be a JSON object".into()));
    }
    let av = sent.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = sent.get("kind").and_then(Value::as_str).unwrap_or("");
    if (!av.is_empty() && av != def.api_version()) || (!kind.is_empty() && kind != def.kind) {
        return Err(StoreError::Invalid(format!(
            "the object's type {av}/{kind} does not match the URL's {}/{}",
            def.api_version(),
            def.kind
        )));
    }
    if sent.get("metadata").is_some_and(|m| !m.is_object()) {
        return Err(StoreError::Invalid("metadata must be an object".into()));
    }
    Ok(())
}

/// What a write through the main resource or the `status` subresource may change: the main
/// resource keeps the stored status; `status` writes change only the status.
pub fn reconcile_status(
    def: &ResourceDef,
    sub: Option<&str>,
    old: &Value,
    mut new: Value,
) -> Value {
    match sub {
        Some("status") => {
            let mut out = old.clone();
            match new.get("status") {
                Some(s) => out["status"] = s.clone(),
                None => {
                    if let Some(m) = out.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
            if let Some(rv) = new.pointer("/metadata/resourceVersion").cloned() {
                out["metadata"]["resourceVersion"] = rv;
            }
            out
        }
        _ if def.has_status() => {
            if let Some(m) = new.as_object_mut() {
                match old.get("status") {
                    Some(s) => {
                        m.insert("status".into(), s.clone());
                    }
                    None => {
                        m.remove("status");
                    }
                }
            }
            new
        }
        _ => new,
    }
}

/// The autoscaling/v1 Scale view of a Deployment or ReplicaSet.
pub fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": {"replicas": obj.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)},
        "status": {
            "replicas": obj.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0),
            "selector": selector,
        },
    })
}

/// Writes a (patched or replaced) Scale back into its object; replicas must be a count >= 0.
pub fn apply_scale(obj: &mut Value, scale: &Value) -> Result<(), StoreError> {
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .filter(|r| (0..=100_000).contains(r))
        .ok_or_else(|| {
            StoreError::Invalid(
                "spec.replicas: Invalid value: must be a non-negative integer".into(),
            )
        })?;
    obj["spec"]["replicas"] = json!(replicas);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;

    #[test]
    fn status_writes_are_separated() {
        let def = find("apps", "v1", "deployments").unwrap();
        let old =
            json!({"metadata": {"name": "d"}, "spec": {"replicas": 1}, "status": {"replicas": 1}});
        let new =
            json!({"metadata": {"name": "d"}, "spec": {"replicas": 3}, "status": {"replicas": 9}});
        let main = reconcile_status(def, None, &old, new.clone());
        assert_eq!(
            (
                main["spec"]["replicas"].as_i64(),
                main["status"]["replicas"].as_i64()
            ),
            (Some(3), Some(1))
        );
        let st = reconcile_status(def, Some("status"), &old, new);
        assert_eq!(
            (
                st["spec"]["replicas"].as_i64(),
                st["status"]["replicas"].as_i64()
            ),
            (Some(1), Some(9))
        );
    }

    #[test]
    fn scale_round_trip_and_validation() {
        let mut d = json!({"metadata": {"name": "d", "namespace": "n"}, "spec": {"replicas": 3,
            "selector": {"matchLabels": {"app": "x"}}}, "status": {"replicas": 3}});
        let mut s = scale_of(&d);
        assert_eq!(s["status"]["selector"], "app=x");
        s["spec"]["replicas"] = json!(5);
        apply_scale(&mut d, &s).unwrap();
        assert_eq!(d["spec"]["replicas"], 5);
        assert!(apply_scale(&mut d, &json!({"spec": {"replicas": -1}})).is_err());
        assert!(apply_scale(&mut d, &json!({"spec": {"replicas": "x"}})).is_err());
    }

    #[test]
    fn types_are_checked() {
        let def = find("apps", "v1", "deployments").unwrap();
        assert!(check_type(def, &json!({"apiVersion": "apps/v1", "kind": "Deployment"})).is_ok());
        assert!(check_type(def, &json!({})).is_ok());
        assert!(check_type(def, &json!({"apiVersion": "v1", "kind": "Deployment"})).is_err());
        assert!(check_type(def, &json!({"metadata": 3})).is_err());
        assert!(check_type(def, &json!("x")).is_err());
        let ev = find("events.k8s.io", "v1", "events").unwrap();
        let stored = ingest(ev, json!({"note": "n", "regarding": {"name": "p"}})).unwrap();
        assert!(ingest(ev, json!({"regarding": {"name": 1}})).is_err());
        assert_eq!(stored["apiVersion"], "v1");
        assert_eq!(present(ev, &stored)["note"], "n");
    }
}

//! Small accessors for object metadata (names, uids, owners) shared by the controllers.

use serde_json::{json, Value};

/// `metadata.name` (empty when missing).
pub fn name(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.uid` (empty when missing).
pub fn uid(obj: &Value) -> &str {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `metadata.creationTimestamp` (empty when missing; RFC 3339 sorts as text).
pub fn created(obj: &Value) -> &str {
    obj.pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The uid of the controlling owner of kind `kind`, if any.
pub fn controller_uid<'a>(obj: &'a Value, kind: &str) -> Option<&'a str> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r["kind"] == kind && r["controller"] == true)
        .and_then(|r| r["uid"].as_str())
}

/// A controller `ownerReference` pointing at `owner`.
pub fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"], "kind": owner["kind"],
        "name": name(owner), "uid": uid(owner),
        "controller": true, "blockOwnerDeletion": true,
    })
}

/// An integer field at `pointer`, or `default`.
pub fn int_at(obj: &Value, pointer: &str, default: i64) -> i64 {
    obj.pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_round_trip() {
        let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                        "metadata": {"name": "r", "uid": "u-1"}});
        let pod = json!({"metadata": {"ownerReferences": [owner_ref(&rs)]}});
        assert_eq!(controller_uid(&pod, "ReplicaSet"), Some("u-1"));
        assert_eq!(controller_uid(&pod, "Deployment"), None);
        assert_eq!(int_at(&pod, "/spec/replicas", 7), 7);
    }
}

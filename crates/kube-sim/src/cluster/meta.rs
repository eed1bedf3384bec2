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

/// Sets `obj.path... = value`, creating missing (or null) maps on the way. Returns false and
/// changes nothing when something on the way is not a map (a client wrote a malformed
/// object; serde_json's `IndexMut` would panic there).
pub fn set_at(obj: &mut Value, path: &[&str], value: Value) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = obj;
    for key in parents {
        if cur.is_null() {
            *cur = json!({});
        }
        let Some(map) = cur.as_object_mut() else {
            return false;
        };
        cur = map.entry(key.to_string()).or_insert(Value::Null);
    }
    if cur.is_null() {
        *cur = json!({});
    }
    match cur.as_object_mut() {
        Some(map) => {
            map.insert(last.to_string(), value);
            true
        }
        None => false,
    }
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

    #[test]
    fn set_at_creates_maps_and_refuses_non_maps() {
        let mut v = json!({"metadata": {}});
        assert!(set_at(
            &mut v,
            &["metadata", "annotations", "a"],
            json!("1")
        ));
        assert_eq!(v["metadata"]["annotations"]["a"], "1");
        let mut bad = json!({"spec": 7});
        assert!(!set_at(&mut bad, &["spec", "replicas"], json!(1)));
        assert_eq!(bad, json!({"spec": 7}));
    }
}

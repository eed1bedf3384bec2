//! JSON as the real API server writes it: an object's `kind`, `apiVersion` and `metadata`
//! come first (Go's struct order), not in the alphabetical order of `serde_json::Map`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// The keys a top-level object (and each item of its `items`) starts with, in this order.
const FIRST: [&str; 3] = ["kind", "apiVersion", "metadata"];

/// A `Value` serialized in wire order: at the root (and for each element of the root's
/// `items`, and each watch event's object) `kind`, `apiVersion`, `metadata` first; nested
/// values keep their own order.
pub struct Wire<'a>(pub &'a Value);

/// One node below or at a type root.
struct Node<'a> {
    v: &'a Value,
    root: bool,
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Node {
            v: self.0,
            root: true,
        }
        .serialize(s)
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(m) = self.v else {
            return self.v.serialize(s);
        };
        if !self.root {
            return self.v.serialize(s);
        }
        let mut map = s.serialize_map(Some(m.len()))?;
        for k in FIRST {
            if let Some(v) = m.get(k) {
                map.serialize_entry(k, v)?;
            }
        }
        for (k, v) in m.iter().filter(|(k, _)| !FIRST.contains(&k.as_str())) {
            if k == "items" {
                map.serialize_entry(k, &Items(v))?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// A list's `items`: each element is a type root of its own.
struct Items<'a>(&'a Value);

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Array(a) = self.0 else {
            return self.0.serialize(s);
        };
        let mut seq = s.serialize_seq(Some(a.len()))?;
        for v in a {
            seq.serialize_element(&Node { v, root: true })?;
        }
        seq.end()
    }
}

/// `v` as wire-ordered JSON bytes.
pub fn to_vec(v: &Value) -> Vec<u8> {
    serde_json::to_vec(&Wire(v)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kind_comes_first_at_the_root_and_in_items() {
        let obj = json!({"apiVersion": "v1", "data": {"b": 1, "a": 2}, "kind": "ConfigMap",
            "metadata": {"name": "c", "ownerReferences": [{"apiVersion": "v1", "kind": "X"}]}});
        let text = String::from_utf8(to_vec(&obj)).unwrap();
        assert!(
            text.starts_with(r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c""#),
            "{text}"
        );
        // Nested objects keep their (alphabetical) order: ownerReferences are apiVersion-first
        // in Go too.
        assert!(
            text.contains(r#"[{"apiVersion":"v1","kind":"X"}]"#),
            "{text}"
        );
        let list =
            json!({"apiVersion": "v1", "items": [obj], "kind": "ConfigMapList", "metadata": {}});
        let text = String::from_utf8(to_vec(&list)).unwrap();
        assert!(text.starts_with(r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[{"kind":"ConfigMap","apiVersion":"v1""#), "{text}");
        let back: Value = serde_json::from_slice(&to_vec(&list)).unwrap();
        assert_eq!(back, list);
    }
}

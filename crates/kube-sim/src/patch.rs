//! PATCH bodies by Content-Type: JSON merge (RFC 7386), strategic merge, JSON patch
//! (RFC 6902, including `test`) and server-side apply (applied as a strategic merge).

use crate::strategic;
use serde_json::Value;

/// The patch flavours the simulator accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/json-patch+json`.
    Json,
    /// `application/apply-patch+yaml` (JSON bodies are valid YAML).
    Apply,
}

impl PatchKind {
    /// The kind for a Content-Type header value (parameters ignored); None: 415.
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct.split(';').next().unwrap_or("").trim() {
            "application/merge-patch+json" => Some(Self::Merge),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/json-patch+json" => Some(Self::Json),
            "application/apply-patch+yaml" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// Why a patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The body does not parse (400 BadRequest).
    #[error("{0}")]
    Malformed(String),
    /// The patch parsed but does not apply, e.g. a failing `test` (422 Invalid).
    #[error("{0}")]
    Failed(String),
}

/// Parses a patch body for `kind` into a JSON value.
pub fn parse_body(kind: PatchKind, body: &[u8]) -> Result<Value, PatchError> {
    let parsed = match kind {
        PatchKind::Apply => serde_yaml::from_slice::<Value>(body).map_err(|e| e.to_string()),
        _ => serde_json::from_slice::<Value>(body).map_err(|e| e.to_string()),
    };
    let v = parsed.map_err(|e| PatchError::Malformed(format!("error decoding patch: {e}")))?;
    let shape_ok = match kind {
        PatchKind::Json => v.is_array(),
        _ => v.is_object(),
    };
    if kind == PatchKind::Json {
        serde_json::from_value::<json_patch::Patch>(v.clone())
            .map_err(|e| PatchError::Malformed(format!("invalid JSON patch: {e}")))?;
    }
    if !shape_ok {
        return Err(PatchError::Malformed(format!(
            "patch of type {kind:?} has the wrong shape (expected {})",
            if kind == PatchKind::Json {
                "an array of operations"
            } else {
                "an object"
            }
        )));
    }
    Ok(v)
}

/// Applies a parsed patch to a copy of `doc` and returns the result (doc itself is untouched).
pub fn apply(kind: PatchKind, doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let mut out = doc.clone();
    match kind {
        PatchKind::Merge => json_patch::merge(&mut out, patch),
        PatchKind::Strategic | PatchKind::Apply => strategic::apply(&mut out, patch),
        PatchKind::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone())
                .map_err(|e| PatchError::Malformed(format!("invalid JSON patch: {e}")))?;
            for (i, op) in ops.0.iter().enumerate() {
                if absent_and_tested_null(&out, op) {
                    continue;
                }
                json_patch::patch(&mut out, std::slice::from_ref(op)).map_err(|e| {
                    PatchError::Failed(format!(
                        "the JSON patch could not be applied: operation '/{i}' failed at path '{}': {}",
                        e.path, e.kind
                    ))
                })?;
            }
        }
    }
    Ok(out)
}

/// Like the API server (evanphx/json-patch), a `test` of `null` passes when the member it
/// names is absent from an existing object: clients test "no annotations yet" that way.
/// RFC 6902 (and the json-patch crate) would fail it.
fn absent_and_tested_null(doc: &Value, op: &json_patch::PatchOperation) -> bool {
    let json_patch::PatchOperation::Test(t) = op else {
        return false;
    };
    let path = t.path.as_str();
    let Some((parent, _)) = path.rsplit_once('/') else {
        return false;
    };
    t.value.is_null()
        && doc.pointer(path).is_none()
        && doc.pointer(parent).is_some_and(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn content_types() {
        assert_eq!(
            PatchKind::from_content_type("application/merge-patch+json; charset=utf-8"),
            Some(PatchKind::Merge)
        );
        assert_eq!(
            PatchKind::from_content_type("application/json-patch+json"),
            Some(PatchKind::Json)
        );
        assert_eq!(PatchKind::from_content_type("application/json"), None);
        assert_eq!(
            PatchKind::from_content_type("application/apply-patch+json"),
            None
        );
        assert_eq!(PatchKind::from_content_type(""), None);
    }

    #[test]
    fn json_patch_test_op_gates_the_change() {
        let doc = json!({"spec": {"rules": [{"weight": 100}]}});
        let ok = json!([{"op": "test", "path": "/spec/rules/0/weight", "value": 100},
                        {"op": "replace", "path": "/spec/rules/0/weight", "value": 0}]);
        let out = apply(PatchKind::Json, &doc, &ok).unwrap();
        assert_eq!(out["spec"]["rules"][0]["weight"], 0);
        let stale = json!([{"op": "test", "path": "/spec/rules/0/weight", "value": 0},
                           {"op": "replace", "path": "/spec/rules/0/weight", "value": 50}]);
        assert!(matches!(
            apply(PatchKind::Json, &doc, &stale),
            Err(PatchError::Failed(_))
        ));
        assert!(matches!(
            apply(PatchKind::Json, &doc, &json!([{"op": "jump"}])),
            Err(PatchError::Malformed(_))
        ));
    }

    #[test]
    fn json_patch_test_of_null_passes_on_an_absent_member_like_the_api_server() {
        let doc = json!({"metadata": {"name": "r"}});
        let add = json!([{"op": "test", "path": "/metadata/annotations", "value": null},
                         {"op": "add", "path": "/metadata/annotations", "value": {"a": "1"}}]);
        let out = apply(PatchKind::Json, &doc, &add).unwrap();
        assert_eq!(out["metadata"]["annotations"]["a"], "1");
        // Present (not null): the test fails, nothing is replaced.
        assert!(matches!(
            apply(PatchKind::Json, &out, &add),
            Err(PatchError::Failed(_))
        ));
        // A missing parent still fails, as on the API server.
        let deep = json!([{"op": "test", "path": "/spec/x/y", "value": null}]);
        assert!(matches!(
            apply(PatchKind::Json, &doc, &deep),
            Err(PatchError::Failed(_))
        ));
    }

    #[test]
    fn bodies_are_checked() {
        assert!(parse_body(PatchKind::Merge, b"{not json").is_err());
        assert!(parse_body(PatchKind::Json, b"{}").is_err());
        assert!(parse_body(PatchKind::Strategic, b"[]").is_err());
        let v = parse_body(PatchKind::Apply, b"metadata:\n  name: x\n").unwrap();
        assert_eq!(v["metadata"]["name"], "x");
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            "[a-z$/]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("name".to_string()),
                        Just("containers".to_string()),
                        Just("ports".to_string()),
                        Just("$patch".to_string()),
                        "[a-z]{1,4}"
                    ],
                    inner,
                    0..4
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn appliers_never_panic(doc in json_value(), p in json_value()) {
            for kind in [PatchKind::Merge, PatchKind::Strategic, PatchKind::Json, PatchKind::Apply] {
                let _ = apply(kind, &doc, &p);
                let _ = parse_body(kind, p.to_string().as_bytes());
            }
        }

        #[test]
        fn empty_patches_are_identity(doc in json_value()) {
            prop_assume!(doc.is_object());
            prop_assert_eq!(&apply(PatchKind::Merge, &doc, &json!({})).unwrap(), &doc);
            prop_assert_eq!(&apply(PatchKind::Strategic, &doc, &json!({})).unwrap(), &doc);
            prop_assert_eq!(&apply(PatchKind::Json, &doc, &json!([])).unwrap(), &doc);
        }

        #[test]
        fn merge_patch_is_idempotent(doc in json_value(), p in json_value()) {
            let once = apply(PatchKind::Merge, &doc, &p).unwrap();
            prop_assert_eq!(apply(PatchKind::Merge, &once, &p).unwrap(), once);
        }

    }
}

//! Strategic merge patch, as much of it as kubectl and kube-rs use: maps merge, known lists
//! merge by their key, `$patch: delete|replace` directives, and the bookkeeping directives
//! (`$setElementOrder/...`, `$retainKeys`, `$deleteFromPrimitiveList/...`) are honoured or stripped.

use serde_json::{Map, Value};

/// The merge key of a list field, by field name (and, for `ports`, by element shape).
fn merge_key(field: &str, patch_items: &[Value], doc_items: &[Value]) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" => {
            let has = |k: &str| {
                patch_items
                    .iter()
                    .chain(doc_items)
                    .any(|i| i.get(k).is_some())
            };
            if has("containerPort") {
                Some("containerPort")
            } else {
                Some("port")
            }
        }
        _ => None,
    }
}

/// Lists of scalars that merge as sets rather than being replaced.
fn is_primitive_set(field: &str) -> bool {
    field == "finalizers"
}

fn is_directive(key: &str) -> bool {
    key.starts_with('$')
}

/// A patch value with all directives and null map entries removed (what a new value stores).
pub fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !is_directive(k) && !v.is_null())
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|i| i.get("$patch").and_then(Value::as_str) != Some("delete"))
                .map(clean)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Applies a strategic merge patch to `doc` in place. A non-object patch replaces `doc`.
pub fn apply(doc: &mut Value, patch: &Value) {
    match (doc.as_object_mut(), patch.as_object()) {
        (Some(d), Some(p)) => merge_map(d, p),
        _ => *doc = clean(patch),
    }
}

fn merge_map(doc: &mut Map<String, Value>, patch: &Map<String, Value>) {
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        *doc = match clean(&Value::Object(patch.clone())) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        return;
    }
    for (key, pv) in patch {
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Some(gone)) = (doc.get_mut(field), pv.as_array()) {
                list.retain(|x| !gone.contains(x));
            }
            continue;
        }
        if is_directive(key) {
            continue;
        }
        match pv {
            Value::Null => {
                doc.remove(key);
            }
            Value::Object(pm) => {
                if pm.get("$patch").and_then(Value::as_str) == Some("delete") {
                    doc.remove(key);
                } else if let Some(Value::Object(dm)) = doc.get_mut(key) {
                    merge_map(dm, pm);
                } else {
                    doc.insert(key.clone(), clean(pv));
                }
            }
            Value::Array(items) => {
                let merged = match doc.get_mut(key) {
                    Some(Value::Array(existing)) => merge_list(key, existing, items),
                    _ => false,
                };
                if !merged {
                    doc.insert(key.clone(), clean(pv));
                }
            }
            scalar => {
                doc.insert(key.clone(), scalar.clone());
            }
        }
    }
}

/// Merges `items` into `existing` when the field has a merge strategy; false to replace.
fn merge_list(field: &str, existing: &mut Vec<Value>, items: &[Value]) -> bool {
    if is_primitive_set(field) {
        for i in items {
            if !existing.contains(i) {
                existing.push(i.clone());
            }
        }
        return true;
    }
    let Some(key) = merge_key(field, items, existing) else {
        return false;
    };
    if items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *existing = items
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .map(clean)
            .collect();
        return true;
    }
    for item in items {
        let Some(obj) = item.as_object() else {
            existing.push(item.clone());
            continue;
        };
        let id = obj.get(key);
        let pos = id.and_then(|id| existing.iter().position(|e| e.get(key) == Some(id)));
        let delete = obj.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(p), true) => {
                existing.remove(p);
            }
            (None, true) => {}
            (Some(p), false) => match existing[p].as_object_mut() {
                Some(e) => merge_map(e, obj),
                None => existing[p] = clean(item),
            },
            (None, false) => existing.push(clean(item)),
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name() {
        let mut doc = json!({"spec": {"containers": [
            {"name": "app", "image": "a:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "side", "image": "s:1"}]}});
        let patch = json!({"spec": {"containers": [
            {"name": "app", "image": "a:2", "env": [{"name": "B", "value": "2"}]}],
            "$setElementOrder/containers": [{"name": "app"}, {"name": "side"}]}});
        apply(&mut doc, &patch);
        let c = &doc["spec"]["containers"];
        assert_eq!(c.as_array().unwrap().len(), 2);
        assert_eq!(c[0]["image"], "a:2");
        assert_eq!(c[0]["env"].as_array().unwrap().len(), 2);
        assert_eq!(c[1]["image"], "s:1");
        assert!(doc["spec"].get("$setElementOrder/containers").is_none());
    }

    #[test]
    fn service_ports_by_port_and_delete_directive() {
        let mut doc = json!({"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}],
                                       "selector": {"app": "x", "deployment": "blue"}}});
        apply(
            &mut doc,
            &json!({"spec": {"ports": [{"port": 80, "targetPort": 8000},
                                                    {"port": 443, "$patch": "delete"}],
                                          "selector": {"deployment": "green"}}}),
        );
        assert_eq!(
            doc["spec"]["ports"],
            json!([{"port": 80, "name": "http", "targetPort": 8000}])
        );
        assert_eq!(
            doc["spec"]["selector"],
            json!({"app": "x", "deployment": "green"})
        );
    }

    #[test]
    fn nulls_replace_and_plain_lists() {
        let mut doc = json!({"metadata": {"annotations": {"a": "1", "b": "2"}, "finalizers": ["x"]},
                             "spec": {"args": ["1", "2"], "m": {"k": 1}}});
        apply(
            &mut doc,
            &json!({"metadata": {"annotations": {"a": null}, "finalizers": ["y"]},
                                "spec": {"args": ["3"], "m": {"$patch": "replace", "z": 2}}}),
        );
        assert_eq!(doc["metadata"]["annotations"], json!({"b": "2"}));
        assert_eq!(doc["metadata"]["finalizers"], json!(["x", "y"]));
        assert_eq!(doc["spec"]["args"], json!(["3"]));
        assert_eq!(doc["spec"]["m"], json!({"z": 2}));
    }
}

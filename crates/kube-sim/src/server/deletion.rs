//! Deletion as the API server and garbage collector do it: scheduled pods terminate
//! gracefully (the kubelet removes them), dependents (by ownerReferences) go with their owner
//! unless orphaned, and a namespace takes its contents along.

use crate::resources::RESOURCES;
use crate::store::{now_rfc3339, Store, StoreError};
use serde_json::{json, Value};

/// How deep owner chains are followed (Deployment → ReplicaSet → Pod needs 2).
const MAX_DEPTH: usize = 4;

/// What a delete request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `gracePeriodSeconds` (0: remove a pod at once).
    pub grace: Option<i64>,
    /// False for `propagationPolicy: Orphan`.
    pub cascade: bool,
}

fn namespaced_stores() -> Vec<&'static str> {
    let mut stores: Vec<&str> = RESOURCES
        .iter()
        .filter(|r| r.namespaced && r.is_stored())
        .map(|r| r.store)
        .collect();
    stores.sort_unstable();
    stores.dedup();
    stores
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// Deletes one object; returns what the client is answered with (the terminating pod, or
/// the removed object).
pub fn delete_object(
    store: &Store,
    resource: &str,
    ns: &str,
    name: &str,
    opts: DeleteOptions,
) -> Result<Value, StoreError> {
    delete_at(store, resource, ns, name, opts, 0)
}

fn delete_at(
    store: &Store,
    resource: &str,
    ns: &str,
    name: &str,
    opts: DeleteOptions,
    depth: usize,
) -> Result<Value, StoreError> {
    let old = store
        .get(resource, ns, name)
        .ok_or_else(|| StoreError::NotFound {
            resource: resource.into(),
            name: name.into(),
        })?;
    let scheduled = !str_at(&old, "/spec/nodeName").is_empty();
    let answer = if resource == "pods" && scheduled && opts.grace != Some(0) {
        let secs = opts.grace.unwrap_or(30).max(1);
        store.modify("pods", ns, name, |o| {
            if o.pointer("/metadata/deletionTimestamp").is_none() {
                o["metadata"]["deletionTimestamp"] = json!(now_rfc3339());
                o["metadata"]["deletionGracePeriodSeconds"] = json!(secs);
            }
        })?
    } else {
        if resource == "namespaces" {
            delete_namespace_contents(store, name);
        }
        store.delete(resource, ns, name)?
    };
    let uid = str_at(&old, "/metadata/uid");
    if opts.cascade && !uid.is_empty() && !ns.is_empty() && depth < MAX_DEPTH {
        for s in namespaced_stores() {
            for dep in store.list(s, Some(ns), None).0 {
                let owned = dep
                    .pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|refs| refs.iter().any(|r| str_at(r, "/uid") == uid));
                if owned {
                    let dep_name = str_at(&dep, "/metadata/name");
                    let dep_opts = DeleteOptions {
                        grace: None,
                        cascade: true,
                    };
                    let _ = delete_at(store, s, ns, dep_name, dep_opts, depth + 1);
                }
            }
        }
    }
    Ok(answer)
}

/// Deleting a namespace removes every namespaced object in it (at once, no finalizers).
pub fn delete_namespace_contents(store: &Store, ns: &str) {
    for s in namespaced_stores() {
        for o in store.list(s, Some(ns), None).0 {
            let _ = store.delete(s, ns, str_at(&o, "/metadata/name"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(name: &str, owner: &Value) -> Value {
        json!({"metadata": {"name": name, "ownerReferences": [{"uid": owner["metadata"]["uid"], "name": owner["metadata"]["name"]}]}})
    }

    #[test]
    fn dependents_follow_their_owner_unless_orphaned() {
        let s = Store::new();
        let d = s
            .create("deployments", "n", json!({"metadata": {"name": "d"}}))
            .unwrap();
        let rs = s.create("replicasets", "n", owned("d-1", &d)).unwrap();
        let mut pod = owned("d-1-a", &rs);
        pod["spec"] = json!({"nodeName": "node"});
        s.create("pods", "n", pod).unwrap();
        s.create(
            "pods",
            "n",
            owned("loose", &json!({"metadata": {"uid": "other"}})),
        )
        .unwrap();
        let cascade = DeleteOptions {
            grace: None,
            cascade: true,
        };
        delete_object(&s, "deployments", "n", "d", cascade).unwrap();
        assert!(s.get("replicasets", "n", "d-1").is_none());
        let p = s.get("pods", "n", "d-1-a").unwrap();
        assert!(
            p["metadata"]["deletionTimestamp"].is_string(),
            "scheduled pods terminate gracefully"
        );
        assert!(s.get("pods", "n", "loose").is_some());
        let rs2 = s
            .create("replicasets", "n", json!({"metadata": {"name": "r2"}}))
            .unwrap();
        s.create("pods", "n", owned("r2-a", &rs2)).unwrap();
        delete_object(
            &s,
            "replicasets",
            "n",
            "r2",
            DeleteOptions {
                grace: None,
                cascade: false,
            },
        )
        .unwrap();
        assert!(s.get("pods", "n", "r2-a").is_some(), "orphaned");
        delete_object(
            &s,
            "pods",
            "n",
            "d-1-a",
            DeleteOptions {
                grace: Some(0),
                cascade: true,
            },
        )
        .unwrap();
        assert!(
            s.get("pods", "n", "d-1-a").is_none(),
            "grace 0 removes at once"
        );
    }

    #[test]
    fn namespace_takes_its_contents() {
        let s = Store::new();
        s.create("namespaces", "", json!({"metadata": {"name": "n"}}))
            .unwrap();
        s.create("configmaps", "n", json!({"metadata": {"name": "c"}}))
            .unwrap();
        s.create("events", "n", json!({"metadata": {"name": "e"}}))
            .unwrap();
        s.create("configmaps", "m", json!({"metadata": {"name": "c"}}))
            .unwrap();
        delete_object(
            &s,
            "namespaces",
            "",
            "n",
            DeleteOptions {
                grace: None,
                cascade: true,
            },
        )
        .unwrap();
        assert!(s.get("configmaps", "n", "c").is_none() && s.get("events", "n", "e").is_none());
        assert!(s.get("configmaps", "m", "c").is_some());
        assert!(matches!(
            delete_object(
                &s,
                "namespaces",
                "",
                "n",
                DeleteOptions {
                    grace: None,
                    cascade: true
                }
            ),
            Err(StoreError::NotFound { .. })
        ));
    }
}

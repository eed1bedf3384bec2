//! The ReplicaSet controller: keeps `spec.replicas` pods per ReplicaSet (named
//! `<replicaset>-<5 chars>`), deletes surplus pods gracefully, writes the ReplicaSet's status,
//! and garbage-collects ReplicaSets and pods whose owner is gone.

use super::events::{EventType, Source};
use super::meta::{controller_uid, created, int_at, name, owner_ref, set_at, uid};
use super::names::pod_name;
use super::podstatus::{is_ready, is_terminating};
use super::status::timestamp;
use super::Ctx;
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Most pods created or deleted per ReplicaSet in one pass (the real controller's burst).
const BURST: usize = 500;

/// Syncs the ReplicaSets and owned pods of namespace `ns`.
pub(crate) fn sync_namespace(ctx: &Ctx, ns: &str) {
    let (deploys, _) = ctx.store.list("deployments", Some(ns), None);
    let deploy_uids: HashSet<&str> = deploys.iter().map(uid).collect();
    let (sets, _) = ctx.store.list("replicasets", Some(ns), None);
    let (pods, _) = ctx.store.list("pods", Some(ns), None);
    let mut live_sets = HashSet::new();
    for rs in &sets {
        if controller_uid(rs, "Deployment").is_some_and(|u| !deploy_uids.contains(u)) {
            let _ = ctx.store.delete("replicasets", ns, name(rs));
            continue;
        }
        live_sets.insert(uid(rs));
        sync_one(ctx, ns, rs, &pods);
    }
    for p in &pods {
        let orphan = controller_uid(p, "ReplicaSet").is_some_and(|u| !live_sets.contains(u));
        if orphan && !is_terminating(p) {
            delete_pod(ctx, ns, name(p));
        }
    }
}

fn sync_one(ctx: &Ctx, ns: &str, rs: &Value, pods: &[Value]) {
    if !rs
        .pointer("/spec/template/spec")
        .is_some_and(Value::is_object)
    {
        tracing::debug!(
            "replicaset {ns}/{}: spec.template.spec is not an object",
            name(rs)
        );
        return;
    }
    let mut active: Vec<&Value> = pods
        .iter()
        .filter(|p| controller_uid(p, "ReplicaSet") == Some(uid(rs)) && !is_terminating(p))
        .collect();
    let want = int_at(rs, "/spec/replicas", 1).clamp(0, i64::from(i32::MAX)) as usize;
    let mut created_pods = 0;
    for _ in active.len()..want.min(active.len() + BURST) {
        let pod = new_pod(rs);
        let pod_name = name(&pod).to_string();
        if ctx.store.create("pods", ns, pod).is_ok() {
            created_pods += 1;
            let msg = format!("Created pod: {pod_name}");
            ctx.events.record(
                rs,
                None,
                EventType::Normal,
                Source::ReplicaSet,
                "SuccessfulCreate",
                &msg,
            );
        }
    }
    if active.len() > want {
        // Like the real controller: not-ready pods go first, then the newest.
        active.sort_by(|a, b| {
            is_ready(a)
                .cmp(&is_ready(b))
                .then(created(b).cmp(created(a)))
        });
        let surplus = (active.len() - want).min(BURST);
        for victim in active.drain(..surplus) {
            delete_pod(ctx, ns, name(victim));
            let msg = format!("Deleted pod: {}", name(victim));
            ctx.events.record(
                rs,
                None,
                EventType::Normal,
                Source::ReplicaSet,
                "SuccessfulDelete",
                &msg,
            );
        }
    }
    let ready = active.iter().filter(|p| is_ready(p)).count();
    let replicas = active.len() + created_pods;
    let status = json!({
        "replicas": replicas, "fullyLabeledReplicas": replicas,
        "readyReplicas": ready, "availableReplicas": ready,
        "observedGeneration": int_at(rs, "/metadata/generation", 1),
    });
    if rs["status"] != status {
        let _ = ctx
            .store
            .modify("replicasets", ns, name(rs), |o| o["status"] = status);
    }
}

/// A pod for ReplicaSet `rs`, from its template.
fn new_pod(rs: &Value) -> Value {
    let t = &rs["spec"]["template"];
    let mut spec = t["spec"].clone();
    for (k, v) in [
        ("restartPolicy", json!("Always")),
        ("terminationGracePeriodSeconds", json!(30)),
        ("dnsPolicy", json!("ClusterFirst")),
        ("schedulerName", json!("default-scheduler")),
        ("serviceAccountName", json!("default")),
    ] {
        if spec.get(k).is_none() {
            set_at(&mut spec, &[k], v);
        }
    }
    let mut metadata = json!({
        "name": pod_name(name(rs)),
        "labels": t["metadata"]["labels"],
        "ownerReferences": [owner_ref(rs)],
    });
    if let Some(a) = t.pointer("/metadata/annotations") {
        metadata["annotations"] = a.clone();
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec,
           "status": {"phase": "Pending", "qosClass": "BestEffort"}})
}

/// Starts a graceful deletion: the kubelet stops the pod and removes it.
pub(crate) fn delete_pod(ctx: &Ctx, ns: &str, pod: &str) {
    let _ = ctx.store.modify("pods", ns, pod, |p| {
        if is_terminating(p) {
            return;
        }
        let grace = int_at(p, "/spec/terminationGracePeriodSeconds", 30);
        let at = Utc::now() + chrono::Duration::seconds(grace);
        p["metadata"]["deletionTimestamp"] = json!(timestamp(at));
        p["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
    });
}

//! The Deployment controller: one ReplicaSet per pod template (`<deployment>-<hash>`),
//! rolling updates through [`rollout::plan`], and the Deployment's status.

use super::events::{EventType, Source};
use super::meta::{controller_uid, created, int_at, name, owner_ref, set_at, uid};
use super::names::{pod_template_hash, replicaset_name, POD_TEMPLATE_HASH};
use super::podstatus::{is_ready, is_terminating};
use super::rollout::{self, int_or_percent, RsCounts};
use super::status::{next_status, Counts, StatusInput, Step};
use super::Ctx;
use crate::store::StoreError;
use chrono::Utc;
use serde_json::{json, Value};

const REVISION: &str = "deployment.kubernetes.io/revision";

/// Syncs every Deployment of namespace `ns`: ReplicaSets first, then status.
pub(crate) fn sync_namespace(ctx: &Ctx, ns: &str, deploys: &[Value]) -> Vec<(String, Step)> {
    deploys
        .iter()
        .map(|d| {
            let step = sync_one(ctx, ns, d).unwrap_or_else(|e| {
                tracing::debug!("deployment {ns}/{}: {e}", name(d));
                Step::Other
            });
            (name(d).to_string(), step)
        })
        .collect()
}

/// ReplicaSets of namespace `ns` owned by the Deployment with `owner` uid, oldest first.
fn owned_sets(ctx: &Ctx, ns: &str, owner: &str) -> Vec<Value> {
    let (mut sets, _) = ctx.store.list("replicasets", Some(ns), None);
    sets.retain(|rs| controller_uid(rs, "Deployment") == Some(owner));
    sets.sort_by(|a, b| created(a).cmp(created(b)).then(name(a).cmp(name(b))));
    sets
}

/// Live (non-terminating) pods of namespace `ns`.
fn live_pods(ctx: &Ctx, ns: &str) -> Vec<Value> {
    let (mut pods, _) = ctx.store.list("pods", Some(ns), None);
    pods.retain(|p| !is_terminating(p));
    pods
}

fn counts_of(rs: &Value, pods: &[Value]) -> (i64, i64) {
    let mine = pods
        .iter()
        .filter(|p| controller_uid(p, "ReplicaSet") == Some(uid(rs)));
    let (mut total, mut ready) = (0, 0);
    for p in mine {
        total += 1;
        ready += i64::from(is_ready(p));
    }
    (total, ready)
}

/// `spec.replicas` (default 1), within Kubernetes' int32 range.
fn replicas_of(d: &Value) -> i64 {
    int_at(d, "/spec/replicas", 1).clamp(0, i64::from(i32::MAX))
}

/// The highest `deployment.kubernetes.io/revision` among `sets` (0 when none).
fn max_revision(sets: &[Value]) -> i64 {
    sets.iter().filter_map(revision_of).max().unwrap_or(0)
}

fn revision_of(rs: &Value) -> Option<i64> {
    rs["metadata"]["annotations"][REVISION]
        .as_str()?
        .parse()
        .ok()
}

/// The ReplicaSet for the Deployment's current template, taken out of `sets` or created.
/// A rollback to an older template reuses its ReplicaSet under the next revision.
fn current_set(
    ctx: &Ctx,
    ns: &str,
    d: &Value,
    hash: &str,
    sets: &mut Vec<Value>,
) -> Result<(Value, Step), StoreError> {
    let rs_name = replicaset_name(name(d), hash);
    let Some(i) = sets.iter().position(|rs| name(rs) == rs_name) else {
        let revision = max_revision(sets) + 1;
        let rs = ctx.store.create(
            "replicasets",
            ns,
            new_replicaset(d, &rs_name, hash, revision),
        )?;
        return Ok((rs, Step::CreatedNewReplicaSet));
    };
    let rs = sets.remove(i);
    let newest = max_revision(sets);
    if revision_of(&rs).is_some_and(|r| r < newest) {
        let bumped = ctx.store.modify("replicasets", ns, &rs_name, |o| {
            set_at(
                o,
                &["metadata", "annotations", REVISION],
                json!((newest + 1).to_string()),
            );
        })?;
        return Ok((bumped, Step::Other));
    }
    Ok((rs, Step::Other))
}

fn sync_one(ctx: &Ctx, ns: &str, d: &Value) -> Result<Step, StoreError> {
    if !d.pointer("/spec/template").is_some_and(Value::is_object) {
        return Err(StoreError::Invalid("spec.template is not an object".into()));
    }
    let desired = replicas_of(d);
    let hash = pod_template_hash(&d["spec"]["template"]);
    let mut sets = owned_sets(ctx, ns, uid(d));
    let (new_rs, step) = current_set(ctx, ns, d, &hash, &mut sets)?;
    let revision = new_rs["metadata"]["annotations"][REVISION].clone();
    if d["metadata"]["annotations"][REVISION] != revision {
        ctx.store.modify("deployments", ns, name(d), |o| {
            set_at(o, &["metadata", "annotations", REVISION], revision.clone());
        })?;
    }
    if d.pointer("/spec/paused") == Some(&json!(true)) {
        return Ok(step);
    }
    let pods = live_pods(ctx, ns);
    let counts = |rs: &Value| {
        let (_, ready) = counts_of(rs, &pods);
        RsCounts {
            replicas: int_at(rs, "/spec/replicas", 0).clamp(0, i64::from(i32::MAX)),
            available: ready,
        }
    };
    let old: Vec<RsCounts> = sets.iter().map(counts).collect();
    let new = counts(&new_rs);
    let plan = if d.pointer("/spec/strategy/type") == Some(&json!("Recreate")) {
        // Recreate: old pods all gone (not just scaled) before the new set grows.
        let (all, _) = ctx.store.list("pods", Some(ns), None);
        let old_pods = all.iter().any(|p| {
            controller_uid(p, "ReplicaSet").is_some_and(|u| sets.iter().any(|rs| uid(rs) == u))
        });
        rollout::Plan {
            new_replicas: if old_pods { 0 } else { desired },
            old_replicas: vec![0; sets.len()],
        }
    } else {
        let ru = d.pointer("/spec/strategy/rollingUpdate");
        let surge = int_or_percent(ru.and_then(|r| r.get("maxSurge")), desired, true, 25);
        let unavailable =
            int_or_percent(ru.and_then(|r| r.get("maxUnavailable")), desired, false, 25);
        rollout::plan(desired, surge, unavailable, new, &old)
    };
    scale(ctx, d, &new_rs, new.replicas, plan.new_replicas)?;
    for (rs, (from, to)) in sets
        .iter()
        .zip(old.iter().map(|o| o.replicas).zip(plan.old_replicas))
    {
        scale(ctx, d, rs, from, to)?;
    }
    Ok(step)
}

fn new_replicaset(d: &Value, rs_name: &str, hash: &str, revision: i64) -> Value {
    let mut template = d["spec"]["template"].clone();
    set_at(
        &mut template,
        &["metadata", "labels", POD_TEMPLATE_HASH],
        json!(hash),
    );
    let mut selector = d["spec"]["selector"].clone();
    set_at(
        &mut selector,
        &["matchLabels", POD_TEMPLATE_HASH],
        json!(hash),
    );
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": rs_name,
            "labels": template["metadata"]["labels"],
            "annotations": {
                REVISION: revision.to_string(),
                "deployment.kubernetes.io/desired-replicas": int_at(d, "/spec/replicas", 1).to_string(),
            },
            "ownerReferences": [owner_ref(d)],
        },
        "spec": {"replicas": 0, "selector": selector, "template": template},
    })
}

fn scale(ctx: &Ctx, d: &Value, rs: &Value, from: i64, to: i64) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    let ns = d["metadata"]["namespace"].as_str().unwrap_or("");
    ctx.store.modify("replicasets", ns, name(rs), |o| {
        set_at(o, &["spec", "replicas"], json!(to));
        let desired = json!(int_at(d, "/spec/replicas", 1).to_string());
        set_at(
            o,
            &[
                "metadata",
                "annotations",
                "deployment.kubernetes.io/desired-replicas",
            ],
            desired,
        );
    })?;
    let dir = if to > from { "up" } else { "down" };
    let msg = format!("Scaled {dir} replica set {} from {from} to {to}", name(rs));
    ctx.events.record(
        d,
        None,
        EventType::Normal,
        Source::Deployment,
        "ScalingReplicaSet",
        &msg,
    );
    Ok(())
}

/// Writes the status of Deployment `name` in `ns` from its pods now.
pub(crate) fn update_status(ctx: &Ctx, ns: &str, deploy: &str, step: Step) {
    let Some(d) = ctx.store.get("deployments", ns, deploy) else {
        return;
    };
    let hash = pod_template_hash(&d["spec"]["template"]);
    let new_name = replicaset_name(deploy, &hash);
    let sets = owned_sets(ctx, ns, uid(&d));
    let pods = live_pods(ctx, ns);
    let mut c = Counts {
        desired: replicas_of(&d),
        ..Counts::default()
    };
    for rs in &sets {
        let (total, ready) = counts_of(rs, &pods);
        c.replicas += total;
        c.ready += ready;
        if name(rs) == new_name {
            c.updated = total;
        }
    }
    c.available = c.ready;
    let ru = d.pointer("/spec/strategy/rollingUpdate");
    let input = StatusInput {
        counts: c,
        generation: int_at(&d, "/metadata/generation", 1),
        max_unavailable: int_or_percent(
            ru.and_then(|r| r.get("maxUnavailable")),
            c.desired,
            false,
            25,
        ),
        new_rs: &new_name,
        step,
        deadline_secs: ctx.tuning.progress_deadline_secs(int_at(
            &d,
            "/spec/progressDeadlineSeconds",
            600,
        ) as f64),
        now: Utc::now(),
    };
    let status = next_status(&d["status"], &input);
    if status != d["status"] {
        let _ = ctx
            .store
            .modify("deployments", ns, deploy, |o| o["status"] = status);
    }
}

//! Following a Deployment's rollout like `kubectl rollout status`: every replica updated,
//! ready and available and no old pod left — or the Deployment's own verdict
//! (`Progressing=False`, `ProgressDeadlineExceeded`), or cutover's timeout. Progress goes
//! out as lines: new and old pods, ready counts, the Progressing reason, and why new pods
//! wait (ImagePullBackOff, CrashLoopBackOff).

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;
use kube::Api;
use tokio_util::sync::CancellationToken;

use super::Progress;
use crate::bus::Ctx;
use crate::cluster::clean;
use crate::cluster::convert::{image_tag, pod_summary};
use crate::model::Color;

/// How often the Deployment and its pods are read while following.
const POLL: Duration = Duration::from_millis(500);

/// How following a rollout ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RolloutEnd {
    /// Every replica updated and ready: "3/3 ready".
    Complete(String),
    /// The Deployment says it failed, or cutover's timeout passed: why.
    Failed(String),
    /// Cancelled before it ended.
    Cancelled,
}

/// What to follow.
pub struct Follow<'a> {
    /// The color.
    pub color: Color,
    /// Its namespace.
    pub namespace: &'a str,
    /// Its Deployment.
    pub deployment: &'a str,
    /// The version new pods run (image tag), to tell them from old ones (None: by the
    /// Deployment's own counts only).
    pub version: Option<&'a str>,
    /// Seconds before it counts as failed.
    pub timeout_secs: f64,
}

/// One reading of the rollout.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reading {
    /// `metadata.generation` ≤ `status.observedGeneration`.
    pub observed: bool,
    /// `spec.replicas`.
    pub desired: i32,
    /// `status.replicas` (every non-terminating pod of all its ReplicaSets).
    pub replicas: i32,
    /// `status.updatedReplicas`.
    pub updated: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// The Progressing condition: (status, reason, message).
    pub progressing: Option<(String, String, String)>,
}

impl Reading {
    /// A Deployment's rollout as read.
    pub fn of(d: &Deployment) -> Reading {
        let status = d.status.clone().unwrap_or_default();
        let generation = d.metadata.generation.unwrap_or(0);
        let progressing = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_.as_deref() == Some("Progressing"))
            .map(|c| {
                let field = |f: &Option<String>| clean(f.as_deref().unwrap_or(""));
                (field(&c.status), field(&c.reason), field(&c.message))
            });
        Reading {
            observed: status.observed_generation.unwrap_or(0) >= generation,
            desired: d.spec.replicas.unwrap_or(1),
            replicas: status.replicas.unwrap_or(0),
            updated: status.updated_replicas.unwrap_or(0),
            ready: status.ready_replicas.unwrap_or(0),
            available: status.available_replicas.unwrap_or(0),
            progressing,
        }
    }

    /// Done: the controller saw the change and every replica is updated and available,
    /// with no old one left.
    pub fn complete(&self) -> bool {
        self.observed
            && self.updated >= self.desired
            && self.replicas == self.desired
            && self.available >= self.desired
    }

    /// The Deployment's own verdict that it failed.
    pub fn deadline_exceeded(&self) -> bool {
        self.progressing
            .as_ref()
            .is_some_and(|(s, r, _)| s == "False" && r == "ProgressDeadlineExceeded")
    }
}

/// Follow the rollout to its end.
pub async fn follow(
    ctx: &Ctx,
    f: &Follow<'_>,
    progress: &Progress,
    cancel: &CancellationToken,
) -> RolloutEnd {
    let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), f.namespace);
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), f.namespace);
    let selector = ctx.config.colors.of(f.color).selector.clone();
    let deadline = Instant::now() + Duration::from_secs_f64(f.timeout_secs.max(0.001));
    let mut said = String::new();
    let mut waits = String::new();
    loop {
        let read = tokio::select! {
            biased;
            _ = cancel.cancelled() => return RolloutEnd::Cancelled,
            r = api.get(f.deployment) => r,
        };
        match read {
            Ok(d) => {
                let r = Reading::of(&d);
                let listed = pods.list(&ListParams::default().labels(&selector)).await;
                let (line, pod_waits) = match &listed {
                    Ok(list) => describe(&r, f.version, &list.items),
                    Err(_) => (describe(&r, f.version, &[]).0, String::new()),
                };
                if line != said {
                    progress.output(line.clone());
                    said = line;
                }
                if pod_waits != waits && !pod_waits.is_empty() {
                    progress.output(format!("✖ {pod_waits}"));
                }
                waits = pod_waits;
                if r.complete() {
                    return RolloutEnd::Complete(format!("{}/{} ready", r.ready, r.desired));
                }
                if r.deadline_exceeded() {
                    let (_, _, msg) = r.progressing.clone().unwrap_or_default();
                    return RolloutEnd::Failed(failure("ProgressDeadlineExceeded", &msg, &waits));
                }
                progress.waiting(format!(
                    "rollout of {} in {}: {}/{} updated and ready",
                    f.deployment,
                    f.namespace,
                    r.ready.min(r.updated),
                    r.desired
                ));
            }
            Err(e) => progress.waiting(clean(&format!(
                "reading Deployment {} in {}: {e}; retrying",
                f.deployment, f.namespace
            ))),
        }
        if Instant::now() >= deadline {
            let why = format!("not complete after {} s", f.timeout_secs);
            return RolloutEnd::Failed(failure(&why, &said, &waits));
        }
        tokio::select! {
            _ = cancel.cancelled() => return RolloutEnd::Cancelled,
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// "ProgressDeadlineExceeded: ReplicaSet … has timed out progressing; new pods:
/// ImagePullBackOff (…)".
fn failure(head: &str, detail: &str, waits: &str) -> String {
    let mut text = head.to_string();
    if !detail.is_empty() {
        text.push_str(&format!(": {detail}"));
    }
    if !waits.is_empty() {
        text.push_str(&format!("; {waits}"));
    }
    text
}

/// The progress line ("rollout: 2/3 new ready · 1 old · Progressing: ReplicaSetUpdated")
/// and why new pods wait, if they do.
pub fn describe(r: &Reading, version: Option<&str>, pods: &[Pod]) -> (String, String) {
    let live: Vec<_> = pods
        .iter()
        .map(pod_summary)
        .filter(|p| !p.terminating)
        .collect();
    let is_new = |p: &crate::model::PodSummary| match version {
        Some(v) => p.containers.iter().any(|c| image_tag(&c.image) == v),
        None => true,
    };
    let mut line = match version {
        Some(_) if !pods.is_empty() => {
            let new: Vec<_> = live.iter().filter(|p| is_new(p)).collect();
            let old = live.len() - new.len();
            let ready = new.iter().filter(|p| p.is_ready()).count();
            format!(
                "rollout: {ready}/{} new ready ({} new pods) · {old} old",
                r.desired,
                new.len()
            )
        }
        _ => format!(
            "rollout: {}/{} updated, {} ready · {} pods",
            r.updated, r.desired, r.ready, r.replicas
        ),
    };
    if let Some((status, reason, _)) = &r.progressing {
        line.push_str(&format!(" · Progressing={status} {reason}"));
    }
    let mut waits: Vec<String> = live
        .iter()
        .filter(|p| is_new(p) && !p.is_ready())
        .filter(|p| {
            !matches!(
                p.status.as_str(),
                "Running" | "Pending" | "ContainerCreating"
            )
        })
        .map(|p| format!("{} {}", p.name, p.status))
        .collect();
    waits.sort();
    waits.dedup();
    let waits = if waits.is_empty() {
        String::new()
    } else {
        format!("new pods: {}", waits.join(", "))
    };
    (line, waits)
}

//! Conversions from k8s-openapi objects to the cockpit's model values.
//! Time (jiff) becomes chrono here, and every string is cleaned on the way in.

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Event, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::clean;
use crate::model::{ContainerSummary, DeploymentSummary, EventKind, KubeEvent, PodSummary};

/// jiff → chrono, at the edge.
pub fn to_chrono(ts: &jiff::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().max(0) as u32)
}

fn time(t: &Option<Time>) -> Option<DateTime<Utc>> {
    t.as_ref().and_then(|t| to_chrono(&t.0))
}

/// A pod as the cockpit shows it, with kubectl's STATUS column.
pub fn pod_summary(pod: &Pod) -> PodSummary {
    let meta = &pod.metadata;
    let status = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let statuses = status.container_statuses.clone().unwrap_or_default();
    let containers = spec
        .containers
        .iter()
        .map(|c| {
            let st = statuses.iter().find(|s| s.name == c.name);
            container_view(&c.name, c.image.as_deref().unwrap_or(""), st)
        })
        .collect::<Vec<_>>();
    let conditions = status
        .conditions
        .iter()
        .flatten()
        .map(|c| {
            let why = [c.reason.as_deref(), c.message.as_deref()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(": ");
            (clean(&c.type_), clean(&c.status), clean(&why))
        })
        .collect();
    let last_exit_code = statuses.iter().find_map(|s| {
        terminated(&s.state)
            .or_else(|| terminated(&s.last_state))
            .map(|t| t.exit_code)
    });
    PodSummary {
        name: clean(meta.name.as_deref().unwrap_or("")),
        namespace: clean(meta.namespace.as_deref().unwrap_or("")),
        ready: statuses.iter().filter(|s| s.ready).count() as u32,
        containers_total: spec.containers.len() as u32,
        status: clean(&pod_status(pod)),
        last_exit_code,
        restarts: statuses.iter().map(|s| s.restart_count.max(0) as u32).sum(),
        created: time(&meta.creation_timestamp),
        terminating: meta.deletion_timestamp.is_some(),
        conditions,
        containers,
        ip: status.pod_ip.as_deref().map(clean),
        node: spec.node_name.as_deref().map(clean),
        labels: pairs(meta.labels.as_ref()),
        annotations: pairs(meta.annotations.as_ref()),
    }
}

/// Most label or annotation entries kept for the pod detail.
const MAX_PAIRS: usize = 64;

/// Most columns of a label or annotation value kept (annotations can hold whole manifests).
const MAX_VALUE: usize = 200;

/// Labels or annotations, sanitized, values cut with "…".
fn pairs(map: Option<&std::collections::BTreeMap<String, String>>) -> Vec<(String, String)> {
    map.into_iter()
        .flatten()
        .take(MAX_PAIRS)
        .map(|(k, v)| (clean(k), crate::sanitize::sanitize_oneline(v, MAX_VALUE)))
        .collect()
}

fn terminated(
    state: &Option<ContainerState>,
) -> Option<&k8s_openapi::api::core::v1::ContainerStateTerminated> {
    state.as_ref().and_then(|s| s.terminated.as_ref())
}

fn container_view(name: &str, image: &str, st: Option<&ContainerStatus>) -> ContainerSummary {
    let Some(st) = st else {
        return ContainerSummary {
            name: clean(name),
            image: clean(image),
            state: "waiting".into(),
            ..ContainerSummary::default()
        };
    };
    let state = match &st.state {
        Some(ContainerState {
            waiting: Some(w), ..
        }) => format!("waiting: {}", w.reason.as_deref().unwrap_or("")),
        Some(ContainerState {
            terminated: Some(t),
            ..
        }) => format!(
            "terminated: {} (exit {})",
            t.reason.as_deref().unwrap_or("Error"),
            t.exit_code
        ),
        Some(ContainerState {
            running: Some(_), ..
        }) => "running".into(),
        _ => "waiting".into(),
    };
    let last_termination = terminated(&st.last_state).map(|t| {
        let at = time(&t.finished_at)
            .map(|at| format!(" at {}", at.format("%H:%M:%S UTC")))
            .unwrap_or_default();
        let message = t
            .message
            .as_deref()
            .filter(|m| !m.is_empty())
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        format!(
            "{}, exit {}{at}{message}",
            t.reason.as_deref().unwrap_or("Error"),
            t.exit_code
        )
    });
    let message = match &st.state {
        Some(ContainerState {
            waiting: Some(w), ..
        }) => w.message.clone(),
        Some(ContainerState {
            terminated: Some(t),
            ..
        }) => t.message.clone(),
        _ => None,
    }
    .filter(|m| !m.is_empty());
    ContainerSummary {
        name: clean(name),
        image: clean(if st.image.is_empty() {
            image
        } else {
            &st.image
        }),
        ready: st.ready,
        restarts: st.restart_count.max(0) as u32,
        state: clean(state.trim_end_matches(": ")),
        last_termination: last_termination.as_deref().map(clean),
        message: message.as_deref().map(clean),
    }
}

/// kubectl's STATUS column (printPod in kubectl's printers), without the node-lost cases.
pub fn pod_status(pod: &Pod) -> String {
    let status = pod.status.clone().unwrap_or_default();
    let mut reason = status
        .reason
        .clone()
        .or(status.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    let init_total = pod.spec.as_ref().and_then(|s| s.init_containers.as_ref());
    let init_total = init_total.map_or(0, Vec::len);
    let mut initializing = false;
    for (i, c) in status.init_container_statuses.iter().flatten().enumerate() {
        let state = c.state.clone().unwrap_or_default();
        if let Some(t) = &state.terminated {
            if t.exit_code == 0 {
                continue;
            }
            reason = match &t.reason {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ => match t.signal {
                    Some(sig) if sig != 0 => format!("Init:Signal:{sig}"),
                    _ => format!("Init:ExitCode:{}", t.exit_code),
                },
            };
        } else if let Some(r) = state.waiting.as_ref().and_then(|w| w.reason.clone()) {
            reason = if r.is_empty() || r == "PodInitializing" {
                format!("Init:{i}/{init_total}")
            } else {
                format!("Init:{r}")
            };
        } else {
            reason = format!("Init:{i}/{init_total}");
        }
        initializing = true;
        break;
    }
    if !initializing {
        let mut has_running = false;
        for c in status.container_statuses.iter().flatten().rev() {
            let state = c.state.clone().unwrap_or_default();
            let waiting = state.waiting.as_ref().and_then(|w| w.reason.clone());
            if let Some(r) = waiting.filter(|r| !r.is_empty()) {
                reason = r;
            } else if let Some(t) = &state.terminated {
                reason = match &t.reason {
                    Some(r) if !r.is_empty() => r.clone(),
                    _ => match t.signal {
                        Some(sig) if sig != 0 => format!("Signal:{sig}"),
                        _ => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if c.ready && state.running.is_some() {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = "Terminating".into();
    }
    reason
}

/// A Deployment's image, version (the image tag) and replica counts.
pub fn deployment_summary(d: &Deployment) -> DeploymentSummary {
    let spec = &d.spec;
    let status = d.status.clone().unwrap_or_default();
    let image = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let conditions = status
        .conditions
        .iter()
        .flatten()
        .map(|c| {
            let field = |f: &Option<String>| clean(f.as_deref().unwrap_or(""));
            (field(&c.type_), field(&c.status), field(&c.reason))
        })
        .collect();
    let count = |n: Option<i32>| n.unwrap_or(0).max(0) as u32;
    DeploymentSummary {
        name: clean(d.metadata.name.as_deref().unwrap_or("")),
        version: clean(image_tag(&image)),
        image: clean(&image),
        desired: spec.replicas.unwrap_or(1).max(0) as u32,
        ready: count(status.ready_replicas),
        updated: count(status.updated_replicas),
        available: count(status.available_replicas),
        conditions,
    }
}

/// Image tags are a model fact; the view needs them too.
pub use crate::model::image_tag;

/// A core/v1 Event as a timeline entry.
pub fn kube_event(e: &Event) -> KubeEvent {
    let when = e
        .last_timestamp
        .as_ref()
        .and_then(|t| to_chrono(&t.0))
        .or_else(|| e.event_time.as_ref().and_then(|t| to_chrono(&t.0)))
        .or_else(|| time(&e.first_timestamp))
        .or_else(|| time(&e.metadata.creation_timestamp))
        .unwrap_or(DateTime::UNIX_EPOCH);
    let obj = &e.involved_object;
    let object = format!(
        "{}/{}",
        obj.kind.as_deref().unwrap_or("?"),
        obj.name.as_deref().unwrap_or("?")
    );
    KubeEvent {
        uid: clean(e.metadata.uid.as_deref().unwrap_or("")),
        time: when,
        namespace: clean(e.metadata.namespace.as_deref().unwrap_or("")),
        object: clean(&object),
        reason: clean(e.reason.as_deref().unwrap_or("")),
        message: clean(e.message.as_deref().unwrap_or("")),
        kind: match e.type_.as_deref() {
            Some("Warning") => EventKind::Warning,
            _ => EventKind::Normal,
        },
        count: e.count.unwrap_or(1).max(1) as u32,
    }
}

/// (ready, total) endpoints over a Service's EndpointSlices. A missing `ready`
/// condition counts as ready, as the EndpointSlice API specifies.
pub fn endpoint_counts<'a>(slices: impl IntoIterator<Item = &'a EndpointSlice>) -> (u32, u32) {
    let mut ready = 0;
    let mut total = 0;
    for ep in slices
        .into_iter()
        .flat_map(|s| s.endpoints.iter().flatten())
    {
        total += 1;
        if ep.conditions.as_ref().and_then(|c| c.ready) != Some(false) {
            ready += 1;
        }
    }
    (ready, total)
}

#[cfg(test)]
mod tests;

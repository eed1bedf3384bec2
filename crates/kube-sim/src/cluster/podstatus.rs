//! What the kubelet knows about one pod, and how that renders as the pod's `status`
//! (phase, conditions, containerStatuses) — a pure function, so every state is testable.

use super::status::timestamp;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// The name of the simulator's only node.
pub const NODE: &str = "sim-node-1";
/// The node's address (`status.hostIP`).
pub const HOST_IP: &str = "10.0.0.10";

/// A container's state as the kubelet reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerState {
    /// Not running: `ContainerCreating`, `ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`.
    Waiting {
        /// The waiting reason.
        reason: String,
        /// A human message (may be empty).
        message: String,
    },
    /// Running since the given time.
    Running {
        /// When the container (last) started.
        started_at: DateTime<Utc>,
    },
}

/// How a container last ended (`lastState.terminated`).
#[derive(Debug, Clone, PartialEq)]
pub struct Terminated {
    /// Exit code (1 for a crash, 137 for a liveness kill).
    pub exit_code: i32,
    /// `Error` or `Completed`.
    pub reason: String,
    /// When that run started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
}

/// Everything the kubelet tracks for one pod.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRuntime {
    /// When the pod was bound to the node (PodScheduled).
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Pod IP once the sandbox exists.
    pub ip: Option<String>,
    /// When the kubelet started working on the pod.
    pub start_time: Option<DateTime<Utc>>,
    /// The containers' state (all containers of a pod share one lifecycle here).
    pub state: ContainerState,
    /// Readiness as the probes decided.
    pub ready: bool,
    /// Restarts so far.
    pub restart_count: u32,
    /// The previous run's ending.
    pub last_terminated: Option<Terminated>,
    /// When `ready` last changed (the Ready condition's lastTransitionTime).
    pub ready_since: DateTime<Utc>,
}

impl PodRuntime {
    /// A pod the kubelet has not touched yet.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            scheduled_at: None,
            ip: None,
            start_time: None,
            state: ContainerState::Waiting {
                reason: "ContainerCreating".into(),
                message: String::new(),
            },
            ready: false,
            restart_count: 0,
            last_terminated: None,
            ready_since: now,
        }
    }

    /// Sets readiness, remembering when it changed.
    pub fn set_ready(&mut self, ready: bool, now: DateTime<Utc>) {
        if self.ready != ready {
            self.ready = ready;
            self.ready_since = now;
        }
    }

    /// True when the container is running.
    pub fn running(&self) -> bool {
        matches!(self.state, ContainerState::Running { .. })
    }
}

fn condition(kind: &str, ok: bool, since: &str, reason: Option<&str>) -> Value {
    let mut c = json!({"type": kind, "status": if ok { "True" } else { "False" },
                       "lastProbeTime": null, "lastTransitionTime": since});
    if let (false, Some(r)) = (ok, reason) {
        c["reason"] = json!(r);
    }
    c
}

fn state_json(state: &ContainerState) -> Value {
    match state {
        ContainerState::Waiting { reason, message } if message.is_empty() => {
            json!({"waiting": {"reason": reason}})
        }
        ContainerState::Waiting { reason, message } => {
            json!({"waiting": {"reason": reason, "message": message}})
        }
        ContainerState::Running { started_at } => {
            json!({"running": {"startedAt": timestamp(*started_at)}})
        }
    }
}

/// The pod's `status` for `rt`, given the pod's `spec.containers`.
pub fn render(rt: &PodRuntime, containers: &[Value]) -> Value {
    let Some(scheduled) = rt.scheduled_at else {
        return json!({"phase": "Pending", "qosClass": "BestEffort"});
    };
    let scheduled = timestamp(scheduled);
    let started = rt
        .start_time
        .map(timestamp)
        .unwrap_or_else(|| scheduled.clone());
    let ready_since = timestamp(rt.ready_since);
    let last_state = match &rt.last_terminated {
        None => json!({}),
        Some(t) => json!({"terminated": {
            "exitCode": t.exit_code, "reason": t.reason,
            "startedAt": timestamp(t.started_at), "finishedAt": timestamp(t.finished_at)}}),
    };
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let image = c["image"].as_str().unwrap_or("");
            let name = c["name"].as_str().unwrap_or("");
            let (image_id, container_id) = if rt.running() {
                (
                    format!("docker-pullable://{image}"),
                    format!("containerd://{name}"),
                )
            } else {
                (String::new(), String::new())
            };
            json!({
                "name": name, "image": image,
                "imageID": image_id, "containerID": container_id,
                "ready": rt.ready, "started": rt.running(), "restartCount": rt.restart_count,
                "state": state_json(&rt.state), "lastState": last_state,
            })
        })
        .collect();
    let phase = if rt.running() || rt.restart_count > 0 {
        "Running"
    } else {
        "Pending"
    };
    let mut status = json!({
        "phase": phase,
        "qosClass": "BestEffort",
        "hostIP": HOST_IP,
        "hostIPs": [{"ip": HOST_IP}],
        "startTime": started,
        "conditions": [
            condition("PodReadyToStartContainers", rt.ip.is_some(), &scheduled, None),
            condition("Initialized", true, &scheduled, None),
            condition("Ready", rt.ready, &ready_since, Some("ContainersNotReady")),
            condition("ContainersReady", rt.ready, &ready_since, Some("ContainersNotReady")),
            condition("PodScheduled", true, &scheduled, None),
        ],
        "containerStatuses": statuses,
    });
    if let Some(ip) = &rt.ip {
        status["podIP"] = json!(ip);
        status["podIPs"] = json!([{"ip": ip}]);
    }
    status
}

/// True when a pod object is Ready (its Ready condition is True).
pub fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

/// True when a pod is being deleted.
pub fn is_terminating(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn containers() -> Vec<Value> {
        vec![json!({"name": "api", "image": "fittrack/api:v1"})]
    }

    #[test]
    fn unscheduled_pod_is_pending_without_conditions() {
        let s = render(&PodRuntime::new(Utc::now()), &containers());
        assert_eq!(s["phase"], "Pending");
        assert!(s.get("conditions").is_none());
    }

    #[test]
    fn running_and_ready_pod() {
        let now = Utc::now();
        let mut rt = PodRuntime::new(now);
        rt.scheduled_at = Some(now);
        rt.ip = Some("10.244.0.7".into());
        rt.state = ContainerState::Running { started_at: now };
        rt.set_ready(true, now);
        let pod = json!({"status": render(&rt, &containers())});
        assert!(is_ready(&pod));
        let s = &pod["status"];
        assert_eq!(s["phase"], "Running");
        assert_eq!(s["podIP"], "10.244.0.7");
        assert_eq!(s["containerStatuses"][0]["ready"], true);
        assert!(s["containerStatuses"][0]["state"]["running"]["startedAt"].is_string());
    }

    #[test]
    fn crash_loop_shows_restarts_and_last_state() {
        let now = Utc::now();
        let mut rt = PodRuntime::new(now);
        rt.scheduled_at = Some(now);
        rt.restart_count = 2;
        rt.state = ContainerState::Waiting {
            reason: "CrashLoopBackOff".into(),
            message: "back-off 20s".into(),
        };
        rt.last_terminated = Some(Terminated {
            exit_code: 1,
            reason: "Error".into(),
            started_at: now,
            finished_at: now,
        });
        let s = render(&rt, &containers());
        let c = &s["containerStatuses"][0];
        assert_eq!(s["phase"], "Running");
        assert_eq!(c["restartCount"], 2);
        assert_eq!(c["state"]["waiting"]["reason"], "CrashLoopBackOff");
        assert_eq!(c["lastState"]["terminated"]["exitCode"], 1);
        assert!(!is_ready(&json!({"status": s})));
    }

    #[test]
    fn terminating_is_read_from_metadata() {
        assert!(is_terminating(
            &json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}})
        ));
        assert!(!is_terminating(&json!({"metadata": {}})));
    }
}

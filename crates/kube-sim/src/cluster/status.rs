//! Deployment status and conditions computed like the real controller
//! (`syncRolloutStatus`): `Available`, and `Progressing` with its reasons
//! NewReplicaSetCreated, ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// Kubernetes' timestamp format (RFC 3339, whole seconds, `Z`).
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses a Kubernetes timestamp.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Replica counts of a Deployment, as they go into its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// `spec.replicas`.
    pub desired: i64,
    /// Non-terminating pods of all its ReplicaSets.
    pub replicas: i64,
    /// Non-terminating pods of the ReplicaSet matching the template.
    pub updated: i64,
    /// Ready pods.
    pub ready: i64,
    /// Available pods (ready; minReadySeconds is 0 in the simulator).
    pub available: i64,
}

/// What the controller did on this pass, as far as the Progressing condition cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// It created the ReplicaSet for the current template.
    CreatedNewReplicaSet,
    /// Anything else.
    Other,
}

/// Inputs of [`next_status`] besides the previous status.
#[derive(Debug, Clone)]
pub struct StatusInput<'a> {
    /// Counts now.
    pub counts: Counts,
    /// `metadata.generation` of the Deployment.
    pub generation: i64,
    /// `maxUnavailable`, resolved.
    pub max_unavailable: i64,
    /// Name of the ReplicaSet matching the template.
    pub new_rs: &'a str,
    /// What happened on this pass.
    pub step: Step,
    /// The progress deadline in seconds (already shortened by tuning).
    pub deadline_secs: f64,
    /// The current time.
    pub now: DateTime<Utc>,
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The Deployment's next `status`, given the previous one (or `Null`).
pub fn next_status(prev: &Value, input: &StatusInput<'_>) -> Value {
    let c = input.counts;
    let mut conditions: Vec<Value> = prev
        .get("conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let now = timestamp(input.now);

    let (status, reason, message) = if c.available >= c.desired - input.max_unavailable {
        (
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    set_condition(
        &mut conditions,
        "Available",
        status,
        reason,
        message,
        &now,
        false,
    );

    let rs = input.new_rs;
    let progressed = c.updated > int(prev, "updatedReplicas")
        || c.ready > int(prev, "readyReplicas")
        || c.available > int(prev, "availableReplicas")
        || c.replicas - c.updated < int(prev, "replicas") - int(prev, "updatedReplicas");
    let complete = c.updated == c.desired && c.replicas == c.desired && c.available == c.desired;
    if input.step == Step::CreatedNewReplicaSet {
        let msg = format!("Created new replica set {rs:?}");
        set_condition(
            &mut conditions,
            "Progressing",
            "True",
            "NewReplicaSetCreated",
            &msg,
            &now,
            true,
        );
    } else if complete {
        let msg = format!("ReplicaSet {rs:?} has successfully progressed.");
        set_condition(
            &mut conditions,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            &msg,
            &now,
            false,
        );
    } else if progressed {
        let msg = format!("ReplicaSet {rs:?} is progressing.");
        set_condition(
            &mut conditions,
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            &msg,
            &now,
            true,
        );
    } else if timed_out(&conditions, input) {
        let msg = format!("ReplicaSet {rs:?} has timed out progressing.");
        set_condition(
            &mut conditions,
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            &msg,
            &now,
            false,
        );
    }

    json!({
        "observedGeneration": input.generation,
        "replicas": c.replicas,
        "updatedReplicas": c.updated,
        "readyReplicas": c.ready,
        "availableReplicas": c.available,
        "unavailableReplicas": (c.desired - c.available).max(0),
        "conditions": conditions,
    })
}

/// True when the Progressing condition saw no progress for longer than the deadline.
fn timed_out(conditions: &[Value], input: &StatusInput<'_>) -> bool {
    let Some(cond) = conditions.iter().find(|c| c["type"] == "Progressing") else {
        return false;
    };
    match cond["reason"].as_str() {
        Some("NewReplicaSetAvailable") => false,
        Some("ProgressDeadlineExceeded") => true,
        _ => cond["lastUpdateTime"]
            .as_str()
            .and_then(parse_timestamp)
            .is_some_and(|t| {
                (input.now - t).num_milliseconds() as f64 > input.deadline_secs * 1000.0
            }),
    }
}

/// Sets a condition like `SetDeploymentCondition`: unchanged status and reason keep it as
/// is unless `touch` (progress refreshes lastUpdateTime); an unchanged status keeps
/// lastTransitionTime.
fn set_condition(
    conds: &mut Vec<Value>,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
    touch: bool,
) {
    let existing = conds.iter().position(|c| c["type"] == kind);
    let mut transition = now.to_string();
    if let Some(i) = existing {
        let cur = &conds[i];
        if cur["status"] == status && cur["reason"] == reason && !touch {
            return;
        }
        if cur["status"] == status {
            if let Some(t) = cur["lastTransitionTime"].as_str() {
                transition = t.to_string();
            }
        }
        conds.remove(i);
    }
    conds.push(json!({
        "type": kind, "status": status, "reason": reason, "message": message,
        "lastUpdateTime": now, "lastTransitionTime": transition,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn input(counts: Counts, step: Step, now: DateTime<Utc>) -> StatusInput<'static> {
        StatusInput {
            counts,
            generation: 2,
            max_unavailable: 0,
            new_rs: "fittrack-abc",
            step,
            deadline_secs: 10.0,
            now,
        }
    }

    fn cond<'a>(s: &'a Value, kind: &str) -> &'a Value {
        s["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap()
    }

    fn counts(desired: i64, replicas: i64, updated: i64, ready: i64) -> Counts {
        Counts {
            desired,
            replicas,
            updated,
            ready,
            available: ready,
        }
    }

    #[test]
    fn rollout_progresses_then_completes() {
        let t0 = Utc::now();
        let s = next_status(
            &Value::Null,
            &input(counts(3, 3, 0, 3), Step::CreatedNewReplicaSet, t0),
        );
        assert_eq!(cond(&s, "Progressing")["reason"], "NewReplicaSetCreated");
        assert_eq!(cond(&s, "Available")["status"], "True");
        assert_eq!(s["observedGeneration"], 2);
        let s = next_status(&s, &input(counts(3, 4, 1, 3), Step::Other, t0));
        assert_eq!(cond(&s, "Progressing")["reason"], "ReplicaSetUpdated");
        assert_eq!(s["updatedReplicas"], 1);
        let s = next_status(&s, &input(counts(3, 3, 3, 3), Step::Other, t0));
        assert_eq!(cond(&s, "Progressing")["reason"], "NewReplicaSetAvailable");
        assert_eq!(cond(&s, "Progressing")["status"], "True");
    }

    #[test]
    fn no_progress_past_the_deadline_fails() {
        let t0 = Utc::now();
        let s = next_status(
            &Value::Null,
            &input(counts(3, 4, 1, 3), Step::CreatedNewReplicaSet, t0),
        );
        let s = next_status(
            &s,
            &input(counts(3, 4, 1, 3), Step::Other, t0 + Duration::seconds(5)),
        );
        assert_eq!(cond(&s, "Progressing")["status"], "True");
        let s = next_status(
            &s,
            &input(counts(3, 4, 1, 3), Step::Other, t0 + Duration::seconds(11)),
        );
        let p = cond(&s, "Progressing");
        assert_eq!(p["status"], "False");
        assert_eq!(p["reason"], "ProgressDeadlineExceeded");
        assert!(p["message"].as_str().unwrap().contains("timed out"));
        // It stays failed until progress happens again.
        let s = next_status(
            &s,
            &input(counts(3, 4, 1, 3), Step::Other, t0 + Duration::seconds(12)),
        );
        assert_eq!(
            cond(&s, "Progressing")["reason"],
            "ProgressDeadlineExceeded"
        );
        let s = next_status(
            &s,
            &input(counts(3, 4, 1, 4), Step::Other, t0 + Duration::seconds(13)),
        );
        assert_eq!(cond(&s, "Progressing")["reason"], "ReplicaSetUpdated");
    }

    #[test]
    fn unavailable_when_too_few_ready() {
        let s = next_status(
            &Value::Null,
            &input(counts(5, 5, 5, 3), Step::Other, Utc::now()),
        );
        assert_eq!(cond(&s, "Available")["status"], "False");
        assert_eq!(s["unavailableReplicas"], 2);
    }

    #[test]
    fn unchanged_status_keeps_transition_time() {
        let t0 = Utc::now();
        let s = next_status(&Value::Null, &input(counts(3, 3, 3, 3), Step::Other, t0));
        let later = t0 + Duration::seconds(30);
        let s2 = next_status(&s, &input(counts(3, 3, 3, 3), Step::Other, later));
        assert_eq!(cond(&s, "Available"), cond(&s2, "Available"));
    }
}

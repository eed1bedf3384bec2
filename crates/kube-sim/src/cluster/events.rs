//! Kubernetes Events written by the simulated kubelet and controllers, aggregated like the
//! real event recorder: a repeat of the same reason and message on the same object bumps
//! `count` and `lastTimestamp` instead of adding a new Event.

use super::podstatus::NODE;
use super::status::timestamp;
use crate::store::Store;
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most remembered (object, reason, message) keys before the memory is reset.
const MAX_REMEMBERED: usize = 20_000;

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Routine.
    Normal,
    /// Something went wrong.
    Warning,
}

/// Which component reports the Event (`source.component`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The kubelet on the simulated node.
    Kubelet,
    /// The scheduler.
    Scheduler,
    /// The Deployment controller.
    Deployment,
    /// The ReplicaSet controller.
    ReplicaSet,
}

impl Source {
    fn component(self) -> &'static str {
        match self {
            Source::Kubelet => "kubelet",
            Source::Scheduler => "default-scheduler",
            Source::Deployment => "deployment-controller",
            Source::ReplicaSet => "replicaset-controller",
        }
    }
}

/// Writes Events into the store.
pub struct Recorder {
    store: Arc<Store>,
    seen: Mutex<HashMap<(String, String, String), String>>,
}

/// The `involvedObject` of an Event, taken from the object itself.
pub fn involved(obj: &Value, field_path: Option<&str>) -> Value {
    let m = &obj["metadata"];
    let mut r = json!({
        "apiVersion": obj["apiVersion"], "kind": obj["kind"],
        "namespace": m["namespace"], "name": m["name"], "uid": m["uid"],
        "resourceVersion": m["resourceVersion"],
    });
    if let Some(p) = field_path {
        r["fieldPath"] = json!(p);
    }
    r
}

impl Recorder {
    /// A recorder writing into `store`.
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records an Event about `obj` (see [`involved`] for `field_path`).
    pub fn record(
        &self,
        obj: &Value,
        field_path: Option<&str>,
        kind: EventType,
        source: Source,
        reason: &str,
        message: &str,
    ) {
        let inv = involved(obj, field_path);
        let ns = inv["namespace"].as_str().unwrap_or("default").to_string();
        let uid = inv["uid"].as_str().unwrap_or("").to_string();
        let key = (uid, reason.to_string(), message.to_string());
        let now = timestamp(Utc::now());
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(name) = seen.get(&key) {
            let bumped = self.store.modify("events", &ns, name, |e| {
                e["count"] = json!(e["count"].as_i64().unwrap_or(1) + 1);
                e["lastTimestamp"] = json!(now);
            });
            if bumped.is_ok() {
                return;
            }
        }
        let name = format!(
            "{}.{:x}",
            inv["name"].as_str().unwrap_or("object"),
            Utc::now().timestamp_nanos_opt().unwrap_or(0) ^ i64::from(rand::random::<u16>())
        );
        let event = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns},
            "involvedObject": inv,
            "reason": reason, "message": message,
            "type": match kind { EventType::Normal => "Normal", EventType::Warning => "Warning" },
            "source": {"component": source.component(), "host": NODE},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1,
            "eventTime": Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            "reportingComponent": source.component(), "reportingInstance": NODE,
        });
        if self.store.create("events", &ns, event).is_ok() {
            if seen.len() >= MAX_REMEMBERED {
                seen.clear();
            }
            seen.insert(key, name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "p1", "namespace": "ns", "uid": "u1", "resourceVersion": "5"}})
    }

    #[test]
    fn repeats_are_aggregated() {
        let store = Arc::new(Store::new());
        let rec = Recorder::new(store.clone());
        rec.record(
            &pod(),
            Some("spec.containers{api}"),
            EventType::Warning,
            Source::Kubelet,
            "BackOff",
            "m",
        );
        rec.record(
            &pod(),
            Some("spec.containers{api}"),
            EventType::Warning,
            Source::Kubelet,
            "BackOff",
            "m",
        );
        rec.record(
            &pod(),
            None,
            EventType::Normal,
            Source::Scheduler,
            "Scheduled",
            "s",
        );
        let (events, _) = store.list("events", Some("ns"), None);
        assert_eq!(events.len(), 2);
        let backoff = events.iter().find(|e| e["reason"] == "BackOff").unwrap();
        assert_eq!(backoff["count"], 2);
        let micro = backoff["eventTime"].as_str().unwrap();
        assert!(
            micro.ends_with('Z') && micro.split('.').nth(1).unwrap().len() == 7,
            "{micro}"
        );
        assert_eq!(backoff["type"], "Warning");
        assert_eq!(backoff["involvedObject"]["name"], "p1");
        assert_eq!(
            backoff["involvedObject"]["fieldPath"],
            "spec.containers{api}"
        );
        let sched = events.iter().find(|e| e["reason"] == "Scheduled").unwrap();
        assert_eq!(sched["source"]["component"], "default-scheduler");
    }
}

//! `Apps::snapshot`: counters, faults and what the load balancer serves, for `/sim/v1/state`.

use super::{lock, Apps, PodSlot};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

impl Apps {
    /// Counters and what the LB serves, for GET /sim/v1/state.
    pub fn snapshot(&self) -> Value {
        // Before taking the pods lock: it looks instances up itself (std mutexes don't nest).
        let lb = self.lb_snapshot();
        let pods = lock(&self.pods);
        let mut list: Vec<&PodSlot> = pods.values().collect();
        list.sort_by(|a, b| (&a.current.ns, &a.current.pod).cmp(&(&b.current.ns, &b.current.pod)));
        let mut by_version: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let pods_json: Vec<Value> = list
            .iter()
            .map(|s| {
                let i = &s.current;
                let (total, errors) = i.data().counters.totals();
                let v = by_version.entry(i.info.version.clone()).or_default();
                v.0 += total;
                v.1 += errors;
                json!({
                    "namespace": i.ns, "pod": i.pod, "color": i.color,
                    "version": i.info.version, "running": i.is_running(),
                    "requests": total, "errors": errors,
                })
            })
            .collect();
        let versions: BTreeMap<String, Value> = by_version
            .into_iter()
            .map(|(v, (t, e))| (v, json!({"requests": t, "errors": e})))
            .collect();
        let faults: Vec<Value> = lock(&self.faults)
            .entries()
            .iter()
            .map(|(t, f)| json!({"target": t, "fault": f}))
            .collect();
        json!({
            "listener": self.addr().map(|a| format!("http://{a}")),
            "pods": pods_json,
            "versions": versions,
            "faults": faults,
            "lb": lb,
        })
    }

    /// The LB's table and counts, plus the versions each weighted backend serves now.
    fn lb_snapshot(&self) -> Value {
        let mut lb = self.lb.snapshot();
        let table = self.lb.table();
        let serving: Vec<Value> = table
            .rules
            .iter()
            .flat_map(|r| r.backends.iter())
            .map(|b| {
                let versions: BTreeSet<String> = b
                    .pods
                    .iter()
                    .filter_map(|p| self.instance(&b.namespace, p))
                    .map(|i| i.info.version.clone())
                    .collect();
                json!({"namespace": b.namespace, "service": b.service, "weight": b.weight,
                       "valid": b.valid, "ready_pods": b.pods.len(), "versions": versions})
            })
            .collect();
        lb["serving"] = json!(serving);
        lb
    }
}

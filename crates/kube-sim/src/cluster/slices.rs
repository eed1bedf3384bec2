//! The EndpointSlice controller: for every Service with a selector, slices labelled
//! `kubernetes.io/service-name` listing the matching pods of the Service's own namespace,
//! with ready/serving/terminating conditions (at most 100 endpoints per slice).

use super::meta::{controller_uid, name, owner_ref, uid};
use super::podstatus::{is_ready, is_terminating};
use super::Ctx;
use crate::selector::{labels_of, LabelSelector};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

/// The label clients find a Service's slices by.
pub const SERVICE_NAME: &str = "kubernetes.io/service-name";
const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
const CONTROLLER: &str = "endpointslice-controller.k8s.io";
const MAX_PER_SLICE: usize = 100;

/// The Service's selector, or None when it has none (such Services get no managed slices).
fn selector_of(svc: &Value) -> Option<LabelSelector> {
    let map: BTreeMap<String, String> = svc
        .pointer("/spec/selector")?
        .as_object()?
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect();
    (!map.is_empty()).then(|| LabelSelector::from_map(&map))
}

/// Resolves a Service port's targetPort (number or container port name) against a pod.
fn target_port(port: &Value, pod: Option<&Value>) -> i64 {
    let fallback = port["port"].as_i64().unwrap_or(0);
    match &port["targetPort"] {
        Value::Number(n) => n.as_i64().unwrap_or(fallback),
        Value::String(s) => pod
            .and_then(|p| p.pointer("/spec/containers")?.as_array().cloned())
            .into_iter()
            .flatten()
            .filter_map(|c| c["ports"].as_array().cloned())
            .flatten()
            .find(|cp| cp["name"] == s.as_str())
            .and_then(|cp| cp["containerPort"].as_i64())
            .unwrap_or_else(|| s.parse().unwrap_or(fallback)),
        _ => fallback,
    }
}

/// The desired `(ports, endpoints)` of a Service's slices, given its namespace's pods.
pub fn desired(svc: &Value, pods: &[Value]) -> Option<(Value, Vec<Value>)> {
    let selector = selector_of(svc)?;
    let mut members: Vec<&Value> = pods
        .iter()
        .filter(|p| selector.matches(&labels_of(p)))
        .filter(|p| p.pointer("/status/podIP").and_then(Value::as_str).is_some())
        .filter(|p| {
            !matches!(
                p.pointer("/status/phase").and_then(Value::as_str),
                Some("Succeeded" | "Failed")
            )
        })
        .collect();
    members.sort_by(|a, b| name(a).cmp(name(b)));
    let first = members.first().copied();
    let ports: Vec<Value> = svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let protocol = p["protocol"].as_str().unwrap_or("TCP");
            let mut out = json!({"port": target_port(p, first), "protocol": protocol});
            if let Some(n) = p.get("name") {
                out["name"] = n.clone();
            }
            out
        })
        .collect();
    let endpoints = members
        .iter()
        .map(|p| {
            let terminating = is_terminating(p);
            let ready = is_ready(p);
            json!({
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": ready && !terminating, "serving": ready, "terminating": terminating},
                "nodeName": p["spec"]["nodeName"],
                "targetRef": {"kind": "Pod", "namespace": p["metadata"]["namespace"],
                              "name": name(p), "uid": uid(p)},
            })
        })
        .collect();
    Some((json!(ports), endpoints))
}

/// Syncs the slices of every Service in namespace `ns`.
pub(crate) fn sync_namespace(ctx: &Ctx, ns: &str) {
    let (services, _) = ctx.store.list("services", Some(ns), None);
    let (pods, _) = ctx.store.list("pods", Some(ns), None);
    let (slices, _) = ctx.store.list("endpointslices", Some(ns), None);
    let ours: Vec<&Value> = slices
        .iter()
        .filter(|s| s["metadata"]["labels"][MANAGED_BY] == CONTROLLER)
        .collect();
    let mut kept = HashSet::new();
    for svc in &services {
        let Some((ports, endpoints)) = desired(svc, &pods) else {
            continue;
        };
        let mut existing: Vec<&Value> = ours
            .iter()
            .copied()
            .filter(|s| controller_uid(s, "Service") == Some(uid(svc)))
            .collect();
        existing.sort_by(|a, b| name(a).cmp(name(b)));
        let chunks: Vec<&[Value]> = if endpoints.is_empty() {
            vec![&[]]
        } else {
            endpoints.chunks(MAX_PER_SLICE).collect()
        };
        for (i, chunk) in chunks.iter().enumerate() {
            match existing.get(i) {
                Some(s) => {
                    kept.insert(name(s).to_string());
                    if s["endpoints"] != json!(chunk) || s["ports"] != ports {
                        let _ = ctx.store.modify("endpointslices", ns, name(s), |o| {
                            o["endpoints"] = json!(chunk);
                            o["ports"] = ports.clone();
                        });
                    }
                }
                None => {
                    let slice = json!({
                        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                        "metadata": {
                            "generateName": format!("{}-", name(svc)),
                            "labels": {SERVICE_NAME: name(svc), MANAGED_BY: CONTROLLER},
                            "ownerReferences": [owner_ref(svc)],
                        },
                        "addressType": "IPv4", "ports": ports, "endpoints": chunk,
                    });
                    if let Ok(s) = ctx.store.create("endpointslices", ns, slice) {
                        kept.insert(name(&s).to_string());
                    }
                }
            }
        }
    }
    for s in ours {
        if !kept.contains(name(s)) {
            let _ = ctx.store.delete("endpointslices", ns, name(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, color: &str, ip: Option<&str>, ready: bool, terminating: bool) -> Value {
        let mut p = json!({
            "metadata": {"name": name, "namespace": "ns", "uid": format!("u-{name}"),
                         "labels": {"app": "fittrack", "deployment": color}},
            "spec": {"nodeName": "n", "containers": [
                {"name": "api", "ports": [{"name": "http", "containerPort": 8000}]}]},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]},
        });
        if let Some(ip) = ip {
            p["status"]["podIP"] = json!(ip);
        }
        if terminating {
            p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        }
        p
    }

    fn svc(target: Value) -> Value {
        json!({"metadata": {"name": "s", "uid": "svc"},
               "spec": {"selector": {"app": "fittrack", "deployment": "blue"},
                        "ports": [{"name": "http", "port": 80, "targetPort": target}]}})
    }

    #[test]
    fn lists_matching_pods_with_conditions() {
        let pods = vec![
            pod("b", "blue", Some("10.0.0.2"), true, false),
            pod("a", "blue", Some("10.0.0.1"), false, false),
            pod("c", "blue", Some("10.0.0.3"), true, true),
            pod("g", "green", Some("10.0.0.4"), true, false),
            pod("x", "blue", None, false, false),
        ];
        let (ports, eps) = desired(&svc(json!(8000)), &pods).unwrap();
        assert_eq!(ports[0]["port"], 8000);
        let names: Vec<&str> = eps
            .iter()
            .map(|e| e["targetRef"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            eps[0]["conditions"],
            json!({"ready": false, "serving": false, "terminating": false})
        );
        assert_eq!(eps[1]["conditions"]["ready"], true);
        assert_eq!(eps[1]["addresses"][0], "10.0.0.2");
        assert_eq!(
            eps[2]["conditions"],
            json!({"ready": false, "serving": true, "terminating": true})
        );
    }

    #[test]
    fn named_target_port_resolves_from_the_pod() {
        let pods = vec![pod("a", "blue", Some("10.0.0.1"), true, false)];
        let (ports, _) = desired(&svc(json!("http")), &pods).unwrap();
        assert_eq!(ports[0]["port"], 8000);
        assert_eq!(ports[0]["name"], "http");
    }

    #[test]
    fn services_without_selector_are_left_alone() {
        let s = json!({"metadata": {"name": "s"}, "spec": {"ports": []}});
        assert!(desired(&s, &[]).is_none());
    }
}

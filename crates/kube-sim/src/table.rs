//! `meta.k8s.io/v1` Table answers for `kubectl get` (pods, services, deployments, replicasets,
//! endpointslices, events; NAME/AGE for everything else).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Whether an Accept header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept.contains("as=Table")
}

/// Age like the API server prints it (`45s`, `3m12s`, `14m`, `2h5m`, `3d`).
pub fn human_age(secs: i64) -> String {
    let s = secs.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 => format!("{m}m{}s", s % 60).replace("m0s", "m"),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 => format!("{h}h{}m", m % 60).replace("h0m", "h"),
        _ if h < 48 => format!("{h}h"),
        _ if d < 8 => format!("{d}d{}h", h % 24).replace("d0h", "d"),
        _ if d < 730 => format!("{d}d"),
        _ => format!("{}y", d / 365),
    }
}

fn age_of(ts: Option<&str>, now: DateTime<Utc>) -> String {
    ts.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| human_age((now - t.with_timezone(&Utc)).num_seconds()))
        .unwrap_or_else(|| "<unknown>".into())
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn n(v: &Value, ptr: &str) -> i64 {
    v.pointer(ptr).and_then(Value::as_i64).unwrap_or(0)
}

fn arr<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn or_none(x: String) -> String {
    if x.is_empty() {
        "<none>".into()
    } else {
        x
    }
}

/// (column name, type, priority) per kind; the cells come from [`cells`].
fn columns(kind: &str) -> Vec<(&'static str, &'static str, u8)> {
    match kind {
        "Pod" => vec![
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
        ],
        "Service" => vec![
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ],
        "Deployment" => vec![
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", "string", 0),
            ("Images", "string", 1),
        ],
        "ReplicaSet" => vec![
            ("Name", "string", 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Age", "string", 0),
        ],
        "EndpointSlice" => vec![
            ("Name", "string", 0),
            ("AddressType", "string", 0),
            ("Ports", "string", 0),
            ("Endpoints", "string", 0),
            ("Age", "string", 0),
        ],
        "Event" => vec![
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Message", "string", 0),
        ],
        _ => vec![("Name", "string", 0), ("Age", "string", 0)],
    }
}

fn pod_status(p: &Value) -> String {
    if !s(p, "/metadata/deletionTimestamp").is_empty() {
        return "Terminating".into();
    }
    for c in arr(p, "/status/containerStatuses") {
        let waiting = s(c, "/state/waiting/reason");
        if !waiting.is_empty() {
            return waiting.into();
        }
        let term = s(c, "/state/terminated/reason");
        if !term.is_empty() {
            return term.into();
        }
    }
    or_none(s(p, "/status/phase").to_string())
}

fn cells(kind: &str, o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let name = json!(s(o, "/metadata/name"));
    let age = json!(age_of(
        o.pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str),
        now
    ));
    match kind {
        "Pod" => {
            let st = arr(o, "/status/containerStatuses");
            let ready = st.iter().filter(|c| c["ready"] == true).count();
            let total = arr(o, "/spec/containers").len().max(st.len());
            let restarts: i64 = st.iter().map(|c| n(c, "/restartCount")).sum();
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(pod_status(o)),
                json!(restarts.to_string()),
                age,
                json!(or_none(s(o, "/status/podIP").into())),
                json!(or_none(s(o, "/spec/nodeName").into())),
            ]
        }
        "Service" => {
            let ports: Vec<String> = arr(o, "/spec/ports")
                .iter()
                .map(|p| {
                    format!(
                        "{}/{}",
                        n(p, "/port"),
                        p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
                    )
                })
                .collect();
            let sel: Vec<String> = o
                .pointer("/spec/selector")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                        .collect()
                })
                .unwrap_or_default();
            vec![
                name,
                json!(or_none(s(o, "/spec/type").into())),
                json!(or_none(s(o, "/spec/clusterIP").into())),
                json!("<none>"),
                json!(or_none(ports.join(","))),
                age,
                json!(or_none(sel.join(","))),
            ]
        }
        "Deployment" => {
            let images: Vec<&str> = arr(o, "/spec/template/spec/containers")
                .iter()
                .map(|c| s(c, "/image"))
                .collect();
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    n(o, "/status/readyReplicas"),
                    n(o, "/spec/replicas")
                )),
                json!(n(o, "/status/updatedReplicas")),
                json!(n(o, "/status/availableReplicas")),
                age,
                json!(images.join(",")),
            ]
        }
        "ReplicaSet" => vec![
            name,
            json!(n(o, "/spec/replicas")),
            json!(n(o, "/status/replicas")),
            json!(n(o, "/status/readyReplicas")),
            age,
        ],
        "EndpointSlice" => {
            let ports: Vec<String> = arr(o, "/ports")
                .iter()
                .map(|p| n(p, "/port").to_string())
                .collect();
            let addrs: Vec<&str> = arr(o, "/endpoints")
                .iter()
                .flat_map(|e| arr(e, "/addresses").iter().filter_map(Value::as_str))
                .collect();
            vec![
                name,
                json!(s(o, "/addressType")),
                json!(or_none(ports.join(","))),
                json!(or_none(addrs.join(","))),
                age,
            ]
        }
        "Event" => {
            let last = [
                s(o, "/lastTimestamp"),
                s(o, "/eventTime"),
                s(o, "/metadata/creationTimestamp"),
            ]
            .into_iter()
            .find(|t| !t.is_empty());
            let obj = format!(
                "{}/{}",
                s(o, "/involvedObject/kind").to_lowercase(),
                s(o, "/involvedObject/name")
            );
            vec![
                json!(age_of(last, now)),
                json!(s(o, "/type")),
                json!(s(o, "/reason")),
                json!(obj),
                json!(s(o, "/message")),
            ]
        }
        _ => vec![name, age],
    }
}

fn row(kind: &str, o: &Value, now: DateTime<Utc>) -> Value {
    json!({
        "cells": cells(kind, o, now),
        "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": o.get("metadata").cloned().unwrap_or(json!({}))},
    })
}

/// A Table of `items` (all of one `kind`); `with_columns` false omits columnDefinitions
/// (watch events after the first).
pub fn table(
    kind: &str,
    items: &[Value],
    rv: &str,
    with_columns: bool,
    now: DateTime<Utc>,
) -> Value {
    let defs: Vec<Value> =
        if with_columns {
            columns(kind).into_iter().map(|(name, ty, priority)| json!({
            "name": name, "type": ty, "format": if name == "Name" { "name" } else { "" },
            "description": "", "priority": priority,
        })).collect()
        } else {
            Vec::new()
        };
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": defs,
        "rows": items.iter().map(|o| row(kind, o, now)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(human_age(5), "5s");
        assert_eq!(human_age(192), "3m12s");
        assert_eq!(human_age(180), "3m");
        assert_eq!(human_age(14 * 60), "14m");
        assert_eq!(human_age(2 * 3600 + 300), "125m");
        assert_eq!(human_age(5 * 3600 + 300), "5h5m");
        assert_eq!(human_age(3 * 86400), "3d");
        assert_eq!(human_age(-3), "0s");
    }

    #[test]
    fn pod_rows() {
        let now = Utc::now();
        let created = (now - chrono::Duration::seconds(30)).to_rfc3339();
        let pod = json!({"metadata": {"name": "p", "namespace": "ns", "creationTimestamp": created},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        let t = table("Pod", &[pod], "7", true, now);
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(&names[..5], ["Name", "Ready", "Status", "Restarts", "Age"]);
        assert_eq!(
            t["rows"][0]["cells"],
            json!([
                "p",
                "0/1",
                "CrashLoopBackOff",
                "3",
                "30s",
                "<none>",
                "<none>"
            ])
        );
        assert_eq!(t["rows"][0]["object"]["metadata"]["namespace"], "ns");
        assert!(table("Pod", &[], "7", false, now)["columnDefinitions"]
            .as_array()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn other_kinds_fall_back_to_name_age() {
        let t = table(
            "Lease",
            &[json!({"metadata": {"name": "l"}})],
            "1",
            true,
            Utc::now(),
        );
        assert_eq!(t["rows"][0]["cells"], json!(["l", "<unknown>"]));
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }
}

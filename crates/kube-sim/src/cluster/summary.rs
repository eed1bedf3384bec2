//! `GET /sim/v1/state`: a JSON summary of the simulated cluster — routers, pods per color
//! with ready counts, Deployments, what the load balancer serves and the apps' counters.

use super::meta::{int_at, name};
use super::podstatus::{is_ready, is_terminating};
use crate::apps::Apps;
use crate::state::SimState;
use crate::store::Store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn ns(o: &Value) -> &str {
    o.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn routers(store: &Store) -> Value {
    let routes: Vec<Value> = store
        .list("httproutes", None, None)
        .0
        .iter()
        .map(|r| {
            let rules: Vec<Value> = r["spec"]["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|rule| {
                    let backends: Vec<Value> = rule["backendRefs"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|b| {
                            let bns = b["namespace"].as_str().unwrap_or(ns(r));
                            let weight = b["weight"].as_i64().unwrap_or(1);
                            json!({"service": b["name"], "namespace": bns, "weight": weight})
                        })
                        .collect();
                    json!({"backends": backends})
                })
                .collect();
            json!({"namespace": ns(r), "name": name(r), "rules": rules})
        })
        .collect();
    let services: Vec<Value> = store
        .list("services", None, None)
        .0
        .iter()
        .map(|s| json!({"namespace": ns(s), "name": name(s), "selector": s["spec"]["selector"]}))
        .collect();
    let ingresses: Vec<Value> = store
        .list("ingresses", None, None)
        .0
        .iter()
        .map(|i| {
            let backends: Vec<&Value> = i["spec"]["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["http"]["paths"].as_array().into_iter().flatten())
                .map(|p| &p["backend"]["service"]["name"])
                .collect();
            json!({"namespace": ns(i), "name": name(i), "backends": backends,
                   "annotations": i["metadata"]["annotations"]})
        })
        .collect();
    json!({"httproutes": routes, "services": services, "ingresses": ingresses})
}

fn colors(store: &Store) -> Value {
    let mut by: BTreeMap<String, (Vec<Value>, i64, i64)> = BTreeMap::new();
    for p in store.list("pods", None, None).0 {
        let color = p["metadata"]["labels"]["deployment"]
            .as_str()
            .unwrap_or("other")
            .to_string();
        let ready = is_ready(&p);
        let restarts = int_at(&p, "/status/containerStatuses/0/restartCount", 0);
        let entry = by.entry(color).or_default();
        entry.1 += i64::from(ready);
        entry.2 += restarts;
        entry.0.push(json!({
            "namespace": ns(&p), "name": name(&p), "phase": p["status"]["phase"],
            "ready": ready, "terminating": is_terminating(&p), "restarts": restarts,
            "ip": p["status"]["podIP"], "image": p["spec"]["containers"][0]["image"],
        }));
    }
    let out: Map<String, Value> = by
        .into_iter()
        .map(|(c, (pods, ready, restarts))| {
            (
                c,
                json!({"total": pods.len(), "ready": ready, "restarts": restarts, "pods": pods}),
            )
        })
        .collect();
    Value::Object(out)
}

fn deployments(store: &Store) -> Value {
    let list: Vec<Value> = store
        .list("deployments", None, None)
        .0
        .iter()
        .map(|d| {
            let progressing = d["status"]["conditions"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["type"] == "Progressing"))
                .map(|c| c["reason"].clone());
            json!({"namespace": ns(d), "name": name(d),
                   "image": d["spec"]["template"]["spec"]["containers"][0]["image"],
                   "replicas": d["spec"]["replicas"], "ready": d["status"]["readyReplicas"],
                   "updated": d["status"]["updatedReplicas"], "progressing": progressing})
        })
        .collect();
    json!(list)
}

/// The summary served at `GET /sim/v1/state`.
pub fn summary(state: &SimState, apps: Option<&Apps>) -> Value {
    let store = &state.store;
    let apps = apps.map(Apps::snapshot).unwrap_or(Value::Null);
    json!({
        "scenario": &*state.scenario,
        "resourceVersion": store.resource_version().to_string(),
        "routers": routers(store),
        "colors": colors(store),
        "deployments": deployments(store),
        "lb": apps["lb"],
        "apps": apps,
        "counters": {
            "events": store.list("events", None, None).0.len(),
            "api_requests_logged": state.requests.snapshot().len(),
        },
    })
}

/// `GET /sim/v1/state`, for merging into the API router (any router state type).
pub fn routes<S: Clone + Send + Sync + 'static>(state: SimState) -> Router<S> {
    Router::new()
        .route(
            "/sim/v1/state",
            get(|State(state): State<SimState>| async move {
                Json(summary(&state, Some(&state.apps)))
            }),
        )
        .with_state(state)
}

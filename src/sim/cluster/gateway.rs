//! The Gateway API status a real gateway controller writes: Gateways `Accepted`/`Programmed`
//! with their attached routes, and each HTTPRoute's `status.parents` with `Accepted` and
//! `ResolvedRefs` (BackendNotFound, RefNotPermitted across namespaces without a
//! ReferenceGrant, InvalidKind) — the same rules the simulated load balancer routes by.

use super::meta::{int_at, name};
use super::status::timestamp;
use super::Ctx;
use crate::sim::apps::routing::grant_allows;
use crate::sim::store::Store;
use chrono::Utc;
use serde_json::{json, Value};

/// The controller name written into route status.
pub const CONTROLLER_NAME: &str = "sim.cutover.dev/gateway-controller";
/// The address the simulated load balancer's Gateway reports.
pub const GATEWAY_ADDRESS: &str = "10.0.0.100";

fn ns(o: &Value) -> &str {
    o.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A condition, keeping `lastTransitionTime` from `prev` when the status did not change.
fn condition(
    prev: &Value,
    kind: &str,
    ok: bool,
    reason: &str,
    message: &str,
    generation: i64,
) -> Value {
    let status = if ok { "True" } else { "False" };
    let since = prev
        .as_array()
        .and_then(|cs| {
            cs.iter()
                .find(|c| c["type"] == kind && c["status"] == status)
        })
        .and_then(|c| c["lastTransitionTime"].as_str().map(String::from))
        .unwrap_or_else(|| timestamp(Utc::now()));
    json!({"type": kind, "status": status, "reason": reason, "message": message,
           "observedGeneration": generation, "lastTransitionTime": since})
}

/// Why a route's backendRefs do not resolve, if they don't: (reason, message).
pub fn unresolved(store: &Store, route: &Value) -> Option<(&'static str, String)> {
    let route_ns = ns(route);
    let refs = route
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|r| r["backendRefs"].as_array().into_iter().flatten());
    for b in refs {
        let name = str_at(b, "name").unwrap_or("");
        let target_ns = str_at(b, "namespace").unwrap_or(route_ns);
        if str_at(b, "kind").is_some_and(|k| k != "Service")
            || str_at(b, "group").is_some_and(|g| !g.is_empty())
        {
            return Some((
                "InvalidKind",
                format!("backendRef {name:?} is not a core Service"),
            ));
        }
        if target_ns != route_ns {
            let (grants, _) = store.list("referencegrants", Some(target_ns), None);
            if !grant_allows(&grants, route_ns, name) {
                return Some(("RefNotPermitted", format!(
                    "backendRef {target_ns}/{name} is not permitted by any ReferenceGrant in {target_ns}")));
            }
        }
        if store.get("services", target_ns, name).is_none() {
            return Some((
                "BackendNotFound",
                format!("Service {target_ns}/{name} not found"),
            ));
        }
    }
    None
}

/// Syncs the status of every Gateway and HTTPRoute.
pub(crate) fn sync(ctx: &Ctx) {
    let store = &ctx.store;
    let (gateways, _) = store.list("gateways", None, None);
    let (routes, _) = store.list("httproutes", None, None);
    let parent_of = |r: &Value, p: &Value| -> (String, String) {
        (
            str_at(p, "namespace").unwrap_or(ns(r)).to_string(),
            str_at(p, "name").unwrap_or("").to_string(),
        )
    };
    for r in &routes {
        let generation = int_at(r, "/metadata/generation", 1);
        let refs = unresolved(store, r);
        let prev_parents = r
            .pointer("/status/parents")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let parents: Vec<Value> = r
            .pointer("/spec/parentRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                let (gns, gname) = parent_of(r, p);
                let prev = prev_parents
                    .iter()
                    .find(|x| x["parentRef"]["name"] == gname.as_str())
                    .map(|x| x["conditions"].clone())
                    .unwrap_or(Value::Null);
                let found = store.get("gateways", &gns, &gname).is_some();
                let accepted = if found {
                    condition(
                        &prev,
                        "Accepted",
                        true,
                        "Accepted",
                        "Route is accepted",
                        generation,
                    )
                } else {
                    condition(
                        &prev,
                        "Accepted",
                        false,
                        "NoMatchingParent",
                        &format!("Gateway {gns}/{gname} not found"),
                        generation,
                    )
                };
                let resolved = match &refs {
                    None => condition(
                        &prev,
                        "ResolvedRefs",
                        true,
                        "ResolvedRefs",
                        "All references resolved",
                        generation,
                    ),
                    Some((reason, msg)) => {
                        condition(&prev, "ResolvedRefs", false, reason, msg, generation)
                    }
                };
                json!({"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                     "namespace": gns, "name": gname},
                       "controllerName": CONTROLLER_NAME, "conditions": [accepted, resolved]})
            })
            .collect();
        if r.pointer("/status/parents") != Some(&json!(parents)) {
            let _ = store.modify("httproutes", ns(r), name(r), |o| {
                o["status"] = json!({"parents": parents})
            });
        }
    }
    for g in &gateways {
        let generation = int_at(g, "/metadata/generation", 1);
        let attached = routes
            .iter()
            .filter(|r| {
                r.pointer("/spec/parentRefs")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|p| parent_of(r, p) == (ns(g).to_string(), name(g).to_string()))
            })
            .count();
        let prev = &g["status"];
        let listeners: Vec<Value> = g.pointer("/spec/listeners").and_then(Value::as_array).into_iter().flatten()
            .map(|l| {
                let prev_l = prev["listeners"].as_array().and_then(|ls| ls.iter().find(|x| x["name"] == l["name"]))
                    .map(|x| x["conditions"].clone()).unwrap_or(Value::Null);
                json!({"name": l["name"], "attachedRoutes": attached,
                       "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                       "conditions": [
                           condition(&prev_l, "Accepted", true, "Accepted", "Listener is accepted", generation),
                           condition(&prev_l, "Programmed", true, "Programmed", "Listener is programmed", generation),
                           condition(&prev_l, "ResolvedRefs", true, "ResolvedRefs", "All references resolved", generation),
                       ]})
            })
            .collect();
        let status = json!({
            "addresses": [{"type": "IPAddress", "value": GATEWAY_ADDRESS}],
            "conditions": [
                condition(&prev["conditions"], "Accepted", true, "Accepted", "Gateway is accepted", generation),
                condition(&prev["conditions"], "Programmed", true, "Programmed", "Gateway is programmed", generation),
            ],
            "listeners": listeners,
        });
        if *prev != status {
            let _ = store.modify("gateways", ns(g), name(g), |o| o["status"] = status);
        }
    }
}

//! The status a real load-balancer controller writes on entry points: Gateways
//! `Accepted`/`Programmed` with their attached routes, each HTTPRoute's `status.parents` with
//! `Accepted` and `ResolvedRefs` (BackendNotFound, RefNotPermitted across namespaces without a
//! ReferenceGrant, InvalidKind) — the same rules the simulated load balancer routes by — and
//! the load balancer's address on Ingresses.

use super::meta::{int_at, name};
use super::status::timestamp;
use super::Ctx;
use crate::apps::routing::grant_allows;
use crate::store::Store;
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
                let why = format!("no ReferenceGrant in {target_ns} permits backendRef {name:?}");
                return Some(("RefNotPermitted", why));
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

/// Conditions `(type, ok, reason, message)`, keeping transition times from `prev`.
fn conditions(prev: &Value, generation: i64, list: &[(&str, bool, &str, &str)]) -> Value {
    let out: Vec<Value> = list
        .iter()
        .map(|(kind, ok, reason, msg)| condition(prev, kind, *ok, reason, msg, generation))
        .collect();
    json!(out)
}

fn array<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// `(namespace, name)` of the Gateway a route's parentRef points at.
fn parent_key(route: &Value, parent: &Value) -> (String, String) {
    let gns = str_at(parent, "namespace").unwrap_or(ns(route));
    (
        gns.to_string(),
        str_at(parent, "name").unwrap_or("").to_string(),
    )
}

/// An HTTPRoute's `status`.
fn route_status(store: &Store, r: &Value) -> Value {
    let generation = int_at(r, "/metadata/generation", 1);
    let refs = unresolved(store, r);
    let (ref_ok, ref_reason, ref_msg) = match &refs {
        None => (true, "ResolvedRefs", "All references resolved".to_string()),
        Some((reason, msg)) => (false, *reason, msg.clone()),
    };
    let parents: Vec<Value> = array(r, "/spec/parentRefs")
        .map(|p| {
            let (gns, gname) = parent_key(r, p);
            let prev = array(r, "/status/parents")
                .find(|x| x["parentRef"]["name"] == gname.as_str())
                .map_or(Value::Null, |x| x["conditions"].clone());
            let missing = format!("Gateway {gns}/{gname} not found");
            let accepted = if store.get("gateways", &gns, &gname).is_some() {
                ("Accepted", true, "Accepted", "Route is accepted")
            } else {
                ("Accepted", false, "NoMatchingParent", missing.as_str())
            };
            let resolved = ("ResolvedRefs", ref_ok, ref_reason, ref_msg.as_str());
            json!({
                "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway",
                              "namespace": gns, "name": gname},
                "controllerName": CONTROLLER_NAME,
                "conditions": conditions(&prev, generation, &[accepted, resolved]),
            })
        })
        .collect();
    json!({"parents": parents})
}

/// A Gateway's `status`, with `attached` routes on each listener.
fn gateway_status(g: &Value, attached: usize) -> Value {
    let generation = int_at(g, "/metadata/generation", 1);
    let prev = &g["status"];
    let listeners: Vec<Value> = array(g, "/spec/listeners")
        .map(|l| {
            let prev_l = array(prev, "/listeners")
                .find(|x| x["name"] == l["name"])
                .map_or(Value::Null, |x| x["conditions"].clone());
            let conds = [
                ("Accepted", true, "Accepted", "Listener is accepted"),
                ("Programmed", true, "Programmed", "Listener is programmed"),
                (
                    "ResolvedRefs",
                    true,
                    "ResolvedRefs",
                    "All references resolved",
                ),
            ];
            json!({
                "name": l["name"], "attachedRoutes": attached,
                "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                "conditions": conditions(&prev_l, generation, &conds),
            })
        })
        .collect();
    let conds = [
        ("Accepted", true, "Accepted", "Gateway is accepted"),
        ("Programmed", true, "Programmed", "Gateway is programmed"),
    ];
    json!({
        "addresses": [{"type": "IPAddress", "value": GATEWAY_ADDRESS}],
        "conditions": conditions(&prev["conditions"], generation, &conds),
        "listeners": listeners,
    })
}

/// Syncs the status of every Gateway, HTTPRoute and Ingress (writing only what changed).
pub(crate) fn sync(ctx: &Ctx) {
    let store = &ctx.store;
    let (routes, _) = store.list("httproutes", None, None);
    for r in &routes {
        let status = route_status(store, r);
        if r["status"] != status {
            let _ = store.modify("httproutes", ns(r), name(r), |o| o["status"] = status);
        }
    }
    for g in store.list("gateways", None, None).0 {
        let key = (ns(&g).to_string(), name(&g).to_string());
        let attached = routes
            .iter()
            .filter(|r| array(r, "/spec/parentRefs").any(|p| parent_key(r, p) == key))
            .count();
        let status = gateway_status(&g, attached);
        if g["status"] != status {
            let _ = store.modify("gateways", &key.0, &key.1, |o| o["status"] = status);
        }
    }
    let lb = json!({"loadBalancer": {"ingress": [{"ip": GATEWAY_ADDRESS}]}});
    for i in store.list("ingresses", None, None).0 {
        if i["status"] != lb {
            let _ = store.modify("ingresses", ns(&i), name(&i), |o| o["status"] = lb.clone());
        }
    }
}

//! How the load balancer routes: entry point → weighted Services → ready endpoints.
//!
//! [`build_table`] reads the store once and resolves everything into an [`LbTable`];
//! the load balancer and the traffic generator pick backends from a published table.

use crate::selector::LabelSelector;
use crate::store::Store;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Group of Gateway API objects (ReferenceGrant `from`).
const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// Where requests enter the simulated cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Entry {
    /// A Gateway's HTTPRoute.
    HttpRoute {
        /// Route namespace.
        namespace: String,
        /// Route name.
        name: String,
    },
    /// An Ingress.
    Ingress {
        /// Ingress namespace.
        namespace: String,
        /// Ingress name.
        name: String,
    },
    /// Nothing routes (no Gateway route, no Ingress).
    None,
}

/// A Service a rule sends to, resolved to its ready pods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backend {
    /// Service namespace.
    pub namespace: String,
    /// Service name.
    pub service: String,
    /// Relative weight (0 = never chosen).
    pub weight: u32,
    /// False when the reference is not allowed (cross-namespace without a ReferenceGrant)
    /// or the Service does not exist: requests chosen for it get 500.
    pub valid: bool,
    /// Ready endpoints: pod names (in `namespace`).
    pub pods: Vec<String>,
}

/// One routing rule: a path match and its backends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Path prefixes (or exact paths) this rule takes; empty = everything.
    pub matches: Vec<PathMatch>,
    /// Weighted backends.
    pub backends: Vec<Backend>,
}

/// A path condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathMatch {
    /// Exact match instead of prefix.
    pub exact: bool,
    /// The path.
    pub value: String,
}

impl PathMatch {
    fn matches(&self, path: &str) -> bool {
        if self.exact {
            return path == self.value;
        }
        let prefix = self.value.trim_end_matches('/');
        // Prefix matching is by path element: /api matches /api and /api/x, not /apix.
        prefix.is_empty()
            || path == prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|r| r.starts_with('/'))
    }
}

/// Everything the load balancer needs, resolved at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LbTable {
    /// The entry point used.
    pub entry: Entry,
    /// Rules in order; the first matching one wins.
    pub rules: Vec<Rule>,
}

/// Where one request goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Serve it as this pod.
    Pod {
        /// Pod namespace.
        namespace: String,
        /// Pod name.
        pod: String,
    },
    /// Answer with this status (no route 404, invalid backend 500, no endpoints 503).
    Fail(u16),
}

impl LbTable {
    /// An empty table (nothing routes yet).
    pub fn empty() -> Self {
        Self {
            entry: Entry::None,
            rules: Vec::new(),
        }
    }

    /// Route a request path; `r1`, `r2` are uniform random numbers in [0, 1).
    pub fn choose(&self, path: &str, r1: f64, r2: f64) -> Choice {
        let path = path.split('?').next().unwrap_or(path);
        let Some(rule) = self
            .rules
            .iter()
            .find(|r| r.matches.is_empty() || r.matches.iter().any(|m| m.matches(path)))
        else {
            return Choice::Fail(404);
        };
        let weights: Vec<u32> = rule.backends.iter().map(|b| b.weight).collect();
        let Some(i) = pick_weighted(&weights, r1) else {
            // All weights zero: Gateway API answers 500 when no backend can take the request.
            return Choice::Fail(500);
        };
        let b = &rule.backends[i];
        if !b.valid {
            return Choice::Fail(500);
        }
        if b.pods.is_empty() {
            return Choice::Fail(503);
        }
        let k = ((r2 * b.pods.len() as f64) as usize).min(b.pods.len() - 1);
        Choice::Pod {
            namespace: b.namespace.clone(),
            pod: b.pods[k].clone(),
        }
    }
}

/// Index chosen by weight with `r` in [0, 1); None when every weight is 0.
pub fn pick_weighted(weights: &[u32], r: f64) -> Option<usize> {
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut point = (r.clamp(0.0, 1.0) * total as f64) as u64;
    point = point.min(total - 1);
    for (i, w) in weights.iter().enumerate() {
        if point < u64::from(*w) {
            return Some(i);
        }
        point -= u64::from(*w);
    }
    None
}

fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Ready endpoint pod names of a Service, from its EndpointSlices.
pub fn ready_pods(store: &Store, ns: &str, service: &str) -> Vec<String> {
    let mut labels = BTreeMap::new();
    labels.insert(
        "kubernetes.io/service-name".to_string(),
        service.to_string(),
    );
    let sel = LabelSelector::from_map(&labels);
    let (slices, _) = store.list("endpointslices", Some(ns), Some(&sel));
    let mut pods: Vec<String> = slices.iter().flat_map(ready_in_slice).collect();
    pods.sort();
    pods.dedup();
    pods
}

/// Pod names of the ready endpoints in one EndpointSlice (ready unset counts as ready).
pub fn ready_in_slice(slice: &Value) -> Vec<String> {
    arr(slice, "/endpoints")
        .iter()
        .filter(|e| e.pointer("/conditions/ready").and_then(Value::as_bool) != Some(false))
        .filter(|e| s(e, "/targetRef/kind").is_none_or(|k| k == "Pod"))
        .filter_map(|e| s(e, "/targetRef/name").map(String::from))
        .collect()
}

/// True when a ReferenceGrant in `to_ns` lets an HTTPRoute in `from_ns` use Service `name`.
pub fn grant_allows(grants: &[Value], from_ns: &str, name: &str) -> bool {
    grants.iter().any(|g| {
        let from_ok = arr(g, "/spec/from").iter().any(|f| {
            s(f, "/group") == Some(GATEWAY_GROUP)
                && s(f, "/kind") == Some("HTTPRoute")
                && s(f, "/namespace") == Some(from_ns)
        });
        let to_ok = arr(g, "/spec/to").iter().any(|t| {
            s(t, "/group").unwrap_or("").is_empty()
                && s(t, "/kind") == Some("Service")
                && s(t, "/name").is_none_or(|n| n.is_empty() || n == name)
        });
        from_ok && to_ok
    })
}

fn route_rules(store: &Store, route: &Value) -> Vec<Rule> {
    let route_ns = s(route, "/metadata/namespace").unwrap_or("default");
    arr(route, "/spec/rules")
        .iter()
        .map(|rule| {
            let matches = arr(rule, "/matches")
                .iter()
                .filter_map(|m| {
                    let value = s(m, "/path/value")?.to_string();
                    Some(PathMatch {
                        exact: s(m, "/path/type") == Some("Exact"),
                        value,
                    })
                })
                .collect();
            let backends = arr(rule, "/backendRefs")
                .iter()
                .map(|b| {
                    let name = s(b, "/name").unwrap_or("").to_string();
                    let ns = s(b, "/namespace").unwrap_or(route_ns).to_string();
                    let weight = b.get("weight").and_then(Value::as_u64).unwrap_or(1) as u32;
                    let is_service = s(b, "/kind").is_none_or(|k| k == "Service")
                        && s(b, "/group").unwrap_or("").is_empty();
                    let allowed = ns == route_ns || {
                        let (grants, _) = store.list("referencegrants", Some(&ns), None);
                        grant_allows(&grants, route_ns, &name)
                    };
                    let exists = store.get("services", &ns, &name).is_some();
                    let valid = is_service && allowed && exists;
                    let pods = if valid {
                        ready_pods(store, &ns, &name)
                    } else {
                        Vec::new()
                    };
                    Backend {
                        namespace: ns,
                        service: name,
                        weight,
                        valid,
                        pods,
                    }
                })
                .collect();
            Rule { matches, backends }
        })
        .collect()
}

fn ingress_backend(store: &Store, ns: &str, backend: &Value) -> Backend {
    let name = s(backend, "/service/name").unwrap_or("").to_string();
    let exists = !name.is_empty() && store.get("services", ns, &name).is_some();
    let pods = if exists {
        ready_pods(store, ns, &name)
    } else {
        Vec::new()
    };
    Backend {
        namespace: ns.to_string(),
        service: name,
        weight: 1,
        valid: exists,
        pods,
    }
}

fn ingress_rules(store: &Store, ing: &Value) -> Vec<Rule> {
    let ns = s(ing, "/metadata/namespace").unwrap_or("default");
    let mut rules: Vec<Rule> = arr(ing, "/spec/rules")
        .iter()
        .flat_map(|r| arr(r, "/http/paths").iter())
        .map(|p| Rule {
            matches: vec![PathMatch {
                exact: s(p, "/pathType") == Some("Exact"),
                value: s(p, "/path").unwrap_or("/").to_string(),
            }],
            backends: vec![ingress_backend(store, ns, &p["backend"])],
        })
        .collect();
    if let Some(def) = ing.pointer("/spec/defaultBackend") {
        rules.push(Rule {
            matches: Vec::new(),
            backends: vec![ingress_backend(store, ns, def)],
        });
    }
    rules
}

/// True when an HTTPRoute is attached to a Gateway that exists.
fn attached_to_gateway(store: &Store, route: &Value) -> bool {
    let route_ns = s(route, "/metadata/namespace").unwrap_or("default");
    arr(route, "/spec/parentRefs").iter().any(|p| {
        s(p, "/kind").is_none_or(|k| k == "Gateway")
            && s(p, "/name").is_some_and(|n| {
                store
                    .get("gateways", s(p, "/namespace").unwrap_or(route_ns), n)
                    .is_some()
            })
    })
}

/// Resolve the entry point the way the scenario's load balancer does: a Gateway's HTTPRoute
/// when one is attached, otherwise the first Ingress.
pub fn build_table(store: &Store) -> LbTable {
    let (routes, _) = store.list("httproutes", None, None);
    if let Some(route) = routes.iter().find(|r| attached_to_gateway(store, r)) {
        return LbTable {
            entry: Entry::HttpRoute {
                namespace: s(route, "/metadata/namespace").unwrap_or("").to_string(),
                name: s(route, "/metadata/name").unwrap_or("").to_string(),
            },
            rules: route_rules(store, route),
        };
    }
    let (ingresses, _) = store.list("ingresses", None, None);
    if let Some(ing) = ingresses.first() {
        return LbTable {
            entry: Entry::Ingress {
                namespace: s(ing, "/metadata/namespace").unwrap_or("").to_string(),
                name: s(ing, "/metadata/name").unwrap_or("").to_string(),
            },
            rules: ingress_rules(store, ing),
        };
    }
    LbTable::empty()
}

/// Store resources whose changes can change the table.
pub fn affects_routing(resource: &str) -> bool {
    matches!(
        resource,
        "httproutes" | "gateways" | "referencegrants" | "ingresses" | "services" | "endpointslices"
    )
}

#[cfg(test)]
mod tests;

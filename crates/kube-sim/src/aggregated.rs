//! Aggregated discovery (`apidiscovery.k8s.io/v2`): `/api` and `/apis` answer every group,
//! version and resource in one APIGroupDiscoveryList when the client asks for it by Accept
//! header; otherwise the legacy documents of [`crate::discovery`] are served.

use crate::resources::{self, ResourceDef, RESOURCES};
use serde_json::{json, Value};

/// The Content-Type of an aggregated answer. Exactly this, or kubectl breaks (SIM.md).
pub const CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether an Accept header asks for the v2 APIGroupDiscoveryList as JSON (alternatives
/// separated by commas, parameters in any order).
pub fn wanted(accept: &str) -> bool {
    accept.split(',').any(|alt| {
        let mut parts = alt.split(';').map(str::trim);
        let json = parts
            .next()
            .is_some_and(|m| m.eq_ignore_ascii_case("application/json"));
        let params: Vec<&str> = parts.collect();
        json && ["g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"]
            .iter()
            .all(|p| params.contains(p))
    })
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "version": version, "kind": kind})
}

fn subresource(def: &ResourceDef, sub: &str) -> Value {
    let (kind, verbs): (Value, &[&str]) = match sub {
        "status" => (
            gvk(def.group, def.version, def.kind),
            &["get", "patch", "update"],
        ),
        "scale" => (
            gvk("autoscaling", "v1", "Scale"),
            &["get", "patch", "update"],
        ),
        "log" => (gvk("", "v1", "Pod"), &["get"]),
        "portforward" => (gvk("", "v1", "PodPortForwardOptions"), &["create", "get"]),
        _ => {
            let kind = if def.kind == "Pod" {
                "PodProxyOptions"
            } else {
                "ServiceProxyOptions"
            };
            (
                gvk("", "v1", kind),
                &["create", "delete", "get", "patch", "update"],
            )
        }
    };
    json!({"subresource": sub, "responseKind": kind, "verbs": verbs})
}

fn resource(def: &ResourceDef) -> Value {
    let mut r = json!({
        "resource": def.plural,
        "responseKind": gvk(def.group, def.version, def.kind),
        "scope": if def.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": def.singular,
        "verbs": def.verbs,
    });
    if !def.short_names.is_empty() {
        r["shortNames"] = json!(def.short_names);
    }
    if matches!(
        def.plural,
        "pods" | "services" | "deployments" | "replicasets"
    ) && def.group != "events.k8s.io"
    {
        r["categories"] = json!(["all"]);
    }
    if !def.subresources.is_empty() {
        let subs: Vec<Value> = def
            .subresources
            .iter()
            .map(|s| subresource(def, s))
            .collect();
        r["subresources"] = json!(subs);
    }
    r
}

/// One APIGroupDiscovery: its versions in preference order (the table's order).
fn group(name: &str) -> Value {
    let versions: Vec<Value> = resources::group_versions()
        .into_iter()
        .filter(|(g, _)| *g == name)
        .map(|(g, v)| {
            let res: Vec<Value> = RESOURCES
                .iter()
                .filter(|r| r.group == g && r.version == v)
                .map(resource)
                .collect();
            json!({"version": v, "resources": res, "freshness": "Current"})
        })
        .collect();
    let mut meta = json!({"creationTimestamp": null});
    if !name.is_empty() {
        meta["name"] = json!(name);
    }
    json!({"metadata": meta, "versions": versions})
}

fn list(items: Vec<Value>) -> Value {
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
           "metadata": {}, "items": items})
}

/// `/api`: the core group alone.
pub fn core() -> Value {
    list(vec![group("")])
}

/// `/apis`: every other group, in table order.
pub fn groups() -> Value {
    let mut names: Vec<&str> = Vec::new();
    for (g, _) in resources::group_versions() {
        if !g.is_empty() && !names.contains(&g) {
            names.push(g);
        }
    }
    list(names.into_iter().map(group).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        assert!(wanted(kubectl));
        assert!(wanted(
            "application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io"
        ));
        assert!(!wanted("application/json"));
        assert!(!wanted(
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
        ));
        assert!(!wanted("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"));
    }

    #[test]
    fn documents() {
        let apis = groups();
        let items = apis["items"].as_array().unwrap();
        let gw = items
            .iter()
            .find(|g| g["metadata"]["name"] == "gateway.networking.k8s.io")
            .unwrap();
        let versions: Vec<&str> = gw["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_str().unwrap())
            .collect();
        assert_eq!(versions, ["v1", "v1beta1"]);
        let apps = items
            .iter()
            .find(|g| g["metadata"]["name"] == "apps")
            .unwrap();
        let deploy = &apps["versions"][0]["resources"][0];
        assert_eq!(deploy["resource"], "deployments");
        assert_eq!(deploy["shortNames"], json!(["deploy"]));
        let scale = deploy["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subresource"] == "scale")
            .unwrap();
        assert_eq!(scale["responseKind"]["group"], "autoscaling");
        let core = core();
        assert_eq!(core["items"].as_array().unwrap().len(), 1);
        assert!(core["items"][0]["metadata"].get("name").is_none());
    }
}

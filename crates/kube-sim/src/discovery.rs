//! `/version` and legacy discovery documents (plain JSON; kubectl falls back to these).

use crate::resources::{self, ResourceDef, RESOURCES};
use serde_json::{json, Value};

/// The `/version` answer. Minor "32": kubectl picks its binary from it.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-cutover-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.4",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `/api`: the core group's versions.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]
    })
}

/// One APIGroup object (versions in table order; the first is preferred).
pub fn group(name: &str) -> Value {
    let versions: Vec<Value> = resources::group_versions()
        .into_iter()
        .filter(|(g, _)| *g == name)
        .map(|(g, v)| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": versions, "preferredVersion": preferred})
}

/// `/apis`: every non-core group.
pub fn groups() -> Value {
    let mut names: Vec<&str> = Vec::new();
    for (g, _) in resources::group_versions() {
        if !g.is_empty() && !names.contains(&g) {
            names.push(g);
        }
    }
    let groups: Vec<Value> = names
        .into_iter()
        .map(|n| {
            let mut g = group(n);
            if let Some(m) = g.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            g
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn sub_entry(def: &ResourceDef, sub: &str) -> Value {
    let (kind, verbs, group, version): (&str, &[&str], Option<&str>, Option<&str>) = match sub {
        "status" => (def.kind, &["get", "patch", "update"], None, None),
        "scale" => (
            "Scale",
            &["get", "patch", "update"],
            Some("autoscaling"),
            Some("v1"),
        ),
        "log" => ("Pod", &["get"], None, None),
        "portforward" => ("PodPortForwardOptions", &["create", "get"], None, None),
        _ => (
            if def.kind == "Pod" {
                "PodProxyOptions"
            } else {
                "ServiceProxyOptions"
            },
            &["create", "delete", "get", "patch", "update"],
            None,
            None,
        ),
    };
    let mut v = json!({
        "name": format!("{}/{sub}", def.plural),
        "singularName": "",
        "namespaced": def.namespaced,
        "kind": kind,
        "verbs": verbs,
    });
    if let (Some(g), Some(ver)) = (group, version) {
        v["group"] = json!(g);
        v["version"] = json!(ver);
    }
    v
}

/// `/api/v1` or `/apis/GROUP/VERSION`: the APIResourceList with subresources.
pub fn resource_list(group: &str, version: &str) -> Value {
    let mut list = Vec::new();
    for def in RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        list.push(json!({
            "name": def.plural,
            "singularName": def.singular,
            "namespaced": def.namespaced,
            "kind": def.kind,
            "verbs": def.verbs,
            "shortNames": def.short_names,
        }));
        list.extend(def.subresources.iter().map(|s| sub_entry(def, s)));
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_list_has_short_names_and_subresources() {
        let l = resource_list("", "v1");
        let res = l["resources"].as_array().unwrap();
        let find = |n: &str| res.iter().find(|r| r["name"] == n).unwrap().clone();
        assert_eq!(find("services")["shortNames"], json!(["svc"]));
        assert_eq!(find("pods")["shortNames"], json!(["po"]));
        assert_eq!(find("pods/log")["verbs"], json!(["get"]));
        assert!(find("pods/portforward")["verbs"]
            .as_array()
            .unwrap()
            .contains(&json!("create")));
        let apps = resource_list("apps", "v1");
        let scale = apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .unwrap()
            .clone();
        assert_eq!(
            (scale["group"].as_str(), scale["kind"].as_str()),
            (Some("autoscaling"), Some("Scale"))
        );
        assert_eq!(apps["groupVersion"], "apps/v1");
    }

    #[test]
    fn groups_prefer_v1() {
        let g = groups();
        let gw = g["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "gateway.networking.k8s.io")
            .unwrap()
            .clone();
        assert_eq!(gw["preferredVersion"]["version"], "v1");
        assert_eq!(gw["versions"].as_array().unwrap().len(), 2);
        assert!(g["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["name"] != ""));
        assert_eq!(version()["minor"], "32");
    }
}

//! A minimal OpenAPI v3 document set: enough for kubectl to learn that the server validates
//! fields itself (`fieldValidation` on PATCH), so `kubectl apply`/`create` skip client-side
//! schema validation (which needs full schemas the simulator does not have).

use crate::resources::{self, RESOURCES};
use serde_json::{json, Map, Value};

/// The `/openapi/v3` root: one entry per served group/version.
pub fn root() -> Value {
    let mut paths = Map::new();
    for (g, v) in resources::group_versions() {
        let key = gv_path(g, v);
        paths.insert(
            key.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash=sim")}),
        );
    }
    json!({"paths": paths})
}

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The document for `api/v1` or `apis/GROUP/VERSION` (None when not served).
pub fn group_version(path: &str) -> Option<Value> {
    let (g, v) = resources::group_versions()
        .into_iter()
        .find(|(g, v)| gv_path(g, v) == path)?;
    let mut paths = Map::new();
    for def in RESOURCES
        .iter()
        .filter(|r| r.group == g && r.version == v && r.is_stored())
    {
        let scope = if def.namespaced {
            "namespaces/{namespace}/"
        } else {
            ""
        };
        let url = format!("/{}/{scope}{}/{{name}}", gv_path(g, v), def.plural);
        paths.insert(url, json!({"patch": {
            "x-kubernetes-group-version-kind": {"group": g, "version": v, "kind": def.kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}},
        }}));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (cutover simulator)", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_points_at_each_group_version() {
        let r = root();
        assert_eq!(
            r["paths"]["api/v1"]["serverRelativeURL"],
            "/openapi/v3/api/v1?hash=sim"
        );
        assert!(r["paths"]["apis/gateway.networking.k8s.io/v1beta1"].is_object());
        let apps = group_version("apis/apps/v1").unwrap();
        let patch =
            &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Deployment"
        );
        assert_eq!(patch["parameters"][0]["name"], "fieldValidation");
        assert!(group_version("apis/nope/v1").is_none());
        let core = group_version("api/v1").unwrap();
        assert!(core["paths"]["/api/v1/namespaces/{name}"].is_object());
    }
}

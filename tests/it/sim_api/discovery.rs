//! Aggregated discovery (apidiscovery.k8s.io/v2) next to the legacy documents: kube-rs's
//! `run_aggregated` finds every group, kubectl uses it, plain JSON still gets the old form.

use crate::support;
use kube::core::GroupVersionKind;
use kube::discovery::{Discovery, Scope};

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

#[tokio::test]
async fn kube_rs_run_aggregated_finds_the_groups() {
    let sim = support::empty_sim();
    let discovery = Discovery::new(sim.client("sim").await)
        .run_aggregated()
        .await
        .unwrap();
    for group in [
        "",
        "apps",
        "discovery.k8s.io",
        "networking.k8s.io",
        "coordination.k8s.io",
        "events.k8s.io",
        "gateway.networking.k8s.io",
    ] {
        assert!(discovery.has_group(group), "group {group:?} missing");
    }
    let (ar, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment"))
        .expect("Deployment");
    assert_eq!(ar.plural, "deployments");
    assert_eq!(caps.scope, Scope::Namespaced);
    assert!(caps
        .subresources
        .iter()
        .any(|(sub, _)| sub.plural == "scale"));
    let (route, _) = discovery
        .resolve_gvk(&GroupVersionKind::gvk(
            "gateway.networking.k8s.io",
            "v1",
            "HTTPRoute",
        ))
        .expect("HTTPRoute");
    assert_eq!(route.plural, "httproutes");
    assert!(discovery
        .resolve_gvk(&GroupVersionKind::gvk(
            "gateway.networking.k8s.io",
            "v1beta1",
            "ReferenceGrant"
        ))
        .is_some());
    let (ns, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("", "v1", "Namespace"))
        .expect("Namespace");
    assert_eq!(
        (ns.plural.as_str(), caps.scope),
        ("namespaces", Scope::Cluster)
    );
}

#[tokio::test]
async fn content_type_is_negotiated() {
    let sim = support::empty_sim();
    let http = support::http_client(&sim);
    let token = support::token(&sim, "admin");
    for path in ["/api", "/apis"] {
        let v2 = http
            .get(format!("{}{path}", sim.api_url))
            .bearer_auth(&token)
            .header("accept", format!("{AGGREGATED},application/json"))
            .send()
            .await
            .unwrap();
        assert_eq!(v2.headers()["content-type"], AGGREGATED, "{path}");
        let body: serde_json::Value = v2.json().await.unwrap();
        assert_eq!(body["kind"], "APIGroupDiscoveryList");
        assert_eq!(body["apiVersion"], "apidiscovery.k8s.io/v2");
        let legacy = http
            .get(format!("{}{path}", sim.api_url))
            .bearer_auth(&token)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(legacy.headers()["content-type"], "application/json");
        let body: serde_json::Value = legacy.json().await.unwrap();
        let want = if path == "/api" {
            "APIVersions"
        } else {
            "APIGroupList"
        };
        assert_eq!(body["kind"], want);
    }
}

#[test]
fn kubectl_uses_aggregated_discovery() {
    if !support::have_kubectl("kubectl_uses_aggregated_discovery") {
        return;
    }
    let sim = support::empty_sim();
    let out = support::kubectl(&sim, "sim", &["api-resources", "--no-headers"]);
    let listed = support::ok_stdout(&out);
    for (name, short) in [
        ("deployments", "deploy"),
        ("services", "svc"),
        ("pods", "po"),
    ] {
        assert!(
            listed
                .lines()
                .any(|l| l.starts_with(name) && l.split_whitespace().nth(1) == Some(short)),
            "{name} ({short}) missing:\n{listed}"
        );
    }
    assert!(listed.contains("httproutes") && listed.contains("referencegrants"));
    support::ok_stdout(&support::kubectl(
        &sim,
        "sim",
        &["get", "deploy,svc,httproutes", "-A"],
    ));
    // With aggregated discovery kubectl needs no per-group documents.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let log = rt.block_on(support::requests(&sim));
    let per_group = log
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/apis/apps/v1?") || p == "/apis/apps/v1")
        })
        .count();
    assert_eq!(per_group, 0, "kubectl fell back to legacy discovery");
}

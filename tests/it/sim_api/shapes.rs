//! Response shapes like a real API server: the `default/kubernetes` Service, Service
//! defaults and cluster IPs, which kinds carry `metadata.generation`, what DELETE answers,
//! and `kind` before `apiVersion` on the wire.

use crate::support;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{DeleteParams, PostParams};
use kube::Api;
use serde_json::json;
use std::net::Ipv4Addr;

/// The body of an admin GET/DELETE as text.
async fn raw(sim: &kube_sim::SimHandle, method: reqwest::Method, path: &str) -> (u16, String) {
    let resp = support::http_client(sim)
        .request(method, format!("{}{path}", sim.api_url))
        .bearer_auth(support::token(sim, "admin"))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn every_scenario_has_the_kubernetes_service() {
    for sim in [support::empty_sim(), support::sim()] {
        let svcs: Api<Service> = Api::namespaced(sim.client("sim").await, "default");
        let k = svcs.get("kubernetes").await.unwrap();
        let spec = k.spec.unwrap();
        assert_eq!(spec.cluster_ip.as_deref(), Some("10.96.0.1"));
        assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
        let port = &spec.ports.unwrap()[0];
        assert_eq!((port.name.as_deref(), port.port), (Some("https"), 443));
        assert_eq!(port.protocol.as_deref(), Some("TCP"));
        assert!(
            spec.selector.is_none(),
            "the API server's endpoints are not selected pods"
        );
        assert_eq!(k.metadata.labels.unwrap()["component"], "apiserver");
    }
}

#[tokio::test]
async fn created_services_get_a_cluster_ip_and_defaults() {
    let sim = support::empty_sim();
    let svcs: Api<Service> = Api::namespaced(sim.client("sim").await, "default");
    let mut ips = Vec::new();
    for name in ["a", "b"] {
        let svc: Service = serde_json::from_value(json!({"metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 8000}]}}))
        .unwrap();
        let made = svcs.create(&PostParams::default(), &svc).await.unwrap();
        assert!(
            made.metadata.generation.is_none(),
            "Services have no generation"
        );
        let spec = made.spec.unwrap();
        let ip: Ipv4Addr = spec.cluster_ip.clone().unwrap().parse().unwrap();
        // 10.96.0.0/12: 10.96.0.0 to 10.111.255.255; 10.96.0.1 is `kubernetes`.
        let o = ip.octets();
        assert!(o[0] == 10 && (96..112).contains(&o[1]), "{ip}");
        assert_ne!(ip, Ipv4Addr::new(10, 96, 0, 1));
        assert_eq!(spec.cluster_ips, Some(vec![ip.to_string()]));
        assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
        assert_eq!(spec.session_affinity.as_deref(), Some("None"));
        assert_eq!(spec.ip_families, Some(vec!["IPv4".to_string()]));
        assert_eq!(spec.ip_family_policy.as_deref(), Some("SingleStack"));
        assert_eq!(spec.internal_traffic_policy.as_deref(), Some("Cluster"));
        let port = &spec.ports.unwrap()[0];
        assert_eq!(port.protocol.as_deref(), Some("TCP"));
        assert_eq!(
            port.target_port,
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(8000))
        );
        ips.push(ip);
    }
    assert_ne!(ips[0], ips[1], "cluster IPs are unique");
    // A replace that leaves the IP out keeps it; one that changes it is refused.
    let mut a = svcs.get("a").await.unwrap();
    a.spec.as_mut().unwrap().cluster_ip = None;
    a.spec.as_mut().unwrap().cluster_ips = None;
    let replaced = svcs.replace("a", &PostParams::default(), &a).await.unwrap();
    assert_eq!(replaced.spec.unwrap().cluster_ip, Some(ips[0].to_string()));
    let mut moved = svcs.get("a").await.unwrap();
    moved.spec.as_mut().unwrap().cluster_ip = Some(ips[1].to_string());
    moved.spec.as_mut().unwrap().cluster_ips = None;
    assert_eq!(
        super::api_err(svcs.replace("a", &PostParams::default(), &moved).await),
        (422, "Invalid".into())
    );
}

#[tokio::test]
async fn delete_answers_status_or_object_like_a_real_server() {
    let sim = support::empty_sim();
    let client = sim.client("sim").await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "c"}})).unwrap();
    let made = cms.create(&PostParams::default(), &cm).await.unwrap();
    assert!(
        made.metadata.generation.is_none(),
        "ConfigMaps have no generation"
    );
    let (code, body) = raw(
        &sim,
        reqwest::Method::DELETE,
        "/api/v1/namespaces/default/configmaps/c",
    )
    .await;
    assert_eq!(code, 200);
    let status: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            status["kind"].as_str(),
            status["apiVersion"].as_str(),
            status["status"].as_str()
        ),
        (Some("Status"), Some("v1"), Some("Success")),
        "{body}"
    );
    assert_eq!(status["details"]["name"], "c");
    assert_eq!(status["details"]["kind"], "configmaps");
    assert_eq!(
        status["details"]["uid"].as_str(),
        made.metadata.uid.as_deref()
    );
    assert!(
        status["details"].get("group").is_none(),
        "core has no group"
    );
    // kube-rs reads the same as Right(Status) ...
    cms.create(&PostParams::default(), &cm).await.unwrap();
    let status = cms.delete("c", &DeleteParams::default()).await.unwrap();
    let status = status.right().expect("a ConfigMap delete answers a Status");
    assert_eq!(status.details.unwrap().kind, "configmaps");
    // ... a Deployment's Status names its group; a Service answers with the Service.
    let deps: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "d"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "d"}},
                 "template": {"metadata": {"labels": {"app": "d"}},
                              "spec": {"containers": [{"name": "app", "image": "d:1"}]}}}}))
    .unwrap();
    let made = deps.create(&PostParams::default(), &d).await.unwrap();
    assert_eq!(
        made.metadata.generation,
        Some(1),
        "Deployments have a generation"
    );
    let status = deps.delete("d", &DeleteParams::default()).await.unwrap();
    let status = status
        .right()
        .expect("a Deployment delete answers a Status");
    assert_eq!(status.details.unwrap().group, "apps");
    let svcs: Api<Service> = Api::namespaced(client, "default");
    let svc: Service = serde_json::from_value(
        json!({"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}),
    )
    .unwrap();
    svcs.create(&PostParams::default(), &svc).await.unwrap();
    let gone = svcs.delete("s", &DeleteParams::default()).await.unwrap();
    let gone = gone.left().expect("a Service delete answers the Service");
    assert_eq!(gone.metadata.name.as_deref(), Some("s"));
    if support::have_kubectl("delete_answers_status_or_object_like_a_real_server") {
        let store = &sim.state.store;
        store
            .create("configmaps", "default", json!({"metadata": {"name": "k"}}))
            .unwrap();
        let out = support::kubectl(&sim, "sim", &["delete", "configmap", "k"]);
        assert!(support::ok_stdout(&out).contains("configmap \"k\" deleted"));
    }
}

#[tokio::test]
async fn kind_comes_before_api_version_on_the_wire() {
    let sim = support::empty_sim();
    sim.state
        .store
        .create("configmaps", "default", json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}))
        .unwrap();
    let (_, one) = raw(
        &sim,
        reqwest::Method::GET,
        "/api/v1/namespaces/default/configmaps/c",
    )
    .await;
    assert!(
        one.starts_with(r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"#),
        "{one}"
    );
    let (_, list) = raw(
        &sim,
        reqwest::Method::GET,
        "/api/v1/namespaces/default/configmaps",
    )
    .await;
    assert!(
        list.starts_with(r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"#),
        "{list}"
    );
    assert!(
        list.contains(r#""items":[{"kind":"ConfigMap","apiVersion":"v1","metadata""#),
        "{list}"
    );
    let (_, missing) = raw(
        &sim,
        reqwest::Method::GET,
        "/api/v1/namespaces/default/configmaps/nope",
    )
    .await;
    assert!(
        missing.starts_with(r#"{"kind":"Status","apiVersion":"v1""#),
        "{missing}"
    );
}

//! Identities and permissions: SelfSubjectReview, SelfSubjectAccessReview, viewer writes.

use super::api_err;
use crate::support;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::Api;
use serde_json::json;

async fn can(client: &kube::Client, verb: &str, resource: &str) -> bool {
    let review: SelfSubjectAccessReview = serde_json::from_value(json!({
        "spec": {"resourceAttributes": {"namespace": "default", "verb": verb, "resource": resource}}})).unwrap();
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api.create(&PostParams::default(), &review).await.unwrap();
    answer.status.unwrap().allowed
}

#[tokio::test]
async fn self_subject_reviews_per_user() {
    let sim = support::empty_sim();
    for (context, user) in [
        ("sim", "admin"),
        ("sim-alice", "alice"),
        ("sim-bob", "bob"),
        ("sim-viewer", "viewer"),
    ] {
        let client = sim.client(context).await;
        let ssr: SelfSubjectReview = serde_json::from_value(json!({})).unwrap();
        let me = Api::<SelfSubjectReview>::all(client.clone())
            .create(&PostParams::default(), &ssr)
            .await
            .unwrap();
        assert_eq!(
            me.status.unwrap().user_info.unwrap().username.as_deref(),
            Some(user)
        );
        let writer = user != "viewer";
        assert_eq!(
            can(&client, "patch", "services").await,
            writer,
            "{user} patch services"
        );
        assert!(can(&client, "list", "pods").await, "{user} list pods");
        assert_eq!(
            can(&client, "create", "pods/portforward").await,
            writer,
            "{user} port-forward"
        );
    }
}

#[tokio::test]
async fn viewer_reads_but_writes_are_forbidden() {
    let sim = support::empty_sim();
    let viewer = sim.client("sim-viewer").await;
    let cms: Api<ConfigMap> = Api::namespaced(viewer.clone(), "default");
    assert!(cms.list(&ListParams::default()).await.is_ok());
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap();
    assert_eq!(
        api_err(cms.create(&PostParams::default(), &cm).await),
        (403, "Forbidden".into())
    );
    let admin: Api<Service> = Api::namespaced(sim.client("sim").await, "default");
    let svc: Service = serde_json::from_value(
        json!({"metadata": {"name": "lb"}, "spec": {"selector": {"deployment": "blue"}}}),
    )
    .unwrap();
    admin.create(&PostParams::default(), &svc).await.unwrap();
    let as_viewer: Api<Service> = Api::namespaced(viewer, "default");
    let patch = Patch::Merge(json!({"spec": {"selector": {"deployment": "green"}}}));
    assert_eq!(
        api_err(as_viewer.patch("lb", &PatchParams::default(), &patch).await).1,
        "Forbidden"
    );
    let sel = admin
        .get("lb")
        .await
        .unwrap()
        .spec
        .unwrap()
        .selector
        .unwrap();
    assert_eq!(sel["deployment"], "blue", "a refused write changes nothing");
    // The request log names who did what.
    let log = support::requests(&sim).await;
    assert!(log
        .iter()
        .any(|r| r["user"] == "viewer" && r["method"] == "PATCH" && r["status"] == 403));
    assert!(log
        .iter()
        .any(|r| r["user"] == "admin" && r["method"] == "POST" && r["status"] == 201));
}

#[tokio::test]
async fn https_needs_a_valid_token() {
    let sim = support::empty_sim();
    let http = support::http_client(&sim);
    let url = format!("{}/api/v1/namespaces/default/configmaps", sim.api_url);
    let anon = http.get(&url).send().await.unwrap();
    assert_eq!(anon.status().as_u16(), 401);
    let body: serde_json::Value = anon.json().await.unwrap();
    assert_eq!(
        (body["kind"].as_str(), body["reason"].as_str()),
        (Some("Status"), Some("Unauthorized"))
    );
    let forged = http
        .get(&url)
        .bearer_auth("sim-admin-forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    let ok = http
        .get(&url)
        .bearer_auth(support::token(&sim, "bob"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
}

#[tokio::test]
async fn plain_http_without_token_is_admin() {
    let sim = support::sim_with(kube_sim::SimOptions {
        http: true,
        scenario: "empty".into(),
        tuning: kube_sim::cluster::Tuning::fast(),
        ..Default::default()
    });
    assert!(sim.api_url.starts_with("http://"));
    let client = sim.client("sim").await;
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap();
    Api::<ConfigMap>::namespaced(client, "default")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "{}/apis/authentication.k8s.io/v1/selfsubjectreviews",
            sim.api_url
        ))
        .json(&json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"]["userInfo"]["username"], "admin");
}

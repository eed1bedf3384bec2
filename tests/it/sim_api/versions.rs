//! Reads at a resourceVersion the store has not reached (the watch cache waits, then 504
//! "Too large resource version"; a watch sends only what comes after it), and a
//! SelfSubjectAccessReview without attributes (422 Invalid).

use super::api_err;
use crate::support;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ListParams, PostParams};
use kube::Api;
use serde_json::json;

#[tokio::test]
async fn a_list_from_the_future_times_out_with_504() {
    let sim = support::empty_sim();
    let mut config = sim.config("sim").await.unwrap();
    config.default_retry = false; // kube-rs would retry the 504
    let api: Api<ConfigMap> = Api::namespaced(kube::Client::try_from(config).unwrap(), "default");
    let now = sim.state.store.resource_version();
    let current = ListParams::default().at(&now.to_string());
    assert!(api.list(&current).await.is_ok());
    let future = ListParams::default().at(&(now + 100_000).to_string());
    match api.list(&future).await {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (504, "Timeout"));
            assert!(
                s.message.starts_with(&format!(
                    "Timeout: Too large resource version: {}, current: ",
                    now + 100_000
                )),
                "{}",
                s.message
            );
        }
        other => panic!("expected 504 Timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_watch_from_the_future_sends_only_what_comes_after() {
    let sim = support::empty_sim();
    let ahead = sim.state.store.resource_version() + 100_000;
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={ahead}&timeoutSeconds=2",
        sim.api_url
    );
    let resp = support::http_client(&sim)
        .get(url)
        .bearer_auth(support::token(&sim, "admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    sim.state
        .store
        .create(
            "configmaps",
            "default",
            json!({"metadata": {"name": "now"}}),
        )
        .unwrap();
    let body = resp.text().await.unwrap();
    assert_eq!(body, "", "a change before the requested version was sent");
}

#[tokio::test]
async fn access_reviews_need_exactly_one_kind_of_attributes() {
    let sim = support::empty_sim();
    let api: Api<SelfSubjectAccessReview> = Api::all(sim.client("sim").await);
    let empty: SelfSubjectAccessReview = serde_json::from_value(json!({"spec": {}})).unwrap();
    let err = api.create(&PostParams::default(), &empty).await;
    match err {
        Err(kube::Error::Api(ref s)) => assert_eq!(
            s.message,
            "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified"
        ),
        ref other => panic!("{other:?}"),
    }
    assert_eq!(api_err(err), (422, "Invalid".into()));
    let both: SelfSubjectAccessReview = serde_json::from_value(json!({"spec": {
        "resourceAttributes": {"verb": "get", "resource": "pods"},
        "nonResourceAttributes": {"verb": "get", "path": "/healthz"}}}))
    .unwrap();
    assert_eq!(
        api_err(api.create(&PostParams::default(), &both).await).0,
        422
    );
    let fine: SelfSubjectAccessReview = serde_json::from_value(json!({"spec": {
        "nonResourceAttributes": {"verb": "get", "path": "/healthz"}}}))
    .unwrap();
    let answer = api.create(&PostParams::default(), &fine).await.unwrap();
    assert!(answer.status.unwrap().allowed);
}

//! SIM-API: the simulator's API server through kube-rs and raw HTTP (issue 2 acceptance).

mod access;
mod admin;
mod bodies;
mod crud;
mod discovery;
mod fields;
mod input;
mod lost_response;
mod paging;
mod shapes;
mod transport;
mod versions;
mod watches;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::PostParams;
use kube::{Api, Client};
use serde_json::json;

/// The (code, reason) of a kube-rs API error; panics on other errors.
pub fn api_err<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> (u16, String) {
    match r {
        Err(kube::Error::Api(s)) => (s.code, s.reason.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Creates a namespace through the API.
pub async fn namespace(client: &Client, name: &str) {
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

//! Create/replace bodies as real API servers take them: no Content-Type means JSON, and
//! `application/yaml` is decoded like JSON.

use crate::support;
use serde_json::Value;

/// Sends `body` with `method` to `path` as admin, with the given Content-Type (None: no
/// header at all); returns (status, body as JSON).
async fn send(
    sim: &kube_sim::SimHandle,
    method: reqwest::Method,
    path: &str,
    ct: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let mut req = support::http_client(sim)
        .request(method, format!("{}{path}", sim.api_url))
        .bearer_auth(support::token(sim, "admin"))
        .body(body.to_string());
    if let Some(ct) = ct {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_body_without_content_type_is_json() {
    let sim = support::empty_sim();
    let cms = "/api/v1/namespaces/default/configmaps";
    let body = r#"{"metadata":{"name":"c"},"data":{"k":"v"}}"#;
    let (code, made) = send(&sim, reqwest::Method::POST, cms, None, body).await;
    assert_eq!(code, 201, "{made}");
    let rv = made["metadata"]["resourceVersion"].as_str().unwrap();
    let replace =
        format!(r#"{{"metadata":{{"name":"c","resourceVersion":"{rv}"}},"data":{{"k":"w"}}}}"#);
    let (code, put) = send(
        &sim,
        reqwest::Method::PUT,
        &format!("{cms}/c"),
        None,
        &replace,
    )
    .await;
    assert_eq!(code, 200, "{put}");
    let stored = sim.state.store.get("configmaps", "default", "c").unwrap();
    assert_eq!(stored["data"]["k"], "w");
    // An empty header counts as none, too.
    let body = r#"{"metadata":{"name":"d"}}"#;
    assert_eq!(
        send(&sim, reqwest::Method::POST, cms, Some(""), body)
            .await
            .0,
        201
    );
    // PATCH still needs its patch type.
    let (code, status) = send(
        &sim,
        reqwest::Method::PATCH,
        &format!("{cms}/c"),
        None,
        "{}",
    )
    .await;
    assert_eq!(
        (code, status["reason"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
}

#[tokio::test]
async fn yaml_bodies_create_and_replace() {
    let sim = support::empty_sim();
    let cms = "/api/v1/namespaces/default/configmaps";
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  labels:\n    app: web\ndata:\n  port: \"8000\"\n  debug: \"true\"\n";
    let (code, made) = send(
        &sim,
        reqwest::Method::POST,
        cms,
        Some("application/yaml"),
        yaml,
    )
    .await;
    assert_eq!(code, 201, "{made}");
    assert_eq!(made["data"]["port"], "8000");
    assert_eq!(made["metadata"]["labels"]["app"], "web");
    let replace = "metadata:\n  name: y\ndata:\n  port: \"9000\"\n";
    let (code, put) = send(
        &sim,
        reqwest::Method::PUT,
        &format!("{cms}/y"),
        Some("application/yaml; charset=utf-8"),
        replace,
    )
    .await;
    assert_eq!(code, 200, "{put}");
    let stored = sim.state.store.get("configmaps", "default", "y").unwrap();
    assert_eq!(stored["data"]["port"], "9000");
    assert!(
        stored["data"].get("debug").is_none(),
        "a replace is a replace"
    );
    let (code, status) = send(
        &sim,
        reqwest::Method::POST,
        cms,
        Some("application/yaml"),
        "metadata: [unclosed",
    )
    .await;
    assert_eq!(
        (code, status["reason"].as_str()),
        (400, Some("BadRequest")),
        "{status}"
    );
}

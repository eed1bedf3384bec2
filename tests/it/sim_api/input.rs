//! Bad input never crashes or corrupts: Status answers with the right codes; API faults.

use crate::support;
use serde_json::{json, Value};

struct Raw {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Raw {
    async fn send(&self, method: &str, path: &str, ct: &str, body: &str) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self
            .http
            .request(m, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", ct)
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let code = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            code,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

#[tokio::test]
async fn malformed_requests_get_status_answers() {
    let sim = support::empty_sim();
    let raw = Raw {
        http: support::http_client(&sim),
        base: sim.api_url.clone(),
        token: support::token(&sim, "admin"),
    };
    let cms = "/api/v1/namespaces/default/configmaps";
    let (code, _) = raw
        .send(
            "POST",
            cms,
            "application/json",
            r#"{"metadata":{"name":"keep"},"data":{"k":"v"}}"#,
        )
        .await;
    assert_eq!(code, 201);
    let rv = sim.state.store.resource_version();
    let keep = format!("{cms}/keep");
    let cases: Vec<(&str, String, &str, &str, u16, &str)> = vec![
        (
            "POST",
            cms.to_string(),
            "application/vnd.kubernetes.protobuf",
            "k8s",
            400,
            "BadRequest",
        ),
        (
            "POST",
            cms.to_string(),
            "application/json",
            "{not json",
            400,
            "BadRequest",
        ),
        (
            "POST",
            cms.to_string(),
            "application/json",
            "[1,2]",
            422,
            "Invalid",
        ),
        (
            "POST",
            cms.to_string(),
            "application/json",
            r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}"#,
            422,
            "Invalid",
        ),
        (
            "POST",
            cms.to_string(),
            "application/json",
            r#"{"metadata":{}}"#,
            422,
            "Invalid",
        ),
        (
            "POST",
            "/api/v1/namespaces/default/pods".into(),
            "application/vnd.kubernetes.protobuf",
            "k8s",
            415,
            "UnsupportedMediaType",
        ),
        (
            "PATCH",
            keep.clone(),
            "text/plain",
            "{}",
            415,
            "UnsupportedMediaType",
        ),
        (
            "PATCH",
            keep.clone(),
            "application/merge-patch+json",
            "{oops",
            400,
            "BadRequest",
        ),
        (
            "PATCH",
            keep.clone(),
            "application/json-patch+json",
            r#"{"op":"add"}"#,
            400,
            "BadRequest",
        ),
        (
            "PATCH",
            keep.clone(),
            "application/json-patch+json",
            r#"[{"op":"fly","path":"/x"}]"#,
            400,
            "BadRequest",
        ),
        (
            "PATCH",
            keep.clone(),
            "application/json-patch+json",
            r#"[{"op":"remove","path":"/nope/deeper"}]"#,
            422,
            "Invalid",
        ),
        (
            "PATCH",
            keep.clone(),
            "application/merge-patch+json",
            r#"{"metadata":{"name":"other"}}"#,
            422,
            "Invalid",
        ),
        (
            "PATCH",
            keep.clone(),
            "application/apply-patch+yaml",
            "data: {k: w}",
            400,
            "BadRequest",
        ),
        (
            "PUT",
            keep.clone(),
            "application/json",
            r#"{"metadata":{"name":"keep","resourceVersion":"1"}}"#,
            409,
            "Conflict",
        ),
        (
            "GET",
            format!("{cms}?labelSelector=a%20in%20(b"),
            "application/json",
            "",
            400,
            "BadRequest",
        ),
        (
            "GET",
            format!("{cms}?fieldSelector=nonsense"),
            "application/json",
            "",
            400,
            "BadRequest",
        ),
        (
            "GET",
            format!("{cms}?watch=true&resourceVersion=abc"),
            "application/json",
            "",
            400,
            "BadRequest",
        ),
        (
            "GET",
            "/api/v1/namespaces/default/widgets".into(),
            "application/json",
            "",
            404,
            "NotFound",
        ),
        (
            "GET",
            "/apis/nope.io/v1/things".into(),
            "application/json",
            "",
            404,
            "NotFound",
        ),
        (
            "GET",
            "/totally/unknown".into(),
            "application/json",
            "",
            404,
            "NotFound",
        ),
        (
            "DELETE",
            "/api/v1/namespaces/default/configmaps/ghost".into(),
            "application/json",
            "",
            404,
            "NotFound",
        ),
        (
            "PUT",
            cms.to_string(),
            "application/json",
            "{}",
            405,
            "MethodNotAllowed",
        ),
    ];
    for (method, path, ct, body, want_code, want_reason) in cases {
        let (code, status) = raw.send(method, &path, ct, body).await;
        assert_eq!(
            (code, status["reason"].as_str()),
            (want_code, Some(want_reason)),
            "{method} {path} {body}: {status}"
        );
        assert_eq!(status["kind"], "Status");
    }
    assert_eq!(
        sim.state.store.resource_version(),
        rv,
        "refused writes changed nothing"
    );
    let (_, kept) = raw.send("GET", &keep, "application/json", "").await;
    assert_eq!(kept["data"], json!({"k": "v"}));
    // The query-string oddities clients send are tolerated.
    let (code, list) = raw
        .send("GET", &format!("{cms}?&limit=500"), "application/json", "")
        .await;
    assert_eq!(
        (code, list["items"].as_array().map(Vec::len)),
        (200, Some(1))
    );
}

#[tokio::test]
async fn fail_next_and_latency_faults() {
    let sim = support::empty_sim();
    let raw = Raw {
        http: support::http_client(&sim),
        base: sim.api_url.clone(),
        token: support::token(&sim, "admin"),
    };
    support::fault(&sim, json!({"fail_next": {"count": 2, "status": 503}})).await;
    let path = "/api/v1/namespaces/default/configmaps";
    let codes: Vec<u16> =
        futures::future::join_all((0..3).map(|_| raw.send("GET", path, "application/json", "")))
            .await
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 503, 503]);
    let (code, status) = raw
        .send(
            "POST",
            "/sim/v1/faults",
            "application/json",
            r#"{"fail_next": 3}"#,
        )
        .await;
    assert_eq!((code, status["reason"].as_str()), (400, Some("BadRequest")));
    let (code, _) = raw
        .send(
            "POST",
            "/sim/v1/faults",
            "application/json",
            r#"{"target": {}, "error_rate": 0.5}"#,
        )
        .await;
    assert_eq!(code, 400, "an app fault without a target is refused");
    support::fault(&sim, json!({"latency_ms": 300})).await;
    let t = std::time::Instant::now();
    assert_eq!(raw.send("GET", path, "application/json", "").await.0, 200);
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(300),
        "latency was added"
    );
    support::fault(&sim, json!({"latency_ms": 0})).await;
}

#[tokio::test]
async fn discovery_and_tables() {
    let sim = support::empty_sim();
    let raw = Raw {
        http: support::http_client(&sim),
        base: sim.api_url.clone(),
        token: support::token(&sim, "admin"),
    };
    let (_, v) = raw.send("GET", "/version", "application/json", "").await;
    for k in [
        "major",
        "minor",
        "gitVersion",
        "gitCommit",
        "gitTreeState",
        "buildDate",
        "goVersion",
        "compiler",
        "platform",
    ] {
        assert!(v[k].is_string(), "version lacks {k}");
    }
    let (_, core) = raw.send("GET", "/api/v1", "application/json", "").await;
    assert!(core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "pods/log"));
    let (_, groups) = raw.send("GET", "/apis", "application/json", "").await;
    let names: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    for g in [
        "apps",
        "discovery.k8s.io",
        "networking.k8s.io",
        "coordination.k8s.io",
        "events.k8s.io",
        "authorization.k8s.io",
        "authentication.k8s.io",
        "gateway.networking.k8s.io",
    ] {
        assert!(names.contains(&g), "{g} missing from /apis");
    }
    let table = raw
        .http
        .get(format!("{}/api/v1/namespaces", sim.api_url))
        .bearer_auth(&raw.token)
        .header(
            "accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .send()
        .await
        .unwrap();
    let t: Value = table.json().await.unwrap();
    assert_eq!(t["kind"], "Table");
    let rows: Vec<&str> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][0].as_str().unwrap())
        .collect();
    assert!(rows.contains(&"default") && rows.contains(&"kube-system"));
}

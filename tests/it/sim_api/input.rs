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

fn raw(sim: &kube_sim::SimHandle) -> Raw {
    Raw {
        http: support::http_client(sim),
        base: sim.api_url.clone(),
        token: support::token(sim, "admin"),
    }
}

/// Every stored object of the typed kinds still deserializes as its k8s-openapi type, and
/// typed kube-rs lists of the namespace work.
async fn store_stays_typed(sim: &kube_sim::SimHandle, ns: &str) {
    use k8s_openapi::api::{apps::v1::Deployment, core::v1::ConfigMap, core::v1::Pod};
    let store = &sim.state.store;
    for (resource, ns_opt) in [
        ("pods", Some(ns)),
        ("configmaps", Some(ns)),
        ("deployments", Some(ns)),
        ("namespaces", None),
    ] {
        for o in store.list(resource, ns_opt, None).0 {
            let ok = match resource {
                "pods" => serde_json::from_value::<Pod>(o.clone()).map(drop),
                "configmaps" => serde_json::from_value::<ConfigMap>(o.clone()).map(drop),
                "deployments" => serde_json::from_value::<Deployment>(o.clone()).map(drop),
                _ => serde_json::from_value::<k8s_openapi::api::core::v1::Namespace>(o.clone())
                    .map(drop),
            };
            assert!(ok.is_ok(), "stored {resource} no longer typed: {o}: {ok:?}");
        }
    }
    let client = sim.client("sim").await;
    let lp = kube::api::ListParams::default();
    kube::Api::<Pod>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .expect("typed pod list");
    kube::Api::<ConfigMap>::namespaced(client.clone(), ns)
        .list(&lp)
        .await
        .expect("typed configmap list");
    kube::Api::<Deployment>::namespaced(client, ns)
        .list(&lp)
        .await
        .expect("typed deployment list");
}

#[tokio::test]
async fn apply_with_bad_metadata_is_refused_without_a_crash() {
    let sim = support::empty_sim();
    let raw = raw(&sim);
    let cm = "/api/v1/namespaces/default/configmaps/fresh?fieldManager=t";
    let ssa = "application/apply-patch+yaml";
    for body in [
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}"#,
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":[1]}"#,
        r#"{"kind":"ConfigMap","metadata":{"name":"fresh"}}"#,
        r#"{"apiVersion":"v1","metadata":{"name":"fresh"}}"#,
        r#"{"apiVersion":"","kind":"ConfigMap"}"#,
    ] {
        let (code, status) = raw.send("PATCH", cm, ssa, body).await;
        assert_eq!(
            (code, status["reason"].as_str()),
            (400, Some("BadRequest")),
            "{body}: {status}"
        );
    }
    // The server is still up and the object was not created.
    let (code, _) = raw.send("GET", cm, "application/json", "").await;
    assert_eq!(code, 404);
    let (code, made) = raw
        .send(
            "PATCH",
            cm,
            ssa,
            r#"{"apiVersion":"v1","kind":"ConfigMap","data":{"k":"v"}}"#,
        )
        .await;
    assert_eq!((code, &made["metadata"]["name"]), (201, &json!("fresh")));
}

#[tokio::test]
async fn writes_that_would_corrupt_the_store_are_invalid() {
    let sim = support::empty_sim();
    let raw = raw(&sim);
    let ns = "/api/v1/namespaces/default";
    let deps = "/apis/apps/v1/namespaces/default/deployments";
    let json_ct = "application/json";
    let merge = "application/merge-patch+json";
    let pod = r#"{"metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"a","image":"a:1"}]}}"#;
    let dep = r#"{"metadata":{"name":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"a","image":"a:1"}]}}}}"#;
    for (path, body) in [
        (format!("{ns}/pods"), pod),
        (deps.to_string(), dep),
        (
            format!("{ns}/configmaps"),
            r#"{"metadata":{"name":"c"},"data":{"a":"1"}}"#,
        ),
    ] {
        let (code, v) = raw.send("POST", &path, json_ct, body).await;
        assert_eq!(code, 201, "{path}: {v}");
    }
    let cases: Vec<(&str, String, &str, &str, &str)> = vec![
        (
            "PATCH",
            format!("{ns}/pods/p"),
            merge,
            r#"{"metadata":{"labels":{"deployment":5}}}"#,
            "metadata.labels.deployment",
        ),
        (
            "PATCH",
            format!("{ns}/pods/p"),
            merge,
            r#"{"metadata":{"annotations":{"a":{"b":"c"}}}}"#,
            "metadata.annotations.a",
        ),
        (
            "PATCH",
            format!("{ns}/pods/p/status"),
            merge,
            r#"{"status":{"containerStatuses":"x"}}"#,
            "status.containerStatuses",
        ),
        (
            "PATCH",
            format!("{ns}/pods/p"),
            "application/strategic-merge-patch+json",
            r#"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":"http"}]}]}}"#,
            "containerPort",
        ),
        (
            "PATCH",
            format!("{deps}/d"),
            merge,
            r#"{"spec":{"replicas":"many"}}"#,
            "spec.replicas",
        ),
        (
            "PATCH",
            format!("{deps}/d"),
            merge,
            r#"{"spec":{"replicas":-2}}"#,
            "spec.replicas",
        ),
        (
            "PATCH",
            format!("{deps}/d?fieldManager=t"),
            "application/apply-patch+yaml",
            r#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"many"}}"#,
            "spec.replicas",
        ),
        (
            "PUT",
            format!("{deps}/d"),
            json_ct,
            r#"{"metadata":{"name":"d"},"spec":{"replicas":"many"}}"#,
            "spec.replicas",
        ),
        (
            "POST",
            deps.to_string(),
            json_ct,
            r#"{"metadata":{"name":"d2"},"spec":{"replicas":-1}}"#,
            "spec.replicas",
        ),
        (
            "POST",
            format!("{ns}/configmaps"),
            json_ct,
            r#"{"metadata":{"name":"c2"},"data":{"a":1}}"#,
            "data.a",
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/c"),
            "application/json-patch+json",
            r#"[{"op":"add","path":"/data/b","value":true}]"#,
            "data.b",
        ),
        (
            "POST",
            format!("{ns}/configmaps"),
            json_ct,
            r#"{"metadata":{"name":"Bad_Name!"}}"#,
            "metadata.name",
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/Bad_Name!?fieldManager=t"),
            "application/apply-patch+yaml",
            r#"{"apiVersion":"v1","kind":"ConfigMap"}"#,
            "metadata.name",
        ),
        (
            "POST",
            format!("{ns}/events"),
            json_ct,
            r#"{"metadata":{"name":"e"},"involvedObject":{"name":7}}"#,
            "involvedObject.name",
        ),
        (
            "POST",
            "/apis/events.k8s.io/v1/namespaces/default/events".into(),
            json_ct,
            r#"{"metadata":{"name":"e"},"regarding":"p"}"#,
            "involvedObject",
        ),
        (
            "POST",
            "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes".into(),
            json_ct,
            r#"{"metadata":{"name":"r","labels":{"a":["b"]}}}"#,
            "metadata.labels.a",
        ),
    ];
    for (method, path, ct, body, field) in cases {
        let (code, status) = raw.send(method, &path, ct, body).await;
        assert_eq!(
            (code, status["reason"].as_str()),
            (422, Some("Invalid")),
            "{method} {path} {body}: {status}"
        );
        let msg = status["message"].as_str().unwrap_or("");
        assert!(
            msg.contains(field),
            "{method} {path}: {msg:?} names {field}"
        );
    }
    // Refused writes changed nothing (controllers may have written meanwhile).
    let store = &sim.state.store;
    let get = |r: &str, n: &str| store.get(r, "default", n);
    assert_eq!(
        get("pods", "p").unwrap()["metadata"]["labels"],
        json!({"app": "a"})
    );
    assert_eq!(get("deployments", "d").unwrap()["spec"]["replicas"], 1);
    assert_eq!(get("configmaps", "c").unwrap()["data"], json!({"a": "1"}));
    for (r, n) in [
        ("deployments", "d2"),
        ("configmaps", "c2"),
        ("configmaps", "Bad_Name!"),
        ("events", "e"),
        ("httproutes", "r"),
    ] {
        assert!(get(r, n).is_none(), "{r}/{n} was stored");
    }
    store_stays_typed(&sim, "default").await;
}

#[tokio::test]
async fn gateway_api_kinds_refuse_strategic_merge() {
    let sim = support::empty_sim();
    let raw = raw(&sim);
    let gw = "/apis/gateway.networking.k8s.io";
    let objects = [
        (format!("{gw}/v1/namespaces/default/httproutes"), "r"),
        (format!("{gw}/v1/namespaces/default/gateways"), "g"),
        (
            format!("{gw}/v1beta1/namespaces/default/referencegrants"),
            "rg",
        ),
    ];
    for (coll, name) in &objects {
        let body = json!({"metadata": {"name": name}, "spec": {}}).to_string();
        let (code, v) = raw.send("POST", coll, "application/json", &body).await;
        assert_eq!(code, 201, "{coll}: {v}");
        let one = format!("{coll}/{name}");
        let labels = r#"{"metadata":{"labels":{"a":"b"}}}"#;
        let (code, status) = raw
            .send(
                "PATCH",
                &one,
                "application/strategic-merge-patch+json",
                labels,
            )
            .await;
        assert_eq!(
            (code, status["reason"].as_str()),
            (415, Some("UnsupportedMediaType")),
            "{one}: {status}"
        );
        let (code, patched) = raw
            .send("PATCH", &one, "application/merge-patch+json", labels)
            .await;
        assert_eq!(
            (code, &patched["metadata"]["labels"]["a"]),
            (200, &json!("b"))
        );
    }
    // Built-in kinds keep strategic merge; `apply-patch+json` is not a real media type.
    let cms = "/api/v1/namespaces/default/configmaps";
    let (code, _) = raw
        .send(
            "POST",
            cms,
            "application/json",
            r#"{"metadata":{"name":"c"}}"#,
        )
        .await;
    assert_eq!(code, 201);
    let (code, _) = raw
        .send(
            "PATCH",
            &format!("{cms}/c"),
            "application/strategic-merge-patch+json",
            r#"{"data":{"k":"v"}}"#,
        )
        .await;
    assert_eq!(code, 200);
    let (code, status) = raw
        .send(
            "PATCH",
            &format!("{cms}/c?fieldManager=t"),
            "application/apply-patch+json",
            r#"{"apiVersion":"v1","kind":"ConfigMap","data":{"k":"w"}}"#,
        )
        .await;
    assert_eq!(
        (code, status["reason"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
}

#[tokio::test]
async fn create_and_replace_bodies_must_be_json() {
    let sim = support::empty_sim();
    let raw = raw(&sim);
    let cms = "/api/v1/namespaces/default/configmaps";
    let body = r#"{"metadata":{"name":"c"},"data":{"k":"v"}}"#;
    let reviews = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    for (method, path) in [
        ("POST", cms.to_string()),
        ("PUT", format!("{cms}/c")),
        ("POST", reviews.to_string()),
    ] {
        for ct in [
            "text/plain",
            "application/merge-patch+json",
            "application/x-www-form-urlencoded",
            "application/jsonx",
        ] {
            let (code, status) = raw.send(method, &path, ct, body).await;
            assert_eq!(
                (code, status["reason"].as_str()),
                (415, Some("UnsupportedMediaType")),
                "{method} {path} as {ct:?}: {status}"
            );
        }
    }
    assert!(sim.state.store.get("configmaps", "default", "c").is_none());
    let (code, _) = raw
        .send("POST", cms, "application/json; charset=utf-8", body)
        .await;
    assert_eq!(code, 201);
    let (code, _) = raw
        .send("PUT", &format!("{cms}/c"), "Application/JSON", body)
        .await;
    assert_eq!(code, 200);
}

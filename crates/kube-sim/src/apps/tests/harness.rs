//! End-to-end tests of the apps' routes over real HTTP with kube-rs, on a minimal router
//! (the store seeded by hand, no controllers), so they run without the rest of the simulator.

use crate::apps::routes::routes;
use crate::apps::{listener, Apps, Ctx};
use crate::cluster::Tuning;
use crate::store::Store;
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

pub(crate) struct Harness {
    pub ctx: Ctx,
    pub url: String,
    pub client: kube::Client,
}

pub(crate) async fn harness(tuning: Tuning) -> Harness {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = Arc::new(Store::new());
    let apps = Arc::new(Apps::new(&tuning, "fittrack"));
    let shutdown = CancellationToken::new();
    listener::serve(apps.clone(), shutdown.clone())
        .await
        .unwrap();
    let ctx = Ctx::new(store, apps, shutdown);
    let app: axum::Router = routes(ctx.clone());
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", tcp.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(tcp, app).await });
    let config = kube::Config::new(url.parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    Harness { ctx, url, client }
}

/// A pod object plus a started app for it.
pub(crate) fn add_pod(ctx: &Ctx, ns: &str, name: &str, image: &str, color: &str) {
    let pod = json!({"metadata": {"name": name, "labels": {"app": "fittrack", "deployment": color}},
        "spec": {"containers": [{"name": "api", "image": image, "ports": [{"containerPort": 8000}]}]}});
    let _ = ctx.store.create("pods", ns, pod);
    let labels = BTreeMap::from([("deployment".to_string(), color.to_string())]);
    ctx.apps.start_pod(ns, name, image, &labels);
}

/// A Service with one EndpointSlice listing `ready` pods as ready.
pub(crate) fn add_service(ctx: &Ctx, ns: &str, name: &str, ready: &[&str]) {
    let svc =
        json!({"metadata": {"name": name}, "spec": {"ports": [{"name": "http", "port": 8000}]}});
    let _ = ctx.store.create("services", ns, svc);
    let endpoints: Vec<_> = ready
        .iter()
        .map(|p| json!({"conditions": {"ready": true}, "targetRef": {"kind": "Pod", "name": p}}))
        .collect();
    let slice = json!({"metadata": {"name": format!("{name}-x"), "labels": {"kubernetes.io/service-name": name}},
        "endpoints": endpoints});
    let _ = ctx.store.create("endpointslices", ns, slice);
}

fn api_code(e: kube::Error) -> u16 {
    match e {
        kube::Error::Api(s) => s.code,
        other => panic!("expected a Status error, got {other:?}"),
    }
}

#[tokio::test]
async fn logs_tail_timestamps_previous_and_errors() {
    let h = harness(Tuning::fast()).await;
    add_pod(&h.ctx, "ns", "p", "fittrack/api:v1", "blue");
    for _ in 0..5 {
        h.ctx
            .apps
            .serve("ns", "p", "GET", "/api/workouts", "10.0.0.9");
    }
    let pods: Api<Pod> = Api::namespaced(h.client.clone(), "ns");
    let lp = LogParams {
        tail_lines: Some(3),
        timestamps: true,
        ..Default::default()
    };
    let text = pods.logs("p", &lp).await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for l in &lines {
        let (ts, rest) = l.split_once(' ').unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
        assert!(
            rest.contains("\"GET /api/workouts HTTP/1.1\" 200"),
            "{rest}"
        );
    }
    let prev = LogParams {
        previous: true,
        ..Default::default()
    };
    assert_eq!(api_code(pods.logs("p", &prev).await.unwrap_err()), 400);
    let wrong = LogParams {
        container: Some("nope".into()),
        ..Default::default()
    };
    assert_eq!(api_code(pods.logs("p", &wrong).await.unwrap_err()), 400);
    assert_eq!(
        api_code(pods.logs("ghost", &LogParams::default()).await.unwrap_err()),
        404
    );
    let limited = LogParams {
        limit_bytes: Some(10),
        ..Default::default()
    };
    assert_eq!(pods.logs("p", &limited).await.unwrap().len(), 10);
    // After a restart, previous=true serves the old container's lines.
    h.ctx.apps.stop_pod("ns", "p");
    add_pod(&h.ctx, "ns", "p", "fittrack/api:v1", "blue");
    let old = pods.logs("p", &prev).await.unwrap();
    assert_eq!(old.matches("/api/workouts").count(), 5);
    assert_eq!(
        pods.logs("p", &LogParams::default())
            .await
            .unwrap()
            .matches("/api/workouts")
            .count(),
        0
    );
}

#[tokio::test]
async fn follow_streams_new_lines_and_ends_when_the_container_stops() {
    let h = harness(Tuning::fast()).await;
    add_pod(&h.ctx, "ns", "p", "fittrack/api:v1", "blue");
    let pods: Api<Pod> = Api::namespaced(h.client.clone(), "ns");
    let lp = LogParams {
        follow: true,
        tail_lines: Some(0),
        ..Default::default()
    };
    let mut lines = pods.log_stream("p", &lp).await.unwrap().lines();
    let apps = h.ctx.apps.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        apps.serve("ns", "p", "GET", "/api/stats", "10.0.0.1");
        tokio::time::sleep(Duration::from_millis(100)).await;
        apps.stop_pod("ns", "p");
    });
    let mut seen = Vec::new();
    let collect = async {
        while let Some(l) = lines.next().await {
            seen.push(l.unwrap());
        }
    };
    tokio::time::timeout(Duration::from_secs(10), collect)
        .await
        .expect("stream ends on stop");
    assert!(
        seen.iter()
            .any(|l| l.contains("\"GET /api/stats HTTP/1.1\" 200")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn proxies_reach_the_app() {
    let h = harness(Tuning::fast()).await;
    add_pod(&h.ctx, "ns", "p", "fittrack/api:v7", "green");
    add_service(&h.ctx, "ns", "svc", &["p"]);
    add_service(&h.ctx, "ns", "empty", &[]);
    let http = listener::http_client();
    let r = http
        .get(format!(
            "{}/api/v1/namespaces/ns/services/svc:8000/proxy/health/ready",
            h.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-app-version"], "v7");
    let r = http
        .post(format!(
            "{}/api/v1/namespaces/ns/pods/p/proxy/api/workouts?x=1",
            h.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = http
        .get(format!(
            "{}/api/v1/namespaces/ns/services/empty/proxy/",
            h.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let status: serde_json::Value = r.json().await.unwrap();
    assert_eq!(status["reason"], "ServiceUnavailable");
    let r = http
        .get(format!(
            "{}/api/v1/namespaces/ns/services/svc:9999/proxy/",
            h.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    h.ctx.apps.stop_pod("ns", "p");
    let r = http
        .get(format!(
            "{}/api/v1/namespaces/ns/pods/p/proxy/health/live",
            h.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn portforward_carries_http() {
    let h = harness(Tuning::fast()).await;
    add_pod(&h.ctx, "ns", "p", "fittrack/api:v3", "blue");
    let pods: Api<Pod> = Api::namespaced(h.client.clone(), "ns");
    let mut pf = pods.portforward("p", &[8000]).await.unwrap();
    let mut stream = pf.take_stream(8000).unwrap();
    stream
        .write_all(b"GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.to_lowercase().contains("x-app-version: v3"), "{text}");
    drop(stream);
    let _ = pf.join().await;
    // A port nothing listens on reports on the error channel.
    let mut pf = pods.portforward("p", &[9000]).await.unwrap();
    let err = pf.take_error(9000).unwrap().await;
    assert!(err.is_some_and(|e| e.contains("connection refused")));
}

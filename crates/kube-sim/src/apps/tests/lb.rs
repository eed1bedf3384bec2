//! Load balancer and traffic tests on the hand-seeded harness (no controllers).

use super::harness::{add_pod, add_service, harness};
use crate::apps::{lb, listener, traffic, Ctx};
use crate::cluster::Tuning;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn seed_gateway(ctx: &Ctx, green_image: &str) {
    add_pod(ctx, "blue", "b1", "fittrack/api:v1.9.3", "blue");
    add_pod(ctx, "green", "g1", green_image, "green");
    add_service(ctx, "blue", "fittrack-blue", &["b1"]);
    add_service(ctx, "green", "fittrack-green", &["g1"]);
    let s = &ctx.store;
    s.create("gateways", "front", json!({"metadata": {"name": "gw"}}))
        .unwrap();
    for ns in ["blue", "green"] {
        let grant = json!({"metadata": {"name": "allow"}, "spec": {
            "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "front"}],
            "to": [{"group": "", "kind": "Service"}]}});
        s.create("referencegrants", ns, grant).unwrap();
    }
    s.create(
        "httproutes",
        "front",
        json!({"metadata": {"name": "r"}, "spec": {
        "parentRefs": [{"name": "gw"}],
        "rules": [{"backendRefs": [
            {"name": "fittrack-blue", "namespace": "blue", "port": 8000, "weight": 100},
            {"name": "fittrack-green", "namespace": "green", "port": 8000, "weight": 0}]}]}}),
    )
    .unwrap();
}

fn set_weights(ctx: &Ctx, blue: u64, green: u64) {
    ctx.store
        .modify("httproutes", "front", "r", |o: &mut Value| {
            o["spec"]["rules"][0]["backendRefs"][0]["weight"] = json!(blue);
            o["spec"]["rules"][0]["backendRefs"][1]["weight"] = json!(green);
        })
        .unwrap();
}

async fn version_at(url: &str) -> String {
    let r = listener::http_client()
        .get(format!("{url}/api/workouts"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.headers()["x-app-version"].to_str().unwrap().to_string()
}

/// Poll until the LB serves `want`; returns when it first did.
async fn wait_for_version(url: &str, want: &str) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if version_at(url).await == want {
            return Instant::now();
        }
        assert!(Instant::now() < deadline, "LB never served {want}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn weights_move_the_lb_after_the_propagation_delay() {
    let h = harness(Tuning::fast()).await;
    seed_gateway(&h.ctx, "fittrack/api:v2.0.0");
    let propagation = Duration::from_millis(400);
    let addr = lb::start(h.ctx.clone(), propagation).await.unwrap();
    let url = format!("http://{addr}");
    assert_eq!(version_at(&url).await, "v1.9.3");
    let patched = Instant::now();
    set_weights(&h.ctx, 0, 100);
    let moved = wait_for_version(&url, "v2.0.0").await;
    assert!(
        moved - patched >= propagation,
        "moved before the propagation delay"
    );
    // Every request now goes to green.
    for _ in 0..10 {
        assert_eq!(version_at(&url).await, "v2.0.0");
    }
    let snap = h.ctx.apps.snapshot();
    assert!(snap["lb"]["served"]["v2.0.0"].as_u64().unwrap() >= 10);
}

#[tokio::test]
async fn ingress_backend_moves_the_lb_and_missing_endpoints_give_503() {
    let h = harness(Tuning::fast()).await;
    add_pod(&h.ctx, "fittrack", "b1", "fittrack/api:v1", "blue");
    add_pod(&h.ctx, "fittrack", "g1", "fittrack/api:v2", "green");
    add_service(&h.ctx, "fittrack", "fittrack-blue", &["b1"]);
    add_service(&h.ctx, "fittrack", "fittrack-green", &["g1"]);
    add_service(&h.ctx, "fittrack", "nobody", &[]);
    let ing = json!({"metadata": {"name": "ing"}, "spec": {"rules": [{"http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "fittrack-blue", "port": {"number": 8000}}}}]}}]}});
    h.ctx.store.create("ingresses", "fittrack", ing).unwrap();
    let addr = lb::start(h.ctx.clone(), Duration::from_millis(50))
        .await
        .unwrap();
    let url = format!("http://{addr}");
    assert_eq!(version_at(&url).await, "v1");
    let set_backend = |name: &'static str| {
        h.ctx
            .store
            .modify("ingresses", "fittrack", "ing", move |o: &mut Value| {
                o["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] =
                    json!(name);
            })
    };
    set_backend("fittrack-green").unwrap();
    wait_for_version(&url, "v2").await;
    set_backend("nobody").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let http = listener::http_client();
    while http.get(format!("{url}/")).send().await.unwrap().status() != 503 {
        assert!(Instant::now() < deadline, "no 503 without endpoints");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn errors_of(ctx: &Ctx, version: &str) -> (u64, u64) {
    let snap = ctx.apps.snapshot();
    let v = &snap["versions"][version];
    (
        v["requests"].as_u64().unwrap_or(0),
        v["errors"].as_u64().unwrap_or(0),
    )
}

#[tokio::test]
async fn bad_version_errors_grow_only_after_it_gets_traffic() {
    let h = harness(Tuning::fast()).await;
    seed_gateway(&h.ctx, "fittrack/api:v2.0.1-bad");
    traffic::start(h.ctx.clone(), 400.0, Duration::from_millis(50));
    // Blue takes the traffic; the bad version idles with no errors at all.
    let deadline = Instant::now() + Duration::from_secs(10);
    while errors_of(&h.ctx, "v1.9.3").0 < 200 {
        assert!(Instant::now() < deadline, "traffic does not flow");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(errors_of(&h.ctx, "v2.0.1-bad"), (0, 0));
    assert_eq!(errors_of(&h.ctx, "v1.9.3").1, 0);
    set_weights(&h.ctx, 0, 100);
    while errors_of(&h.ctx, "v2.0.1-bad").1 < 3 {
        assert!(
            Instant::now() < deadline + Duration::from_secs(10),
            "bad version never failed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (requests, errors) = errors_of(&h.ctx, "v2.0.1-bad");
    assert!(
        errors * 4 < requests,
        "about 5 % fail, not most: {errors}/{requests}"
    );
    let metrics = h
        .ctx
        .apps
        .serve("green", "g1", "GET", "/metrics", "t")
        .unwrap()
        .body;
    assert!(
        metrics.contains("http_requests_total{code=\"500\""),
        "{metrics}"
    );
    let log = h.ctx.apps.instance("green", "g1").unwrap();
    let (lines, _) = log.data().log.select(&Default::default());
    assert!(lines.iter().any(|l| l.contains("HTTP/1.1\" 500")));
}

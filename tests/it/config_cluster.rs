//! Integration tests (CONFIG): `check_cluster` against a small fake API server serving
//! canned objects over plain HTTP, so each finding can be pinned down exactly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cutover::cluster::check::check_cluster;
use cutover::config::check::{has_errors, Finding, Level};
use cutover::config::demo_config;
use serde_json::{json, Value};

#[derive(Clone, Default)]
struct Fake {
    objects: Arc<HashMap<String, Value>>,
    requests: Arc<Mutex<Vec<String>>>,
}

async fn serve(State(fake): State<Fake>, uri: Uri) -> Response {
    fake.requests.lock().unwrap().push(uri.to_string());
    match fake.objects.get(uri.path()) {
        Some(v) => Json(v.clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(
                json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                        "reason": "NotFound", "code": 404, "message": "not found"}),
            ),
        )
            .into_response(),
    }
}

/// Start the fake API server; returns a client for it and the request log.
async fn fake_cluster(objects: HashMap<String, Value>) -> (kube::Client, Arc<Mutex<Vec<String>>>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = Fake {
        objects: Arc::new(objects),
        requests: Arc::default(),
    };
    let requests = fake.requests.clone();
    let app = axum::Router::new().fallback(serve).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = kube::Config::new(url.parse().unwrap());
    (kube::Client::try_from(config).unwrap(), requests)
}

fn meta(kind: &str, api_version: &str, name: &str) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}})
}

fn pod(name: &str, ready: bool) -> Value {
    let status = if ready { "True" } else { "False" };
    json!({"metadata": {"name": name},
           "status": {"conditions": [{"type": "Ready", "status": status}]}})
}

fn route(blue: u32, green_name: &str, green: u32) -> Value {
    let mut r = meta("HTTPRoute", "gateway.networking.k8s.io/v1", "fittrack");
    r["spec"] = json!({"rules": [{"backendRefs": [
        {"name": "fittrack-blue", "namespace": "fittrack-blue", "port": 8000, "weight": blue},
        {"name": green_name, "namespace": "fittrack-green", "port": 8000, "weight": green},
    ]}]});
    r
}

/// The fittrack layout, except that namespace fittrack-green and green's objects are missing.
fn fittrack_blue_only(route_object: Value) -> HashMap<String, Value> {
    let ns = |n: &str| {
        (
            format!("/api/v1/namespaces/{n}"),
            meta("Namespace", "v1", n),
        )
    };
    HashMap::from([
        ns("fittrack"),
        ns("fittrack-blue"),
        (
            "/apis/gateway.networking.k8s.io/v1/namespaces/fittrack/httproutes/fittrack".into(),
            route_object,
        ),
        (
            "/apis/apps/v1/namespaces/fittrack-blue/deployments/fittrack".into(),
            meta("Deployment", "apps/v1", "fittrack"),
        ),
        (
            "/api/v1/namespaces/fittrack-blue/services/fittrack-blue".into(),
            meta("Service", "v1", "fittrack-blue"),
        ),
        (
            "/api/v1/namespaces/fittrack-blue/pods".into(),
            json!({"kind": "PodList", "apiVersion": "v1", "metadata": {},
                   "items": [pod("fittrack-a", true), pod("fittrack-b", false)]}),
        ),
        (
            "/api/v1/namespaces/fittrack-green/pods".into(),
            json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []}),
        ),
    ])
}

fn summary(findings: &[Finding]) -> Vec<(Level, &str)> {
    findings
        .iter()
        .map(|f| (f.level, f.subject.as_str()))
        .collect()
}

#[tokio::test]
async fn findings_cover_namespaces_router_objects_and_pods() {
    let (client, requests) =
        fake_cluster(fittrack_blue_only(route(100, "fittrack-green", 0))).await;
    let config = demo_config("fittrack", None);
    let findings = check_cluster(&client, &config).await;
    let text: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        summary(&findings),
        vec![
            (Level::Ok, "namespace fittrack"),
            (Level::Ok, "namespace fittrack-blue"),
            (Level::Error, "namespace fittrack-green"),
            (Level::Ok, "router fittrack/fittrack"),
            (Level::Ok, "blue deployment fittrack-blue/fittrack"),
            (Level::Ok, "blue service fittrack-blue/fittrack-blue"),
            (
                Level::Ok,
                "blue pods (app=fittrack,deployment=blue in fittrack-blue)"
            ),
            (Level::Error, "green deployment fittrack-green/fittrack"),
            (Level::Error, "green service fittrack-green/fittrack-green"),
            (
                Level::Warn,
                "green pods (app=fittrack,deployment=green in fittrack-green)"
            ),
            // The fake server answers no SelfSubjectAccessReview.
            (Level::Warn, "rights"),
        ],
        "{text:#?}"
    );
    assert!(
        findings[3].message.starts_with("sends traffic to BLUE"),
        "{text:#?}"
    );
    assert_eq!(findings[6].message, "2 pods match, 1 ready");
    assert_eq!(findings[9].message, "the selector matches no pods");
    assert!(has_errors(&findings));
    // The selector went to the API server as written in the configuration.
    let log = requests.lock().unwrap();
    assert!(
        log.iter()
            .any(|r| r.starts_with("/api/v1/namespaces/fittrack-blue/pods?")
                && r.contains("labelSelector=app%3Dfittrack%2Cdeployment%3Dblue")),
        "{log:#?}"
    );
}

#[tokio::test]
async fn a_router_value_matching_neither_color_is_an_error() {
    let hostile = "canary\u{1b}[2J\u{202e}";
    let (client, _) = fake_cluster(fittrack_blue_only(route(0, hostile, 100))).await;
    let findings = check_cluster(&client, &demo_config("fittrack", None)).await;
    let router = findings
        .iter()
        .find(|f| f.subject == "router fittrack/fittrack")
        .expect("router finding");
    assert_eq!(router.level, Level::Error);
    assert!(router.message.contains("matches neither color"), "{router}");
}

#[tokio::test]
async fn a_split_router_is_a_warning_with_percentages() {
    let (client, _) = fake_cluster(fittrack_blue_only(route(75, "fittrack-green", 25))).await;
    let findings = check_cluster(&client, &demo_config("fittrack", None)).await;
    let router = findings
        .iter()
        .find(|f| f.subject.starts_with("router"))
        .unwrap();
    assert_eq!(router.level, Level::Warn);
    assert!(router.message.contains("BLUE 75 %, GREEN 25 %"), "{router}");
}

#[tokio::test]
async fn a_missing_router_is_an_error() {
    let mut objects = fittrack_blue_only(Value::Null);
    objects.retain(|path, _| !path.contains("httproutes"));
    let (client, _) = fake_cluster(objects).await;
    let findings = check_cluster(&client, &demo_config("fittrack", None)).await;
    let router = findings
        .iter()
        .find(|f| f.subject.starts_with("router"))
        .unwrap();
    assert_eq!(
        (router.level, router.message.as_str()),
        (Level::Error, "HTTPRoute does not exist")
    );
}

#[tokio::test]
async fn an_unreachable_cluster_is_one_warning() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = kube::Config::new(format!("http://127.0.0.1:{port}").parse().unwrap());
    let client = kube::Client::try_from(config).unwrap();
    let findings = check_cluster(&client, &demo_config("fittrack", None)).await;
    assert_eq!(summary(&findings), vec![(Level::Warn, "cluster")]);
    assert!(findings[0].message.contains("only the file was checked"));
    // What failed, in plain words: not `ServiceError: client error (Connect)`.
    assert!(
        findings[0]
            .message
            .contains("not reachable (connection refused)"),
        "{}",
        findings[0]
    );
    assert!(!has_errors(&findings));
}

/// Blue's Deployment (in the shared namespace) makes pods green selects, and green's own
/// Service sends to them: the cluster says the two colors are one workload.
#[tokio::test]
async fn colors_that_are_one_workload_in_the_cluster_are_errors() {
    let deployment = |name: &str, color: &str| {
        let mut d = meta("Deployment", "apps/v1", name);
        d["spec"] = json!({
            "selector": {"matchLabels": {"app": "fittrack", "deployment": color}},
            "template": {"metadata": {"labels": {"app": "fittrack", "deployment": color}}}
        });
        d
    };
    let mut green_svc = meta("Service", "v1", "fittrack-green");
    green_svc["spec"] = json!({"selector": {"app": "fittrack", "deployment": "green"}});
    let objects = HashMap::from([
        (
            "/api/v1/namespaces/fittrack".to_string(),
            meta("Namespace", "v1", "fittrack"),
        ),
        (
            // Mislabelled: blue's Deployment makes green pods.
            "/apis/apps/v1/namespaces/fittrack/deployments/fittrack-blue".into(),
            deployment("fittrack-blue", "green"),
        ),
        (
            "/apis/apps/v1/namespaces/fittrack/deployments/fittrack-green".into(),
            deployment("fittrack-green", "green"),
        ),
        (
            "/api/v1/namespaces/fittrack/services/fittrack-green".into(),
            green_svc,
        ),
    ]);
    let (client, _) = fake_cluster(objects).await;
    let findings = check_cluster(&client, &demo_config("fittrack-single-ns", None)).await;
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.level == Level::Error && f.message.contains("pods"))
        .map(|f| f.to_string())
        .collect();
    let text = errors.join("\n");
    assert!(
        text.contains("blue deployment fittrack/fittrack-blue")
            && text.contains("also selected by green's selector `app=fittrack,deployment=green`"),
        "{text}"
    );
    assert!(
        text.contains("not selected by blue's own selector"),
        "{text}"
    );
    assert!(
        text.contains("green service fittrack/fittrack-green")
            && text.contains("also selects blue's pods"),
        "{text}"
    );
    // Green's own Deployment is fine.
    assert!(!text.contains("green deployment"), "{text}");
    assert!(has_errors(&findings));
}

/// A viewer identity is told which actions the API server will refuse it; the admin is not.
#[tokio::test]
async fn the_rights_the_actions_need_are_asked_of_the_server() {
    let sim = crate::support::sim();
    let config = demo_config("fittrack", Some(&sim.lb_url));
    let admin = check_cluster(&sim.client("sim").await, &config).await;
    let rights: Vec<&Finding> = admin.iter().filter(|f| f.subject == "rights").collect();
    assert_eq!(rights.len(), 1, "{rights:#?}");
    assert_eq!(rights[0].level, Level::Ok, "{rights:#?}");
    let viewer = check_cluster(&sim.client("sim-viewer").await, &config).await;
    let refused: Vec<String> = viewer
        .iter()
        .filter(|f| f.subject == "rights" && f.level == Level::Error)
        .map(|f| f.message.clone())
        .collect();
    assert!(
        refused.iter().any(|m| m.starts_with(
            "cannot patch httproutes.gateway.networking.k8s.io in fittrack: switch and rollback"
        )),
        "{refused:#?}"
    );
    assert!(has_errors(&viewer));
}

//! Unit tests for the pure parts of probing.

use super::*;
use crate::model::PodSummary;

fn answer(headers: &[(&'static str, &'static str)], body: &str) -> Answer {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        map.insert(*k, v.parse().unwrap());
    }
    Answer {
        status: StatusCode::OK,
        headers: map,
        body: Bytes::from(body.to_string()),
        latency_ms: 1,
    }
}

#[test]
fn version_from_header_or_json() {
    let a = answer(
        &[("x-app-version", "v2.0.0")],
        r#"{"version":"v1.9.3","status":"ok"}"#,
    );
    let header = VersionSource::Header("X-App-Version".into());
    assert_eq!(version_of(&a, Some(&header)).as_deref(), Some("v2.0.0"));
    let field = VersionSource::JsonField("version".into());
    assert_eq!(version_of(&a, Some(&field)).as_deref(), Some("v1.9.3"));
    assert_eq!(version_of(&a, None).as_deref(), Some("v1.9.3"));
    let plain = answer(&[], "OK");
    assert_eq!(version_of(&plain, Some(&field)), None);
    assert_eq!(version_of(&plain, Some(&header)), None);
}

#[test]
fn ready_pods_are_probed_first() {
    let pod = |name: &str, ready: u32, terminating: bool| PodSummary {
        name: name.into(),
        ready,
        containers_total: 1,
        terminating,
        ..PodSummary::default()
    };
    let pods = [pod("a", 0, false), pod("b", 1, true), pod("c", 1, false)];
    assert_eq!(pick_pod(&pods).unwrap().name, "c");
    assert_eq!(pick_pod(&pods[..2]).unwrap().name, "a");
    assert!(pick_pod(&[]).is_none());
}

#[test]
fn status_text_reads_well() {
    assert_eq!(
        status_text(StatusCode::SERVICE_UNAVAILABLE),
        "503 Service Unavailable"
    );
}

fn answer_with(status: StatusCode, body: serde_json::Value) -> Answer {
    Answer {
        latency_ms: 1,
        status,
        headers: HeaderMap::new(),
        body: Bytes::from(body.to_string()),
    }
}

fn api_status(code: u16, reason: &str, message: &str) -> serde_json::Value {
    serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code})
}

/// The API server's own refusals are the way failing, not the app: a missing Service,
/// no ready endpoints. The app's own 503 is the app's; a refused connection to the pod is
/// the pod not answering.
#[test]
fn proxy_answers_tell_the_way_from_the_app() {
    let missing = answer_with(
        StatusCode::NOT_FOUND,
        api_status(404, "NotFound", "services \"fittrack-blue\" not found"),
    );
    match proxy_answer(missing) {
        Fetched::PathFailed(why) => {
            assert_eq!(why, "via API proxy: service fittrack-blue not found")
        }
        other => panic!("{other:?}"),
    }
    let no_endpoints = answer_with(
        StatusCode::SERVICE_UNAVAILABLE,
        api_status(
            503,
            "ServiceUnavailable",
            "no endpoints available for service \"x\"",
        ),
    );
    assert!(
        matches!(proxy_answer(no_endpoints), Fetched::PathFailed(w) if w.contains("no endpoints available"))
    );
    let refused = answer_with(
        StatusCode::SERVICE_UNAVAILABLE,
        api_status(
            503,
            "ServiceUnavailable",
            "error trying to reach service: dial tcp 10.0.0.5:8000: connect: connection refused",
        ),
    );
    assert!(matches!(proxy_answer(refused), Fetched::NoAnswer(_)));
    let app = answer_with(
        StatusCode::SERVICE_UNAVAILABLE,
        serde_json::json!({"status": "draining", "version": "v2"}),
    );
    assert!(matches!(proxy_answer(app), Fetched::Answer(a) if a.status == 503));
}

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

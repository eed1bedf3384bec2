//! Probes through the API server's proxy and through port-forward, the LB probe, and the
//! other per-color facts (Deployment, EndpointSlices, Events) a color column shows.

use cutover::config::schema::{ProbeTransport, VersionSource};
use cutover::model::{Color, ProbeKind};

use super::rig::Rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_via_the_service_proxy_report_the_color_versions() {
    let mut rig = Rig::start().await;
    for (color, version) in [(Color::Blue, "v1.9.3"), (Color::Green, "v2.0.0")] {
        for kind in [ProbeKind::Live, ProbeKind::Ready] {
            let p = rig
                .until("a passing probe", |s| {
                    s.probe(color, kind).filter(|p| p.ok).cloned()
                })
                .await;
            assert_eq!(p.detail, "200 OK");
            assert_eq!(p.version.as_deref(), Some(version), "{p:?}");
        }
    }
    let lb = rig
        .until("the LB serving v1.9.3", |s| {
            s.lb.clone().filter(|o| o.version.is_some())
        })
        .await;
    assert_eq!((lb.version.as_deref(), lb.error), (Some("v1.9.3"), None));
    // Which color that version is, is decided in `update` from the colors' versions.
    let folded = rig
        .state
        .lb
        .clone()
        .expect("the LB answer folded into the state");
    assert_eq!(folded.color, Some(Color::Blue));
    rig.until("3/3 endpoints and versions per color", |s| {
        let versions = [Some("v1.9.3".to_string()), Some("v2.0.0".to_string())];
        (s.endpoints == [Some((3, 3)); 2] && s.versions == versions).then_some(())
    })
    .await;
    rig.until("Events of the color namespaces", |s| {
        s.events
            .iter()
            .any(|e| e.namespace == "fittrack-green")
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_via_port_forward_and_a_json_version_field() {
    let mut rig = Rig::start_with("fittrack", |c| {
        c.probes.transport = ProbeTransport::PortForward;
        c.router.lb_version = Some(VersionSource::JsonField("version".into()));
    })
    .await;
    let p = rig
        .until("a passing ready probe over port-forward", |s| {
            s.probe(Color::Green, ProbeKind::Ready)
                .filter(|p| p.ok)
                .cloned()
        })
        .await;
    assert_eq!(p.version.as_deref(), Some("v2.0.0"), "{p:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_probe_says_why() {
    let mut rig = Rig::start_with("fittrack", |c| c.probes.live = "/no/such/path".into()).await;
    let p = rig
        .until("a finished live probe with pods up", |s| {
            let p = s.probe(Color::Blue, ProbeKind::Live)?;
            (s.running(Color::Blue) == 3 && s.endpoints[0] == Some((3, 3))).then(|| p.clone())
        })
        .await;
    assert!(!p.ok, "{p:?}");
    assert!(
        p.detail.starts_with("404") || p.detail.starts_with("503"),
        "{p:?}"
    );
}

/// A Service that does not exist is named, and it is the way to the app that failed, not
/// the app (no "404 Not Found" read as the app's answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_service_is_named_and_not_the_apps_failure() {
    let mut rig = Rig::start_with("fittrack", |c| {
        c.colors.blue.service = Some("fittrack-nope".into());
    })
    .await;
    let p = rig
        .until("a blue probe", |s| {
            s.probe(Color::Blue, ProbeKind::Ready).cloned()
        })
        .await;
    assert!(!p.ok);
    assert_eq!(
        p.path_error.as_deref(),
        Some("via API proxy: service fittrack-nope not found"),
        "{p:?}"
    );
    assert!(rig.state.color(Color::Blue).probes.last_failure.is_none());
    let screen = rig.screen();
    assert!(
        screen.contains("? via API proxy: service fittrack-nope not f"),
        "{screen}"
    );
    assert!(!screen.contains("404"), "{screen}");
}

/// With the API slower than the probe timeout the apps are fine: the probe says its way
/// through the API timed out, never that the app failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_api_is_not_a_failing_app() {
    let mut rig = Rig::start_with("fittrack", |c| c.probes.timeout_secs = 0.5).await;
    rig.until("a passing blue probe", |s| {
        s.probe(Color::Blue, ProbeKind::Live)
            .filter(|p| p.ok)
            .cloned()
    })
    .await;
    rig.fault(serde_json::json!({"latency_ms": 1500})).await;
    let p = rig
        .until("a blue probe that timed out", |s| {
            s.probe(Color::Blue, ProbeKind::Live)
                .filter(|p| p.path_error.is_some())
                .cloned()
        })
        .await;
    rig.fault(serde_json::json!({"latency_ms": 0})).await;
    assert_eq!(
        p.path_error.as_deref(),
        Some("via API proxy: timed out after 0.5 s"),
        "{p:?}"
    );
    assert!(rig.state.color(Color::Blue).probes.last_failure.is_none());
}

/// A namespace that does not exist is named where the pods would be, not "no pods match".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_namespace_is_named() {
    let mut rig = Rig::start_with("fittrack", |c| {
        c.colors.blue.namespace = "fittrack-nowhere".into();
    })
    .await;
    rig.until("green's pods", |s| {
        (s.running(Color::Green) == 3).then_some(())
    })
    .await;
    let deadline = tokio::time::Instant::now() + super::rig::DEADLINE;
    loop {
        let screen = rig.screen();
        let blue: String = screen
            .lines()
            .map(|l| l.chars().take(60).collect::<String>() + "\n")
            .collect();
        if blue.contains("namespace fittrack-nowhere not found") {
            assert!(!blue.contains("no pods match"), "{blue}");
            assert!(!blue.contains("404"), "{blue}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{screen}");
        if let Ok(Some(m)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), rig.rx.recv()).await
        {
            rig.apply(m);
        }
    }
}

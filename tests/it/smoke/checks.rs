//! Built-in checks: the demo configuration's checks pass on a healthy color (through the
//! API server's pod proxy and through port-forward, POST included) and fail when the app
//! answers 5xx or is not ready.

use cutover::config::schema::ProbeTransport;
use serde_json::json;

use super::rig::{config, sim, smoke};
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_checks_pass_on_a_healthy_color_through_the_pod_proxy() {
    let sim = sim().await;
    let run = smoke(&sim, config(), None).await;
    let r = run.report();
    assert!(r.passed, "{r:#?}");
    // Six checks, each to each of GREEN's three ready pods.
    assert_eq!(r.checks.len(), 18, "{r:#?}");
    assert_eq!(r.checks_passed(), 18);
    assert_eq!((r.suite_exit, &r.suite_error), (None, &None));
    let post = r
        .checks
        .iter()
        .find(|c| c.name == "POST /api/workouts")
        .expect("the POST check ran");
    assert!(post.detail.starts_with("201 in "), "{post:?}");
    assert!(post.pod.starts_with("fittrack-"), "{post:?}");
    assert!(
        run.lines
            .iter()
            .any(|l| l.starts_with("✔ GET /health/ready → fittrack-") && l.contains(" 200 in ")),
        "{:#?}",
        run.lines
    );
    // The proxy really carried them: the simulator saw the POST on a GREEN pod.
    let log = support::requests(&sim).await;
    assert!(
        log.iter().any(|e| {
            let path = e["path"].as_str().unwrap_or_default();
            e["method"] == "POST"
                && path.starts_with("/api/v1/namespaces/fittrack-green/pods/fittrack-")
                && path.ends_with(":8000/proxy/api/workouts")
                && e["status"] == 201
        }),
        "no proxied POST in the request log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_pass_through_port_forward_too() {
    let sim = sim().await;
    let mut c = config();
    c.probes.transport = ProbeTransport::PortForward;
    let run = smoke(&sim, c, None).await;
    let r = run.report();
    assert!(r.passed, "{r:#?}");
    assert_eq!(r.checks_passed(), 18);
    assert!(
        run.said("✔ POST /api/workouts → fittrack-"),
        "{:#?}",
        run.lines
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checked_path_answering_5xx_fails_the_test_and_names_the_check() {
    let sim = sim().await;
    let fault = json!({"target": {"namespace": "fittrack-green"}, "error_rate": 1.0});
    support::fault(&sim, fault).await;
    let run = smoke(&sim, config(), None).await;
    let r = run.report();
    assert!(!r.passed, "{r:#?}");
    let failed: Vec<_> = r.checks.iter().filter(|c| !c.ok).collect();
    // The four /api checks on three pods; the health endpoints are not app requests.
    assert_eq!(failed.len(), 12, "{r:#?}");
    assert!(
        failed.iter().all(|c| c.name.contains("/api/")),
        "{failed:#?}"
    );
    let workouts = failed
        .iter()
        .find(|c| c.name == "GET /api/workouts")
        .expect("GET /api/workouts failed");
    assert!(
        workouts.detail.starts_with("500 (expected 200) in "),
        "{workouts:?}"
    );
    assert!(
        run.said("✖ GET /api/workouts → fittrack-"),
        "{:#?}",
        run.lines
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_color_that_is_not_ready_fails() {
    let sim = sim().await;
    let fault = json!({"target": {"namespace": "fittrack-green"}, "ready": false});
    support::fault(&sim, fault).await;
    let run = smoke(&sim, config(), None).await;
    let r = run.report();
    assert!(!r.passed, "{r:#?}");
    // Either the pods still count as Ready and answer 503, or they are gone from the
    // ready set already: both are named.
    let ready = r
        .checks
        .iter()
        .find(|c| c.name == "GET /health/ready" && !c.ok)
        .expect("the readiness check failed");
    assert!(
        ready.detail.starts_with("503 (expected 200)") || ready.detail.contains("no ready pod"),
        "{ready:?}\n{r:#?}"
    );
}

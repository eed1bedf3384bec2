//! SIM-APPS: what a health probe meets while a color starts. The service proxy answers a
//! Service without ready endpoints with an immediate 503, as a real API server does; the
//! load balancer serves as soon as an endpoint is ready (after the propagation delay).
//! kube-rs's default client retries that 503, which is what turns it into a probe timeout.

use crate::support;
use kube_sim::cluster::Tuning;
use kube_sim::SimOptions;
use std::time::Duration;

const READY: &str =
    "/api/v1/namespaces/fittrack-blue/services/fittrack-blue:8000/proxy/health/ready";

/// A GET of `path` through kube-rs's raw request API.
async fn get(client: &kube::Client, path: &str) -> Result<String, kube::Error> {
    let req = hyper::Request::get(path).body(Vec::new()).unwrap();
    client.request_text(req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_proxy_without_ready_endpoints_answers_503_at_once() {
    // Images that take ten minutes to pull: no endpoint gets ready during this test.
    let sim = support::sim_with(SimOptions {
        tuning: Tuning {
            pull_ms: 600_000,
            ..Tuning::fast()
        },
        ..Default::default()
    });
    let mut config = sim.config("sim").await.unwrap();
    config.default_retry = false;
    let plain = kube::Client::try_from(config).unwrap();
    // The answer comes without waiting for an endpoint (none will come in ten minutes).
    let answer = tokio::time::timeout(Duration::from_secs(10), get(&plain, READY))
        .await
        .expect("the proxy answers instead of waiting for an endpoint");
    match answer {
        Err(kube::Error::Api(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (503, "ServiceUnavailable"));
            assert_eq!(
                s.message,
                "no endpoints available for service \"fittrack-blue\""
            );
        }
        other => panic!("expected 503 ServiceUnavailable, got {other:?}"),
    }
    let lb = support::http_client(&sim)
        .get(format!("{}/health/ready", sim.lb_url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        lb.status().as_u16(),
        503,
        "the LB has no healthy upstream either"
    );
    // kube-rs's default client (default_retry) retries every 503 with a growing back-off, so
    // the same request does not come back within a 2 s probe timeout: that is the probes'
    // "timeout after 2 s" during start-up, not a slow simulator.
    let retrying = sim.client("sim").await;
    let waited = tokio::time::timeout(Duration::from_secs(2), get(&retrying, READY)).await;
    assert!(
        waited.is_err(),
        "kube-rs gave up retrying early: {waited:?}"
    );
    let log = support::requests(&sim).await;
    let answered_503 = log
        .iter()
        .filter(|r| r["path"] == READY && r["status"] == 503)
        .count();
    assert!(
        answered_503 >= 4,
        "one probe, {answered_503} answers of 503"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lb_serves_as_soon_as_a_color_has_a_ready_endpoint() {
    // The kubelet probes once a minute: were the LB (or the proxy) waiting for a probe
    // period, nothing below would answer within the test's waits.
    let sim = support::sim_with(SimOptions {
        tuning: Tuning {
            probe_period_ms: 60_000,
            pull_ms: 500,
            propagation_ms: 100,
            ..Tuning::fast()
        },
        ..Default::default()
    });
    let store = sim.state.store.clone();
    let ready_slice = || {
        let (slices, _) = store.list("endpointslices", Some("fittrack-blue"), None);
        slices.iter().any(|s| {
            s["endpoints"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["conditions"]["ready"] == true))
        })
    };
    assert!(
        !ready_slice(),
        "nothing is ready before the images are pulled"
    );
    support::eventually("a ready blue endpoint", Duration::from_secs(20), || async {
        ready_slice().then_some(())
    })
    .await;
    // From here the LB answers 200 once the propagation delay has passed.
    support::wait_lb(&sim, "v1.9.3").await;
    let mut config = sim.config("sim").await.unwrap();
    config.default_retry = false;
    let plain = kube::Client::try_from(config).unwrap();
    let body = get(&plain, READY).await.unwrap();
    assert!(body.contains("\"status\":\"ready\""), "{body}");
}

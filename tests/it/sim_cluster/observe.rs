//! Routing and observability through the simulator: router patches move the load balancer,
//! `GET /sim/v1/state`, the Prometheus file_sd file, and the idle-CPU measurement.

use super::{endpoint_counts, settled, WAIT};
use crate::support::{eventually, http_client, sim, sim_with, wait_lb};
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube_sim::cluster::Tuning;
use kube_sim::SimOptions;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guide_selector_patch_moves_the_load_balancer() {
    let sim = sim_with(SimOptions {
        scenario: "fittrack-single-ns".into(),
        tuning: Tuning::fast(),
        ..Default::default()
    });
    let client = sim.client("sim").await;
    settled(&client, "fittrack", "fittrack-green", 3).await;
    wait_lb(&sim, "v1.9.3").await;
    let svc: Api<Service> = Api::namespaced(client.clone(), "fittrack");
    let patch = json!({"spec": {"selector": {"deployment": "green"}}});
    svc.patch(
        "fittrack-lb",
        &PatchParams::default(),
        &Patch::Strategic(patch),
    )
    .await
    .expect("guide's patch");
    wait_lb(&sim, "v2.0.0").await;
    let c = client.clone();
    eventually("router slices list green pods", WAIT, || {
        let c = c.clone();
        async move { (endpoint_counts(&c, "fittrack", "fittrack-lb").await == (3, 3)).then_some(()) }
    })
    .await;
    let api: Api<EndpointSlice> = Api::namespaced(client.clone(), "fittrack");
    let lp = ListParams::default().labels("kubernetes.io/service-name=fittrack-lb");
    for s in api.list(&lp).await.unwrap().items {
        for e in s.endpoints.unwrap_or_default() {
            let name = e.target_ref.and_then(|r| r.name).unwrap_or_default();
            assert!(name.starts_with("fittrack-green-"), "{name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn httproute_weight_patch_moves_the_load_balancer() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-green", "fittrack", 3).await;
    wait_lb(&sim, "v1.9.3").await;
    let routes: Api<kube::api::DynamicObject> = Api::namespaced_with(
        client.clone(),
        "fittrack",
        &kube::api::ApiResource {
            group: "gateway.networking.k8s.io".into(),
            version: "v1".into(),
            api_version: "gateway.networking.k8s.io/v1".into(),
            kind: "HTTPRoute".into(),
            plural: "httproutes".into(),
        },
    );
    let patch = json!([
        {"op": "test", "path": "/spec/rules/0/backendRefs/0/weight", "value": 100},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": 0},
        {"op": "replace", "path": "/spec/rules/0/backendRefs/1/weight", "value": 100},
    ]);
    let patch: json_patch::Patch = serde_json::from_value(patch).unwrap();
    routes
        .patch(
            "fittrack",
            &PatchParams::default(),
            &Patch::Json::<()>(patch),
        )
        .await
        .expect("switch");
    wait_lb(&sim, "v2.0.0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_endpoint_summarizes_routers_colors_and_lb() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-blue", "fittrack", 3).await;
    settled(&client, "fittrack-green", "fittrack", 3).await;
    let state: serde_json::Value = crate::support::sim_get(&sim, "/sim/v1/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["scenario"], "fittrack");
    assert_eq!(state["colors"]["blue"]["total"], 3);
    assert_eq!(state["colors"]["blue"]["ready"], 3);
    assert_eq!(state["colors"]["green"]["ready"], 3);
    let backends = &state["routers"]["httproutes"][0]["rules"][0]["backends"];
    assert_eq!(backends[0]["service"], "fittrack-blue");
    assert_eq!(backends[0]["weight"], 100);
    assert_eq!(backends[1]["weight"], 0);
    assert!(
        state["apps"]["pods"]
            .as_array()
            .is_some_and(|p| p.len() == 6),
        "{}",
        state["apps"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_sd_file_lists_scrapable_pods() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sd.json");
    let sim = sim_with(SimOptions {
        prometheus_sd: Some(path.clone()),
        tuning: Tuning::fast(),
        ..Default::default()
    });
    let p = &path;
    let groups = eventually("6 targets", WAIT, || async move {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
        (v.as_array()?.len() == 6).then_some(v)
    })
    .await;
    let g = &groups[0];
    assert!(["blue", "green"].contains(&g["labels"]["color"].as_str().unwrap()));
    let url = format!(
        "http://{}{}",
        g["targets"][0].as_str().unwrap(),
        g["labels"]["__metrics_path__"].as_str().unwrap()
    );
    let body = http_client(&sim)
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("http_requests_total"), "{url}: {body}");
}

/// CPU seconds (user + system) this process has used so far, from /proc/self/stat.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some(ticks / hz)
}

/// Idle CPU of the `fittrack` scenario with demo tunings (traffic, probes, controllers):
/// `cargo test --release --test it idle_cpu_of_fittrack -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, 40 s"]
async fn idle_cpu_of_fittrack() {
    let sim = sim_with(SimOptions::default());
    let client = sim.client("sim").await;
    settled(&client, "fittrack-blue", "fittrack", 3).await;
    settled(&client, "fittrack-green", "fittrack", 3).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (t0, c0) = (std::time::Instant::now(), cpu_seconds().unwrap());
    tokio::time::sleep(Duration::from_secs(30)).await;
    let (dt, dc) = (t0.elapsed().as_secs_f64(), cpu_seconds().unwrap() - c0);
    println!(
        "idle fittrack: {dc:.2} CPU s in {dt:.1} s = {:.1} % of one core",
        100.0 * dc / dt
    );
}

//! Integration tests (SIM-CLUSTER): the simulated cluster through kube-rs — rollouts,
//! progress deadline, scaling, EndpointSlices following readiness, crash loops, Events,
//! and router patches moving the load balancer.

use crate::support::{eventually, fault, http_client, lb_version, sim, sim_with};
use cutover::sim::cluster::Tuning;
use cutover::sim::{SimHandle, SimOptions};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::Client;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn progressing_reason(d: &Deployment) -> Option<(String, String)> {
    let c = d
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_.as_deref() == Some("Progressing"))?;
    Some((c.status.clone()?, c.reason.clone().unwrap_or_default()))
}

/// Waits until Deployment `fittrack` in `ns` has completed a rollout to `n` ready pods.
async fn settled(client: &Client, ns: &str, name: &str, n: i32) -> Deployment {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    eventually(&format!("{ns}/{name} settled at {n}"), WAIT, || {
        let api = api.clone();
        async move {
            let d = api.get(name).await.ok()?;
            let s = d.status.clone()?;
            let done = s.observed_generation == d.metadata.generation
                && s.replicas.unwrap_or(0) == n
                && s.updated_replicas.unwrap_or(0) == n
                && s.ready_replicas.unwrap_or(0) == n
                && (n == 0 || progressing_reason(&d)?.1 == "NewReplicaSetAvailable");
            done.then_some(d)
        }
    })
    .await
}

async fn pods(client: &Client, ns: &str, selector: &str) -> Vec<Pod> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    api.list(&ListParams::default().labels(selector))
        .await
        .expect("list pods")
        .items
}

async fn set_image(client: &Client, ns: &str, image: &str) {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    let patch =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "image": image}]}}}});
    api.patch(
        "fittrack",
        &PatchParams::default(),
        &Patch::Strategic(patch),
    )
    .await
    .expect("patch image");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_patch_rolls_pods_and_reports_progress() {
    let sim = sim();
    let client = sim.client("sim").await;
    let before = settled(&client, "fittrack-green", "fittrack", 3).await;
    set_image(&client, "fittrack-green", "fittrack/api:v2.0.1").await;
    let after = settled(&client, "fittrack-green", "fittrack", 3).await;
    assert!(after.metadata.generation > before.metadata.generation);
    let ps = pods(&client, "fittrack-green", "app=fittrack,deployment=green").await;
    let live: Vec<&Pod> = ps
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect();
    assert_eq!(live.len(), 3);
    for p in live {
        let image = p.spec.as_ref().unwrap().containers[0]
            .image
            .clone()
            .unwrap_or_default();
        assert_eq!(image, "fittrack/api:v2.0.1");
        assert_eq!(p.status.as_ref().unwrap().phase.as_deref(), Some("Running"));
    }
    let rs: Api<ReplicaSet> = Api::namespaced(client.clone(), "fittrack-green");
    let sets = rs.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(sets.len(), 2, "old and new ReplicaSet");
    assert!(sets.iter().any(|s| s.spec.replicas == Some(0)));
    let events: Api<Event> = Api::namespaced(client.clone(), "fittrack-green");
    let evs = events.list(&ListParams::default()).await.unwrap().items;
    let scaled = evs
        .iter()
        .filter(|e| e.reason.as_deref() == Some("ScalingReplicaSet"))
        .count();
    assert!(
        scaled >= 4,
        "rolling update scaled the sets step by step ({scaled} events)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_ready_image_ends_in_progress_deadline_exceeded() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-green", "fittrack", 3).await;
    set_image(&client, "fittrack-green", "fittrack/api:v2.0.1-never-ready").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "fittrack-green");
    let d = eventually("ProgressDeadlineExceeded", WAIT, || {
        let api = api.clone();
        async move {
            let d = api.get("fittrack").await.ok()?;
            (progressing_reason(&d)? == ("False".into(), "ProgressDeadlineExceeded".into()))
                .then_some(d)
        }
    })
    .await;
    // The old pods keep serving; the one surge pod never became ready.
    let s = d.status.unwrap();
    assert_eq!(s.ready_replicas, Some(3));
    assert_eq!(s.updated_replicas, Some(1));
    let events: Api<Event> = Api::namespaced(client.clone(), "fittrack-green");
    let evs = events.list(&ListParams::default()).await.unwrap().items;
    assert!(evs.iter().any(|e| e.reason.as_deref() == Some("Unhealthy")
        && e.message
            .as_deref()
            .unwrap_or("")
            .starts_with("Readiness probe failed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_to_five_and_to_zero() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-blue", "fittrack", 3).await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "fittrack-blue");
    let pp = PatchParams::default();
    api.patch_scale(
        "fittrack",
        &pp,
        &Patch::Merge(json!({"spec": {"replicas": 5}})),
    )
    .await
    .expect("scale 5");
    settled(&client, "fittrack-blue", "fittrack", 5).await;
    let ready = pods(&client, "fittrack-blue", "app=fittrack").await;
    assert_eq!(ready.len(), 5);
    api.patch_scale(
        "fittrack",
        &pp,
        &Patch::Merge(json!({"spec": {"replicas": 0}})),
    )
    .await
    .expect("scale 0");
    settled(&client, "fittrack-blue", "fittrack", 0).await;
    let c = client.clone();
    eventually("all pods gone", WAIT, || {
        let c = c.clone();
        async move {
            pods(&c, "fittrack-blue", "app=fittrack")
                .await
                .is_empty()
                .then_some(())
        }
    })
    .await;
}

/// (ready, total) endpoints of a Service's slices.
async fn endpoint_counts(client: &Client, ns: &str, svc: &str) -> (usize, usize) {
    let api: Api<EndpointSlice> = Api::namespaced(client.clone(), ns);
    let lp = ListParams::default().labels(&format!("kubernetes.io/service-name={svc}"));
    let slices = api.list(&lp).await.expect("list slices").items;
    let eps: Vec<_> = slices
        .iter()
        .flat_map(|s| s.endpoints.iter().flatten())
        .collect();
    let ready = eps
        .iter()
        .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) == Some(true))
        .count();
    (ready, eps.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpointslices_follow_readiness() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-blue", "fittrack", 3).await;
    let c = client.clone();
    eventually("3 ready endpoints", WAIT, || {
        let c = c.clone();
        async move {
            (endpoint_counts(&c, "fittrack-blue", "fittrack-blue").await == (3, 3)).then_some(())
        }
    })
    .await;
    let target = json!({"namespace": "fittrack-blue"});
    fault(&sim, json!({"target": target, "ready": false})).await;
    eventually("no ready endpoints", WAIT, || {
        let c = c.clone();
        async move {
            (endpoint_counts(&c, "fittrack-blue", "fittrack-blue").await == (0, 3)).then_some(())
        }
    })
    .await;
    // Only the Service's own namespace: green's slices are untouched.
    assert_eq!(
        endpoint_counts(&client, "fittrack-green", "fittrack-green").await,
        (3, 3)
    );
    fault(&sim, json!({"target": target, "clear": true})).await;
    eventually("ready again", WAIT, || {
        let c = c.clone();
        async move {
            (endpoint_counts(&c, "fittrack-blue", "fittrack-blue").await == (3, 3)).then_some(())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_fault_restarts_into_crash_loop_back_off() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-green", "fittrack", 3).await;
    let victim = pods(&client, "fittrack-green", "app=fittrack").await[0]
        .metadata
        .name
        .clone()
        .unwrap();
    fault(&sim, json!({"target": {"pod": victim}, "crash": true})).await;
    let api: Api<Pod> = Api::namespaced(client.clone(), "fittrack-green");
    let v = victim.clone();
    eventually("restarts and CrashLoopBackOff", WAIT, || {
        let (api, v) = (api.clone(), v.clone());
        async move {
            let p = api.get(&v).await.ok()?;
            let cs = p.status?.container_statuses?.into_iter().next()?;
            let waiting = cs.state?.waiting?.reason?;
            let exit = cs.last_state?.terminated?.exit_code;
            (cs.restart_count >= 2 && waiting == "CrashLoopBackOff" && exit == 1 && !cs.ready)
                .then_some(())
        }
    })
    .await;
    let events: Api<Event> = Api::namespaced(client.clone(), "fittrack-green");
    let evs = events.list(&ListParams::default()).await.unwrap().items;
    let mine = |reason: &str| {
        evs.iter().any(|e| {
            e.reason.as_deref() == Some(reason)
                && e.involved_object.name.as_deref() == Some(&victim)
        })
    };
    for reason in ["Scheduled", "Pulled", "Created", "Started", "BackOff"] {
        assert!(mine(reason), "no {reason} event for {victim}");
    }
}

async fn wait_lb(sim: &SimHandle, version: &str) {
    eventually(&format!("LB serves {version}"), WAIT, || async move {
        (lb_version(sim).await.as_deref() == Some(version)).then_some(())
    })
    .await;
}

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
async fn state_endpoint_summarizes_routers_colours_and_lb() {
    let sim = sim();
    let client = sim.client("sim").await;
    settled(&client, "fittrack-blue", "fittrack", 3).await;
    settled(&client, "fittrack-green", "fittrack", 3).await;
    let url = format!("{}/sim/v1/state", sim.api_url);
    let state: serde_json::Value = http_client(&sim)
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["scenario"], "fittrack");
    assert_eq!(state["colours"]["blue"]["total"], 3);
    assert_eq!(state["colours"]["blue"]["ready"], 3);
    assert_eq!(state["colours"]["green"]["ready"], 3);
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
    assert!(["blue", "green"].contains(&g["labels"]["colour"].as_str().unwrap()));
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

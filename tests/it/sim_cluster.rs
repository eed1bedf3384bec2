//! Integration tests (SIM-CLUSTER): the simulated cluster through kube-rs — rollouts,
//! progress deadline, scaling, EndpointSlices following readiness, crash loops, Events;
//! routing and observability in [`observe`].

mod observe;

use crate::support::{eventually, fault, sim};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::Client;
use serde_json::json;
use std::time::Duration;

pub(super) const WAIT: Duration = Duration::from_secs(30);

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
pub(super) async fn settled(client: &Client, ns: &str, name: &str, n: i32) -> Deployment {
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
pub(super) async fn endpoint_counts(client: &Client, ns: &str, svc: &str) -> (usize, usize) {
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

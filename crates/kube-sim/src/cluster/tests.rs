//! Controller tests on the in-process store with a scriptable container runtime.

use super::*;
use crate::selector::LabelSelector;
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod kubelet;
mod routing;

/// A runtime whose readiness and crashes the test controls, per pod-name prefix.
#[derive(Default)]
pub(super) struct Scripted {
    inner: StandIn,
    pub(super) crash: Mutex<HashSet<String>>,
    pub(super) unready: Mutex<HashSet<String>>,
    pub(super) unlive: Mutex<HashSet<String>>,
}

impl Scripted {
    pub(super) fn set(set: &Mutex<HashSet<String>>, prefix: &str, on: bool) {
        let mut s = set.lock().unwrap();
        if on {
            s.insert(prefix.into());
        } else {
            s.remove(prefix);
        }
    }
    fn hit(set: &Mutex<HashSet<String>>, pod: &str) -> bool {
        set.lock()
            .unwrap()
            .iter()
            .any(|p| pod.starts_with(p.as_str()))
    }
}

impl ContainerRuntime for Scripted {
    fn start(&self, ns: &str, pod: &str, image: &str, labels: &BTreeMap<String, String>) {
        self.inner.start(ns, pod, image, labels);
    }
    fn stop(&self, ns: &str, pod: &str) {
        self.inner.stop(ns, pod);
    }
    fn probe<'a>(&'a self, ns: &'a str, pod: &'a str, path: &'a str) -> BoxFuture<'a, Option<u16>> {
        if path.contains("ready") && Self::hit(&self.unready, pod) {
            return Box::pin(async { Some(503) });
        }
        if path.contains("live") && Self::hit(&self.unlive, pod) {
            return Box::pin(async { None });
        }
        self.inner.probe(ns, pod, path)
    }
    fn should_crash(&self, _ns: &str, pod: &str) -> bool {
        Self::hit(&self.crash, pod)
    }
}

pub(super) fn tuning() -> Tuning {
    Tuning {
        progress_deadline_max_secs: Some(1.5),
        ..Tuning::fast()
    }
}

pub(super) fn start(scenario: &str) -> (SimState, Arc<Scripted>) {
    start_tuned(scenario, tuning())
}

pub(super) fn start_tuned(scenario: &str, tuning: Tuning) -> (SimState, Arc<Scripted>) {
    let state = SimState::new(scenario, tuning);
    let rt = Arc::new(Scripted::default());
    Cluster::start_with(&state, rt.clone());
    (state, rt)
}

pub(super) async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(super) fn pods(state: &SimState, ns: &str, color: &str) -> Vec<Value> {
    let sel = LabelSelector::parse(&format!("app=fittrack,deployment={color}")).unwrap();
    state.store.list("pods", Some(ns), Some(&sel)).0
}

pub(super) fn deploy(state: &SimState, ns: &str) -> Value {
    state.store.get("deployments", ns, "fittrack").unwrap()
}

pub(super) fn progressing(d: &Value) -> (String, String) {
    let c = d["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Progressing").cloned())
        .unwrap_or(Value::Null);
    (
        c["status"].as_str().unwrap_or("").into(),
        c["reason"].as_str().unwrap_or("").into(),
    )
}

pub(super) fn settled(state: &SimState, ns: &str, n: i64) -> bool {
    let d = deploy(state, ns);
    let s = &d["status"];
    s["readyReplicas"] == n
        && s["updatedReplicas"] == n
        && s["replicas"] == n
        && s["observedGeneration"] == d["metadata"]["generation"]
        && (n == 0 || progressing(&d).1 == "NewReplicaSetAvailable")
}

pub(super) fn set_image(state: &SimState, ns: &str, image: &str) {
    state
        .store
        .modify("deployments", ns, "fittrack", |d| {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        })
        .unwrap();
}

#[tokio::test]
async fn fittrack_comes_up_ready_with_endpoints() {
    let (state, _) = start("fittrack");
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    let blue = pods(&state, "fittrack-blue", "blue");
    assert_eq!(blue.len(), 3);
    let hash = names::pod_template_hash(&deploy(&state, "fittrack-blue")["spec"]["template"]);
    for p in &blue {
        let name = meta::name(p);
        assert!(name.starts_with(&format!("fittrack-{hash}-")), "{name}");
        assert_eq!(p["status"]["phase"], "Running");
        assert_eq!(p["spec"]["nodeName"], podstatus::NODE);
    }
    eventually("slice lists 3 ready pods", || {
        let (slices, _) = state
            .store
            .list("endpointslices", Some("fittrack-blue"), None);
        slices.len() == 1
            && slices[0]["metadata"]["labels"][slices::SERVICE_NAME] == "fittrack-blue"
            && slices[0]["endpoints"]
                .as_array()
                .is_some_and(|e| e.len() == 3 && e.iter().all(|e| e["conditions"]["ready"] == true))
    })
    .await;
    let (events, _) = state.store.list("events", Some("fittrack-blue"), None);
    let reasons: HashSet<&str> = events.iter().filter_map(|e| e["reason"].as_str()).collect();
    for r in [
        "Scheduled",
        "Pulling",
        "Pulled",
        "Created",
        "Started",
        "ScalingReplicaSet",
        "SuccessfulCreate",
    ] {
        assert!(reasons.contains(r), "missing event {r}: {reasons:?}");
    }
    state.shutdown.cancel();
}

#[tokio::test]
async fn image_change_rolls_surge_one() {
    let (state, _) = start("fittrack");
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    let mut max_pods = 0;
    set_image(&state, "fittrack-green", "fittrack/api:v2.0.1");
    eventually("rolled", || {
        max_pods = max_pods.max(
            pods(&state, "fittrack-green", "green")
                .iter()
                .filter(|p| !podstatus::is_terminating(p))
                .count(),
        );
        settled(&state, "fittrack-green", 3)
            && pods(&state, "fittrack-green", "green")
                .iter()
                .all(|p| p["spec"]["containers"][0]["image"] == "fittrack/api:v2.0.1")
    })
    .await;
    assert!(max_pods <= 4, "surge exceeded: {max_pods} live pods");
    let d = deploy(&state, "fittrack-green");
    assert_eq!(d["metadata"]["generation"], 2);
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    let (sets, _) = state
        .store
        .list("replicasets", Some("fittrack-green"), None);
    assert_eq!(sets.len(), 2);
    assert!(sets.iter().any(|s| s["spec"]["replicas"] == 0));
    state.shutdown.cancel();
}

#[tokio::test]
async fn never_ready_image_exceeds_the_progress_deadline() {
    let (state, _) = start("fittrack");
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    set_image(&state, "fittrack-green", "fittrack/api:v2.1.0-never-ready");
    eventually("deadline exceeded", || {
        progressing(&deploy(&state, "fittrack-green"))
            == ("False".into(), "ProgressDeadlineExceeded".into())
    })
    .await;
    // The old pods keep serving: surge pod only, nothing old removed.
    let d = deploy(&state, "fittrack-green");
    assert_eq!(d["status"]["readyReplicas"], 3);
    assert_eq!(d["status"]["updatedReplicas"], 1);
    state.shutdown.cancel();
}

#[tokio::test]
async fn scale_to_five_and_to_zero() {
    let (state, _) = start("fittrack");
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    let scale = |n: i64| {
        state
            .store
            .modify("deployments", "fittrack-blue", "fittrack", |d| {
                d["spec"]["replicas"] = json!(n)
            })
            .unwrap();
    };
    scale(5);
    eventually("5 ready", || settled(&state, "fittrack-blue", 5)).await;
    scale(0);
    eventually("0 pods", || {
        settled(&state, "fittrack-blue", 0) && pods(&state, "fittrack-blue", "blue").is_empty()
    })
    .await;
    eventually("slice emptied", || {
        let (slices, _) = state
            .store
            .list("endpointslices", Some("fittrack-blue"), None);
        slices.len() == 1 && slices[0]["endpoints"] == json!([])
    })
    .await;
    state.shutdown.cancel();
}

/// `cargo test --release --lib load_scenario_converges -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, ~seconds"]
async fn load_scenario_converges() {
    let started = Instant::now();
    let (state, _) = start("load");
    eventually("400 ready", || {
        settled(&state, "fittrack-blue", 200) && settled(&state, "fittrack-green", 200)
    })
    .await;
    eventually("two slices of 100", || {
        let (slices, _) = state
            .store
            .list("endpointslices", Some("fittrack-blue"), None);
        slices.len() == 2
    })
    .await;
    println!("load: 400 pods ready in {:?}", started.elapsed());
    let rollout = Instant::now();
    set_image(&state, "fittrack-green", "fittrack/api:v2.0.1");
    eventually("200 rolled", || {
        settled(&state, "fittrack-green", 200)
            && deploy(&state, "fittrack-green")["status"]["conditions"]
                .to_string()
                .contains("has successfully progressed")
            && pods(&state, "fittrack-green", "green").len() == 200
    })
    .await;
    println!(
        "load: 200-pod rolling update (surge 25%) in {:?}",
        rollout.elapsed()
    );
    state.shutdown.cancel();
}

#[tokio::test]
async fn deleting_a_deployment_collects_its_sets_and_pods() {
    let (state, _) = start("fittrack");
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    state
        .store
        .delete("deployments", "fittrack-blue", "fittrack")
        .unwrap();
    eventually("sets and pods gone", || {
        state
            .store
            .list("replicasets", Some("fittrack-blue"), None)
            .0
            .is_empty()
            && pods(&state, "fittrack-blue", "blue").is_empty()
    })
    .await;
    eventually("slice emptied", || {
        let (slices, _) = state
            .store
            .list("endpointslices", Some("fittrack-blue"), None);
        slices.len() == 1 && slices[0]["endpoints"] == json!([])
    })
    .await;
    state.shutdown.cancel();
}

#[tokio::test]
async fn recreate_strategy_removes_old_pods_before_new_ones() {
    let (state, _) = start("fittrack");
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    state
        .store
        .modify("deployments", "fittrack-green", "fittrack", |d| {
            d["spec"]["strategy"] = json!({"type": "Recreate"});
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("fittrack/api:v2.0.1");
        })
        .unwrap();
    let mut mixed = false;
    eventually("recreated", || {
        let images: HashSet<String> = pods(&state, "fittrack-green", "green")
            .iter()
            .filter_map(|p| {
                p["spec"]["containers"][0]["image"]
                    .as_str()
                    .map(String::from)
            })
            .collect();
        mixed |= images.len() > 1;
        settled(&state, "fittrack-green", 3)
            && images.len() == 1
            && images.contains("fittrack/api:v2.0.1")
    })
    .await;
    assert!(!mixed, "old and new pods coexisted under Recreate");
    state.shutdown.cancel();
}

#[tokio::test]
async fn malformed_objects_do_not_stop_the_controllers() {
    let (state, _) = start("fittrack");
    let junk = [
        (
            "deployments",
            json!({"metadata": {"name": "junk"}, "spec": {"replicas": "three", "template": 7}}),
        ),
        (
            "deployments",
            json!({"metadata": {"name": "empty"}, "spec": {"replicas": 1}}),
        ),
        (
            "services",
            json!({"metadata": {"name": "junk"}, "spec": {"selector": {"app": 5}, "ports": "x"}}),
        ),
        (
            "pods",
            json!({"metadata": {"name": "bare"}, "spec": {"containers": "none"}}),
        ),
        (
            "httproutes",
            json!({"metadata": {"name": "junk"}, "spec": {"rules": [{"backendRefs": [1, "x"]}]}}),
        ),
    ];
    for (resource, obj) in junk {
        state.store.create(resource, "fittrack-blue", obj).unwrap();
    }
    // Everything else still converges, including a later change.
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    set_image(&state, "fittrack-blue", "fittrack/api:v1.9.4");
    eventually("blue rolled", || {
        settled(&state, "fittrack-blue", 3)
            && pods(&state, "fittrack-blue", "blue")
                .iter()
                .all(|p| p["spec"]["containers"][0]["image"] == "fittrack/api:v1.9.4")
    })
    .await;
    state.shutdown.cancel();
}

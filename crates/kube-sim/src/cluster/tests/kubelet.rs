//! Kubelet tests: readiness, crash loops, liveness kills, pull failures, graceful deletion.

use super::*;

#[tokio::test]
async fn slices_follow_readiness() {
    let (state, rt) = start("fittrack");
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    let ready_count = |state: &SimState| {
        let (slices, _) = state
            .store
            .list("endpointslices", Some("fittrack-blue"), None);
        slices
            .iter()
            .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
            .filter(|e| e["conditions"]["ready"] == true)
            .count()
    };
    Scripted::set(&rt.unready, "fittrack-", true);
    eventually("no ready endpoints", || ready_count(&state) == 0).await;
    let (events, _) = state.store.list("events", Some("fittrack-blue"), None);
    assert!(events.iter().any(|e| e["reason"] == "Unhealthy"
        && e["message"]
            .as_str()
            .unwrap_or("")
            .contains("Readiness probe failed: HTTP probe failed with statuscode: 503")));
    Scripted::set(&rt.unready, "fittrack-", false);
    eventually("ready again", || ready_count(&state) == 3).await;
    state.shutdown.cancel();
}

#[tokio::test]
async fn crashes_restart_with_backoff() {
    let (state, rt) = start("fittrack");
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    let victim = meta::name(&pods(&state, "fittrack-green", "green")[0]).to_string();
    Scripted::set(&rt.crash, &victim, true);
    eventually("restarted twice in CrashLoopBackOff", || {
        let p = state.store.get("pods", "fittrack-green", &victim).unwrap();
        let c = &p["status"]["containerStatuses"][0];
        c["restartCount"].as_i64().unwrap_or(0) >= 2
            && c["state"]["waiting"]["reason"] == "CrashLoopBackOff"
            && c["lastState"]["terminated"]["exitCode"] == 1
    })
    .await;
    let (events, _) = state.store.list("events", Some("fittrack-green"), None);
    assert!(events
        .iter()
        .any(|e| e["reason"] == "BackOff" && e["involvedObject"]["name"] == victim.as_str()));
    Scripted::set(&rt.crash, &victim, false);
    eventually("running again", || {
        let p = state.store.get("pods", "fittrack-green", &victim).unwrap();
        p["status"]["containerStatuses"][0]["state"]["running"].is_object()
            && podstatus::is_ready(&p)
    })
    .await;
    state.shutdown.cancel();
}

#[tokio::test]
async fn pull_failures_back_off() {
    let (state, _) = start("fittrack");
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    set_image(&state, "fittrack-green", "fittrack/api:v9-pullfail");
    eventually("ImagePullBackOff", || {
        pods(&state, "fittrack-green", "green").iter().any(|p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ImagePullBackOff"
        })
    })
    .await;
    state.shutdown.cancel();
}

#[tokio::test]
async fn deleted_pods_terminate_then_vanish_and_are_replaced() {
    let (state, _) = start("fittrack-single-ns");
    eventually("blue settled", || {
        let d = state
            .store
            .get("deployments", "fittrack", "fittrack-blue")
            .unwrap();
        d["status"]["readyReplicas"] == 3
    })
    .await;
    let victim = meta::name(&pods(&state, "fittrack", "blue")[0]).to_string();
    replicasets::delete_pod(&state_ctx(&state), "fittrack", &victim);
    eventually("victim gone and 3 others ready", || {
        let ps = pods(&state, "fittrack", "blue");
        ps.iter().all(|p| meta::name(p) != victim)
            && ps.iter().filter(|p| podstatus::is_ready(p)).count() == 3
    })
    .await;
    // The router Service's slices follow the selector: blue pods only.
    let (slices, _) = state.store.list("endpointslices", Some("fittrack"), None);
    let lb = slices
        .iter()
        .find(|s| s["metadata"]["labels"][slices::SERVICE_NAME] == "fittrack-lb")
        .unwrap();
    assert!(lb["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["targetRef"]["name"]
            .as_str()
            .unwrap()
            .starts_with("fittrack-blue-")));
    state.shutdown.cancel();
}

/// A context sharing the state's store (for calling controller helpers directly).
fn state_ctx(state: &SimState) -> Ctx {
    Ctx {
        store: state.store.clone(),
        tuning: state.tuning.clone(),
        events: events::Recorder::new(state.store.clone()),
        runtime: Arc::new(StandIn::default()),
        ips: AtomicU32::new(1000),
    }
}

#[tokio::test]
async fn real_apps_answer_probes_and_crash_on_fault() {
    use crate::apps::{AppFault, FaultTarget};
    let state = SimState::new("fittrack", tuning());
    Cluster::start(state.clone());
    eventually("green settled", || settled(&state, "fittrack-green", 3)).await;
    let pod = meta::name(&pods(&state, "fittrack-green", "green")[0]).to_string();
    assert!(state.apps.running("fittrack-green", &pod).is_some());
    let target = FaultTarget {
        pod: Some(pod.clone()),
        ..Default::default()
    };
    state.apps.set_fault(
        target,
        AppFault {
            crash: Some(true),
            ..Default::default()
        },
    );
    eventually("crash loop", || {
        let p = state.store.get("pods", "fittrack-green", &pod).unwrap();
        p["status"]["containerStatuses"][0]["restartCount"]
            .as_i64()
            .unwrap_or(0)
            >= 1
            && !podstatus::is_ready(&p)
    })
    .await;
    set_image(&state, "fittrack-blue", "fittrack/api:v1.9.4-never-ready");
    eventually("deadline exceeded", || {
        progressing(&deploy(&state, "fittrack-blue")).1 == "ProgressDeadlineExceeded"
    })
    .await;
    state.shutdown.cancel();
}

#[tokio::test]
async fn failed_liveness_kills_and_restarts_the_container() {
    let (state, rt) = start("fittrack");
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    let victim = meta::name(&pods(&state, "fittrack-blue", "blue")[0]).to_string();
    Scripted::set(&rt.unlive, &victim, true);
    eventually("killed with 137", || {
        let p = state.store.get("pods", "fittrack-blue", &victim).unwrap();
        let c = &p["status"]["containerStatuses"][0];
        c["restartCount"].as_i64().unwrap_or(0) >= 1
            && c["lastState"]["terminated"]["exitCode"] == 137
    })
    .await;
    let (events, _) = state.store.list("events", Some("fittrack-blue"), None);
    let about = |reason: &str, text: &str| {
        events.iter().any(|e| {
            e["reason"] == reason
                && e["involvedObject"]["name"] == victim.as_str()
                && e["message"].as_str().unwrap_or("").contains(text)
        })
    };
    assert!(about(
        "Unhealthy",
        "Liveness probe failed: Get \"http://10.244."
    ));
    assert!(about("Killing", "failed liveness probe, will be restarted"));
    state.shutdown.cancel();
}

#[tokio::test]
async fn terminating_pods_keep_serving_but_leave_ready_endpoints() {
    let slow_exit = Tuning {
        termination_ms: 3_000,
        ..tuning()
    };
    let (state, _) = start_tuned("fittrack", slow_exit);
    eventually("blue settled", || settled(&state, "fittrack-blue", 3)).await;
    let victim = meta::name(&pods(&state, "fittrack-blue", "blue")[0]).to_string();
    replicasets::delete_pod(&state_ctx(&state), "fittrack-blue", &victim);
    eventually("victim terminating but serving", || {
        let (slices, _) = state
            .store
            .list("endpointslices", Some("fittrack-blue"), None);
        slices
            .iter()
            .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
            .any(|e| {
                e["targetRef"]["name"] == victim.as_str()
                    && e["conditions"]
                        == json!({"ready": false, "serving": true, "terminating": true})
            })
    })
    .await;
    state.shutdown.cancel();
}

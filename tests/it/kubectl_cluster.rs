//! Integration tests (SIM-CLUSTER) with the real `kubectl` (skipped with a notice when it
//! is absent): scaling, rollouts and rollbacks, EndpointSlices, and the guide's selector patch.

use crate::support::{eventually, have_kubectl, kubectl_in, lb_version, ok_stdout, sim, sim_with};
use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Runs `kubectl <args>` (split on whitespace) as admin and returns stdout, failing on error.
fn k(home: &Path, sim: &SimHandle, args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    ok_stdout(&kubectl_in(home, sim, "sim", &args))
}

/// `kubectl ... -o json`, parsed.
fn k_json(home: &Path, sim: &SimHandle, args: &str) -> Value {
    serde_json::from_str(&k(home, sim, &format!("{args} -o json"))).expect("kubectl JSON")
}

/// Names of the Running, ready, non-terminating pods matching `selector` in `ns`.
fn running_pods(home: &Path, sim: &SimHandle, ns: &str, selector: &str) -> Vec<String> {
    let list = k_json(home, sim, &format!("get pods -n {ns} -l {selector}"));
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p["status"]["phase"] == "Running" && p["metadata"]["deletionTimestamp"].is_null()
        })
        .filter(|p| {
            p["status"]["conditions"].as_array().is_some_and(|cs| {
                cs.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
        .collect()
}

async fn wait_running(
    home: &Path,
    sim: &SimHandle,
    ns: &str,
    selector: &str,
    n: usize,
) -> Vec<String> {
    eventually(&format!("{n} running pods in {ns}"), WAIT, || async move {
        let pods = running_pods(home, sim, ns, selector);
        (pods.len() == n).then_some(pods)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_scale_to_five_gives_five_running_pods() {
    if !have_kubectl("kubectl_scale_to_five_gives_five_running_pods") {
        return;
    }
    let sim = sim();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    wait_running(home, &sim, "fittrack-green", "app=fittrack", 3).await;
    let out = k(
        home,
        &sim,
        "scale deployment fittrack -n fittrack-green --replicas=5",
    );
    assert!(out.contains("scaled"), "{out}");
    let pods = wait_running(home, &sim, "fittrack-green", "app=fittrack", 5).await;
    assert!(pods.iter().all(|p| p.starts_with("fittrack-")));
    // The table view agrees.
    let table = k(home, &sim, "get pods -n fittrack-green --no-headers");
    assert_eq!(
        table.lines().filter(|l| l.contains("Running")).count(),
        5,
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_endpointslices_lists_ready_pod_ips() {
    if !have_kubectl("kubectl_get_endpointslices_lists_ready_pod_ips") {
        return;
    }
    let sim = sim();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let pods = wait_running(home, &sim, "fittrack-blue", "app=fittrack", 3).await;
    let s = &sim;
    let slices = eventually("slice with 3 ready endpoints", WAIT, || async move {
        let v = k_json(
            home,
            s,
            "get endpointslices -n fittrack-blue -l kubernetes.io/service-name=fittrack-blue",
        );
        let eps = v["items"][0]["endpoints"].as_array()?;
        (eps.len() == 3 && eps.iter().all(|e| e["conditions"]["ready"] == true)).then_some(v)
    })
    .await;
    let targets: Vec<&str> = slices["items"][0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["targetRef"]["name"].as_str())
        .collect();
    for p in &pods {
        assert!(
            targets.contains(&p.as_str()),
            "{p} missing from {targets:?}"
        );
    }
    let table = k(home, &sim, "get endpointslices -n fittrack-blue");
    let row = table
        .lines()
        .find(|l| l.starts_with("fittrack-blue-"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains("IPv4") && row.contains("8000") && row.contains("10.244."),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_set_image_rollout_status_and_undo() {
    if !have_kubectl("kubectl_set_image_rollout_status_and_undo") {
        return;
    }
    let sim = sim();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let ns = "-n fittrack-green";
    wait_running(home, &sim, "fittrack-green", "app=fittrack", 3).await;
    k(
        home,
        &sim,
        &format!("set image deployment/fittrack api=fittrack/api:v2.0.1 {ns}"),
    );
    let status = format!("rollout status deployment/fittrack {ns} --timeout=60s");
    let out = k(home, &sim, &status);
    assert!(out.contains("successfully rolled out"), "{out}");
    let images = k(
        home,
        &sim,
        &format!(
            "get pods {ns} -l app=fittrack -o jsonpath={{.items[*].spec.containers[0].image}}"
        ),
    );
    assert!(
        images
            .split_whitespace()
            .any(|i| i == "fittrack/api:v2.0.1"),
        "{images}"
    );
    // Rolling back reuses the first ReplicaSet under the next revision.
    k(
        home,
        &sim,
        &format!("rollout undo deployment/fittrack {ns}"),
    );
    let out = k(home, &sim, &status);
    assert!(out.contains("successfully rolled out"), "{out}");
    let sets = k_json(home, &sim, &format!("get rs {ns}"));
    let sets = sets["items"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "no third ReplicaSet after undo");
    let live = sets
        .iter()
        .find(|s| s["spec"]["replicas"] == 3)
        .expect("one set at 3");
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"][0]["image"],
        "fittrack/api:v2.0.0"
    );
    assert_eq!(
        live["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_guide_selector_patch_moves_traffic() {
    if !have_kubectl("kubectl_guide_selector_patch_moves_traffic") {
        return;
    }
    let sim = sim_with(SimOptions {
        scenario: "fittrack-single-ns".into(),
        tuning: Tuning::fast(),
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    wait_running(home, &sim, "fittrack", "app=fittrack,deployment=green", 3).await;
    let s = &sim;
    eventually("LB serves blue", WAIT, || async move {
        (lb_version(s).await.as_deref() == Some("v1.9.3")).then_some(())
    })
    .await;
    // The guide's command, verbatim.
    let out = k(
        home,
        &sim,
        r#"patch service fittrack-lb -n fittrack -p {"spec":{"selector":{"deployment":"green"}}}"#,
    );
    assert!(out.contains("patched"), "{out}");
    eventually("LB serves green", WAIT, || async move {
        (lb_version(s).await.as_deref() == Some("v2.0.0")).then_some(())
    })
    .await;
}

//! End to end through the real binary: `cutover switch --to green --yes` and
//! `cutover rollback --yes` against the simulator, checked with kubectl (kube-rs without
//! it); a failed gate exits 2 and leaves the router alone.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use cutover::config::demo::{scenario_toml, to_toml};
use kube_sim::SimHandle;
use serde_json::Value;

use super::rig;
use crate::support::{self, explain};

/// Runs the built binary with the simulator's kubeconfig, `config`, and the journal under
/// `state` (`XDG_STATE_HOME`).
fn cutover(sim: &SimHandle, config: &Path, state: &Path, args: &[&str]) -> Output {
    support::run_cutover(sim, config, state, args, "")
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

/// The HTTPRoute's (blue, green) weights and switch id, with kubectl when it is there.
fn weights(sim: &SimHandle) -> (Value, Value, Value) {
    let route: Value = if support::have_kubectl("traffic::headless weights") {
        let out = support::kubectl(
            sim,
            "sim",
            &[
                "get",
                "httproute",
                "-n",
                "fittrack",
                "fittrack",
                "-o",
                "json",
            ],
        );
        serde_json::from_str(&support::ok_stdout(&out)).expect("kubectl JSON")
    } else {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let client = sim.client("sim").await;
            let ar = cutover::cluster::router::api_resource(
                cutover::config::schema::RouterKind::Httproute,
            );
            let api: kube::Api<kube::api::DynamicObject> =
                kube::Api::namespaced_with(client, "fittrack", &ar);
            serde_json::to_value(api.get("fittrack").await.expect("route")).unwrap()
        })
    };
    let refs = &route["spec"]["rules"][0]["backendRefs"];
    (
        refs[0]["weight"].clone(),
        refs[1]["weight"].clone(),
        route["metadata"]["annotations"]["cutover.dev/switch-id"].clone(),
    )
}

/// Waits until every pod of both colors is ready.
async fn wait_all_ready(sim: &SimHandle) {
    use k8s_openapi::api::core::v1::Pod;
    let client = sim.client("sim").await;
    for ns in ["fittrack-blue", "fittrack-green"] {
        let pods: kube::Api<Pod> = kube::Api::namespaced(client.clone(), ns);
        support::eventually(ns, std::time::Duration::from_secs(20), || {
            let pods = pods.clone();
            async move {
                let list = pods.list(&Default::default()).await.ok()?;
                let ready = |p: &Pod| {
                    p.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|cs| {
                            cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                        })
                };
                (list.items.len() >= 3 && list.items.iter().all(ready)).then_some(())
            }
        })
        .await;
    }
}

#[test]
fn switch_and_rollback_through_the_binary_and_a_failed_gate() {
    let sim = rig::sim("fittrack", false);
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let demo = dir.path().join("demo.toml");
    std::fs::write(&demo, scenario_toml("fittrack", Some(&sim.lb_url))).unwrap();
    // The smoke gate is not this test's business (another executor runs smoke tests).
    let no_smoke = dir.path().join("no-smoke.toml");
    std::fs::write(&no_smoke, to_toml(&rig::config(&sim, "fittrack"))).unwrap();

    // Both colors serve before the first command (the gates judge ready pods).
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(wait_all_ready(&sim));

    // The demo configuration requires a passed smoke test of green: a gate fails.
    let out = cutover(&sim, &demo, &state, &["switch", "--to", "green", "--yes"]);
    assert_eq!(code(&out), Some(2), "{}", explain(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("smoke"),
        "{}",
        explain(&out)
    );
    assert_eq!(weights(&sim).0, 100);

    let out = cutover(
        &sim,
        &no_smoke,
        &state,
        &["switch", "--to", "green", "--yes"],
    );
    assert_eq!(code(&out), Some(0), "{}", explain(&out));
    let (blue, green, id) = weights(&sim);
    assert_eq!((blue, green), (0.into(), 100.into()));
    assert!(id.as_str().is_some_and(|s| !s.is_empty()), "{id}");

    // A rollback needs no smoke test, even with the demo configuration.
    let out = cutover(
        &sim,
        &demo,
        &state,
        &["rollback", "--yes", "--reason", "e2e"],
    );
    assert_eq!(code(&out), Some(0), "{}", explain(&out));
    let (blue, green, back) = weights(&sim);
    assert_eq!((blue, green), (100.into(), 0.into()));
    assert_ne!(back, id);

    let journal = state.join("cutover").join("journal.jsonl");
    let mode = std::fs::metadata(&journal)
        .expect("journal")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&journal).unwrap();
    let ids: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    assert!(ids.contains(&id) && ids.contains(&back), "{text}");
}

/// `read_only = true` in the configuration refuses a switch whatever the command line says:
/// exit 1 with the reason, the router untouched.
#[test]
fn a_read_only_configuration_refuses_a_switch() {
    let sim = rig::sim("fittrack", false);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = rig::config(&sim, "fittrack");
    config.read_only = true;
    let path = dir.path().join("read-only.toml");
    std::fs::write(&path, to_toml(&config)).unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("read_only = true"),
        "the key is written as a user would"
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(wait_all_ready(&sim));
    let state = dir.path().join("state");
    let out = cutover(&sim, &path, &state, &["switch", "--to", "green", "--yes"]);
    assert_eq!(code(&out), Some(1), "{}", explain(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("read-only"),
        "{}",
        explain(&out)
    );
    assert_eq!(weights(&sim).0, 100, "blue keeps the traffic");
}

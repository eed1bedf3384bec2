//! Integration tests (LIFECYCLE): the release's other steps through the real binary against
//! the simulator — an image-mode deploy rolls the standby color to a new version; a tag that
//! cannot be pulled ends in a failed deploy with the reason and nothing switched.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use cutover::config::demo::{demo_config, to_toml};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube_sim::SimHandle;
use serde_json::Value;

use crate::support;

/// Runs the built binary with the simulator's kubeconfig, `config`, and the journal under
/// `dir/state`.
fn cutover(sim: &SimHandle, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .args(args)
        .arg("--kubeconfig")
        .arg(&sim.kubeconfig_path)
        .args(["--context", "sim", "--config"])
        .arg(dir.join("cutover.toml"))
        .stdin(Stdio::null())
        .output()
        .expect("cutover runs")
}

fn explain(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo configuration with a rollout timeout short enough for a test.
fn write_config(dir: &Path) {
    let mut config = demo_config("fittrack", None);
    config
        .deploy
        .as_mut()
        .expect("the demo deploys in image mode")
        .rollout_timeout_secs = 30.0;
    std::fs::write(dir.join("cutover.toml"), to_toml(&config)).unwrap();
}

/// The image tags of GREEN's pods that are not terminating, with whether each is ready.
async fn green_pods(sim: &SimHandle) -> Vec<(String, bool)> {
    let pods: Api<Pod> = Api::namespaced(sim.client("sim").await, "fittrack-green");
    let list = pods.list(&ListParams::default()).await.expect("pods");
    list.items
        .iter()
        .map(cutover::cluster::convert::pod_summary)
        .filter(|p| !p.terminating)
        .map(|p| {
            let image = p.containers.first().map(|c| c.image.clone());
            (image.unwrap_or_default(), p.is_ready())
        })
        .collect()
}

/// Waits until GREEN has 3 ready pods.
async fn green_ready(sim: &SimHandle) {
    support::eventually("3 ready GREEN pods", Duration::from_secs(60), || async {
        let pods = green_pods(sim).await;
        (pods.iter().filter(|(_, r)| *r).count() == 3).then_some(())
    })
    .await;
}

/// The HTTPRoute's (blue, green) weights.
async fn weights(sim: &SimHandle) -> (Value, Value) {
    let ar = cutover::cluster::router::api_resource(cutover::config::schema::RouterKind::Httproute);
    let api: Api<kube::api::DynamicObject> =
        Api::namespaced_with(sim.client("sim").await, "fittrack", &ar);
    let route = serde_json::to_value(api.get("fittrack").await.expect("route")).unwrap();
    let refs = &route["spec"]["rules"][0]["backendRefs"];
    (refs[0]["weight"].clone(), refs[1]["weight"].clone())
}

/// The local journal's outcomes: (kind, result, summary).
fn outcomes(dir: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("state/cutover/journal.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "outcome")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("result"), s("summary"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_mode_deploy_rolls_green_to_the_version_and_a_pullfail_tag_fails_with_the_reason() {
    let sim = support::sim();
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path());
    green_ready(&sim).await;
    let before = weights(&sim).await;

    let path = dir.path().to_path_buf();
    let out = tokio::task::block_in_place(|| {
        cutover(&sim, &path, &["deploy", "--version", "v2.0.1", "--yes"])
    });
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let pods = green_pods(&sim).await;
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(
        pods.iter()
            .all(|(image, ready)| image.ends_with(":v2.0.1") && *ready),
        "every GREEN pod runs v2.0.1: {pods:?}"
    );
    assert_eq!(weights(&sim).await, before, "a deploy switches nothing");

    let out = tokio::task::block_in_place(|| {
        cutover(
            &sim,
            &path,
            &["deploy", "--version", "v2.0.2-pullfail", "--yes"],
        )
    });
    assert_ne!(out.status.code(), Some(0), "{}", explain(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ImagePullBackOff")
            || stderr.contains("ErrImagePull")
            || stderr.contains("ProgressDeadlineExceeded"),
        "{}",
        explain(&out)
    );
    assert_eq!(weights(&sim).await, before, "nothing switched");

    let deploys: Vec<_> = outcomes(&path)
        .into_iter()
        .filter(|(kind, ..)| kind == "deploy")
        .collect();
    assert_eq!(deploys.len(), 2, "{deploys:?}");
    assert_eq!(deploys[0].1, "succeeded", "{deploys:?}");
    assert_eq!(deploys[1].1, "failed", "{deploys:?}");
    assert!(deploys[1].2.contains("Pull"), "{deploys:?}");
}

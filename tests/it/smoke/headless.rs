//! `cutover smoke --color green`, the real binary against the simulator: exit 0 on a
//! healthy color; non-zero, naming the failing check, when GREEN answers 5xx.

use std::path::Path;
use std::process::Output;

use cutover::config::demo::scenario_toml;
use serde_json::json;

use super::rig::sim;
use crate::support;

/// Runs `cutover smoke --color green` with its own state directory (the journal).
async fn cutover_smoke(sim: &kube_sim::SimHandle, dir: &Path) -> Output {
    let config = dir.join("cutover.toml");
    std::fs::write(&config, scenario_toml("fittrack", None)).unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["smoke", "--color", "green", "--context", "sim"])
        .arg("--config")
        .arg(&config)
        .arg("--kubeconfig")
        .arg(&sim.kubeconfig_path)
        .env("XDG_STATE_HOME", dir.join("state"))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("cutover runs")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_smoke_passes_a_healthy_color_and_fails_naming_the_check() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let ok = cutover_smoke(&sim, dir.path()).await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(
        stderr.contains("✔ POST /api/workouts → fittrack-"),
        "{}",
        text(&ok)
    );

    let fault = json!({"target": {"namespace": "fittrack-green"}, "error_rate": 1.0});
    support::fault(&sim, fault).await;
    let failed = cutover_smoke(&sim, dir.path()).await;
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("FAILED"), "{}", text(&failed));
    assert!(
        stderr.contains("GET /api/workouts → 500 (expected 200)"),
        "{}",
        text(&failed)
    );

    // Both outcomes are in the local journal.
    let journal = dir.path().join("state/cutover/journal.jsonl");
    let results: Vec<String> = std::fs::read_to_string(&journal)
        .expect("the journal was written")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "smoke" && e["stage"] == "outcome")
        .map(|e| e["result"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(results, ["succeeded", "failed"]);
}

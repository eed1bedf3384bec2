//! `--prometheus-sd PATH`: keeps a Prometheus file_sd JSON file listing every running pod's
//! metrics target — all on the one app listener, told apart by `__metrics_path__`.

use super::meta::name;
use crate::apps::pod_path;
use crate::state::SimState;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file_sd target groups for `pods`, served by the app listener at `addr`.
pub fn targets(pods: &[Value], addr: SocketAddr) -> Value {
    let groups: Vec<Value> = pods
        .iter()
        .filter(|p| {
            p.pointer("/status/containerStatuses/0/state/running")
                .is_some()
        })
        .map(|p| {
            let ns = p["metadata"]["namespace"].as_str().unwrap_or("");
            let color = p["metadata"]["labels"]["deployment"].as_str().unwrap_or("");
            json!({
                "targets": [addr.to_string()],
                "labels": {
                    "__metrics_path__": pod_path(ns, name(p), "/metrics"),
                    "namespace": ns, "pod": name(p), "color": color,
                },
            })
        })
        .collect();
    json!(groups)
}

/// Writes `content` to `path` atomically (a temp file renamed over it).
fn write_atomic(path: &Path, content: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content)?;
    std::fs::rename(&tmp, path)
}

/// Keeps `path` up to date until shutdown: rewritten at most every 500 ms after pod changes,
/// only when its content changes.
pub fn spawn(state: &SimState, path: PathBuf) {
    let apps = state.apps.clone();
    let store = state.store.clone();
    let shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        let mut rx = store.subscribe();
        let mut last = String::new();
        loop {
            if let Some(addr) = apps.addr() {
                let content = targets(&store.list("pods", None, None).0, addr).to_string();
                if content != last {
                    if let Err(e) = write_atomic(&path, &content) {
                        tracing::warn!("prometheus-sd {}: {e}", path.display());
                    }
                    last = content;
                }
            }
            // Wait for a pod change (or a lag, or the app listener to come up).
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(5)) => break,
                    c = rx.recv() => match c {
                        Ok(c) if c.resource != "pods" => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                        _ => break,
                    },
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            while rx.try_recv().is_ok() {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_running_pods_with_their_metrics_path() {
        let running = json!({"metadata": {"name": "p1", "namespace": "fittrack-blue",
                                          "labels": {"deployment": "blue"}},
                             "status": {"containerStatuses": [{"state": {"running": {}}}]}});
        let pending = json!({"metadata": {"name": "p2", "namespace": "fittrack-blue"},
                             "status": {"containerStatuses": [{"state": {"waiting": {}}}]}});
        let addr: SocketAddr = "127.0.0.1:7000".parse().unwrap();
        let t = targets(&[running, pending], addr);
        assert_eq!(t.as_array().unwrap().len(), 1);
        assert_eq!(t[0]["targets"][0], "127.0.0.1:7000");
        assert_eq!(
            t[0]["labels"]["__metrics_path__"],
            "/pods/fittrack-blue/p1/metrics"
        );
        assert_eq!(t[0]["labels"]["color"], "blue");
        assert_eq!(t[0]["labels"]["pod"], "p1");
    }

    #[test]
    fn atomic_write_replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sd.json");
        write_atomic(&p, "[1]").unwrap();
        write_atomic(&p, "[2]").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "[2]");
    }
}

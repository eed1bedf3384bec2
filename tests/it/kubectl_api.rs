//! SIM-API: the real kubectl against the simulator (skipped with a notice when absent).

use crate::support::{self, kubectl, kubectl_in, ok_stdout};
use kube_sim::SimHandle;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A simulator with namespace `t`, Service `web` and Pod `p1` (made in-process).
fn seeded() -> SimHandle {
    let sim = support::empty_sim();
    let store = &sim.state.store;
    store
        .create(
            "namespaces",
            "",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t"}}),
        )
        .unwrap();
    store.create("services", "t", json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.9", "selector": {"app": "web", "deployment": "blue"},
                 "ports": [{"port": 8000, "protocol": "TCP", "targetPort": 8000}]}})).unwrap();
    store.create("pods", "t", pod("p1")).unwrap();
    store.create("events", "t", json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "p1.1"},
        "involvedObject": {"kind": "Pod", "name": "p1", "namespace": "t"}, "reason": "Started",
        "message": "Started container app", "type": "Normal", "lastTimestamp": kube_sim::store::now_rfc3339()})).unwrap();
    sim
}

fn pod(name: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "web:1"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 2,
            "image": "web:1", "imageID": "", "started": true, "state": {"running": {}}}]}})
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn get_pods_table_svc_yaml_and_events() {
    if !support::have_kubectl("get_pods_table_svc_yaml_and_events") {
        return;
    }
    let sim = seeded();
    let pods = ok_stdout(&kubectl(&sim, "sim", &["get", "pods", "-n", "t"]));
    let header: Vec<&str> = pods.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{pods}"
    );
    let row: Vec<&str> = pods.lines().nth(1).unwrap().split_whitespace().collect();
    // The simulated kubelet owns the pod's status from here on; the row shape is what matters.
    assert_eq!(row.len(), 5, "{pods}");
    assert_eq!(row[0], "p1");
    assert!(
        row[1].contains('/') && row[3].parse::<u32>().is_ok(),
        "{pods}"
    );

    let yaml = ok_stdout(&kubectl(
        &sim,
        "sim",
        &["get", "svc", "web", "-n", "t", "-o", "yaml"],
    ));
    let svc: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(svc["kind"].as_str(), Some("Service"));
    assert_eq!(svc["spec"]["selector"]["deployment"].as_str(), Some("blue"));

    let events = ok_stdout(&kubectl(&sim, "sim", &["get", "events", "-A"]));
    assert!(
        events.lines().next().unwrap().starts_with("NAMESPACE"),
        "{events}"
    );
    assert!(
        events.contains("pod/p1") && events.contains("Started container app"),
        "{events}"
    );
}

#[test]
fn patch_strategic_json_and_annotate() {
    if !support::have_kubectl("patch_strategic_json_and_annotate") {
        return;
    }
    let sim = seeded();
    let home = tempfile::tempdir().unwrap();
    let k = |args: &[&str]| kubectl_in(home.path(), &sim, "sim", args);
    let get_sel =
        || sim.state.store.get("services", "t", "web").unwrap()["spec"]["selector"].clone();

    ok_stdout(&k(&[
        "patch",
        "service",
        "web",
        "-n",
        "t",
        "-p",
        r#"{"spec":{"selector":{"deployment":"green"}}}"#,
    ]));
    assert_eq!(
        get_sel(),
        json!({"app": "web", "deployment": "green"}),
        "strategic merge keeps app"
    );

    let swap = r#"[{"op":"test","path":"/spec/selector/deployment","value":"green"},{"op":"replace","path":"/spec/selector/deployment","value":"blue"}]"#;
    ok_stdout(&k(&[
        "patch",
        "service",
        "web",
        "-n",
        "t",
        "--type=json",
        "-p",
        swap,
    ]));
    assert_eq!(get_sel()["deployment"], "blue");
    let refused = k(&[
        "patch",
        "service",
        "web",
        "-n",
        "t",
        "--type=json",
        "-p",
        swap,
    ]);
    assert!(!refused.status.success(), "a failing test op is refused");
    assert!(
        stderr(&refused).contains("Invalid") || stderr(&refused).contains("invalid"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(get_sel()["deployment"], "blue");

    ok_stdout(&k(&[
        "annotate",
        "service",
        "web",
        "-n",
        "t",
        "cutover.io/note=one",
    ]));
    let again = k(&[
        "annotate",
        "service",
        "web",
        "-n",
        "t",
        "cutover.io/note=two",
    ]);
    assert!(
        !again.status.success(),
        "annotate without --overwrite refuses to replace"
    );
    ok_stdout(&k(&[
        "annotate",
        "service",
        "web",
        "-n",
        "t",
        "cutover.io/note=two",
        "--overwrite",
    ]));
    let svc = sim.state.store.get("services", "t", "web").unwrap();
    assert_eq!(svc["metadata"]["annotations"]["cutover.io/note"], "two");
}

#[test]
fn auth_can_i_and_viewer_forbidden() {
    if !support::have_kubectl("auth_can_i_and_viewer_forbidden") {
        return;
    }
    let sim = seeded();
    let yes = kubectl(
        &sim,
        "sim",
        &["auth", "can-i", "patch", "services", "-n", "t"],
    );
    assert_eq!(
        String::from_utf8_lossy(&yes.stdout).trim(),
        "yes",
        "{}",
        stderr(&yes)
    );
    let no = kubectl(
        &sim,
        "sim-viewer",
        &["auth", "can-i", "patch", "services", "-n", "t"],
    );
    assert_eq!(String::from_utf8_lossy(&no.stdout).trim(), "no");
    let who = ok_stdout(&kubectl(&sim, "sim-alice", &["auth", "whoami"]));
    assert!(who.contains("alice"), "{who}");
    let denied = kubectl(
        &sim,
        "sim-viewer",
        &[
            "patch",
            "service",
            "web",
            "-n",
            "t",
            "-p",
            r#"{"spec":{"selector":{"deployment":"green"}}}"#,
        ],
    );
    assert!(!denied.status.success());
    assert!(stderr(&denied).contains("Forbidden"), "{}", stderr(&denied));
    assert_eq!(
        sim.state.store.get("services", "t", "web").unwrap()["spec"]["selector"]["deployment"],
        "blue"
    );
}

#[test]
fn get_pods_watch_prints_a_change() {
    if !support::have_kubectl("get_pods_watch_prints_a_change") {
        return;
    }
    let sim = seeded();
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new("kubectl")
        .env("HOME", home.path())
        .env("KUBECONFIG", &sim.kubeconfig_path)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .args(["--context", "sim", "get", "pods", "-n", "t", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    let mut created = false;
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line);
        }
        // Once the initial listing is printed, make a change meanwhile.
        if !created && seen.iter().any(|l| l.starts_with("p1")) {
            sim.state.store.create("pods", "t", pod("p2")).unwrap();
            created = true;
        }
        if seen.iter().any(|l| l.starts_with("p2")) {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        seen.iter().any(|l| l.starts_with("p2")),
        "watch output: {seen:?}"
    );
    assert!(seen[0].starts_with("NAME"), "{seen:?}");
}

#[test]
fn apply_client_and_server_side_then_delete() {
    if !support::have_kubectl("apply_client_and_server_side_then_delete") {
        return;
    }
    let sim = seeded();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cm.yaml");
    let manifest = |v: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: t\ndata:\n  v: {v}\n")
    };
    let path = file.to_str().unwrap();
    let home = tempfile::tempdir().unwrap();
    let k = |args: &[&str]| kubectl_in(home.path(), &sim, "sim", args);
    std::fs::write(&file, manifest("one")).unwrap();
    assert!(ok_stdout(&k(&["apply", "-f", path])).contains("created"));
    std::fs::write(&file, manifest("two")).unwrap();
    assert!(ok_stdout(&k(&["apply", "-f", path])).contains("configured"));
    assert_eq!(
        sim.state.store.get("configmaps", "t", "cfg").unwrap()["data"]["v"],
        "two"
    );
    std::fs::write(&file, manifest("three")).unwrap();
    ok_stdout(&k(&[
        "apply",
        "--server-side",
        "--force-conflicts",
        "-f",
        path,
    ]));
    assert_eq!(
        sim.state.store.get("configmaps", "t", "cfg").unwrap()["data"]["v"],
        "three"
    );
    ok_stdout(&k(&["delete", "-f", path]));
    assert!(sim.state.store.get("configmaps", "t", "cfg").is_none());
}

#[test]
fn server_dry_run_writes_nothing_and_generators_create() {
    if !support::have_kubectl("server_dry_run_writes_nothing_and_generators_create") {
        return;
    }
    let sim = seeded();
    let home = tempfile::tempdir().unwrap();
    let k = |args: &[&str]| kubectl_in(home.path(), &sim, "sim", args);
    // kubectl's generators post protobuf; namespaces and configmaps are understood.
    ok_stdout(&k(&["create", "namespace", "extra"]));
    ok_stdout(&k(&[
        "create",
        "configmap",
        "cfg",
        "-n",
        "extra",
        "--from-literal=k=v",
    ]));
    let cm = sim.state.store.get("configmaps", "extra", "cfg").unwrap();
    assert_eq!(cm["data"]["k"], "v");

    let patched = ok_stdout(&k(&[
        "patch",
        "service",
        "web",
        "-n",
        "t",
        "--dry-run=server",
        "-o",
        "yaml",
        "-p",
        r#"{"spec":{"selector":{"deployment":"green"}}}"#,
    ]));
    assert!(
        patched.contains("deployment: green"),
        "the answer shows the result: {patched}"
    );
    ok_stdout(&k(&[
        "create",
        "configmap",
        "dry",
        "-n",
        "t",
        "--dry-run=server",
    ]));
    ok_stdout(&k(&[
        "delete",
        "service",
        "web",
        "-n",
        "t",
        "--dry-run=server",
    ]));
    let exists = k(&[
        "create",
        "configmap",
        "cfg",
        "-n",
        "extra",
        "--dry-run=server",
    ]);
    assert!(
        String::from_utf8_lossy(&exists.stderr).contains("already exists"),
        "{}",
        stderr(&exists)
    );
    assert!(
        sim.state.store.get("configmaps", "t", "dry").is_none(),
        "dry create stored nothing"
    );
    let svc = sim.state.store.get("services", "t", "web").unwrap();
    assert_eq!(svc["spec"]["selector"]["deployment"], "blue");
}

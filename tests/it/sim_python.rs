//! SIM-API: the official Python client (`kubernetes` from PyPI) against the HTTPS simulator,
//! through its kubeconfig. `.ci/run` installs it into `target/pyenv` and points
//! `CUTOVER_TEST_PYTHON` at the interpreter; without it the tests print a NOTICE and return.

use crate::support;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The Python interpreter with the `kubernetes` module, or None (after a NOTICE).
fn python(test: &str) -> Option<PathBuf> {
    let python = std::env::var_os("CUTOVER_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python")
        });
    let ok = Command::new(&python)
        .args(["-c", "import kubernetes"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "NOTICE: no Python with the kubernetes client at {} (run .ci/run or set CUTOVER_TEST_PYTHON); skipping {test}",
            python.display()
        );
        return None;
    }
    Some(python)
}

/// Runs `script` with `python` against the simulator's kubeconfig; its last stdout line is
/// JSON. Fails the test with the script's output when it exits non-zero.
fn run(python: &PathBuf, sim: &kube_sim::SimHandle, script: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script.py");
    std::fs::write(&path, script).unwrap();
    let out = Command::new(python)
        .arg(&path)
        .arg(&sim.kubeconfig_path)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env("HOME", dir.path())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python failed ({}):\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or("")).expect("JSON on the last line")
}

/// ConfigMaps: create (the client sends POST and PUT without a Content-Type), conflict,
/// read, replace, strategic and JSON patches, list by label, delete, then a watch from the
/// version before all that.
const CONFIGMAPS: &str = r#"import json, sys
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1], context="sim")
v1 = client.CoreV1Api()
ns = "default"
out = {}

start = v1.list_namespaced_config_map(ns)
rv = start.metadata.resource_version
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py", labels={"app": "py"}), data={"k": "1"})
made = v1.create_namespaced_config_map(ns, cm)
assert made.metadata.uid, made
try:
    v1.create_namespaced_config_map(ns, cm)
    raise SystemExit("a second create succeeded")
except ApiException as e:
    assert e.status == 409, e
    out["conflict_reason"] = json.loads(e.body)["reason"]
got = v1.read_namespaced_config_map("py", ns)
got.data["k"] = "2"
replaced = v1.replace_namespaced_config_map("py", ns, got)
assert replaced.data["k"] == "2", replaced
patched = v1.patch_namespaced_config_map("py", ns, {"data": {"extra": "x"}})
assert patched.data == {"k": "2", "extra": "x"}, patched.data
jp = v1.patch_namespaced_config_map("py", ns, [{"op": "replace", "path": "/data/k", "value": "3"}])
assert jp.data["k"] == "3", jp.data
listed = v1.list_namespaced_config_map(ns, label_selector="app=py")
out["listed"] = [c.metadata.name for c in listed.items]
status = v1.delete_namespaced_config_map("py", ns)
out["delete_status"] = [status.get("kind"), status.get("status")]
try:
    v1.read_namespaced_config_map("py", ns)
    raise SystemExit("read after delete succeeded")
except ApiException as e:
    assert e.status == 404, e

events = []
for ev in watch.Watch().stream(v1.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=2):
    events.append([ev["type"], ev["object"].metadata.name, (ev["object"].data or {}).get("k")])
out["events"] = events
print(json.dumps(out))
"#;

/// A Deployment: create, scale subresource, replace (retried on conflicts, as the controllers
/// write its status meanwhile), a stale replace, list, delete.
const DEPLOYMENT: &str = r#"import json, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1], context="sim")
apps = client.AppsV1Api()
ns = "default"
out = {}
body = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "app", "image": "fittrack/api:v1"}]}}},
}
made = apps.create_namespaced_deployment(ns, body)
out["generation"] = made.metadata.generation
scaled = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 2}})
out["scale"] = scaled.spec.replicas
# The controllers write the status meanwhile: read-modify-replace until no conflict, as
# against a real cluster.
for attempt in range(20):
    got = apps.read_namespaced_deployment("web", ns)
    assert got.spec.replicas == 2, got.spec
    got.spec.template.spec.containers[0].image = "fittrack/api:v2"
    try:
        replaced = apps.replace_namespaced_deployment("web", ns, got)
        break
    except ApiException as e:
        if e.status != 409:
            raise
out["image"] = replaced.spec.template.spec.containers[0].image
out["generation_after"] = replaced.metadata.generation
stale = got
stale.metadata.resource_version = made.metadata.resource_version
try:
    apps.replace_namespaced_deployment("web", ns, stale)
    raise SystemExit("a stale replace succeeded")
except ApiException as e:
    out["stale"] = [e.status, json.loads(e.body)["reason"]]
out["listed"] = [d.metadata.name for d in apps.list_namespaced_deployment(ns).items]
status = apps.delete_namespaced_deployment("web", ns)
out["deleted"] = [status.get("kind"), status.get("status")]
print(json.dumps(out))
"#;

/// Every pod of the cluster, two per page.
const PAGES: &str = r#"import json, sys
from kubernetes import client, config

config.load_kube_config(config_file=sys.argv[1], context="sim")
v1 = client.CoreV1Api()
names, pages, token, remaining = [], 0, None, []
while True:
    page = v1.list_pod_for_all_namespaces(limit=2, _continue=token)
    pages += 1
    names += [f"{p.metadata.namespace}/{p.metadata.name}" for p in page.items]
    remaining.append(page.metadata.remaining_item_count)
    token = page.metadata._continue
    if not token:
        break
print(json.dumps({"names": names, "pages": pages, "remaining": remaining}))
"#;

#[test]
fn python_client_configmaps_and_watch() {
    let Some(python) = python("python_client_configmaps_and_watch") else {
        return;
    };
    let sim = support::empty_sim();
    let out = run(&python, &sim, CONFIGMAPS);
    assert_eq!(out["conflict_reason"], "AlreadyExists");
    assert_eq!(out["listed"], serde_json::json!(["py"]));
    assert_eq!(
        out["delete_status"],
        serde_json::json!(["Status", "Success"])
    );
    let kinds: Vec<&str> = out["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[0].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"],
        "{out}"
    );
    assert!(sim.state.store.get("configmaps", "default", "py").is_none());
}

#[test]
fn python_client_deployment() {
    let Some(python) = python("python_client_deployment") else {
        return;
    };
    let sim = support::empty_sim();
    let out = run(&python, &sim, DEPLOYMENT);
    assert_eq!(out["generation"], 1);
    assert_eq!(out["scale"], 2);
    assert_eq!(out["image"], "fittrack/api:v2");
    assert_eq!(out["stale"], serde_json::json!([409, "Conflict"]));
    assert_eq!(out["listed"], serde_json::json!(["web"]));
    assert_eq!(out["deleted"], serde_json::json!(["Status", "Success"]));
}

#[test]
fn python_client_lists_pods_in_pages() {
    let Some(python) = python("python_client_lists_pods_in_pages") else {
        return;
    };
    let sim = support::sim();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut want: Vec<String> = rt.block_on(support::eventually(
        "six pods",
        std::time::Duration::from_secs(20),
        || async {
            let (pods, _) = sim.state.store.list("pods", None, None);
            (pods.len() == 6).then(|| {
                pods.iter()
                    .map(|p| {
                        format!(
                            "{}/{}",
                            p["metadata"]["namespace"].as_str().unwrap(),
                            p["metadata"]["name"].as_str().unwrap()
                        )
                    })
                    .collect::<Vec<_>>()
            })
        },
    ));
    want.sort();
    let out = run(&python, &sim, PAGES);
    let got: Vec<String> = out["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "every pod once, in key order");
    assert_eq!(out["pages"], 3);
    assert_eq!(out["remaining"], serde_json::json!([4, 2, null]));
}

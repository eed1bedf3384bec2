//! Shared test helpers (SIM-API owns; others may add small helpers at the end).
#![allow(dead_code)]

use kube_sim::cluster::Tuning;
use kube_sim::{SimHandle, SimOptions};
use serde_json::Value;
use std::future::Future;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Process-wide test setup: ring's rustls provider, no proxies (kube-rs would demand its
/// proxy feature even for 127.0.0.1).
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        for v in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            std::env::remove_var(v);
        }
    });
}

/// An HTTPS simulator with the `fittrack` scenario and fast tunings, on a free port.
pub fn sim() -> SimHandle {
    sim_with(SimOptions {
        tuning: Tuning::fast(),
        ..Default::default()
    })
}

/// An HTTPS simulator with nothing in it but the `default` and `kube-system` namespaces.
pub fn empty_sim() -> SimHandle {
    sim_with(SimOptions {
        scenario: "empty".into(),
        tuning: Tuning::fast(),
        ..Default::default()
    })
}

/// A simulator with explicit options.
pub fn sim_with(opts: SimOptions) -> SimHandle {
    init();
    kube_sim::start(opts).expect("simulator starts")
}

/// Whether the real kubectl is on PATH; prints a notice (test then returns early) when not.
pub fn have_kubectl(test: &str) -> bool {
    let ok = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("NOTICE: kubectl not on PATH; skipping {test}");
    }
    ok
}

/// Runs the real kubectl against the simulator with `--context`, a fresh HOME (its own
/// discovery cache) and no proxy variables.
pub fn kubectl(handle: &SimHandle, context: &str, args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp HOME");
    kubectl_in(home.path(), handle, context, args)
}

/// Like [`kubectl`], with a given HOME (to share a discovery cache between calls).
pub fn kubectl_in(home: &Path, handle: &SimHandle, context: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new("kubectl");
    cmd.env("HOME", home)
        .env("KUBECONFIG", &handle.kubeconfig_path)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .arg("--context")
        .arg(context)
        .arg("--request-timeout=20s")
        .args(args);
    cmd.output().expect("kubectl runs")
}

/// Stdout of a kubectl run as text, failing the test with stderr when it failed.
pub fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "kubectl failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Polls `check` until it returns Some or `timeout` passes (then panics with `what`).
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A plain HTTP client for the simulator's own endpoints (trusts its CA).
pub fn http_client(handle: &SimHandle) -> reqwest::Client {
    http_client_builder(handle).build().unwrap()
}

/// The builder of [`http_client`], to adjust it (e.g. `http1_only`).
pub fn http_client_builder(handle: &SimHandle) -> reqwest::ClientBuilder {
    init();
    let kc: Value =
        serde_yaml::from_str(&std::fs::read_to_string(&handle.kubeconfig_path).unwrap()).unwrap();
    let mut b = reqwest::Client::builder().no_proxy();
    if let Some(ca) = kc
        .pointer("/clusters/0/cluster/certificate-authority-data")
        .and_then(Value::as_str)
    {
        use base64::Engine;
        let pem = base64::engine::general_purpose::STANDARD
            .decode(ca)
            .unwrap();
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
    }
    b
}

/// The bearer token of a kubeconfig user.
pub fn token(handle: &SimHandle, user: &str) -> String {
    handle.state.auth.token_of(user).unwrap().to_string()
}

/// The admin's bearer token: what `/sim/v1/*` (faults, state, request log) requires.
pub fn admin_token(handle: &SimHandle) -> String {
    token(handle, "admin")
}

/// A GET of the simulator's own `/sim/v1/...` endpoint `path`, with the admin token.
pub fn sim_get(handle: &SimHandle, path: &str) -> reqwest::RequestBuilder {
    http_client(handle)
        .get(format!("{}{path}", handle.api_url))
        .bearer_auth(admin_token(handle))
}

/// POSTs an API or app fault to `/sim/v1/faults` (with the admin token) and checks it was
/// accepted.
pub async fn fault(handle: &SimHandle, body: Value) {
    let resp = http_client(handle)
        .post(format!("{}/sim/v1/faults", handle.api_url))
        .bearer_auth(admin_token(handle))
        .json(&body)
        .send()
        .await
        .expect("fault request");
    assert_eq!(
        resp.status().as_u16(),
        200,
        "fault {body} refused: {}",
        resp.text().await.unwrap_or_default()
    );
}

/// The simulator's recent request log (retried for a few seconds while a `down_ms` fault
/// keeps the server away).
pub async fn requests(handle: &SimHandle) -> Vec<Value> {
    let url = format!("{}/sim/v1/requests", handle.api_url);
    let http = http_client(handle);
    let token = admin_token(handle);
    eventually(
        "the request log answers",
        Duration::from_secs(10),
        || async {
            http.get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .ok()?
                .json::<Vec<Value>>()
                .await
                .ok()
        },
    )
    .await
}

/// The `X-App-Version` the simulated load balancer answers `/health/ready` with (SIM-CLUSTER).
pub async fn lb_version(handle: &SimHandle) -> Option<String> {
    let url = format!("{}/health/ready", handle.lb_url);
    let resp = http_client(handle).get(url).send().await.ok()?;
    resp.headers()
        .get("X-App-Version")?
        .to_str()
        .ok()
        .map(String::from)
}

/// Waits until the load balancer answers with `version` (30 s at most); when it first did.
pub async fn wait_lb(handle: &SimHandle, version: &str) -> Instant {
    eventually(
        &format!("LB serves {version}"),
        Duration::from_secs(30),
        || async move { (lb_version(handle).await.as_deref() == Some(version)).then(Instant::now) },
    )
    .await
}

/// Runs the built `cutover` binary against `sim` (context `sim`) with `config`, its state
/// (the journal) under `state`, and `typed` on standard input (a typed confirmation's answer).
pub fn run_cutover(
    sim: &SimHandle,
    config: &Path,
    state: &Path,
    args: &[&str],
    typed: &str,
) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .env("XDG_STATE_HOME", state)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .args(args)
        .arg("--kubeconfig")
        .arg(&sim.kubeconfig_path)
        .args(["--context", "sim", "--config"])
        .arg(config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cutover runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(typed.as_bytes()).expect("typed");
    drop(stdin);
    child.wait_with_output().expect("cutover ends")
}

/// A finished process's exit status and output, for an assertion's message.
pub fn explain(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

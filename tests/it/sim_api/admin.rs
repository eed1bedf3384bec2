//! The simulator's own endpoints (`/sim/v1/*`) need the admin token; a non-loopback listen
//! address needs `--allow-remote`.

use crate::support;
use serde_json::json;

/// (status, Status reason) of a request to `/sim/v1/...` with an optional bearer token.
async fn sim_call(
    sim: &kube_sim::SimHandle,
    post: bool,
    path: &str,
    token: Option<&str>,
) -> (u16, String) {
    let http = support::http_client(sim);
    let url = format!("{}{path}", sim.api_url);
    let mut req = if post {
        http.post(url).json(&json!({"latency_ms": 0}))
    } else {
        http.get(url)
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let code = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    (code, body["reason"].as_str().unwrap_or("").to_string())
}

#[tokio::test]
async fn sim_endpoints_need_the_admin_token_over_https() {
    let sim = support::empty_sim();
    let admin = support::token(&sim, "admin");
    let alice = support::token(&sim, "alice");
    for (post, path) in [
        (true, "/sim/v1/faults"),
        (false, "/sim/v1/state"),
        (false, "/sim/v1/requests"),
    ] {
        assert_eq!(
            sim_call(&sim, post, path, None).await,
            (401, "Unauthorized".into()),
            "{path} without a token"
        );
        assert_eq!(
            sim_call(&sim, post, path, Some("sim-admin-forged")).await,
            (401, "Unauthorized".into()),
            "{path} with a forged token"
        );
        assert_eq!(
            sim_call(&sim, post, path, Some(&alice)).await,
            (403, "Forbidden".into()),
            "{path} as alice (a valid user, but not the admin)"
        );
        assert_eq!(
            sim_call(&sim, post, path, Some(&admin)).await.0,
            200,
            "{path} as admin"
        );
    }
    // The refused fault request is in the log, under the user who tried.
    let log = support::requests(&sim).await;
    assert!(log
        .iter()
        .any(|r| r["path"] == "/sim/v1/faults" && r["user"] == "alice" && r["status"] == 403));
}

#[tokio::test]
async fn plain_http_keeps_sim_endpoints_open_on_loopback() {
    let sim = support::sim_with(kube_sim::SimOptions {
        http: true,
        scenario: "empty".into(),
        tuning: kube_sim::cluster::Tuning::fast(),
        ..Default::default()
    });
    assert_eq!(sim_call(&sim, true, "/sim/v1/faults", None).await.0, 200);
    assert_eq!(sim_call(&sim, false, "/sim/v1/requests", None).await.0, 200);
    let viewer = support::token(&sim, "viewer");
    assert_eq!(
        sim_call(&sim, true, "/sim/v1/faults", Some(&viewer)).await,
        (403, "Forbidden".into()),
        "a token that is not the admin's is refused even over plain HTTP"
    );
}

#[test]
fn a_non_loopback_listen_address_needs_allow_remote() {
    let opts = kube_sim::SimOptions {
        listen: "0.0.0.0:0".parse().unwrap(),
        http: true,
        scenario: "empty".into(),
        ..Default::default()
    };
    // Refused before anything binds.
    match kube_sim::start(opts.clone()) {
        Err(kube_sim::SimError::NotLoopback(addr)) => assert_eq!(addr, opts.listen),
        Err(e) => panic!("expected NotLoopback, got {e}"),
        Ok(_) => panic!("0.0.0.0 was accepted without allow_remote"),
    }
    let warning = opts.remote_warning().expect("a warning for 0.0.0.0");
    assert!(
        warning.contains("0.0.0.0") && warning.contains("admin"),
        "{warning}"
    );
    assert!(kube_sim::SimOptions::default().remote_warning().is_none());
    // The command line says why and exits non-zero, again without listening anywhere.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["sim", "--http", "--listen", "0.0.0.0:0"])
        .output()
        .expect("cutover runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0") && stderr.contains("--allow-remote"),
        "{stderr}"
    );
}
